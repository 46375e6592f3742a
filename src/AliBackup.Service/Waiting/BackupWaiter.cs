using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Engines;

namespace AliBackup.Service.Waiting
{
    /// <summary>
    /// Waits on any number of backup tasks, of any products and instances, together. Each round polls
    /// DescribeBackupTasks once per instance that still has unfinished tasks; a task that reaches Finished, or drops
    /// out of the list, is resolved through DescribeBackups, whose Success/Failed is the truth. Events are yielded
    /// as soon as the round that produced them ends, so an early finisher is reported before the slow ones.
    /// </summary>
    public sealed class BackupWaiter
    {
        // Jobs never seen in the task list (not listed yet, or finished and already dropped) are looked up among the
        // backups every few rounds rather than every round, to keep one call per instance per round the norm.
        private const int UnseenJobLookupEveryRounds = 3;
        private static readonly TimeSpan WindowPadding = TimeSpan.FromMinutes(10);
        private static readonly TimeSpan UnknownStartLookback = TimeSpan.FromDays(7);

        // A job no task list shows and no backup names is reported missing after two looks a poll apart, except where the
        // task list shows only running tasks (MongoDB): a job that just finished has left it, and DescribeBackups may lag
        // behind for about a minute (Terraform waits one), so there it is looked for that long.
        private static readonly TimeSpan FinishedBackupLag = TimeSpan.FromMinutes(1);

        private readonly BackupService _service;
        private readonly Random _random;

        public BackupWaiter(BackupService service, Random? random = null)
        {
            _service = service;
            _random = random ?? new Random();
        }

        /// <summary>
        /// Client settings for a service a waiter polls through: throttling is not retried (the waiter slows its whole
        /// schedule instead) and other faults only briefly (the next round asks again), so one failing instance never holds
        /// up the round that reports the others.
        /// </summary>
        public static OpenApi.OpenApiClientOptions ClientOptions() => new OpenApi.OpenApiClientOptions
        {
            RetryThrottling = false,
            MaxAttempts = 2,
            RetryBudget = TimeSpan.FromSeconds(5),
        };

        /// <summary>What each round did (for benchmarks and diagnostics).</summary>
        public IReadOnlyList<WaitRound> Rounds => _rounds;

        private readonly List<WaitRound> _rounds = new List<WaitRound>();

        public async IAsyncEnumerable<WaitEvent> WaitAsync(IReadOnlyList<BackupTask> tasks, WaitOptions options,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var time = _service.Time;
            var started = time.GetUtcNow();
            var deadline = options.DeadlineFrom(started);
            // Tasks mostly share a region and endpoint; each pair is resolved once (resolving may read the CLI's profile file).
            var targets = new Dictionary<string, ApiTarget>(StringComparer.Ordinal);
            var tracked = new List<TrackedTask>(tasks.Count);
            for (var index = 0; index < tasks.Count; index++)
            {
                var t = tasks[index];
                var engine = EngineCatalog.Resolve(t.InstanceId, t.Engine);
                var pair = t.Region + "\n" + t.Endpoint;
                if (!targets.TryGetValue(pair, out var target)) targets.Add(pair, target = _service.ResolveTarget(t.Region, t.Endpoint));
                tracked.Add(new TrackedTask(index, t, engine, target));
            }
            var interval = options.FirstPollInterval < options.PollInterval ? options.FirstPollInterval : options.PollInterval;
            DateTimeOffset? lastHeartbeat = null;
            var round = 0;

            // The last round starts a little before the deadline, so its answers can arrive and be judged in time.
            var unlimited = deadline == DateTimeOffset.MaxValue;
            var reserve = unlimited ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(FinalRoundReserve.Ticks, options.Timeout.Ticks / 10));
            var finalRoundAt = deadline - reserve;

