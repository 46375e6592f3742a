namespace AliBackup.Emulator.State;

/// <summary>
/// Everything the emulator knows: instances of all three products, their backup jobs and backup sets, injected
/// faults and a log of requests. One model serves every product; time comes from the configured clock, so tasks
/// advance through their states without background work.
/// </summary>
public sealed class EmulatorState
{
    private readonly object _gate = new();
    private readonly Dictionary<string, EmulatedInstance> _instances = new(StringComparer.Ordinal);
    private readonly List<EmulatedJob> _jobs = [];
    // Backup sets per instance, ordered by start time; a finished job's sets join its instance's on the first read after it ends.
    private readonly Dictionary<EmulatedInstance, OrderedBackups> _backups = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<EmulatedInstance, List<EmulatedJob>> _unpublished = new(ReferenceEqualityComparer.Instance);
    private readonly List<FaultRule> _faults = [];
    private readonly List<CannedAnswer> _canned = [];
    private readonly List<RequestRecord> _requests = [];
    private readonly Random _faultDice = new(20261211);
    private long _nextJobId = 710_000;
    private long _nextBackupId = 340_000_000;

    public EmulatorState(TimeProvider clock, TimeSpan defaultStageDuration)
    {
        Clock = clock;
        DefaultStageDuration = defaultStageDuration;
    }

    /// <summary>The task clock: job states and backup times are read from it.</summary>
    public TimeProvider Clock { get; }

