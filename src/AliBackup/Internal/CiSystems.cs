using System;

namespace AliBackup.PowerShell.Internal
{
    internal enum CiSystem
    {
        None,
        GitHubActions,
        AzureDevOps,
    }

    /// <summary>Recognises CI runners and writes their log annotations, so a failed backup shows up on the run's summary.</summary>
    internal static class CiSystems
    {
        public static CiSystem Detect()
        {
            if (string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase)) return CiSystem.GitHubActions;
            if (string.Equals(Environment.GetEnvironmentVariable("TF_BUILD"), "true", StringComparison.OrdinalIgnoreCase)) return CiSystem.AzureDevOps;
            return CiSystem.None;
        }

        /// <summary>
        /// An error annotation line: <c>::error::…</c> (GitHub Actions workflow command) or
        /// <c>##vso[task.logissue type=error]…</c> (Azure Pipelines logging command). The message is escaped the way
        /// each runner unescapes it, so it stays on one line and cannot end the command early: GitHub reads <c>%25</c>
        /// as <c>%</c>; the Azure agent reads <c>%AZP25</c> (and would show <c>%25</c> as is), plus <c>%3B</c> and
        /// <c>%5D</c> for <c>;</c> and <c>]</c>. Messages here come from AliBackup's exceptions, which never carry secrets.
        /// </summary>
        public static string ErrorAnnotation(CiSystem ci, string message) =>
            ci == CiSystem.AzureDevOps
                ? "##vso[task.logissue type=error]" + EscapeLines(message.Replace("%", "%AZP25")).Replace("]", "%5D").Replace(";", "%3B")
                : "::error title=AliBackup::" + EscapeLines(message.Replace("%", "%25"));

        private static string EscapeLines(string text) => text.Replace("\r", "%0D").Replace("\n", "%0A");
    }
}
