namespace AliBackup
{
    /// <summary>
    /// One vocabulary for the life of a backup task across all products. The service's own word is kept
    /// in <see cref="BackupTask.RawStatus"/>.
    /// </summary>
    public enum BackupTaskStatus
    {
        /// <summary>The service reported a word this module does not know; see RawStatus.</summary>
        Unknown = 0,

        /// <summary>Created or scheduled, not started (Redis/PolarDB <c>NoStart</c>, MongoDB <c>Scheduled</c>).</summary>
        NotStarted,

        /// <summary>Being prepared (Redis/PolarDB <c>Preparing</c>, MongoDB's pre-backup <c>Checking</c>).</summary>
        Preparing,

        /// <summary>Queued behind other work (Redis/PolarDB <c>Waiting</c>).</summary>
        Waiting,

        /// <summary>Copying data (Redis/PolarDB <c>Uploading</c>, MongoDB <c>Backuping</c>).</summary>
        Running,

        /// <summary>Verifying the uploaded backup file (Redis/PolarDB <c>Checking</c>).</summary>
        Checking,

        /// <summary>The task ended and its backup set reports Success.</summary>
        Finished,

        /// <summary>The task ended and its backup set reports Failed.</summary>
        Failed,
    }

    /// <summary>The outcome of a backup set, as DescribeBackups reports it.</summary>
    public enum BackupStatus
    {
        /// <summary>The service reported a word this module does not know; see RawStatus.</summary>
        Unknown = 0,

        /// <summary>The backup set is complete and usable.</summary>
        Success,

        /// <summary>The backup failed.</summary>
        Failed,
    }

    /// <summary>Full or incremental backup.</summary>
    public enum BackupType
    {
        /// <summary>The service reported a word this module does not know.</summary>
        Unknown = 0,

        /// <summary>A full backup (<c>FullBackup</c>).</summary>
        Full,

        /// <summary>An incremental backup (<c>IncrementalBackup</c>).</summary>
        Incremental,
    }

    /// <summary>Which backups a task query returns.</summary>
    public enum BackupJobMode
    {
        /// <summary>Backups taken by the instance's automatic backup policy.</summary>
        Automated,

        /// <summary>Backups started by a user or by Start-AliBackup.</summary>
        Manual,
    }
}
