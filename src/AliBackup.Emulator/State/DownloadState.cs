namespace AliBackup.Emulator.State;

/// <summary>
/// How the emulated backup files behave: how long a pre-signed URL lives, which downloads are cut short, and what was
/// asked for (so tests can see a Range request).
/// </summary>
public sealed class DownloadState
{
    private readonly object _gate = new();
    private readonly List<DownloadCut> _cuts = [];
    private readonly List<DownloadRecord> _log = [];

    /// <summary>How long a download URL from DescribeBackups works (its <c>Expires=</c>).</summary>
    public TimeSpan UrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Caps how fast each file is sent (null: as fast as possible), so parallel downloads overlap visibly.</summary>
    public long? BytesPerSecond { get; set; }

    public void AddCut(DownloadCut cut)
    {
        lock (_gate) _cuts.Add(cut);
    }

    /// <summary>Consumes one use of the first cut matching a download, if any.</summary>
    public DownloadCut? TakeCut(string instanceId, string backupId)
    {
        lock (_gate)
        {
            var cut = _cuts.FirstOrDefault(c => c.Remaining > 0 && (c.InstanceId == null || c.InstanceId == instanceId) && (c.BackupId == null || c.BackupId == backupId));
            if (cut == null) return null;
            cut.Remaining--;
            if (cut.Remaining <= 0) _cuts.Remove(cut);
            return cut;
        }
    }

    public void Record(DownloadRecord record)
    {
        lock (_gate) _log.Add(record);
    }

    public IReadOnlyList<DownloadRecord> Log
    {
        get { lock (_gate) return _log.ToList(); }
    }
}

/// <summary>Downloads of a backup (or of any) end after <see cref="AfterBytes"/> bytes of the body: the connection is dropped.</summary>
public sealed class DownloadCut
{
    public string? InstanceId { get; init; }

    public string? BackupId { get; init; }

    /// <summary>Bytes of the body sent before the connection drops (a fraction of the file when <see cref="AfterFraction"/> is set).</summary>
    public long AfterBytes { get; init; }

    /// <summary>When set, cut after this fraction of the bytes the response would carry.</summary>
    public double? AfterFraction { get; init; }

    /// <summary>Instead of sending anything, answer 403 "Request has expired." (a server clock ahead of the client's).</summary>
    public bool Expire { get; init; }

    public int Remaining { get; set; } = 1;
}

/// <summary>One request for a backup file.</summary>
public sealed record DownloadRecord(DateTimeOffset ReceivedAt, string InstanceId, string BackupId, string? Range, int HttpStatus, long BytesSent, bool Intranet, bool Cut)
{
    /// <summary>When the response ended (wall clock), to see downloads overlap.</summary>
    public DateTimeOffset EndedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>When the request arrived (wall clock).</summary>
    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;
}
