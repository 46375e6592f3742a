using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Endpoints;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Policies;

namespace AliBackup.Service.Engines
{
    /// <summary>
    /// ApsaraDB RDS (MySQL, PostgreSQL, SQL Server, MariaDB): API rds 2014-08-15. Instances are addressed by
    /// <c>DBInstanceId</c>; tasks come as <c>Items.BackupJob[]</c> whose <c>BackupStatus</c> also says <c>Failed</c>, and a
    /// finished task queried by its job ID names the backup set it made (<c>BackupId</c>): that is the task-to-backup
    /// link. Backups come as <c>Items.Backup[]</c> with download URLs and an integer <c>IsAvail</c>. A second manual
    /// backup is refused with 400 <c>BackupJobExists</c>.
    /// </summary>
    public sealed class RdsBackupEngine : IBackupEngine, IBackupPolicyEngine
    {
        // The endpoint table of the rds 2014-08-15 OpenAPI metadata: these regions share rds.aliyuncs.com.
        public static readonly ApiProduct ApiProduct = new ApiProduct("rds", "2014-08-15", "rds",
            centralRegions: new[] { "cn-qingdao", "cn-beijing", "cn-hangzhou", "cn-shanghai", "cn-shenzhen", "cn-heyuan", "cn-hongkong", "cn-hangzhou-finance", "cn-shanghai-finance-1", "cn-beijing-finance-1" },
            knownRegions: new[]
            {
                "cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-huhehaote", "cn-wulanchabu", "cn-hangzhou", "cn-shanghai", "cn-shenzhen", "cn-heyuan", "cn-guangzhou",
                "cn-chengdu", "cn-hongkong", "cn-hangzhou-finance", "cn-shanghai-finance-1", "cn-shenzhen-finance-1", "cn-beijing-finance-1", "ap-northeast-1",
                "ap-southeast-1", "ap-southeast-3", "ap-southeast-5", "ap-southeast-6", "us-east-1", "us-west-1", "eu-west-1", "eu-central-1", "me-east-1", "na-south-1",
            });

        public BackupEngine Engine => BackupEngine.RDS;

        public ApiProduct Product => ApiProduct;

        /// <summary>
        /// Primary instances: <c>rm-</c> (MySQL, SQL Server, MariaDB) and <c>pgm-</c> (PostgreSQL); read-only instances:
        /// <c>rr-</c> and <c>pgr-</c> (the prefixes in the API reference's examples).
        /// </summary>
        public IReadOnlyList<string> InstanceIdPrefixes { get; } = new[] { "rm-", "pgm-", "rr-", "pgr-" };

        public bool ListsOnlyRunningTasks => false;

        public bool ReportsProgress => true;

        public async Task<IReadOnlyList<BackupTask>> GetTasksAsync(ProductChannel channel, TaskQuery query, CancellationToken cancellationToken)
        {
            var request = channel.Request("DescribeBackupTasks")
                .With("DBInstanceId", query.InstanceId)
                .With("BackupJobId", query.BackupJobId)
                .With("BackupMode", query.JobMode?.ToString());
            return await channel.ReadAsync(request, (root, answer) => (IReadOnlyList<BackupTask>)root.RequiredItems("Items", "BackupJob").Select(job =>
            {
                var jobId = WireReaders.RequiredId(job, "task", "BackupJobId", "BackupJobID");
                var progressWord = job.Str("BackupProgressStatus");
                var statusWord = job.Str("BackupStatus");
                return channel.Stamp(new BackupTask
                {
                    Engine = BackupEngine.RDS,
                    InstanceId = query.InstanceId,
                    BackupJobId = jobId,
                    // BackupStatus is the task's own state and the only one that says Failed; BackupProgressStatus the stage.
                    RawStatus = statusWord ?? progressWord,
                    Status = string.Equals(statusWord, "Failed", StringComparison.OrdinalIgnoreCase)
                        ? BackupTaskStatus.Failed
                        : StatusWords.FromProgressStatus(progressWord ?? statusWord),
                    Progress = answer.Percent(job, "job " + jobId, "Process"),
                    JobMode = job.Str("JobMode"),
                    TaskAction = job.Str("TaskAction"),
                    BackupId = WireReaders.NullIfEmpty(job.Str("BackupId")),
                });
            }).ToList(), cancellationToken).ConfigureAwait(false);
        }

