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
        /// <c>##vso[task.logissue type=error]…</c> (Azure Pipelines logging command). The message is escaped so it stays
        /// on one line and cannot close the command early. Messages here come from AliBackup's exceptions, which never
        /// carry secrets.
        /// </summary>
        public static string ErrorAnnotation(CiSystem ci, string message)
        {
            var escaped = message.Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");
            return ci == CiSystem.AzureDevOps
                ? "##vso[task.logissue type=error]" + escaped.Replace("]", "%5D").Replace(";", "%3B")
                : "::error title=AliBackup::" + escaped;
        }
    }
}
