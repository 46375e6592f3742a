using System.Management.Automation;
using AliBackup.PowerShell.Internal;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>
    /// Disconnect-AliBackup: forgets what Connect-AliBackup set for this session and every temporary credential its
    /// commands obtained; later commands use their parameters and the default chain again.
    /// </summary>
    [Cmdlet(VerbsCommunications.Disconnect, "AliBackup", HelpUri = Internal.OnlineHelp.Docs + "Disconnect-AliBackup.md")]
    public sealed class DisconnectAliBackupCommand : PSCmdlet
    {
        protected override void EndProcessing()
        {
            ModuleSession.Of(this).Clear();
            DebugSwitch.WriteVerbose(this, "AliBackup session settings and cached temporary credentials cleared.");
        }
    }
}
