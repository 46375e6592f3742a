using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using AliBackup.PowerShell.Completion;
using System.Threading.Tasks;
using AliBackup.PowerShell.Internal;
using AliBackup.Service;
using AliBackup.Service.Waiting;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>
    /// Wait-AliBackupTask: waits for backup tasks to finish and writes the backups they produced. Tasks arriving from
    /// the pipeline are collected and waited on together; each backup is written as soon as its task finishes.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Wait, "AliBackupTask")]
    [OutputType(typeof(Backup))]
    public sealed class WaitAliBackupTaskCommand : AliBackupCmdlet
    {
        private readonly List<BackupTask> _tasks = new List<BackupTask>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("DBClusterId", "DBInstanceId")]
        [ArgumentCompleter(typeof(InstanceIdCompleter))]
        [ValidateNotNullOrEmpty]
        public string InstanceId { get; set; } = null!;

        /// <summary>The task to wait on (a comma-separated list for Redis cluster per-shard jobs).</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string BackupJobId { get; set; } = null!;

        /// <summary>How long to wait in all, in seconds or as a TimeSpan (default one hour).</summary>
        [Parameter]
        [TimeSpanSeconds]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

        /// <summary>The longest gap between polls, in seconds or as a TimeSpan (default 30 seconds).</summary>
        [Parameter]
        [TimeSpanSeconds]
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (Timeout <= TimeSpan.Zero)
                ThrowTerminatingError(ErrorRecords.InvalidArgument("-Timeout must be positive, e.g. -Timeout 3600 (seconds).", "Timeout", Timeout));
            if (PollInterval <= TimeSpan.Zero)
                ThrowTerminatingError(ErrorRecords.InvalidArgument("-PollInterval must be positive, e.g. -PollInterval 30 (seconds).", "PollInterval", PollInterval));
        }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngineOrWriteError(InstanceId);
            if (engine == null) return;
            var target = Target;
            _tasks.Add(new BackupTask
            {
                Engine = engine.Engine,
                InstanceId = InstanceId,
                BackupJobId = BackupJobId,
                Region = target.Region,
                Endpoint = target.Endpoint,
            });
        }

        protected override void EndProcessing()
        {
            if (_tasks.Count == 0) return;
            var options = new WaitOptions { Timeout = Timeout, PollInterval = PollInterval };
            var progress = new WaitProgress(_tasks.Count);
            RunAsync(async (output, token) =>
            {
                var waiter = new BackupWaiter(Service);
                await foreach (var e in waiter.WaitAsync(_tasks, options, token).ConfigureAwait(false))
                {
                    switch (e.Kind)
                    {
                        case WaitEventKind.TaskUpdated:
                            output.Post(() => progress.Show(this, e.Task, e.Waited));
                            break;
                        case WaitEventKind.Completed:
                            output.Post(() => progress.Finish(this, e.Task));
                            output.WriteObjects(e.Backups);
                            break;
                        case WaitEventKind.Throttled:
                            output.WriteVerbose("The service is throttling polls (" + e.Error?.Message + "); polling less often.");
                            break;
                        default:
                            output.Post(() => progress.Finish(this, e.Task));
                            output.WriteError(ErrorRecords.From(e.Error ?? new WaitTimeoutException(e.Task, e.Waited, options.ReattachCommand(e.Task)), e.Task));
                            break;
                    }
                }
                output.Post(() => progress.Complete(this));
            });
        }

        /// <summary>Write-Progress: one parent record for the whole wait and one child per task.</summary>
        private sealed class WaitProgress
        {
            private const int ParentId = 1;
            private readonly int _total;
            private readonly Dictionary<string, int> _childIds = new Dictionary<string, int>(StringComparer.Ordinal);
            private int _finished;

            public WaitProgress(int total)
            {
                _total = total;
            }

            public void Show(Cmdlet cmdlet, BackupTask task, TimeSpan waited)
            {
                WriteParent(cmdlet, waited);
                var child = new ProgressRecord(ChildId(task), task.InstanceId + " job " + task.BackupJobId,
                    task.Status + (task.RawStatus != null && task.RawStatus != task.Status.ToString() ? " (" + task.RawStatus + ")" : ""))
                {
                    ParentActivityId = ParentId,
                    PercentComplete = task.Progress.HasValue ? Math.Max(0, Math.Min(100, task.Progress.Value)) : -1,
                };
                cmdlet.WriteProgress(child);
            }

            public void Finish(Cmdlet cmdlet, BackupTask task)
            {
                _finished++;
                cmdlet.WriteProgress(new ProgressRecord(ChildId(task), task.InstanceId + " job " + task.BackupJobId, task.Status.ToString())
                {
                    ParentActivityId = ParentId,
                    RecordType = ProgressRecordType.Completed,
                });
            }

            public void Complete(Cmdlet cmdlet) =>
                cmdlet.WriteProgress(new ProgressRecord(ParentId, Activity, "Done") { RecordType = ProgressRecordType.Completed });

            private string Activity => "Waiting for " + _total.ToString(CultureInfo.InvariantCulture) + " backup task" + (_total == 1 ? "" : "s");

            private void WriteParent(Cmdlet cmdlet, TimeSpan waited) =>
                cmdlet.WriteProgress(new ProgressRecord(ParentId, Activity,
                    _finished.ToString(CultureInfo.InvariantCulture) + " of " + _total.ToString(CultureInfo.InvariantCulture) + " finished; waited " + (int)waited.TotalSeconds + " s")
                {
                    PercentComplete = _total == 0 ? 0 : _finished * 100 / _total,
                });

            private int ChildId(BackupTask task)
            {
                var key = task.InstanceId + "/" + task.BackupJobId;
                if (!_childIds.TryGetValue(key, out var id))
                {
                    id = ParentId + 1 + _childIds.Count;
                    _childIds[key] = id;
                }
                return id;
            }
        }
    }
}
