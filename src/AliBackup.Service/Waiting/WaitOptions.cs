using System;

namespace AliBackup.Service.Waiting
{
    /// <summary>How long and how often to poll.</summary>
    public sealed class WaitOptions
    {
        /// <summary>Bounds the whole wait, over all tasks; <see cref="TimeSpan.MaxValue"/> (or -1 ms) for no limit.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

        /// <summary>When a wait that starts at <paramref name="start"/> ends: never (<see cref="DateTimeOffset.MaxValue"/>) without a limit.</summary>
        public DateTimeOffset DeadlineFrom(DateTimeOffset start) =>
            InputValidation.IsNoLimit(Timeout) || Timeout >= DateTimeOffset.MaxValue - start ? DateTimeOffset.MaxValue : start + Timeout;

        /// <summary>The longest gap between polls; the schedule starts shorter and backs off toward it.</summary>
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>The first gap between polls.</summary>
        public TimeSpan FirstPollInterval { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>Growth of the gap per round (before jitter).</summary>
        public double Backoff { get; set; } = 1.5;

        /// <summary>Jitter as a fraction of the gap (±), so many waiters do not poll in lockstep.</summary>
        public double Jitter { get; set; } = 0.2;

        /// <summary>
        /// No gap between polls is shorter, jitter included (Wait-AliBackupTask: the -PollInterval floor, so a raised
        /// interval keeps its promise of at most one poll per floor per instance).
        /// </summary>
        public TimeSpan MinimumPollGap { get; set; } = TimeSpan.Zero;

        /// <summary>When set, a Heartbeat event summarises the unfinished tasks at this interval (CI logs want a sign of life).</summary>
        public TimeSpan? HeartbeatInterval { get; set; }

        /// <summary>
        /// How long the backup of a task that reads Finished may stay missing from DescribeBackups (the listing lags
        /// behind the task; Terraform waits a minute for it) before the wait on it ends with an error.
        /// </summary>
        public TimeSpan BackupListingGrace { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>How many instances are polled at once.</summary>
        public int MaxConcurrentPolls { get; set; } = 8;

        /// <summary>Builds the command a user runs to wait on a task again (shown in timeout errors).</summary>
        public Func<BackupTask, string> ReattachCommand { get; set; } = DefaultReattachCommand;

        /// <summary>
        /// The command that waits on <paramref name="task"/> again, ready to paste: it names -Engine whenever the instance
        /// ID's prefix does not say the product (a MongoDB shard <c>d-…</c>), since the pasted command could not tell.
        /// </summary>
        public static string DefaultReattachCommand(BackupTask task) =>
            "Wait-AliBackupTask -InstanceId " + task.InstanceId + " -BackupJobId '" + task.BackupJobId + "'" +
            (Engines.EngineCatalog.ByPrefix(task.InstanceId)?.Engine != task.Engine ? " -Engine " + task.Engine : "") +
            (task.Region != null ? " -Region " + task.Region : "") +
            (task.Endpoint != null ? " -Endpoint " + task.Endpoint : "");
    }
}
