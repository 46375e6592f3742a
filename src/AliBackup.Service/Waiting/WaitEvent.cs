using System;
using System.Collections.Generic;

namespace AliBackup.Service.Waiting
{
    public enum WaitEventKind
    {
        /// <summary>A task's status or progress changed (a fresh snapshot is attached).</summary>
        TaskUpdated,

        /// <summary>The task finished and every backup it produced succeeded.</summary>
        Completed,

        /// <summary>The task finished but a backup it produced failed.</summary>
        BackupFailed,

        /// <summary>The deadline passed before the task finished.</summary>
        TimedOut,

        /// <summary>The task cannot be waited on (e.g. the instance does not exist).</summary>
        Error,

        /// <summary>Polls were throttled or failed transiently; the schedule slowed down (the wait goes on).</summary>
        Throttled,

        /// <summary>A periodic summary of the tasks still running (see <see cref="WaitOptions.HeartbeatInterval"/>).</summary>
        Heartbeat,
    }

    /// <summary>Something the waiter has to report about one task.</summary>
    public sealed class WaitEvent
    {
        public WaitEvent(WaitEventKind kind, BackupTask task, TimeSpan waited, IReadOnlyList<Backup>? backups = null, AliBackupException? error = null,
            IReadOnlyList<BackupTask>? pending = null)
        {
            Kind = kind;
            Task = task;
            Waited = waited;
            Backups = backups ?? Array.Empty<Backup>();
            Error = error;
            Pending = pending ?? Array.Empty<BackupTask>();
        }

        public WaitEventKind Kind { get; }

        /// <summary>The latest snapshot of the task.</summary>
        public BackupTask Task { get; }

        /// <summary>The backups the task produced (Completed, BackupFailed).</summary>
        public IReadOnlyList<Backup> Backups { get; }

        /// <summary>Why the wait did not succeed (BackupFailed, TimedOut, Error).</summary>
        public AliBackupException? Error { get; }

        /// <summary>Snapshots of every task still unfinished (Heartbeat, Throttled).</summary>
        public IReadOnlyList<BackupTask> Pending { get; }

        /// <summary>Time since the wait began.</summary>
        public TimeSpan Waited { get; }

        public override string ToString() => Kind + ": " + Task;
    }

    /// <summary>One polling round: how many instances it asked about (one DescribeBackupTasks each) and how many it resolved backups for.</summary>
    public sealed class WaitRound
    {
        public WaitRound(int number, int instancesPolled, int backupLookups)
        {
            Number = number;
            InstancesPolled = instancesPolled;
            BackupLookups = backupLookups;
        }

        public int Number { get; }

        public int InstancesPolled { get; }

        public int BackupLookups { get; }
    }

    /// <summary>A backup ended with status Failed.</summary>
    public sealed class BackupFailedException : AliBackupException
    {
        public BackupFailedException(BackupTask task, IReadOnlyList<Backup> backups)
            : base("The backup of " + task.InstanceId + (string.IsNullOrEmpty(task.BackupJobId) ? "" : " (job " + task.BackupJobId + ")") + " failed: the service reports " +
                   string.Join(", ", FailedIds(backups)) + " with status Failed.")
        {
            Task = task;
            Backups = backups;
        }

        public BackupTask Task { get; }

        public IReadOnlyList<Backup> Backups { get; }

        public override string ErrorKind => "BackupFailed";

        public override string RecommendedAction => "Check the instance's state and events in the console, then start a new backup with Start-AliBackup.";

        private static IEnumerable<string> FailedIds(IReadOnlyList<Backup> backups)
        {
            var any = false;
            foreach (var b in backups)
            {
                if (b.Status != BackupStatus.Failed) continue;
                any = true;
                yield return "backup " + b.BackupId;
            }
            // RDS can report the task itself Failed, with no backup set to name.
            if (!any) yield return "the task";
        }
    }

    /// <summary>The wait's deadline passed before the task finished.</summary>
    public sealed class WaitTimeoutException : AliBackupException
    {
        public WaitTimeoutException(BackupTask task, TimeSpan waited, string reattachCommand, string? lastProblem = null, bool neverListed = false)
            : base("Timed out after " + FormatDuration(waited) + " waiting for the backup of " + task.InstanceId + " (job " + task.BackupJobId + "); " +
                   // "Not listed" is only a finding when the polls got answers; after a failed poll that failure is the news.
                   (neverListed && lastProblem == null
                       ? "the service has not listed the job or any backup of it yet; check the job ID. To wait again: "
                       : "last status " + task.Status + (task.Progress.HasValue ? " at " + task.Progress.Value + "%" : "") +
                         (lastProblem == null ? "" : "; the last poll failed: " + lastProblem.TrimEnd('.')) +
                         ". The backup goes on in the service. To wait again: ") +
                   reattachCommand)
        {
            Task = task;
            Waited = waited;
            ReattachCommand = reattachCommand;
        }

        public BackupTask Task { get; }

        public TimeSpan Waited { get; }

        /// <summary>The command that resumes waiting on this task.</summary>
        public string ReattachCommand { get; }

        public override string ErrorKind => "WaitTimeout";

        public override string RecommendedAction => "Wait again with a longer -Timeout: " + ReattachCommand;

        internal static string FormatDuration(TimeSpan span) =>
            span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m{span.Seconds:00}s"
            : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m{span.Seconds:00}s"
            : $"{span.TotalSeconds:0.#}s";
    }

    /// <summary>The task finished, but DescribeBackups still does not list the backup it made after the listing grace.</summary>
    public sealed class BackupNotListedException : AliBackupException
    {
        public BackupNotListedException(BackupTask task, TimeSpan missingFor)
            : base("The backup task of " + task.InstanceId + " (job " + task.BackupJobId + ") finished, but DescribeBackups has not listed the backup it made for " +
                   WaitTimeoutException.FormatDuration(missingFor) + ". Its outcome (Success or Failed) cannot be told.")
        {
            Task = task;
            MissingFor = missingFor;
        }

        public BackupTask Task { get; }

        public TimeSpan MissingFor { get; }

        public override string ErrorKind => "BackupNotListed";

        public override string RecommendedAction =>
            "Look for it later with Get-AliBackup -InstanceId " + Task.InstanceId + " -BackupJobId '" + Task.BackupJobId + "', or in the console.";
    }
}
