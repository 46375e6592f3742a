using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using AliBackup.Service.Credentials;

namespace AliBackup.PowerShell.Completion
{
    /// <summary>
    /// Completes -Profile with the profile names of the aliyun CLI's ~/.aliyun/config.json (never file names: the
    /// parameter takes a name, not a path). The tooltip shows the mode and region, never a key.
    /// </summary>
    public sealed class ProfileCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var word = wordToComplete ?? "";
            var quote = word.Length > 0 && (word[0] == '\'' || word[0] == '"') ? word[0] : (char?)null;
            var prefix = word.Trim('\'', '"');
            // A list, possibly empty, never null: an empty answer tells PowerShell there is nothing to offer, rather
            // than to fall back to file names.
            return new CliProfileStore(EnvironmentReader.Process).ListProfiles()
                .Where(p => p.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(p => new CompletionResult(Quote(p.Name, quote), p.Name, CompletionResultType.ParameterValue, Describe(p)))
                .ToList();
        }

        private static string Describe(CliProfile profile) =>
            profile.Name + " (" + (profile.Mode.Length > 0 ? profile.Mode : "AK") + (profile.RegionId != null ? ", " + profile.RegionId : "") + ")";

        /// <summary>The name as it must be typed: in the user's quotes if they opened one, else quoted only when it needs it.</summary>
        private static string Quote(string name, char? quote)
        {
            if (quote == '"') return "\"" + name.Replace("`", "``").Replace("\"", "`\"").Replace("$", "`$") + "\"";
            if (quote == '\'' || name.Any(c => char.IsWhiteSpace(c) || "'\"`$&@(){}[];,|<>#".IndexOf(c) >= 0)) return "'" + name.Replace("'", "''") + "'";
            return name;
        }
    }
}
