using System;
using System.Collections.Generic;
using System.Linq;

namespace AliBackup
{
    /// <summary>
    /// An instance's automatic backup policy, in one shape for every product (written by Get-AliBackupPolicy and
    /// Set-AliBackupPolicy). Where a product has no such setting the property is null; every field the service sent is
    /// kept, as sent, in <see cref="ProductFields"/>.
    /// </summary>
    public sealed class BackupPolicy
    {
        /// <summary>The product the instance belongs to.</summary>
        public BackupEngine Engine { get; set; }

        /// <summary>The instance (Redis, MongoDB, RDS) or cluster (PolarDB) ID.</summary>
        public string InstanceId { get; set; } = "";

        /// <summary>The daily window automatic backups start in, in UTC, as the service writes it: <c>HH:mmZ-HH:mmZ</c>.</summary>
        public string? BackupWindow { get; set; }

        /// <summary>The days of the week automatic backups run on.</summary>
        public DayOfWeek[] BackupDays { get; set; } = Array.Empty<DayOfWeek>();

        /// <summary>
        /// How many days data backups are kept (PolarDB: its level-1 backups; level-2 and cross-region retention are in
        /// <see cref="ProductFields"/>).
        /// </summary>
        public int? RetentionDays { get; set; }

        /// <summary>
        /// Whether log backup is on: Redis/Tair data flashback (<c>EnableBackupLog</c>), MongoDB log backup, RDS
        /// <c>BackupLog</c>. Null for PolarDB, whose log backups have a policy of their own.
        /// </summary>
        public bool? LogBackup { get; set; }

        /// <summary>How many days log backups are kept, where the product reports it (MongoDB, RDS).</summary>
        public int? LogBackupRetentionDays { get; set; }

        /// <summary>When the next automatic backup is due (UTC), where the service reports it.</summary>
        public DateTimeOffset? NextBackupTime { get; set; }

        /// <summary>Every field of DescribeBackupPolicy as the service sent it (numbers and booleans as text).</summary>
        public IReadOnlyDictionary<string, string> ProductFields { get; set; } = new Dictionary<string, string>();

        /// <summary>The region the policy was read in.</summary>
        public string? Region { get; set; }

        /// <summary>The endpoint override the policy was read through, if any.</summary>
        public string? Endpoint { get; set; }

        public override string ToString() =>
            InstanceId + " backups " + (BackupWindow ?? "?") + " on " + (BackupDays.Length == 7 ? "every day" : string.Join(",", BackupDays.Select(d => d.ToString().Substring(0, 3)))) +
            (RetentionDays.HasValue ? ", kept " + RetentionDays.Value + " days" : "");
    }
}
