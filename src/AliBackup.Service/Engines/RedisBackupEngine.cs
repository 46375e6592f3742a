using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Endpoints;
using AliBackup.Service.OpenApi;

namespace AliBackup.Service.Engines
{
    /// <summary>ApsaraDB for Redis / Tair: API r-kvstore 2015-01-01.</summary>
    public sealed partial class RedisBackupEngine : IBackupEngine
    {
        public static readonly ApiProduct ApiProduct = new ApiProduct("r-kvstore", "2015-01-01", "r-kvstore",
            centralRegions: new[] { "cn-beijing", "cn-beijing-finance-1", "cn-hangzhou", "cn-hangzhou-finance", "cn-heyuan", "cn-north-2-gov-1", "cn-qingdao", "cn-shanghai", "cn-wulanchabu" },
            knownRegions: new[]
            {
                "cn-beijing", "cn-beijing-finance-1", "cn-chengdu", "cn-fuzhou", "cn-guangzhou", "cn-hangzhou", "cn-hangzhou-finance", "cn-heyuan", "cn-heyuan-acdr-1",
                "cn-hongkong", "cn-huhehaote", "cn-nanjing", "cn-north-2-gov-1", "cn-qingdao", "cn-shanghai", "cn-shanghai-finance-1", "cn-shenzhen", "cn-shenzhen-finance-1",
                "cn-wuhan-lr", "cn-wulanchabu", "cn-wulanchabu-acdr-1", "cn-wulanchabu-gic-1", "cn-zhangjiakou", "cn-zhengzhou-jva", "ap-northeast-1", "ap-northeast-2",
                "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "eu-central-1", "eu-west-1",
                "me-central-1", "me-east-1", "rus-west-1", "us-east-1", "us-west-1",
            });

        public BackupEngine Engine => BackupEngine.Redis;

        public ApiProduct Product => ApiProduct;

        public IReadOnlyList<string> InstanceIdPrefixes { get; } = new[] { "r-" };

        public bool ListsOnlyRunningTasks => false;

        public bool ReportsProgress => true;

        public Task<IReadOnlyList<BackupTask>> GetTasksAsync(ProductChannel channel, TaskQuery query, CancellationToken cancellationToken)
        {
            var request = channel.Request("DescribeBackupTasks")
                .With("InstanceId", query.InstanceId)
                .With("BackupJobId", query.BackupJobId)
                .With("JobMode", query.JobMode?.ToString());
            return channel.ReadAsync(request, (root, answer) =>
                root.RequiredItems("BackupJobs").ReadProgressStatusTasks(channel, answer, BackupEngine.Redis, root.Word("InstanceId", query.InstanceId) ?? query.InstanceId), cancellationToken);
        }

        public async Task<BackupPage> GetBackupPageAsync(ProductChannel channel, BackupQuery query, int pageNumber, CancellationToken cancellationToken)
        {
            var request = channel.Request("DescribeBackups")
                .With("InstanceId", query.InstanceId)
                .WithBackupWindow(query, query.PageSize, pageNumber)
                .With("BackupId", query.BackupId)
                .With("BackupJobId", query.BackupJobId);
            return await channel.ReadAsync(request, (root, answer) =>
            {
                var items = root.RequiredItems("Backups", "Backup").Select(item => channel.Stamp(item.ReadDownloadableBackup(answer, BackupEngine.Redis, query.InstanceId))).ToList();
                return new BackupPage(items, root.Int("PageNumber") ?? pageNumber, root.Int("PageSize") ?? query.PageSize, root.Long("TotalCount") ?? items.Count);
            }, cancellationToken).ConfigureAwait(false);
        }

        public async Task<StartedBackup> StartBackupAsync(ProductChannel channel, string instanceId, CancellationToken cancellationToken)
        {
            var request = channel.Request("CreateBackup", isIdempotent: false).With("InstanceId", instanceId);
            return await channel.ReadAsync(request, (root, answer) =>
                new StartedBackup(WireReaders.RequiredId(root, "CreateBackup answer", "BackupJobID", "BackupJobId"), null, answer.RequestId), cancellationToken).ConfigureAwait(false);
        }

        public IReadOnlyList<Backup> MatchBackups(BackupTask task, string jobId, IReadOnlyList<Backup> candidates) =>
            candidates.Where(b => string.Equals(b.BackupJobId, jobId, StringComparison.Ordinal)).ToList();
    }
}
