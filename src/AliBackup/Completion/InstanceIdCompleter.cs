using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace AliBackup.PowerShell.Completion
{
    /// <summary>
    /// Completes -InstanceId with the IDs this session has already seen on AliBackup output, most recent first. It never
    /// calls the cloud: completion must be instant and must not need credentials. When -Engine is already given, only
    /// that product's IDs are offered.
    /// </summary>
    public sealed class InstanceIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var history = InstanceIdHistory.Current;
            if (history == null) return Enumerable.Empty<CompletionResult>();
            var prefix = (wordToComplete ?? "").Trim('\'', '"');
            var engine = BoundEngine(fakeBoundParameters);
            return history.Snapshot()
                .Where(s => s.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && (engine == null || s.Value == engine))
                .Select(s => new CompletionResult(s.Key, s.Key, CompletionResultType.ParameterValue, s.Value + " instance seen in this session"));
        }

        private static BackupEngine? BoundEngine(IDictionary? bound)
        {
            var value = bound?["Engine"];
            if (value is PSObject wrapped) value = wrapped.BaseObject;
            if (value is BackupEngine engine) return engine;
            return value != null && Enum.TryParse(value.ToString(), true, out BackupEngine parsed) ? parsed : (BackupEngine?)null;
        }
    }
}
