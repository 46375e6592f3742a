using System;
using System.Management.Automation;
using System.Threading.Tasks;
using AliBackup.PowerShell.Completion;
using AliBackup.PowerShell.Internal;
using AliBackup.Service;
using AliBackup.Service.Engines;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>
    /// Get-AliBackup: backup sets of one or more instances, page by page as they arrive. A lookup by -BackupId or
    /// -BackupJobId without a window searches every backup the instance has, and reports an ID that matches nothing.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "AliBackup", HelpUri = Internal.OnlineHelp.Docs + "Get-AliBackup.md")]
    [OutputType(typeof(Backup))]
    public sealed class GetAliBackupCommand : AliBackupCmdlet
    {
        private DateTimeOffset? _start;
        private DateTimeOffset? _end;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("DBClusterId", "DBInstanceId")]
        [ArgumentCompleter(typeof(InstanceIdCompleter))]
        [TrimText]
        [ValidateNotNullOrEmpty]
        [ValidateId(IdKind.Instance, "InstanceId")]
        public string[] InstanceId { get; set; } = null!;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [TrimText]
        [ValidateId(IdKind.Backup, "BackupId")]
        public string? BackupId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [TrimText]
        [ValidateId(IdKind.BackupJob, "BackupJobId")]
        public string? BackupJobId { get; set; }

        /// <summary>Start of the window (default: 7 days before -EndTime). Local unless given as UTC.</summary>
        [Parameter]
        [ValidateBackupTime("StartTime")]
        public DateTime? StartTime { get; set; }

        /// <summary>End of the window (default: now).</summary>
        [Parameter]
        [ValidateBackupTime("EndTime")]
        public DateTime? EndTime { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            try
            {
                _start = InputValidation.BackupTime(StartTime, "StartTime");
                _end = InputValidation.BackupTime(EndTime, "EndTime");
                InputValidation.BackupWindow(_start, _end, Service.Time.GetUtcNow());
            }
            catch (AliBackupConfigurationException ex)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, ex.ParameterName == "StartTime" ? (object?)StartTime : EndTime));
            }
        }

        protected override void ProcessRecord()
        {
            var target = ResolveTargetOrWriteError(InstanceId);
            if (target == null) return;
            foreach (var id in InstanceId)
            {
                var query = BackupQuery.For(id, _start, _end, BackupId, BackupJobId, Service.Time.GetUtcNow());
                RunForItem(id, (output, token) =>
                    // Each page's first object goes downstream first; then the next page is fetched while the rest of this one
                    // is written, and the one after waits until it has been.
                    PagePrefetch.ForEachAsync(Service.GetBackupPagesAsync(target, query, Engine, token),
                        page =>
                        {
                            if (page.Count == 0) return Task.CompletedTask;
                            output.WriteObject(page[0]);
                            return output.FlushAsync();
                        },
                        page =>
                        {
                            for (var i = 1; i < page.Count; i++) output.WriteObject(page[i]);
                            return output.FlushAsync();
                        },
                        token));
            }
        }
    }
}