        public async Task<BackupPage> GetBackupPageAsync(ProductChannel channel, BackupQuery query, int pageNumber, CancellationToken cancellationToken)
        {
            // RDS accepts page sizes 30, 50 and 100 only.
            var pageSize = Math.Min(100, Math.Max(30, query.PageSize));
            var backupId = query.BackupId;
            if (query.BackupJobId != null)
            {
                // DescribeBackups neither takes nor lists a job ID: the job's own task names its set once it finished.
                var linked = await LinkedBackupIdAsync(channel, query.InstanceId, query.BackupJobId, cancellationToken).ConfigureAwait(false);
                if (linked == null || (backupId != null && backupId != linked))
                    return new BackupPage(Array.Empty<Backup>(), pageNumber, pageSize, 0);
                backupId = linked;
            }
            var request = channel.Request("DescribeBackups")
                .With("DBInstanceId", query.InstanceId)
                .WithBackupWindow(query, pageSize, pageNumber)
                .With("BackupId", backupId);
            return await channel.ReadAsync(request, (root, answer) =>
            {
                var items = root.RequiredItems("Items", "Backup").Select(item =>
                {
                    var backup = item.ReadDownloadableBackup(answer, BackupEngine.RDS, item.Str("DBInstanceId") ?? query.InstanceId);
                    // IsAvail 0: the set exists but cannot be used (nor downloaded).
                    if (item.Long("IsAvail") == 0)
                    {
                        backup.DownloadUrl = null;
                        backup.IntranetDownloadUrl = null;
                    }
                    backup.BackupJobId ??= query.BackupJobId;
                    return channel.Stamp(backup);
                }).ToList();
                var total = root.Long("TotalRecordCount") ?? items.Count;
                var onPage = root.Int("PageRecordCount") ?? items.Count;
                return new BackupPage(items, root.Int("PageNumber") ?? pageNumber, pageSize, total, onPage);
            }, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The backup set a job made, as its task names it when queried by job ID (null while it runs, or if it failed).</summary>
        private async Task<string?> LinkedBackupIdAsync(ProductChannel channel, string instanceId, string jobId, CancellationToken cancellationToken)
        {
            var tasks = await GetTasksAsync(channel, new TaskQuery(instanceId, jobId), cancellationToken).ConfigureAwait(false);
            return tasks.FirstOrDefault(t => t.BackupJobId == jobId && t.BackupId != null)?.BackupId;
        }

        public async Task<StartedBackup> StartBackupAsync(ProductChannel channel, string instanceId, CancellationToken cancellationToken)
        {
            var request = channel.Request("CreateBackup", isIdempotent: false).With("DBInstanceId", instanceId);
            return await channel.ReadAsync(request, (root, answer) =>
                new StartedBackup(WireReaders.RequiredId(root, "CreateBackup answer", "BackupJobId", "BackupJobID"), null, answer.RequestId), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The backup the finished task names (its <c>BackupId</c>); without that link (the task was listed among others),
        /// the manual backup that started closest after the task.
        /// </summary>
        public IReadOnlyList<Backup> MatchBackups(BackupTask task, string jobId, IReadOnlyList<Backup> candidates)
        {
            // Linked either way: by the task's BackupId, or listed for this job ID (looked up through its task).
            var linked = candidates.Where(b => b.BackupJobId == jobId || (task.BackupId != null && b.BackupId == task.BackupId)).ToList();
            if (linked.Count > 0 || task.BackupId != null)
            {
                foreach (var b in linked) b.BackupJobId = jobId;
                return linked;
            }
            var closest = WireReaders.FirstManualBackupAfter(task, candidates);
            if (closest == null) return Array.Empty<Backup>();
            closest.BackupJobId = jobId;
            return new[] { closest };
        }

        public PolicyRules PolicyRules { get; } = new PolicyRules(minimumDays: 2, retentionRange: (7, 730), supportsLogBackup: true, retentionParameter: "BackupRetentionPeriod");

        public async Task<BackupPolicy> GetPolicyAsync(ProductChannel channel, string instanceId, CancellationToken cancellationToken)
        {
            var request = channel.Request("DescribeBackupPolicy").With("DBInstanceId", instanceId);
            return await channel.ReadAsync(request, (root, answer) =>
            {
                var policy = root.ReadCommonPolicy(BackupEngine.RDS, instanceId);
                policy.RetentionDays = root.Int("BackupRetentionPeriod");
                // BackupLog (Enable/Disabled) is the data-backup policy's switch; EnableBackupLog (1/0) the log-backup policy's.
                policy.LogBackup = PolicyReaders.Flag(root.Str("BackupLog")) ?? PolicyReaders.Flag(root.Str("EnableBackupLog"));
                policy.LogBackupRetentionDays = root.Int("LogBackupRetentionPeriod");
                return channel.Stamp(policy);
            }, cancellationToken).ConfigureAwait(false);
        }

        public async Task SetPolicyAsync(ProductChannel channel, BackupPolicy current, BackupPolicyChange change, CancellationToken cancellationToken)
        {
            // In the data-backup mode the service wants the window, the days, the retention and the log switch every time.
            var next = change.AppliedTo(current);
            var request = channel.Request("ModifyBackupPolicy")
                .With("DBInstanceId", current.InstanceId)
                .With("BackupPolicyMode", "DataBackupPolicy")
                .With("PreferredBackupTime", next.BackupWindow)
                .With("PreferredBackupPeriod", PolicyReaders.Days(next.BackupDays))
                .With("BackupRetentionPeriod", next.RetentionDays?.ToString(CultureInfo.InvariantCulture))
                .With("BackupLog", next.LogBackup == null ? null : next.LogBackup.Value ? "Enable" : "Disabled");
            using var _ = await channel.CallAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
