using System;

namespace AliBackup.Service.Engines
{
    /// <summary>The services' status words, mapped to the shared enums. Unknown words map to Unknown; nothing throws.</summary>
    public static class StatusWords
    {
        /// <summary>Redis and PolarDB <c>BackupProgressStatus</c>.</summary>
        public static BackupTaskStatus FromProgressStatus(string? word)
        {
            switch (word?.Trim())
            {
                case "NoStart": return BackupTaskStatus.NotStarted;
                case "Preparing": return BackupTaskStatus.Preparing;
                case "Waiting": return BackupTaskStatus.Waiting;
                case "Uploading": return BackupTaskStatus.Running;
                case "Checking": return BackupTaskStatus.Checking;
                case "Finished": return BackupTaskStatus.Finished;
                default: return BackupTaskStatus.Unknown;
            }
        }

        /// <summary>DescribeBackups <c>BackupStatus</c>.</summary>
        public static BackupStatus FromBackupStatus(string? word)
        {
            if (string.Equals(word, "Success", StringComparison.OrdinalIgnoreCase)) return BackupStatus.Success;
            if (string.Equals(word, "Failed", StringComparison.OrdinalIgnoreCase)) return BackupStatus.Failed;
            return BackupStatus.Unknown;
        }

        /// <summary>DescribeBackups <c>BackupType</c>.</summary>
        public static BackupType FromBackupType(string? word)
        {
            if (string.Equals(word, "FullBackup", StringComparison.OrdinalIgnoreCase)) return BackupType.Full;
            if (string.Equals(word, "IncrementalBackup", StringComparison.OrdinalIgnoreCase)) return BackupType.Incremental;
            return BackupType.Unknown;
        }
    }
}
