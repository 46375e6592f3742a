using System.Management.Automation;
using AliBackup.PowerShell.Completion;
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
        [ValidateNotNullOrEmpty]
        public string[] InstanceId { get; set; } = null!;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? BackupJobId { get; set; }

        [Parameter]
        public BackupJobMode? JobMode { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var id in InstanceId)
            {
                RunForItem(id, async (output, token) =>
                {
                    var tasks = await Service.GetTasksAsync(Target, new TaskQuery(id, BackupJobId, JobMode), Engine, token).ConfigureAwait(false);
                    output.WriteObjects(tasks);
                });
            }
        }
    }
}