    public TimeSpan DefaultStageDuration { get; set; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>The download side: URL lifetime, downloads to cut short, and a log of file requests.</summary>
    public DownloadState Downloads { get; } = new();

    /// <summary>
    /// Adds an instance with <paramref name="historicalBackups"/> finished automatic backups: one a day by default, or
    /// one every <paramref name="historyInterval"/> (benchmarks seed 100,000 backups in days, not centuries).
    /// </summary>
    public EmulatedInstance AddInstance(EmulatedInstance instance, int historicalBackups = 0, TimeSpan? historyInterval = null)
    {
        lock (_gate)
        {
            _instances[instance.Id] = instance;
            var history = BackupSetsOf(instance);
            var now = Now;
            for (var day = historicalBackups; day >= 1; day--)
            {
                // Relative to now, not to the calendar day: "the last N days" then always holds N backups, whatever the
                // time of day (a 03:00-based history lost its oldest backup from a 7-day window after 03:49 UTC).
                var dayAgo = historyInterval is { } interval ? now - interval * day : now.AddDays(-day).AddMinutes(30 + day * 7 % 50);
                var start = new DateTimeOffset(dayAgo.UtcTicks - dayAgo.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
                var jobId = _nextJobId++;
                for (var shard = 0; shard < instance.Shards; shard++)
                {
                    history.Add(new EmulatedBackup
                    {
                        BackupId = _nextBackupId++,
                        JobId = jobId,
                        Instance = instance,
                        NodeInstanceId = NodeOf(instance, shard),
                        Status = "Success",
                        Mode = "Automated",
                        StartTime = start,
                        EndTime = start.AddMinutes(2).AddSeconds(23),
                        // A history at an interval (thousands of sets) keeps the instance's size; a daily one grows toward it.
                        SizeBytes = historyInterval != null ? instance.BackupSizeBytes : HistoricalSize(instance.BackupSizeBytes, day),
                        Method = MethodOf(instance.Product),
                    });
                }
            }
            return instance;
        }
    }

    /// <summary>Deletes an instance (its jobs and backups go with it), as a user deleting it mid-wait would.</summary>
    public bool RemoveInstance(string? id)
    {
        if (string.IsNullOrEmpty(id)) return false;
        lock (_gate) return _instances.Remove(id);
    }

    /// <summary>Manual jobs the instance started since <paramref name="since"/> (for the manual-backup limit).</summary>
    public int ManualJobsSince(EmulatedInstance instance, DateTimeOffset since)
    {
        lock (_gate) return _jobs.Count(j => j.Instance == instance && j.Mode == "Manual" && j.CreatedAt >= since);
    }

    /// <summary>
    /// The size of the backup taken <paramref name="daysAgo"/> days ago: the data grew about 1% a day up to today's size.
    /// A ratio, not a fixed step, so a small instance or a long history never reaches zero or below.
    /// </summary>
    private static long HistoricalSize(long today, int daysAgo) => Math.Max(1, today * 100 / (100 + daysAgo));

    public EmulatedInstance? FindInstance(string? id, EmulatedProduct product)
    {
        if (string.IsNullOrEmpty(id)) return null;
        lock (_gate) return _instances.TryGetValue(id, out var instance) && instance.Product == product ? instance : null;
    }

    public IReadOnlyList<EmulatedInstance> Instances
    {
        get { lock (_gate) return _instances.Values.ToList(); }
    }

    /// <summary>The manual job still in progress on the instance, if any.</summary>
    public EmulatedJob? RunningManualJob(EmulatedInstance instance)
    {
        lock (_gate)
        {
            var now = Now;
            return _jobs.LastOrDefault(j => j.Instance == instance && j.Mode == "Manual" && !j.IsFinished(now));
        }
    }

    /// <summary>Starts a backup job: one job ID (or one per shard for per-shard clusters) and its future backup sets.</summary>
    public EmulatedJob CreateJob(EmulatedInstance instance, string mode = "Manual")
    {
        lock (_gate)
        {
            var now = Now;
            var stage = instance.StageDuration ?? DefaultStageDuration;
            var stages = EmulatedJob.StagesOf(instance.Product);
            var finish = now + stage * (stages.Count - 1);
            var fails = instance.FailNextBackup;
            instance.FailNextBackup = false;
            var jobIds = new List<long>();
            var backups = new List<EmulatedBackup>();
            var jobsNeeded = instance.PerShardJobs ? instance.Shards : 1;
            for (var j = 0; j < jobsNeeded; j++) jobIds.Add(_nextJobId++);
            for (var shard = 0; shard < instance.Shards; shard++)
            {
                var jobId = instance.PerShardJobs ? jobIds[shard] : jobIds[0];
                backups.Add(new EmulatedBackup
                {
                    // PolarDB's CreateBackup value is described as the backup set ID, so the emulator uses one number for both.
                    BackupId = instance.Product == EmulatedProduct.PolarDB ? jobId : _nextBackupId++,
                    JobId = jobId,
                    Instance = instance,
                    NodeInstanceId = NodeOf(instance, shard),
                    Status = fails ? "Failed" : "Success",
                    Mode = mode,
                    StartTime = now + stage * 2,
                    EndTime = finish,
                    SizeBytes = fails ? 0 : instance.BackupSizeBytes + shard * 4096,
                    Method = MethodOf(instance.Product),
                });
            }
            var job = new EmulatedJob
            {
                Instance = instance,
                JobIds = jobIds,
                Mode = mode,
                CreatedAt = now,
                StageDuration = stage,
                Fails = fails,
                Backups = backups,
            };
            _jobs.Add(job);
            if (!_unpublished.TryGetValue(instance, out var waiting)) _unpublished[instance] = waiting = [];
            waiting.Add(job);
            return job;
        }
    }

    /// <summary>Jobs of an instance as the task list shows them now (MongoDB lists only jobs still in progress).</summary>
    public IReadOnlyList<EmulatedJob> JobsOf(EmulatedInstance instance)
    {
        lock (_gate)
        {
            var now = Now;
            return _jobs.Where(j => j.Instance == instance && (instance.Product != EmulatedProduct.MongoDB || !j.IsFinished(now))).ToList();
        }
    }

    /// <summary>
    /// Backup sets of an instance that exist now (historical ones, and those of finished jobs), newest first. The list
    /// is a view that no later change moves; ProductApi.InWindow narrows it to a window without scanning it.
    /// </summary>
    public IReadOnlyList<EmulatedBackup> BackupsOf(EmulatedInstance instance)
    {
        lock (_gate)
        {
            var sets = BackupSetsOf(instance);
            if (_unpublished.TryGetValue(instance, out var waiting))
            {
                // A finished job's backups are listed only once the instance's listing lag has passed; the task clock only
                // moves forward, so once listed they join the ordered sets for good.
                var now = Now;
                foreach (var job in waiting.Where(j => now >= j.FinishedAt + instance.ListingLag).ToList())
                {
                    waiting.Remove(job);
                    foreach (var backup in job.Backups) sets.Add(backup);
                }
            }
            return sets.View();
        }
    }

    private OrderedBackups BackupSetsOf(EmulatedInstance instance)
    {
        if (!_backups.TryGetValue(instance, out var sets)) _backups[instance] = sets = new OrderedBackups();
        return sets;
    }

    public IReadOnlyList<EmulatedJob> Jobs
    {
        get { lock (_gate) return _jobs.ToList(); }
    }

    public void AddFault(FaultRule rule)
    {
        lock (_gate) _faults.Add(rule);
    }

    /// <summary>Removes every fault not yet used up.</summary>
    public void ClearFaults()
    {
        lock (_gate) _faults.Clear();
    }

    /// <summary>
    /// Consumes one use of the first fault matching the request, if any. With <paramref name="exactAction"/> only rules
    /// naming the action match (STS calls are not hit by a product's catch-all fault).
    /// </summary>
    public FaultRule? TakeFault(string action, string? instanceId, bool exactAction = false)
    {
        lock (_gate)
        {
            // No copy of the list: the loop ends where it removes a rule.
            foreach (var rule in _faults)
            {
                if (rule.Remaining == 0 || !(rule.Action == action || rule.Action == null && !exactAction) ||
                    !(rule.InstanceId == null || rule.InstanceId == instanceId))
                    continue;
                if (rule.Probability is { } chance && _faultDice.NextDouble() >= chance) continue;
                if (rule.Remaining > 0 && --rule.Remaining == 0) _faults.Remove(rule);
                return rule;
            }
            return null;
        }
    }

    public void AddCannedAnswer(CannedAnswer answer)
    {
        lock (_gate) _canned.Add(answer);
    }

    /// <summary>Consumes one use of the first canned answer matching the request, if any.</summary>
    public CannedAnswer? TakeCannedAnswer(string action, string? instanceId)
    {
        lock (_gate)
        {
            var answer = _canned.FirstOrDefault(a => a.Remaining > 0 && (a.Action == null || a.Action == action) && (a.InstanceId == null || a.InstanceId == instanceId));
            if (answer == null) return null;
            answer.Remaining--;
            if (answer.Remaining <= 0) _canned.Remove(answer);
            return answer;
        }
    }

    public void Record(RequestRecord record)
    {
        lock (_gate) _requests.Add(record);
    }

    public IReadOnlyList<RequestRecord> Requests
    {
        get { lock (_gate) return _requests.ToList(); }
    }

    public void ClearRequests()
    {
        lock (_gate) _requests.Clear();
    }

    private static string NodeOf(EmulatedInstance instance, int shard) =>
        instance.Shards > 1 ? instance.Id + "-db-" + shard : instance.Id;

    private static string MethodOf(EmulatedProduct product) => product switch
    {
        EmulatedProduct.PolarDB => "Snapshot",
        _ => "Physical",
    };
}
