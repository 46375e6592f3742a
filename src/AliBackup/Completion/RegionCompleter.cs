using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using AliBackup.Service.Engines;

namespace AliBackup.PowerShell.Completion
{
    /// <summary>Completes -Region with the regions the three products list.</summary>
    public sealed class RegionCompleter : IArgumentCompleter
    {
        private static readonly Lazy<string[]> Regions = new Lazy<string[]>(() =>
            EngineCatalog.All.SelectMany(e => e.Product.KnownRegions).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(r => r, StringComparer.Ordinal).ToArray());

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var prefix = (wordToComplete ?? "").Trim('\'', '"');
            return Regions.Value
                .Where(r => r.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(r => new CompletionResult(r, r, CompletionResultType.ParameterValue, r));
        }
    }
}
