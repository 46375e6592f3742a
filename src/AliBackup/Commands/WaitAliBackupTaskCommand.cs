using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
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
    /// the pipeline are collected and waited on together; each backup is written as soon as its task finishes. A failed
    /// backup, a timeout or a task that cannot be found is an error record for that task while the others go on. A
    /// backup piped in without a job (PolarDB names none) is looked up by its BackupId and comes back when finished.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Wait, "AliBackupTask", DefaultParameterSetName = ByTaskSet, HelpUri = Internal.OnlineHelp.Docs + "Wait-AliBackupTask.md")]
    [OutputType(typeof(Backup))]
    public sealed class WaitAliBackupTaskCommand : AliBackupCmdlet
    {
        private const string ByTaskSet = "ByTask";
        private const string LatestSet = "Latest";
        private const string ByBackupSet = "ByBackup";
        private static readonly TimeSpan CiHeartbeat = TimeSpan.FromMinutes(1);

        private readonly List<BackupTask> _tasks = new List<BackupTask>();
        private readonly ConcurrentDictionary<string, BackupTask> _unfinished = new ConcurrentDictionary<string, BackupTask>();
        private WaitOptions _options = null!;
        private CiSystem _ci;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByTaskSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByBackupSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = LatestSet)]
        [Alias("DBClusterId", "DBInstanceId")]
        [ArgumentCompleter(typeof(InstanceIdCompleter))]
        [TrimText]
        [ValidateNotNullOrEmpty]
        [ValidateId(IdKind.Instance, "InstanceId")]
        public string InstanceId { get; set; } = null!;

        /// <summary>
        /// The task to wait on (a comma-separated list for Redis cluster per-shard jobs). Null and empty bind, so a piped
        /// object without a job (a PolarDB backup) gets a clear error of its own, or is looked up by its BackupId.
        /// </summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = ByTaskSet)]
        [AllowNull]
        [AllowEmptyString]
        [TrimText]
        [ValidateId(IdKind.BackupJob, "BackupJobId")]
        public string? BackupJobId { get; set; }

        /// <summary>
        /// A backup to return once it is finished (what a piped backup without a job is waited on by). Null binds too: a
        /// piped task carries a BackupId property that is null until its backup is known (RDS names it when finished), and
        /// PowerShell refuses a null for a parameter that is mandatory in any set unless it is allowed.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ByTaskSet)]
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByBackupSet)]
        [AllowNull]
        [AllowEmptyString]
        [TrimText]
        [ValidateId(IdKind.Backup, "BackupId")]
        public string? BackupId { get; set; }

        /// <summary>Wait on the instance's newest manual backup task (to re-attach after a timeout or Ctrl+C).</summary>
        [Parameter(Mandatory = true, ParameterSetName = LatestSet)]
        public SwitchParameter Latest { get; set; }

        /// <summary>How long to wait in all, in seconds or as a TimeSpan (default one hour).</summary>
        [Parameter]
        [TimeSpanSeconds]
        [ValidateTimeout]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

        /// <summary>The longest gap between polls, in seconds or as a TimeSpan (default 30 seconds, at least 1 second).</summary>
        [Parameter]
        [TimeSpanSeconds]
        [ValidatePollInterval]
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

        // The waiter slows its own schedule on throttling and asks again next round on other faults; the client must not
        // also retry those polls for long, or one failing instance would hold up the round that reports the others.
        protected override BackupServiceOptions ConfigureService(BackupServiceOptions options)
        {
            options.Client = BackupWaiter.ClientOptions();
            return options;
        }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            TimeSpan timeout = default, pollInterval = default;
            string? slowerPolls = null;
            try
            {
                timeout = InputValidation.Timeout(Timeout);
                pollInterval = InputValidation.PollInterval(PollInterval, Service.MinimumPollInterval, out slowerPolls);
            }
            catch (AliBackupConfigurationException ex)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, ex.ParameterName == "Timeout" ? Timeout : PollInterval));
            }
            if (slowerPolls != null) WriteWarning(slowerPolls);
            _ci = CiSystems.Detect();
            _options = new WaitOptions
            {
                Timeout = timeout,
                PollInterval = pollInterval,
                MinimumPollGap = Service.MinimumPollInterval,
                HeartbeatInterval = _ci == CiSystem.None ? (TimeSpan?)null : CiHeartbeat,
            };
        }

        protected override void ProcessRecord()
        {
            var engine = ResolveEngineOrWriteError(InstanceId);
            if (engine == null) return;
            var target = ResolveTargetOrWriteError(InstanceId);
            if (target == null) return;
            if (string.IsNullOrEmpty(BackupJobId) && ParameterSetName != LatestSet)
            {
                if (string.IsNullOrEmpty(BackupId))
                {
                    WriteError(ErrorRecords.InvalidArgument(
                        "Nothing to wait on for " + InstanceId + ": no -BackupJobId was given (a PolarDB backup names no job). Pipe a task from Start-AliBackup or " +
                        "Get-AliBackupTask, pass -BackupJobId, pass -BackupId for a backup, or use -Latest for the newest manual backup.", "BackupJobId", InstanceId));
                    return;
                }
                // A backup, not a task: it comes back as it is once finished.
                RunForItem(InstanceId, async (output, token) =>
                    output.WriteObjects(await Service.GetFinishedBackupAsync(target, InstanceId, BackupId!, engine.Engine, token).ConfigureAwait(false)));
                return;
            }
            if (ParameterSetName == LatestSet)
            {
                RunForItem(InstanceId, async (output, token) =>
                {
                    var latest = await Service.FindLatestManualTaskAsync(target, InstanceId, engine.Engine, token).ConfigureAwait(false);
                    output.WriteVerbose("The newest manual backup task of " + InstanceId + " is job " + latest.BackupJobId + " (" + latest.Status + ").");
                    output.Post(() => Add(latest));
                });
                return;
            }
            Add(new BackupTask
            {
                Engine = engine.Engine,
                InstanceId = InstanceId,
                BackupJobId = BackupJobId!,
                Region = target.Region,
                Endpoint = target.Endpoint,
            });
        }

        protected override void EndProcessing()
        {
            if (_tasks.Count == 0) return;
            var progress = new WaitProgress(_tasks.Count, _ci == CiSystem.None && ShowsProgressBars()); // CI logs get heartbeats instead
            RunAsync(async (output, token) =>
            {
                var credential = await Service.Credentials.GetCredentialAsync(token).ConfigureAwait(false);
                var now = Service.Time.GetUtcNow();
                var lifetimeWarning = CredentialLifetime.WarningFor(credential, now, _options.DeadlineFrom(now));
                if (lifetimeWarning != null) output.WriteWarning(lifetimeWarning);

                var waiter = new BackupWaiter(Service);
                await foreach (var e in waiter.WaitAsync(_tasks, _options, token).ConfigureAwait(false))
                {
                    switch (e.Kind)
                    {
                        case WaitEventKind.TaskUpdated:
                            output.Post(() => progress.Show(this, e.Task, e.Waited));
                            break;
                        case WaitEventKind.Completed:
                            Finished(e.Task);
                            output.Post(() => progress.Finish(this, e.Task, e.Waited));
                            output.WriteObjects(e.Backups);
                            break;
                        case WaitEventKind.Throttled:
                            output.WriteVerbose("Polls are being throttled or failing for now (" + e.Error?.Message + "); polling less often.");
                            break;
                        case WaitEventKind.Heartbeat:
                            output.Post(() => WriteHostLine(Heartbeat(e), "Heartbeat"));
                            break;
                        default:
                            Finished(e.Task);
                            output.Post(() =>
                            {
                                progress.Finish(this, e.Task, e.Waited);
                                var error = e.Error ?? new WaitTimeoutException(e.Task, e.Waited, _options.ReattachCommand(e.Task));
                                var record = ErrorRecords.From(error, e.Task);
                                if (e.Kind == WaitEventKind.Error && !(error is BackupJobNotFoundException))
                                    record.ErrorDetails = new ErrorDetails(error.Message) { RecommendedAction = Join(error.RecommendedAction, "To wait again: " + _options.ReattachCommand(e.Task)) };
                                if (_ci != CiSystem.None) WriteHostLine(CiSystems.ErrorAnnotation(_ci, error.Message), "Annotation");
                                WriteError(record);
                            });
                            break;
                    }
                }
                output.Post(() => progress.Complete(this));
            });
        }

        protected override void StopProcessing()
        {
            base.StopProcessing();
            var left = _unfinished.Values.ToList();
            if (left.Count == 0) return;
            // The pipeline is stopping, so the output streams are closed; the host still shows this.
            try
            {
                Host.UI.WriteWarningLine("Stopped waiting. The backups go on in the service. To wait again: " +
                                         string.Join("; ", left.Select(t => _options.ReattachCommand(t))));
            }
            catch (Exception ex) when (ex is NotImplementedException || ex is NotSupportedException || ex is PipelineStoppedException)
            {
                // A host without a UI: nothing more can be said.
            }
        }

        /// <summary>
        /// Adds a task to wait on, once: the same task piped twice (a list with duplicates, or a started task beside the
        /// same task listed) is waited on, and its backup written, only once.
        /// </summary>
        private void Add(BackupTask task)
        {
            if (!_unfinished.TryAdd(Key(task), task))
            {
                WriteVerbose("Already waiting on " + task.InstanceId + " job " + task.BackupJobId + "; it is waited on once.");
                return;
            }
            _tasks.Add(task);
        }

        private void Finished(BackupTask task) => _unfinished.TryRemove(Key(task), out _);

        /// <summary>One key per task: instance IDs compare without case, and a per-shard job list in any order.</summary>
        private static string Key(BackupTask task) =>
            task.InstanceId.ToUpperInvariant() + "/" + string.Join(",", task.GetJobIds().OrderBy(id => id, StringComparer.Ordinal));


        private static string Heartbeat(WaitEvent e)
        {
            var shown = e.Pending.Take(10).Select(t => t.InstanceId + " job " + t.BackupJobId + " " + t.Status + (t.Progress.HasValue ? " " + t.Progress.Value + "%" : ""));
            var more = e.Pending.Count > 10 ? "; and " + (e.Pending.Count - 10) + " more" : "";
            return "AliBackup: waiting for " + e.Pending.Count + " backup task" + (e.Pending.Count == 1 ? "" : "s") + " after " +
                   FormatWaited(e.Waited) + ": " + string.Join("; ", shown) + more;
        }

        private static string FormatWaited(TimeSpan waited) =>
            waited.TotalHours >= 1 ? $"{(int)waited.TotalHours}h{waited.Minutes:00}m" : $"{(int)waited.TotalMinutes}m{waited.Seconds:00}s";

        private static string Join(string? first, string second) => string.IsNullOrEmpty(first) ? second : first + " " + second;
    }
}
