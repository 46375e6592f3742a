using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Endpoints;
using AliBackup.Service.OpenApi;

namespace AliBackup.Service.Engines
{
    /// <summary>
    /// ApsaraDB for MongoDB: API dds 2015-12-01 on the <c>mongodb.</c> hosts. Instances (<c>dds-</c>) are addressed by
    /// <c>DBInstanceId</c>. DescribeBackupTasks lists only tasks in progress (<c>BackupJobs[]</c>, key <c>BackupjobId</c>
    /// with a lowercase j, <c>BackupSetStatus</c>, <c>Progress</c> like "18%" while running), so a task that leaves the
    /// list has ended and is resolved through DescribeBackups.
    /// </summary>
    public sealed partial class MongoDbBackupEngine : IBackupEngine
    {
        public static readonly ApiProduct ApiProduct = new ApiProduct("dds", "2015-12-01", "mongodb",
            centralRegions: new[] { "cn-beijing", "cn-beijing-finance-1", "cn-hangzhou", "cn-hangzhou-finance", "cn-heyuan", "cn-qingdao", "cn-shanghai", "cn-shenzhen", "cn-wulanchabu" },
            knownRegions: new[]
            {
                "cn-beijing", "cn-beijing-finance-1", "cn-chengdu", "cn-fuzhou", "cn-guangzhou", "cn-hangzhou", "cn-hangzhou-finance", "cn-heyuan", "cn-hongkong",
                "cn-huhehaote", "cn-nanjing", "cn-qingdao", "cn-shanghai", "cn-shanghai-finance-1", "cn-shenzhen", "cn-shenzhen-finance-1", "cn-wuhan-lr",
                "cn-wulanchabu", "cn-zhangjiakou", "cn-zhengzhou-jva", "ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
                "ap-southeast-3", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "eu-central-1", "eu-west-1", "me-central-1", "me-east-1", "us-east-1", "us-west-1",
            });

        public BackupEngine Engine => BackupEngine.MongoDB;

        public ApiProduct Product => ApiProduct;

        public IReadOnlyList<string> InstanceIdPrefixes { get; } = new[] { "dds-" };

        public bool ListsOnlyRunningTasks => true;

        public bool ReportsProgress => true;

        public async Task<IReadOnlyList<BackupTask>> GetTasksAsync(ProductChannel channel, TaskQuery query, CancellationToken cancellationToken)
        {
            var request = channel.Request("DescribeBackupTasks")
                .With("DBInstanceId", query.InstanceId)
                .With("BackupJobId", query.BackupJobId);
            return await channel.ReadAsync(request, (root, answer) => (IReadOnlyList<BackupTask>)root.RequiredItems("BackupJobs").Select(job =>
            {
                // The wire key has a lowercase j; newer models may correct it.
                var jobId = WireReaders.RequiredId(job, "task", "BackupjobId", "BackupJobId");
                var raw = job.Str("BackupSetStatus");
                return channel.Stamp(new BackupTask
                {
                    Engine = BackupEngine.MongoDB,
                    InstanceId = query.InstanceId,
                    BackupJobId = jobId,
                    RawStatus = raw,
                    Status = FromBackupSetStatus(raw),
                    Progress = answer.Percent(job, "job " + jobId, "Progress"),
                    JobMode = job.Str("JobMode"),
                    TaskAction = string.Equals(job.Str("JobMode"), "Manual", StringComparison.OrdinalIgnoreCase) ? "TempBackupTask" : null,
                    StartTime = answer.Time(job, "job " + jobId, "BackupStartTime", "StartTime"),
                });
            })
            // The API has no mode filter; apply the one asked for here.
            .Where(t => query.JobMode == null || string.Equals(t.JobMode, query.JobMode.Value.ToString(), StringComparison.OrdinalIgnoreCase))
            .ToList(), cancellationToken).ConfigureAwait(false);
        }

        public async Task<BackupPage> GetBackupPageAsync(ProductChannel channel, BackupQuery query, int pageNumber, CancellationToken cancellationToken)
        {
            var pageSize = Math.Min(100, Math.Max(30, query.PageSize));
            var request = channel.Request("DescribeBackups")
                .With("DBInstanceId", query.InstanceId)
                .WithBackupWindow(query, pageSize, pageNumber)
                .With("BackupId", query.BackupId)
                .With("BackupJobId", query.BackupJobId);
            return await channel.ReadAsync(request, (root, answer) =>
            {
                var items = root.RequiredItems("Backups", "Backup").Select(item => channel.Stamp(item.ReadDownloadableBackup(answer, BackupEngine.MongoDB, query.InstanceId))).ToList();
                return new BackupPage(items, root.Int("PageNumber") ?? pageNumber, root.Int("PageSize") ?? pageSize, root.Long("TotalCount") ?? items.Count);
            }, cancellationToken).ConfigureAwait(false);
        }

        public async Task<StartedBackup> StartBackupAsync(ProductChannel channel, string instanceId, CancellationToken cancellationToken)
        {
            var request = channel.Request("CreateBackup", isIdempotent: false).With("DBInstanceId", instanceId);
            return await channel.ReadAsync(request, (root, answer) =>
            {
                var jobId = root.Str("BackupJobId", "BackupjobId");
                var backupId = root.Str("BackupId");
                // Older answers carry only BackupId (being retired); it then stands in for the job, and maps to the backup directly.
                var id = string.IsNullOrWhiteSpace(jobId) ? backupId : jobId;
                if (string.IsNullOrWhiteSpace(id)) throw new ResponseShapeException("it carried neither BackupJobId nor BackupId");
                return new StartedBackup(id!.Trim(), backupId, answer.RequestId);
            }, cancellationToken).ConfigureAwait(false);
        }

        public IReadOnlyList<Backup> MatchBackups(BackupTask task, string jobId, IReadOnlyList<Backup> candidates) =>
            candidates.Where(b => string.Equals(b.BackupJobId, jobId, StringComparison.Ordinal) || string.Equals(b.BackupId, jobId, StringComparison.Ordinal)).ToList();

        /// <summary>MongoDB's <c>BackupSetStatus</c>: its <c>Checking</c> is the pre-backup instance check.</summary>
        public static BackupTaskStatus FromBackupSetStatus(string? word)
        {
            switch (word?.Trim())
            {
                case "Scheduled": return BackupTaskStatus.NotStarted;
                case "Checking": return BackupTaskStatus.Preparing;
                case "Backuping": return BackupTaskStatus.Running;
                case "Finished": return BackupTaskStatus.Finished;
                default: return BackupTaskStatus.Unknown;
            }
        }
    }
}
