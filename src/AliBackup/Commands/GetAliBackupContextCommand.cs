using System.Management.Automation;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>
    /// Get-AliBackupContext: which credentials (their source and masked AccessKey ID, whether temporary and until when),
    /// region and endpoints the other AliBackup commands would use with the same parameters, and where each came from.
    /// Resolving the credentials may obtain temporary ones (STS, instance metadata). Never shows a secret or token.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "AliBackupContext", HelpUri = Internal.OnlineHelp.Docs + "Get-AliBackupContext.md")]
    [OutputType(typeof(AliBackupContext))]
    public sealed class GetAliBackupContextCommand : AliBackupCmdlet
    {
        protected override void EndProcessing() =>
            RunAsync(async (output, token) => output.WriteObject(await Service.GetContextAsync(Region, Endpoint, Engine, token).ConfigureAwait(false)));
    }
}
