using System;

namespace AliBackup
{
    /// <summary>
    /// A backup set, in one shape for every product. Written by Get-AliBackup and by Wait-AliBackupTask when a
    /// task finishes.
    /// </summary>
    public sealed class Backup
    {
        /// <summary>The product the backup belongs to.</summary>
        public BackupEngine Engine { get; set; }

        /// <summary>The instance (Redis, MongoDB) or cluster (PolarDB) ID.</summary>
        public string InstanceId { get; set; } = "";

        /// <summary>The backup set ID.</summary>
        public string BackupId { get; set; } = "";

        /// <summary>The task that produced this backup, where the product reports it (PolarDB does not).</summary>
        public string? BackupJobId { get; set; }

        /// <summary>Success or Failed.</summary>
        public BackupStatus Status { get; set; }

        /// <summary>The status word exactly as the service sent it.</summary>
        public string? RawStatus { get; set; }

        /// <summary>Full or Incremental.</summary>
        public BackupType Type { get; set; }

        /// <summary><c>Physical</c>, <c>Logical</c> or <c>Snapshot</c>, as the service sent it.</summary>
        public string? Method { get; set; }

        /// <summary><c>Manual</c> or <c>Automated</c>, as the service sent it.</summary>
        public string? Mode { get; set; }

        /// <summary>When the backup started (UTC).</summary>
        public DateTimeOffset? StartTime { get; set; }

        /// <summary>When the backup ended (UTC).</summary>
        public DateTimeOffset? EndTime { get; set; }

        /// <summary>Size of the backup set in bytes.</summary>
        public long Size { get; set; }

        /// <summary>Public download URL (null where the product offers none, e.g. PolarDB).</summary>
        public string? DownloadUrl { get; set; }

        /// <summary>Download URL that works only from the same region/VPC.</summary>
        public string? IntranetDownloadUrl { get; set; }

        /// <summary>The node or shard the backup was taken from (the instance ID for standard instances).</summary>
        public string? NodeInstanceId { get; set; }

        /// <summary>The engine's major version, where reported.</summary>
        public string? EngineVersion { get; set; }

        /// <summary>The databases backed up (<c>all</c> for everything), where reported.</summary>
        public string? DatabaseNames { get; set; }

        /// <summary>The region the backup was queried in.</summary>
        public string? Region { get; set; }

        /// <summary>The endpoint override the backup was queried through, if any.</summary>
        public string? Endpoint { get; set; }

        public override string ToString() => $"{InstanceId} backup {BackupId} ({Status}, {ByteSize.Format(Size)})";
    }
}
