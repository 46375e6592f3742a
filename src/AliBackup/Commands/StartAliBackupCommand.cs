using System.Management.Automation;
using AliBackup.PowerShell.Completion;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>Start-AliBackup: starts a manual backup and writes its task, ready to pipe into Wait-AliBackupTask.</summary>
    [Cmdlet(VerbsLifecycle.Start, "AliBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(BackupTask))]
    public sealed class StartAliBackupCommand : AliBackupCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("DBClusterId", "DBInstanceId")]
        [ArgumentCompleter(typeof(InstanceIdCompleter))]
        [ValidateNotNullOrEmpty]
        public string[] InstanceId { get; set; } = null!;

        protected override void ProcessRecord()
        {
            foreach (var id in InstanceId)
            {
                var engine = ResolveEngineOrWriteError(id);
                if (engine == null) continue;
                var target = Target;
                if (!ShouldProcess(id + " (" + engine.Engine + ", " + target + ")", "Start a manual backup")) continue;
                RunForItem(id, async (output, token) =>
                {
                    var task = await Service.StartBackupAsync(target, id, engine.Engine, token).ConfigureAwait(false);
                    output.WriteObject(task);
                });
            }
        }
    }
}
