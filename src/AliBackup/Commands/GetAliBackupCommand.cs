using System;
using System.Management.Automation;
using AliBackup.PowerShell.Completion;
using System.Threading.Tasks;
using AliBackup.Service;
using AliBackup.Service.Engines;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>Get-AliBackup: backup sets of one or more instances, page by page as they arrive.</summary>
    [Cmdlet(VerbsCommon.Get, "AliBackup")]
    [OutputType(typeof(Backup))]
    public sealed class GetAliBackupCommand : AliBackupCmdlet
    {
        private static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);
        private DateTimeOffset _start;
        private DateTimeOffset _end;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("DBClusterId", "DBInstanceId")]
        [ArgumentCompleter(typeof(InstanceIdCompleter))]
        [ValidateNotNullOrEmpty]
        public string[] InstanceId { get; set; } = null!;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? BackupId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? BackupJobId { get; set; }

        /// <summary>Start of the window (default: 7 days before -EndTime). Local unless given as UTC.</summary>
        [Parameter]
        public DateTime? StartTime { get; set; }

        /// <summary>End of the window (default: now).</summary>
        [Parameter]
        public DateTime? EndTime { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _end = EndTime.HasValue ? new DateTimeOffset(EndTime.Value) : Service.Time.GetUtcNow();
            _start = StartTime.HasValue ? new DateTimeOffset(StartTime.Value) : _end - DefaultWindow;
            if (_end <= _start)
            {
                ThrowTerminatingError(Internal.ErrorRecords.InvalidArgument(
                    "-EndTime (" + _end.ToString("u") + ") must be later than -StartTime (" + _start.ToString("u") + ").", "EndTime", EndTime));
            }
        }

        protected override void ProcessRecord()
        {
            foreach (var id in InstanceId)
            {
                var query = new BackupQuery(id, _start, _end) { BackupId = BackupId, BackupJobId = BackupJobId };
                RunForItem(id, (output, token) =>
                    // Each page's first object goes downstream first; then the next page is fetched while the rest of this one
                    // is written, and the one after waits until it has been.
                    PagePrefetch.ForEachAsync(Service.GetBackupPagesAsync(Target, query, Engine, token),
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
