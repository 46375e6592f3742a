using System.Management.Automation;
using AliBackup.Service;
using AliBackup.PowerShell.Internal;
using AliBackup.PowerShell.Completion;
using AliBackup.Service.Policies;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>Get-AliBackupPolicy: the automatic backup policy of each instance, in one shape for every product.</summary>
    [Cmdlet(VerbsCommon.Get, "AliBackupPolicy", HelpUri = Internal.OnlineHelp.Docs + "Get-AliBackupPolicy.md")]
    [OutputType(typeof(BackupPolicy))]
    public sealed class GetAliBackupPolicyCommand : AliBackupCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("DBClusterId", "DBInstanceId")]
        [ArgumentCompleter(typeof(InstanceIdCompleter))]
        [TrimText]
        [ValidateNotNullOrEmpty]
        [ValidateId(IdKind.Instance, "InstanceId")]
        public string[] InstanceId { get; set; } = null!;

        protected override void ProcessRecord()
        {
            var target = ResolveTargetOrWriteError(InstanceId);
            if (target == null) return;
            var policies = new PolicyService(Service);
            foreach (var id in InstanceId)
            {
                RunForItem(id, async (output, token) =>
                    output.WriteObject(await policies.GetAsync(target, id, Engine, token).ConfigureAwait(false)));
            }
        }
    }
}
