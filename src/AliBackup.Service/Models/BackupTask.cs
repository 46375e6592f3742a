using System;
using System.Globalization;

namespace AliBackup
{
    /// <summary>
    /// A backup task (a "backup job") as the service reports it, in one shape for every product.
    /// Written by Get-AliBackupTask and Start-AliBackup; piped into Wait-AliBackupTask.
    /// </summary>
    public sealed class BackupTask
    {
        /// <summary>The product the task belongs to.</summary>
        public BackupEngine Engine { get; set; }

        /// <summary>The instance (Redis, MongoDB) or cluster (PolarDB) ID.</summary>
        public string InstanceId { get; set; } = "";

        /// <summary>
        /// The task ID. Redis cluster instances created before 2023-12-05 answer CreateBackup with one job per
        /// shard; this then holds every ID, comma-separated, exactly as the service returned it.
        /// </summary>
        public string BackupJobId { get; set; } = "";

        /// <summary>The normalized state.</summary>
        public BackupTaskStatus Status { get; set; }

        /// <summary>The state word exactly as the service sent it (null when it sent none).</summary>
        public string? RawStatus { get; set; }

        /// <summary>Percent complete, 0–100, or null where the product does not report progress.</summary>
        public int? Progress { get; set; }

        /// <summary><c>Manual</c> or <c>Automated</c>, as the service sent it.</summary>
        public string? JobMode { get; set; }

        /// <summary><c>TempBackupTask</c> (manual) or <c>NormalBackupTask</c> (automatic), where reported.</summary>
        public string? TaskAction { get; set; }

        /// <summary>When the task started (UTC).</summary>
        public DateTimeOffset? StartTime { get; set; }

        /// <summary>
        /// The backup set the task produced, where the service names it (RDS, once the task has finished and was queried
        /// by its job ID).
        /// </summary>
        public string? BackupId { get; set; }

        /// <summary>The data node the task runs on, where reported.</summary>
        public string? NodeId { get; set; }

        /// <summary>The region the task was queried in (null when an explicit endpoint was used without a region).</summary>
        public string? Region { get; set; }

        /// <summary>The endpoint override the task was queried through, if any; carried so a piped wait uses the same one.</summary>
        public string? Endpoint { get; set; }

        /// <summary>The individual job IDs (one per shard for pre-2023 Redis clusters).</summary>
        public string[] GetJobIds() => SplitJobIds(BackupJobId);

        internal static string[] SplitJobIds(string? jobIds)
        {
            if (string.IsNullOrWhiteSpace(jobIds)) return Array.Empty<string>();
            // One job, the usual case (the waiter asks for every listed task every round): no split, no copies.
            if (jobIds!.IndexOf(',') < 0 && !char.IsWhiteSpace(jobIds[0]) && !char.IsWhiteSpace(jobIds[jobIds.Length - 1])) return new[] { jobIds };
            return Array.ConvertAll(jobIds.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries), s => s.Trim());
        }

        /// <summary>True when the task has reached an end state.</summary>
        public bool IsTerminal => Status == BackupTaskStatus.Finished || Status == BackupTaskStatus.Failed;

        public override string ToString()
        {
            var progress = Progress.HasValue ? " " + Progress.Value.ToString(CultureInfo.InvariantCulture) + "%" : "";
            return $"{InstanceId} job {BackupJobId} ({Status}{progress})";
        }
    }
}
