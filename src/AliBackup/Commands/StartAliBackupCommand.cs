using System.Management.Automation;
using AliBackup.PowerShell.Completion;
using AliBackup.PowerShell.Internal;
using AliBackup.Service;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>
    /// Start-AliBackup: starts a manual backup and writes its task, ready to pipe into Wait-AliBackupTask. The services
    /// run one manual backup per instance at a time; when one is already running, -IfRunning Attach (the default) writes
    /// that task instead, and -IfRunning Fail reports an error.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "AliBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = Internal.OnlineHelp.Docs + "Start-AliBackup.md")]
    [OutputType(typeof(BackupTask))]
    public sealed class StartAliBackupCommand : AliBackupCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("DBClusterId", "DBInstanceId")]
        [ArgumentCompleter(typeof(InstanceIdCompleter))]
        [TrimText]
        [ValidateNotNullOrEmpty]
        [ValidateId(IdKind.Instance, "InstanceId")]
        public string[] InstanceId { get; set; } = null!;

        /// <summary>What to do when a manual backup is already running on the instance.</summary>
        [Parameter]
        public RunningBackupAction IfRunning { get; set; } = RunningBackupAction.Attach;

        protected override void ProcessRecord()
        {
            var target = ResolveTargetOrWriteError(InstanceId);
            if (target == null) return;
            foreach (var id in InstanceId)
            {
                var engine = ResolveEngineOrWriteError(id);
                if (engine == null) continue;
                if (!ShouldProcess(id + " (" + engine.Engine + ", " + target + ")", "Start a manual backup")) continue;
                RunForItem(id, async (output, token) =>
                {
                    var (task, attached) = await Service.StartOrAttachAsync(target, id, engine.Engine, IfRunning, token).ConfigureAwait(false);
                    if (attached)
                        output.WriteVerbose("A manual backup of " + id + " is already running (job " + task.BackupJobId + ", " + task.Status + "); attaching to it.");
                    output.WriteObject(task);
                });
            }
        }
    }
}