            while (true)
            {
                round++;
                var outcome = new RoundResult();
                var pending = tracked.Where(t => !t.Done).ToList();
                // Every request of the round ends by the deadline, whatever the network does (a poll may not outlast -Timeout).
                var remaining = deadline - time.GetUtcNow();
                using (var cut = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                using (var gate = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentPolls)))
                {
                    // CancelAfter takes at most ~49 days; a wait with no limit (or one longer than that) has no cut to make.
                    if (!unlimited && remaining < MaxRequestCut) cut.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
                    var polls = pending
                        .GroupBy(t => new InstanceKey(t.Target, t.Engine.Engine, t.Request.InstanceId))
                        .Select(async group =>
                        {
                            var members = group.ToList();
                            try
                            {
                                await gate.WaitAsync(cut.Token).ConfigureAwait(false);
                                try
                                {
                                    await PollInstanceAsync(group.Key, members, round, started, outcome, options, cut.Token).ConfigureAwait(false);
                                }
                                finally
                                {
                                    gate.Release();
                                }
                            }
                            catch (OperationCanceledException) when (cut.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                            {
                                outcome.NoteTransient(new AliBackupTransportException("The poll of " + group.Key.InstanceId + " was still waiting for an answer at the -Timeout deadline."), members);
                            }
                        })
                        .ToList();
                    await Task.WhenAll(polls).ConfigureAwait(false);
                }
                _rounds.Add(new WaitRound(round, pending.Select(t => new InstanceKey(t.Target, t.Engine.Engine, t.Request.InstanceId)).Distinct().Count(), outcome.BackupLookups));

                // Within a round, report in the order the tasks were given, whatever order the polls finished in.
                foreach (var e in outcome.Events.OrderBy(e => e.Order)) yield return e.Event;
                var now = time.GetUtcNow();
                var unfinished = tracked.Where(t => !t.Done).Select(t => t.Snapshot).ToList();
                if (unfinished.Count == 0) yield break;

                if (options.HeartbeatInterval.HasValue && lastHeartbeat == null)
                {
                    lastHeartbeat = now;
                    yield return new WaitEvent(WaitEventKind.Heartbeat, unfinished[0], now - started, pending: unfinished);
                }

                // The round at (or after) the final moment was the last: its answers have been judged above.
                var lastRound = now >= finalRoundAt;

                if (outcome.SlowDown)
                {
                    // Throttling and transient failures slow the whole schedule instead of failing the wait: at least
                    // double the gap (up to four times -PollInterval), and never sooner than the service asked.
                    var slowed = Math.Min(interval.Ticks * 2, options.PollInterval.Ticks * 4);
                    interval = TimeSpan.FromTicks(Math.Max(Math.Max(slowed, interval.Ticks), outcome.RetryAfter.Ticks));
                    yield return new WaitEvent(WaitEventKind.Throttled, unfinished[0], now - started, error: outcome.SlowDownCause, pending: unfinished);
                }
                else if (round > 1)
                {
                    // Short first polls catch quick backups; then back off toward -PollInterval.
                    interval = TimeSpan.FromTicks(Math.Min(options.PollInterval.Ticks, Math.Max(interval.Ticks, (long)(interval.Ticks * options.Backoff))));
                }

                double jitterFactor;
                lock (_random) jitterFactor = 1 + options.Jitter * (2 * _random.NextDouble() - 1);
                var delay = TimeSpan.FromTicks((long)(interval.Ticks * jitterFactor));
                if (delay < options.MinimumPollGap) delay = options.MinimumPollGap;
                if (outcome.RetryAfter > delay) delay = outcome.RetryAfter;
                // The service's retry-after never carries the wait past -Timeout: the last round is at finalRoundAt.
                if (lastRound) delay = deadline > now ? deadline - now : TimeSpan.Zero;
                else if (now + delay > finalRoundAt) delay = finalRoundAt - now;

                // Sleep until the next round, stopping on the way for heartbeats: they keep their own beat, not the polls'.
                var wakeAt = now + delay;
                while (true)
                {
                    now = time.GetUtcNow();
                    var nextBeat = options.HeartbeatInterval.HasValue && lastHeartbeat.HasValue ? lastHeartbeat.Value + options.HeartbeatInterval.Value : DateTimeOffset.MaxValue;
                    if (nextBeat >= wakeAt)
                    {
                        if (wakeAt > now) await time.Delay(wakeAt - now, cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    if (nextBeat > now) await time.Delay(nextBeat - now, cancellationToken).ConfigureAwait(false);
                    lastHeartbeat = nextBeat;
                    yield return new WaitEvent(WaitEventKind.Heartbeat, unfinished[0], time.GetUtcNow() - started, pending: unfinished);
                }

                if (lastRound)
                {
                    now = time.GetUtcNow();
                    foreach (var t in tracked.Where(t => !t.Done))
                    {
                        t.Done = true;
                        var waited = now - started;
                        yield return new WaitEvent(WaitEventKind.TimedOut, t.Snapshot, waited,
                            error: new WaitTimeoutException(t.Snapshot, waited, options.ReattachCommand(t.Snapshot), t.LastProblem,
                                neverListed: t.Jobs.Values.All(j => !j.Seen && j.Backups == null)));
                    }
                    yield break;
                }
            }
        }

        private static readonly TimeSpan MaxRequestCut = TimeSpan.FromDays(49);

        /// <summary>The longest head start the final round gets before the deadline (a tenth of -Timeout when that is shorter).</summary>
        internal static readonly TimeSpan FinalRoundReserve = TimeSpan.FromSeconds(1);

        private async Task PollInstanceAsync(InstanceKey key, List<TrackedTask> group, int round, DateTimeOffset started, RoundResult result, WaitOptions options,
            CancellationToken cancellationToken)
        {
            var engine = group[0].Engine;
            var openJobs = new List<JobTrack>();
            foreach (var t in group)
                foreach (var job in t.Jobs.Values)
                    if (job.Backups == null) openJobs.Add(job);
            try
            {
                // One call per instance per round: filter by job ID only when a single job is waited on here.
                var query = new TaskQuery(group[0].Request.InstanceId, openJobs.Count == 1 ? openJobs[0].JobId : null);
                var listed = await _service.GetTasksAsync(key.Target, query, engine.Engine, cancellationToken).ConfigureAwait(false);
                var byId = new Dictionary<string, BackupTask>(StringComparer.Ordinal);
                foreach (var task in listed)
                    foreach (var id in task.GetJobIds())
                        byId[id] = task;

                var lookups = new List<JobTrack>();
                var unknown = new List<JobTrack>();
                foreach (var job in openJobs)
                {
                    if (byId.TryGetValue(job.JobId, out var seen))
                    {
                        job.Seen = true;
                        job.Last = seen;
                        // A task the service itself reports Failed (RDS) has ended too; its backups, if any, still decide.
                        if (seen.Status == BackupTaskStatus.Failed) job.TaskFailed = true;
                        if (seen.Status == BackupTaskStatus.Finished || seen.Status == BackupTaskStatus.Failed) lookups.Add(job);
                    }
                    else if (job.Seen)
                    {
                        // Dropped out of the list (MongoDB lists only running tasks): the backups decide.
                        lookups.Add(job);
                    }
                    else if (job.Looks < 2 || engine.ListsOnlyRunningTasks || round % UnseenJobLookupEveryRounds == 1)
                    {
                        // Never listed: a job that finished long ago, one that just finished (MongoDB), or none at all.
                        unknown.Add(job);
                    }
                }

                foreach (var job in unknown)
                {
                    Interlocked.Increment(ref result.BackupLookups);
                    job.Looks++;
                    var owner = OwnerOf(group, job);
                    var matched = await _service.FindJobBackupsAsync(key.Target, owner.Snapshot, job.JobId, engine.Engine, cancellationToken).ConfigureAwait(false);
                    if (matched.Count > 0)
                    {
                        job.Backups = matched;
                        continue;
                    }
                    var lookedFor = _service.Time.GetUtcNow() - started;
                    var recentStart = owner.Request.StartTime.HasValue && _service.Time.GetUtcNow() - owner.Request.StartTime.Value < FinishedBackupLag;
                    // Two looks a poll apart, so a task created a moment ago that is not listed yet is not called missing.
                    if (job.Looks >= 2 && (!engine.ListsOnlyRunningTasks || lookedFor >= FinishedBackupLag) && !recentStart) job.Missing = true;
                }

                if (lookups.Count > 0)
                {
                    Interlocked.Increment(ref result.BackupLookups);
                    var earliest = EarliestStart(group) ?? started - UnknownStartLookback;
                    var window = new BackupQuery(group[0].Request.InstanceId, earliest - WindowPadding, _service.Time.GetUtcNow() + TimeSpan.FromMinutes(2));
                    var backups = await _service.GetAllBackupsAsync(key.Target, window, engine.Engine, cancellationToken).ConfigureAwait(false);
                    var now = _service.Time.GetUtcNow();
                    foreach (var job in lookups)
                    {
                        var owner = OwnerOf(group, job);
                        // A finished task may name the backup it made (RDS BackupId, when queried by its job ID).
                        var matched = engine.MatchBackups(owner.NamingBackupOf(job.Last), job.JobId, backups);
                        if (matched.Count > 0)
                        {
                            job.Backups = matched;
                        }
                        else if (job.TaskFailed)
                        {
                            job.Backups = Array.Empty<Backup>();
                        }
                        else if (job.Seen && (job.Last?.Status == BackupTaskStatus.Finished || !byId.ContainsKey(job.JobId)))
                        {
                            // DescribeBackups lags behind a task that reads Finished: keep looking, for a while.
                            job.EndedSeenAt ??= now;
                            if (now - job.EndedSeenAt.Value > options.BackupListingGrace) job.NotListedFor = now - job.EndedSeenAt.Value;
                        }
                    }
                }
            }
            catch (AliBackupApiException ex) when (ex.IsTransient)
            {
                result.NoteTransient(ex, group);
                return;
            }
            catch (AliBackupTransportException ex)
            {
                result.NoteTransient(ex, group);
                return;
            }
            catch (AliBackupInvalidResponseException ex)
            {
                // An empty, cut-short or garbled answer says nothing about the backup: ask again next round.
                result.NoteTransient(ex, group);
                return;
            }
            catch (AliBackupCredentialException)
            {
                // Without credentials no task can be waited on: end the whole wait.
                throw;
            }
            catch (AliBackupApiException ex) when (ex.RejectsCaller)
            {
                // Revoked keys, a wrong secret, an expired token that cannot be renewed, a clock far off: every poll of every
                // instance would fail the same way, so the whole wait ends with the service's error (Code, RequestId kept).
                throw;
            }
            catch (AliBackupException ex)
            {
                lock (result)
                {
                    foreach (var t in group)
                    {
                        t.Done = true;
                        result.Events.Add((t.Index, new WaitEvent(WaitEventKind.Error, t.Snapshot, _service.Time.GetUtcNow() - started, error: ex)));
                    }
                }
                return;
            }

            var waited = _service.Time.GetUtcNow() - started;
            lock (result)
            {
                foreach (var t in group)
                {
                    t.LastProblem = null;
                    var before = (t.Snapshot.Status, t.Snapshot.Progress, t.Snapshot.RawStatus);
                    t.Refresh();
                    // Loops rather than queries: this runs for every task every round, and a long wait on many tasks
                    // should not make garbage in proportion.
                    List<string>? missing = null;
                    var notListed = TimeSpan.Zero;
                    var allResolved = true;
                    foreach (var j in t.Jobs.Values)
                    {
                        if (j.Missing) (missing ??= new List<string>()).Add(j.JobId);
                        if (j.Backups == null)
                        {
                            allResolved = false;
                            if (j.NotListedFor > notListed) notListed = j.NotListedFor.Value;
                        }
                    }
                    if (missing != null)
                    {
                        t.Done = true;
                        var found = t.Jobs.Values.Where(j => j.Backups != null).SelectMany(j => j.Backups!).ToList();
                        result.Events.Add((t.Index, new WaitEvent(WaitEventKind.Error, t.Snapshot, waited, found,
                            new BackupJobNotFoundException(t.Snapshot, missing, InputValidation.EarliestBackupTime))));
                    }
                    else if (notListed > TimeSpan.Zero)
                    {
                        t.Done = true;
                        result.Events.Add((t.Index, new WaitEvent(WaitEventKind.Error, t.Snapshot, waited, error: new BackupNotListedException(t.Snapshot, notListed))));
                    }
                    else if (allResolved)
                    {
                        t.Done = true;
                        var backups = t.Jobs.Values.SelectMany(j => j.Backups!).ToList();
                        if (backups.Any(b => b.Status == BackupStatus.Failed) || t.Jobs.Values.Any(j => j.TaskFailed))
                        {
                            t.Settle(BackupTaskStatus.Failed, progressDone: false);
                            result.Events.Add((t.Index, new WaitEvent(WaitEventKind.BackupFailed, t.Snapshot, waited, backups, new BackupFailedException(t.Snapshot, backups))));
                        }
                        else
                        {
                            t.Settle(BackupTaskStatus.Finished, progressDone: t.Engine.ReportsProgress);
                            result.Events.Add((t.Index, new WaitEvent(WaitEventKind.Completed, t.Snapshot, waited, backups)));
                        }
                    }
                    else if ((t.Snapshot.Status, t.Snapshot.Progress, t.Snapshot.RawStatus) != before || round == 1)
                    {
                        result.Events.Add((t.Index, new WaitEvent(WaitEventKind.TaskUpdated, t.Snapshot, waited)));
                    }
                }
            }
        }

        /// <summary>The task in an instance's group that waits on <paramref name="job"/>.</summary>
        private static TrackedTask OwnerOf(List<TrackedTask> group, JobTrack job)
        {
            foreach (var t in group)
                if (t.Jobs.ContainsKey(job.JobId)) return t;
            throw new InvalidOperationException("No task in the group waits on job " + job.JobId + ".");
        }

        /// <summary>The earliest start time any task of the group gives or was seen with, if any.</summary>
        private static DateTimeOffset? EarliestStart(List<TrackedTask> group)
        {
            DateTimeOffset? earliest = null;
            foreach (var t in group)
            {
                var start = t.Request.StartTime ?? t.Snapshot.StartTime;
                if (start.HasValue && (!earliest.HasValue || start.Value < earliest.Value)) earliest = start;
            }
            return earliest;
        }

        private readonly struct InstanceKey : IEquatable<InstanceKey>
        {
            public InstanceKey(ApiTarget target, BackupEngine engine, string instanceId)
            {
                Target = target;
                Engine = engine;
                InstanceId = instanceId;
            }

            public ApiTarget Target { get; }
            public BackupEngine Engine { get; }
            public string InstanceId { get; }

            public bool Equals(InstanceKey other) =>
                Target.Equals(other.Target) && Engine == other.Engine && string.Equals(InstanceId, other.InstanceId, StringComparison.OrdinalIgnoreCase);

            public override bool Equals(object? obj) => obj is InstanceKey other && Equals(other);

            public override int GetHashCode() => Target.GetHashCode() ^ (int)Engine ^ StringComparer.OrdinalIgnoreCase.GetHashCode(InstanceId);
        }

        private sealed class RoundResult
        {
            public List<(int Order, WaitEvent Event)> Events { get; } = new List<(int, WaitEvent)>();

            /// <summary>DescribeBackups lookups this round (one per instance with tasks to resolve).</summary>
            public int BackupLookups;

            /// <summary>Some poll was throttled or failed transiently (HTTP 429/5xx, Throttling*, no answer).</summary>
            public bool SlowDown { get; private set; }

            /// <summary>The longest retry-after hint the service gave this round.</summary>
            public TimeSpan RetryAfter { get; private set; }

            public AliBackupException? SlowDownCause { get; private set; }

            public void NoteTransient(AliBackupException ex, IEnumerable<TrackedTask> affected)
            {
                lock (this)
                {
                    foreach (var t in affected) t.LastProblem = ex.Message;
                    SlowDown = true;
                    if (SlowDownCause == null || ex is AliBackupApiException { IsThrottling: true }) SlowDownCause = ex;
                    if (ex is AliBackupApiException { RetryAfter: { } hint } && hint > RetryAfter) RetryAfter = hint;
                }
            }
        }

        private sealed class JobTrack
        {
            public JobTrack(string jobId)
            {
                JobId = jobId;
            }

            public string JobId { get; }
            public bool Seen { get; set; }

            /// <summary>No task list and no backup knows the job, after the bounded look.</summary>
            public bool Missing { get; set; }

            /// <summary>How often the job was looked for among all the instance's backups while no task list showed it.</summary>
            public int Looks { get; set; }
            public BackupTask? Last { get; set; }
            public IReadOnlyList<Backup>? Backups { get; set; }

            /// <summary>When the job was first seen finished (or gone from a list of running tasks) without its backup listed.</summary>
            public DateTimeOffset? EndedSeenAt { get; set; }

            /// <summary>Set once the backup has stayed unlisted longer than the grace: the wait on it ends with an error.</summary>
            public TimeSpan? NotListedFor { get; set; }
            /// <summary>The service listed the task as Failed (RDS).</summary>
            public bool TaskFailed { get; set; }
        }

        private sealed class TrackedTask
        {
            private static readonly BackupTaskStatus[] Order =
            {
                BackupTaskStatus.Unknown, BackupTaskStatus.NotStarted, BackupTaskStatus.Preparing, BackupTaskStatus.Waiting,
                BackupTaskStatus.Running, BackupTaskStatus.Checking, BackupTaskStatus.Finished,
            };

            public TrackedTask(int index, BackupTask request, IBackupEngine engine, ApiTarget target)
            {
                Index = index;
                Request = request;
                Engine = engine;
                Target = target;
                var ids = request.GetJobIds();
                if (ids.Length == 0) throw new AliBackupConfigurationException("The task for " + request.InstanceId + " has no BackupJobId to wait on.", "BackupJobId");
                Jobs = ids.Distinct(StringComparer.Ordinal).ToDictionary(id => id, id => new JobTrack(id), StringComparer.Ordinal);
                Snapshot = Copy(request);
                Snapshot.Engine = engine.Engine;
                Snapshot.Region ??= target.Region;
                Snapshot.Endpoint ??= target.Endpoint;
            }

            /// <summary>Position in the caller's list (events of one round are reported in this order).</summary>
            public int Index { get; }
            public BackupTask Request { get; }
            public IBackupEngine Engine { get; }
            public ApiTarget Target { get; }
            public Dictionary<string, JobTrack> Jobs { get; }
            public BackupTask Snapshot { get; private set; }
            public bool Done { get; set; }

            /// <summary>Why the last poll of this task's instance failed, when it did (told in a timeout error).</summary>
            public string? LastProblem { get; set; }

            /// <summary>
            /// Folds the jobs' latest states into one snapshot: the least advanced shard sets the status. The snapshot is
            /// replaced by a changed copy only when something changed (it has been handed out in events already, and is
            /// not changed under their readers); most rounds change nothing, and a long wait should not copy for them.
            /// </summary>
            public void Refresh()
            {
                BackupTask? first = null, slowestOpen = null, slowestSeen = null;
                int seenCount = 0, openCount = 0, progressCount = 0;
                long progressSum = 0;
                DateTimeOffset? earliestSeen = null;
                foreach (var j in Jobs.Values)
                {
                    if (j.Backups != null)
                    {
                        progressSum += 100;
                        progressCount++;
                    }
                    else if (j.Last?.Progress is { } p)
                    {
                        progressSum += p;
                        progressCount++;
                    }
                    var last = j.Last;
                    if (last == null) continue;
                    first ??= last;
                    seenCount++;
                    if (last.StartTime.HasValue && (!earliestSeen.HasValue || last.StartTime.Value < earliestSeen.Value)) earliestSeen = last.StartTime;
                    if (slowestSeen == null || Rank(last.Status) < Rank(slowestSeen.Status)) slowestSeen = last;
                    if (j.Backups == null)
                    {
                        openCount++;
                        if (slowestOpen == null || Rank(last.Status) < Rank(slowestOpen.Status)) slowestOpen = last;
                    }
                }
                if (first == null) return;

                var current = Snapshot;
                var openOnly = openCount > 0;
                var status = (openOnly ? slowestOpen! : slowestSeen!).Status;
                var rawStatus = JoinRawStatuses(openOnly, openOnly ? openCount : seenCount);
                var progress = progressCount > 0 ? (int)Math.Round((double)progressSum / progressCount) : (int?)null;
                var startTime = Request.StartTime ?? earliestSeen;
                var jobMode = first.JobMode ?? current.JobMode;
                var taskAction = first.TaskAction ?? current.TaskAction;
                var nodeId = seenCount == 1 ? first.NodeId : current.NodeId;
                var backupId = seenCount == 1 ? first.BackupId ?? current.BackupId : current.BackupId;
                if (status == current.Status && rawStatus == current.RawStatus && progress == current.Progress && SameMoment(startTime, current.StartTime) &&
                    jobMode == current.JobMode && taskAction == current.TaskAction && nodeId == current.NodeId && backupId == current.BackupId)
                    return;

                var next = Copy(current);
                next.Status = status;
                next.RawStatus = rawStatus;
                next.Progress = progress;
                next.StartTime = startTime;
                next.JobMode = jobMode;
                next.TaskAction = taskAction;
                next.NodeId = nodeId;
                next.BackupId = backupId;
                Snapshot = next;
            }

            /// <summary>The final snapshot, as a copy: the current one may have gone out in an earlier round's event.</summary>
            public void Settle(BackupTaskStatus status, bool progressDone)
            {
                var final = Copy(Snapshot);
                final.Status = status;
                if (progressDone) final.Progress = 100;
                Snapshot = final;
            }

            // EqualsExact: the same instant written with another offset is a change the snapshot takes on.
            private static bool SameMoment(DateTimeOffset? a, DateTimeOffset? b) =>
                a.HasValue ? b.HasValue && a.Value.EqualsExact(b.Value) : !b.HasValue;

            private static int Rank(BackupTaskStatus status)
            {
                var rank = Array.IndexOf(Order, status);
                return rank < 0 ? 0 : rank;
            }

            /// <summary>The distinct raw statuses of the jobs the status is read from (open ones, else all seen), comma-separated.</summary>
            private string JoinRawStatuses(bool openOnly, int count)
            {
                if (count == 1)
                {
                    foreach (var j in Jobs.Values)
                        if (j.Last != null && (!openOnly || j.Backups == null)) return j.Last.RawStatus ?? "";
                }
                var raw = new List<string>(count);
                foreach (var j in Jobs.Values)
                {
                    if (j.Last == null || (openOnly && j.Backups != null) || j.Last.RawStatus == null) continue;
                    if (!raw.Contains(j.Last.RawStatus)) raw.Add(j.Last.RawStatus);
                }
                return string.Join(",", raw);
            }

            /// <summary>
            /// The snapshot with the BackupId a job's latest state names, as a copy: the snapshot itself has been handed
            /// out in events already, and is not changed under their readers.
            /// </summary>
            public BackupTask NamingBackupOf(BackupTask? seen)
            {
                if (seen?.BackupId == null || seen.BackupId == Snapshot.BackupId) return Snapshot;
                var copy = Copy(Snapshot);
                copy.BackupId = seen.BackupId;
                return copy;
            }

            private static BackupTask Copy(BackupTask t) => new BackupTask
            {
                Engine = t.Engine,
                InstanceId = t.InstanceId,
                BackupJobId = t.BackupJobId,
                Status = t.Status,
                RawStatus = t.RawStatus,
                Progress = t.Progress,
                JobMode = t.JobMode,
                TaskAction = t.TaskAction,
                StartTime = t.StartTime,
                NodeId = t.NodeId,
                BackupId = t.BackupId,
                Region = t.Region,
                Endpoint = t.Endpoint,
            };
        }
    }
}
