using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Endpoints;

namespace AliBackup.Service.Engines
{
    /// <summary>
    /// One database product's backup API, translated to the shared model. An engine only builds requests and reads
    /// responses; sending, signing and retrying belong to the <see cref="ProductChannel"/> it is handed.
    /// Adding a product means one new class implementing this, listed in <see cref="EngineCatalog"/>.
    /// </summary>
    public interface IBackupEngine
    {
        BackupEngine Engine { get; }

        ApiProduct Product { get; }

        /// <summary>The ID prefixes that identify this product's instances (e.g. <c>r-</c>).</summary>
        IReadOnlyList<string> InstanceIdPrefixes { get; }

        /// <summary>
        /// True when the product's task list shows only tasks in progress, so a task that drops out of it has ended and
        /// must be resolved through its backups (MongoDB).
        /// </summary>
        bool ListsOnlyRunningTasks { get; }

        /// <summary>True when the product reports a progress percentage for running tasks.</summary>
        bool ReportsProgress { get; }

        Task<IReadOnlyList<BackupTask>> GetTasksAsync(ProductChannel channel, TaskQuery query, CancellationToken cancellationToken);

        Task<BackupPage> GetBackupPageAsync(ProductChannel channel, BackupQuery query, int pageNumber, CancellationToken cancellationToken);

        Task<StartedBackup> StartBackupAsync(ProductChannel channel, string instanceId, CancellationToken cancellationToken);

        /// <summary>
        /// Picks, from backups listed around a finished task's start, the ones that task produced (one per shard for
        /// Redis clusters). <paramref name="jobId"/> is one of the task's job IDs.
        /// </summary>
        IReadOnlyList<Backup> MatchBackups(BackupTask task, string jobId, IReadOnlyList<Backup> candidates);
    }

    /// <summary>Filters for DescribeBackupTasks.</summary>
    public sealed class TaskQuery
    {
        public TaskQuery(string instanceId, string? backupJobId = null, BackupJobMode? jobMode = null)
        {
            InstanceId = instanceId;
            BackupJobId = backupJobId;
            JobMode = jobMode;
        }

        public string InstanceId { get; }
        public string? BackupJobId { get; }
        public BackupJobMode? JobMode { get; }
    }

    /// <summary>Filters for DescribeBackups. Times are sent with minute precision, in UTC.</summary>
    public sealed class BackupQuery
    {
        public BackupQuery(string instanceId, DateTimeOffset startTime, DateTimeOffset endTime)
        {
            InstanceId = instanceId;
            StartTime = startTime;
            EndTime = endTime;
        }

        public string InstanceId { get; }
        public DateTimeOffset StartTime { get; }
        public DateTimeOffset EndTime { get; }
        public string? BackupId { get; set; }
        public string? BackupJobId { get; set; }

        /// <summary>Items per page: 100 is accepted by all three products.</summary>
        public int PageSize { get; set; } = 100;

        /// <summary>A lookup by BackupId/BackupJobId: an ID that matches nothing is then an error, not an empty list.</summary>
        public bool IsLookup { get; set; }

        /// <summary>The window when none is given: the last 7 days.</summary>
        public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);

        /// <summary>
        /// Every backup an instance can still have: from <see cref="InputValidation.EarliestBackupTime"/> to a day ahead.
        /// Redis and PolarDB require a window; wide ones (Terraform sends 2010–2050) and a future end are accepted.
        /// </summary>
        public static BackupQuery Wide(string instanceId, DateTimeOffset now) =>
            new BackupQuery(instanceId, InputValidation.EarliestBackupTime, now + TimeSpan.FromDays(1));

        /// <summary>
        /// The query Get-AliBackup sends for one instance: the window given, else the last 7 days; a lookup by ID with no
        /// window given searches every backup (an old backup piped back in is still found) and reports one it cannot find.
        /// </summary>
        public static BackupQuery For(string instanceId, DateTimeOffset? start, DateTimeOffset? end, string? backupId, string? backupJobId, DateTimeOffset now)
        {
            InputValidation.BackupWindow(start, end, now);
            var lookup = !string.IsNullOrWhiteSpace(backupId) || !string.IsNullOrWhiteSpace(backupJobId);
            BackupQuery query;
            if (lookup && !start.HasValue && !end.HasValue)
            {
                query = Wide(instanceId, now);
            }
            else
            {
                var windowEnd = end ?? now;
                query = new BackupQuery(instanceId, start ?? windowEnd - DefaultWindow, windowEnd);
            }
            query.BackupId = string.IsNullOrWhiteSpace(backupId) ? null : backupId;
            query.BackupJobId = string.IsNullOrWhiteSpace(backupJobId) ? null : backupJobId;
            query.IsLookup = lookup;
            return query;
        }

        /// <summary>The same window and paging for other IDs.</summary>
        internal BackupQuery With(string instanceId, string? backupId, string? backupJobId) =>
            new BackupQuery(instanceId, StartTime, EndTime) { BackupId = backupId, BackupJobId = backupJobId, PageSize = PageSize, IsLookup = IsLookup };
    }

    /// <summary>One page of DescribeBackups.</summary>
    public sealed class BackupPage
    {
        public BackupPage(IReadOnlyList<Backup> items, int pageNumber, int pageSize, long totalCount, int? itemsOnPage = null, IReadOnlyList<string>? listedKeys = null)
        {
            Items = items;
            PageNumber = pageNumber;
            PageSize = pageSize;
            TotalCount = totalCount;
            ItemsOnPage = itemsOnPage ?? items.Count;
            ListedKeys = listedKeys ?? items.Select(KeyOf).ToList();
        }

        /// <summary>What identifies a listed backup (its ID, and its node for per-shard backups).</summary>
        public static string KeyOf(Backup backup) => backup.BackupId + "|" + backup.NodeInstanceId;

        /// <summary>The keys of every item the service listed on the page, before any filtering done here (to tell a repeated page).</summary>
        public IReadOnlyList<string> ListedKeys { get; }

        public IReadOnlyList<Backup> Items { get; }
        public int PageNumber { get; }
        public int PageSize { get; }
        public long TotalCount { get; }

        /// <summary>How many items the service put on the page (before any filtering done here).</summary>
        public int ItemsOnPage { get; }

        /// <summary>Stop when this page is short or the pages so far cover TotalCount (the documented paging rule).</summary>
        public bool HasMore => ItemsOnPage > 0 && ItemsOnPage >= PageSize && (long)PageNumber * PageSize < TotalCount;
    }

    /// <summary>What CreateBackup answered.</summary>
    public sealed class StartedBackup
    {
        public StartedBackup(string backupJobId, string? backupId, string? requestId)
        {
            BackupJobId = backupJobId;
            BackupId = backupId;
            RequestId = requestId;
        }

        /// <summary>The job ID(s) exactly as returned (comma-separated for pre-2023 Redis clusters).</summary>
        public string BackupJobId { get; }

        /// <summary>MongoDB's (being retired) BackupId, where returned.</summary>
        public string? BackupId { get; }

        public string? RequestId { get; }
    }
}
