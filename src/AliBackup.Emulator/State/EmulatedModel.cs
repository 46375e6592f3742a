namespace AliBackup.Emulator.State;

/// <summary>The products the emulator serves.</summary>
public enum EmulatedProduct
{
    Redis,
    PolarDB,
    MongoDB,
    RDS,
}

/// <summary>A database instance (Redis, MongoDB) or cluster (PolarDB) that can be backed up.</summary>
public sealed class EmulatedInstance
{
    public required string Id { get; init; }

    public required EmulatedProduct Product { get; init; }

    public string Region { get; init; } = "cn-hangzhou";

    /// <summary>Data shards (Redis cluster); 1 for a standard instance.</summary>
    public int Shards { get; init; } = 1;

    /// <summary>
    /// A Redis cluster created before 2023-12-05: CreateBackup answers one job ID per shard, comma-separated.
    /// </summary>
    public bool PerShardJobs { get; init; }

    public string EngineVersion { get; init; } = "7.0";

    /// <summary>How long each task stage lasts on this instance; null for the emulator's default.</summary>
    public TimeSpan? StageDuration { get; set; }

    /// <summary>Size of the backup set the next backups produce, in bytes (per shard).</summary>
    public long BackupSizeBytes { get; set; } = 52_428_800;

    /// <summary>When set, the next backup's set ends with status Failed (then the flag clears).</summary>
    public bool FailNextBackup { get; set; }

    /// <summary>
    /// How long after its job finished a backup set appears in DescribeBackups (the listing lags behind the task, which
    /// Terraform's RDS resource waits a minute for). Zero: at once.
    /// </summary>
    public TimeSpan ListingLag { get; set; }

    /// <summary>
    /// How many manual backups PolarDB's CreateBackup accepts per 24 hours before it answers 403 BackupTimesExceeded:
    /// null for the documented 3, 0 for no limit.
    /// </summary>
    public int? ManualBackupLimit { get; set; }
    /// <summary>The automatic backup policy (DescribeBackupPolicy / ModifyBackupPolicy).</summary>
    public EmulatedPolicy Policy { get; } = new();
}

/// <summary>One backup job (task); a pre-2023 Redis cluster job holds one job ID per shard.</summary>
public sealed class EmulatedJob
{
    public required EmulatedInstance Instance { get; init; }

    /// <summary>Job IDs, one per shard for per-shard clusters, else one.</summary>
    public required IReadOnlyList<long> JobIds { get; init; }

    public required string Mode { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required TimeSpan StageDuration { get; init; }

    public required bool Fails { get; init; }

    public required IReadOnlyList<EmulatedBackup> Backups { get; init; }

    /// <summary>The product's task stages in order; the last one is terminal.</summary>
    public IReadOnlyList<string> Stages => StagesOf(Instance.Product);

    public static IReadOnlyList<string> StagesOf(EmulatedProduct product) => product == EmulatedProduct.MongoDB
        ? ["Scheduled", "Checking", "Backuping", "Finished"]
        : ["NoStart", "Preparing", "Waiting", "Uploading", "Checking", "Finished"];

    /// <summary>The stage in which data is copied (its progress climbs from 0 to 100).</summary>
    private string CopyStage => Instance.Product == EmulatedProduct.MongoDB ? "Backuping" : "Uploading";

    public DateTimeOffset FinishedAt => CreatedAt + StageDuration * (Stages.Count - 1);

    public bool IsFinished(DateTimeOffset now) => now >= FinishedAt;

    /// <summary>The status word and percent complete at <paramref name="now"/>.</summary>
    public (string Status, int Progress) StatusAt(DateTimeOffset now)
    {
        var stages = Stages;
        var elapsed = now - CreatedAt;
        if (elapsed < TimeSpan.Zero) elapsed = TimeSpan.Zero;
        var index = StageDuration <= TimeSpan.Zero ? stages.Count - 1 : (int)Math.Min(stages.Count - 1, elapsed.Ticks / StageDuration.Ticks);
        var status = stages[index];
        var copyIndex = IndexOf(stages, CopyStage);
        int progress;
        if (index < copyIndex) progress = 0;
        else if (index > copyIndex) progress = 100;
        else progress = (int)Math.Min(99, (elapsed.Ticks - StageDuration.Ticks * index) * 100 / StageDuration.Ticks);
        return (status, progress);
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }
}

/// <summary>A backup set; becomes visible in DescribeBackups once its job has finished.</summary>
public sealed class EmulatedBackup
{
    public required long BackupId { get; init; }

