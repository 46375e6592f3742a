using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using AliBackup.Service.OpenApi;

namespace AliBackup.Service.Engines
{
    /// <summary>
    /// What the products' wire formats have in common: the DescribeBackups window and paging parameters (all three),
    /// the BackupProgressStatus task item (Redis, PolarDB), and the downloadable backup item (Redis, MongoDB). Each
    /// reader accepts every spelling the products use for the job ID.
    /// </summary>
    internal static class WireReaders
    {
        /// <summary>StartTime/EndTime in UTC minutes (widened to whole minutes so the window still covers what was asked), PageSize, PageNumber.</summary>
        public static ApiRequest WithBackupWindow(this ApiRequest request, BackupQuery query, int pageSize, int pageNumber) => request
            .With("StartTime", ApiTime.ToMinute(ApiTime.FloorMinute(query.StartTime)))
            .With("EndTime", ApiTime.ToMinute(ApiTime.CeilMinute(query.EndTime)))
            .With("PageSize", pageSize.ToString(CultureInfo.InvariantCulture))
            .With("PageNumber", pageNumber.ToString(CultureInfo.InvariantCulture));

        /// <summary>A task item with <c>BackupProgressStatus</c> (Redis <c>BackupJobs[]</c>, PolarDB <c>Items.BackupJob[]</c>).</summary>
        public static BackupTask ReadProgressStatusTask(this JsonElement job, AnswerContext answer, BackupEngine engine, string instanceId)
        {
            var jobId = RequiredId(job, "task", JobIdFields);
            var raw = job.Word("BackupProgressStatus", ProgressStatusWords);
            var what = "job " + jobId;
            return new BackupTask
            {
                Engine = engine,
                InstanceId = instanceId,
                BackupJobId = jobId,
                RawStatus = raw,
                Status = StatusWords.FromProgressStatus(raw),
                // Newer Redis responses carry Progress beside Process; both mean percent complete.
                Progress = answer.Percent(job, what, ProgressFields),
                JobMode = job.Word("JobMode", JobModeWords),
                TaskAction = job.Word("TaskAction", TaskActionWords),
                StartTime = answer.Time(job, what, StartTimeField),
                NodeId = job.Str("NodeId"),
            };
        }

        /// <summary>The tasks of a DescribeBackupTasks list whose items carry BackupProgressStatus (Redis, PolarDB), stamped by the channel.</summary>
        public static IReadOnlyList<BackupTask> ReadProgressStatusTasks(this IReadOnlyList<JsonElement> jobs, ProductChannel channel, AnswerContext answer, BackupEngine engine, string instanceId)
        {
            var tasks = new List<BackupTask>(jobs.Count);
            for (var i = 0; i < jobs.Count; i++) tasks.Add(channel.Stamp(jobs[i].ReadProgressStatusTask(answer, engine, instanceId)));
            return tasks;
        }

        // The field lists and the words every task repeats, made once: the reader runs per task of every answer.
        private static readonly string[] JobIdFields = { "BackupJobID", "BackupJobId" };
        private static readonly string[] ProgressFields = { "Progress", "Process" };
        private static readonly string[] StartTimeField = { "StartTime" };
        private static readonly string[] ProgressStatusWords = { "Finished", "NoStart", "Preparing", "Waiting", "Uploading", "Checking" };
        private static readonly string[] JobModeWords = { "Automated", "Manual" };
        private static readonly string[] TaskActionWords = { "NormalBackupTask", "TempBackupTask" };

        /// <summary>A backup item of <c>Backups.Backup[]</c> with download URLs (Redis, MongoDB).</summary>
        public static Backup ReadDownloadableBackup(this JsonElement item, AnswerContext answer, BackupEngine engine, string instanceId)
        {
            var backupId = RequiredId(item, "backup", "BackupId");
            var what = "backup " + backupId;
            var raw = item.Str("BackupStatus");
            return new Backup
            {
                Engine = engine,
                InstanceId = instanceId,
                BackupId = backupId,
                BackupJobId = item.Str("BackupJobID", "BackupJobId", "BackupjobId"),
                RawStatus = raw,
                Status = StatusWords.FromBackupStatus(raw),
                Type = StatusWords.FromBackupType(item.Str("BackupType")),
                Method = item.Str("BackupMethod"),
                Mode = item.Str("BackupMode"),
                StartTime = answer.Time(item, what, "BackupStartTime"),
                EndTime = answer.Time(item, what, "BackupEndTime"),
                Size = answer.Size(item, "BackupSize", what),
                // An empty URL means the backup cannot be downloaded.
                DownloadUrl = NullIfEmpty(item.Str("BackupDownloadURL")),
                IntranetDownloadUrl = NullIfEmpty(item.Str("BackupIntranetDownloadURL")),
                NodeInstanceId = item.Str("NodeInstanceId"),
                EngineVersion = item.Str("EngineVersion"),
                DatabaseNames = NullIfEmpty(item.Str("BackupDBNames")),
            };
        }

        /// <summary>
        /// The ID an item is known by: without it the item cannot be matched, waited on or shown, so its absence is a
        /// fault of the answer, not an empty string.
        /// </summary>
        // A manual backup shows up in DescribeBackups a little after its task's start time.
        private static readonly TimeSpan MatchSlack = TimeSpan.FromMinutes(2);

        /// <summary>
        /// For products whose backups name no job: the manual backup that started closest after the task (less a little
        /// slack); null without a task start time (RDS tasks carry none; a task Start-AliBackup wrote does) or such a backup.
        /// </summary>
        public static Backup? FirstManualBackupAfter(BackupTask task, IReadOnlyList<Backup> candidates)
        {
            if (!task.StartTime.HasValue) return null;
            var from = task.StartTime.Value - MatchSlack;
            return candidates
                .Where(b => string.Equals(b.Mode, "Manual", StringComparison.OrdinalIgnoreCase) && b.StartTime.HasValue && b.StartTime.Value >= from)
                .OrderBy(b => b.StartTime!.Value)
                .FirstOrDefault();
        }

        public static string RequiredId(JsonElement item, string what, params string[] names)
        {
            if (item.ValueKind != JsonValueKind.Object) throw new ResponseShapeException("a " + what + " item is " + JsonFields.Describe(item) + ", not an object");
            var id = item.Str(names);
            if (string.IsNullOrWhiteSpace(id)) throw new ResponseShapeException("a " + what + " item has no " + names[0]);
            return id!.Trim();
        }

        public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
    }
}
