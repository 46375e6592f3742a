using System.Management.Automation;
using AliBackup.PowerShell.Completion;
using AliBackup.PowerShell.Internal;
using AliBackup.Service;
using AliBackup.Service.Engines;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>Get-AliBackupTask: the backup tasks (jobs) of one or more instances.</summary>
    [Cmdlet(VerbsCommon.Get, "AliBackupTask", HelpUri = Internal.OnlineHelp.Docs + "Get-AliBackupTask.md")]
    [OutputType(typeof(BackupTask))]
    public sealed class GetAliBackupTaskCommand : AliBackupCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("DBClusterId", "DBInstanceId")]
        [ArgumentCompleter(typeof(InstanceIdCompleter))]
        [TrimText]
        [ValidateNotNullOrEmpty]
        [ValidateId(IdKind.Instance, "InstanceId")]
        public string[] InstanceId { get; set; } = null!;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [TrimText]
        [ValidateId(IdKind.BackupJob, "BackupJobId")]
        public string? BackupJobId { get; set; }

        [Parameter]
        public BackupJobMode? JobMode { get; set; }

        protected override void ProcessRecord()
        {
            var target = ResolveTargetOrWriteError(InstanceId);
            if (target == null) return;
            foreach (var id in InstanceId)
            {
                RunForItem(id, async (output, token) =>
                {
                    var tasks = await Service.GetTasksAsync(target, new TaskQuery(id, string.IsNullOrEmpty(BackupJobId) ? null : BackupJobId, JobMode), Engine, token).ConfigureAwait(false);
                    output.WriteObjects(tasks);
                });
            }
        }
    }
}