    public required long JobId { get; init; }

    public required EmulatedInstance Instance { get; init; }

    public required string NodeInstanceId { get; init; }

    public required string Status { get; init; }

    public required string Mode { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    public required DateTimeOffset EndTime { get; init; }

    public required long SizeBytes { get; init; }

    public string Type { get; init; } = "FullBackup";

    public required string Method { get; init; }
}

/// <summary>What an injected fault does to a request.</summary>
public enum FaultKind
{
    /// <summary>An error answer: HTTP status, Code, Message (and x-acs-retry-after when set).</summary>
    Error,

    /// <summary>A proxy's HTML error page (text/html) with the status (default 502).</summary>
    Html,

    /// <summary>The connection is reset before the request is handled: nothing is carried out.</summary>
    ResetBeforeRead,

    /// <summary>The request is carried out, then the connection is reset before any answer.</summary>
    ResetAfterExecute,

    /// <summary>The request is carried out; the answer is sent after <see cref="FaultRule.DelayMs"/> (real time).</summary>
    Slow,

    /// <summary>The request is carried out; the first half of its answer is sent (with a matching Content-Length).</summary>
    Truncated,

    /// <summary>The request is carried out; the answer is not JSON.</summary>
    Malformed,

    /// <summary>The request is carried out; a status or ID field of the answer holds invalid UTF-8.</summary>
    InvalidUtf8,

    /// <summary>The request is carried out; a status or ID field of the answer holds an escaped lone surrogate.</summary>
    LoneSurrogate,

    /// <summary>HTTP 200 with an empty body (nothing carried out).</summary>
    Empty200,

    /// <summary>The request is carried out; in its answer numbers become strings and numeric strings numbers.</summary>
    WrongTypes,

    /// <summary>The instance is deleted as the request arrives (this request and every later one get NotFound).</summary>
    DeleteInstance,
}

/// <summary>A fault to inject instead of (or into) the real response, by action and instance, by count or probability.</summary>
public sealed class FaultRule
{
    /// <summary>Only this action (null: any).</summary>
    public string? Action { get; init; }

    /// <summary>Only requests about this instance (null: any).</summary>
    public string? InstanceId { get; init; }

    public FaultKind Kind { get; init; } = FaultKind.Error;

    public int HttpStatus { get; init; } = 400;

    public string Code { get; init; } = "Throttling.User";

    public string Message { get; init; } = "Request was denied due to user flow control.";

    /// <summary>Sent as <c>x-acs-retry-after</c>, in milliseconds (as every official client reads it), when set.</summary>
    public int? RetryAfterMs { get; init; }

    /// <summary>Sent verbatim as <c>x-acs-retry-after</c> (to try odd values: 0, -5, "", "soon"); wins over <see cref="RetryAfterMs"/>.</summary>
    public string? RetryAfterHeader { get; init; }

    /// <summary>For <see cref="FaultKind.Slow"/>: how long the answer is held back (real time).</summary>
    public int DelayMs { get; init; } = 2000;

    /// <summary>The chance (0–1) that a matching request gets the fault; null: every one, until <see cref="Remaining"/> runs out.</summary>
    public double? Probability { get; init; }

    /// <summary>How many matching requests get the fault (a negative number: no limit).</summary>
    public int Remaining { get; set; } = 1;
}

/// <summary>A response body to send verbatim instead of the computed one (e.g. a documentation sample).</summary>
public sealed class CannedAnswer
{
    /// <summary>Only this action (null: any).</summary>
    public string? Action { get; init; }

    /// <summary>Only requests about this instance (null: any).</summary>
    public string? InstanceId { get; init; }

    public int HttpStatus { get; init; } = 200;

    /// <summary>The exact body to send.</summary>
    public string Body { get; init; } = "";

    /// <summary>The exact bytes to send instead of <see cref="Body"/> (to send invalid UTF-8); null: Body as UTF-8.</summary>
    public byte[]? BodyBytes { get; init; }

    /// <summary>How many matching requests get it.</summary>
    public int Remaining { get; set; } = 1;
}

/// <summary>One request the emulator received (signature checked or not), for tests that count calls.</summary>
public sealed record RequestRecord(
    DateTimeOffset ReceivedAt,
    string? Product,
    string? Action,
    string? InstanceId,
    int HttpStatus,
    string? ErrorCode,
    string? AccessKeyId,
    IReadOnlyDictionary<string, string> Parameters,
    string? Signature);
