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
    /// PolarDB: API polardb 2017-08-01. Clusters (<c>pc-</c>) are addressed by <c>DBClusterId</c>; tasks come as
    /// <c>Items.BackupJob[]</c>, backups as <c>Items.Backup[]</c> with every field a string. PolarDB backups carry no
    /// job ID and no download URL, and its task filter parameter is <c>BackupMode</c>.
    /// </summary>
    public sealed partial class PolarDbBackupEngine : IBackupEngine
    {
        public static readonly ApiProduct ApiProduct = new ApiProduct("polardb", "2017-08-01", "polardb",
            centralRegions: new[] { "cn-beijing", "cn-beijing-finance-1", "cn-hangzhou", "cn-hangzhou-finance", "cn-heyuan", "cn-qingdao", "cn-shanghai", "cn-wulanchabu" },
            knownRegions: new[]
            {
                "cn-beijing", "cn-beijing-finance-1", "cn-chengdu", "cn-guangzhou", "cn-hangzhou", "cn-hangzhou-finance", "cn-heyuan", "cn-hongkong", "cn-huhehaote",
                "cn-qingdao", "cn-shanghai", "cn-shanghai-finance-1", "cn-shenzhen", "cn-shenzhen-finance-1", "cn-wulanchabu", "cn-zhangjiakou", "ap-northeast-1",
                "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
                "eu-central-1", "eu-west-1", "me-east-1", "na-south-1", "us-east-1", "us-west-1",
            });

        public BackupEngine Engine => BackupEngine.PolarDB;

        public ApiProduct Product => ApiProduct;

        public IReadOnlyList<string> InstanceIdPrefixes { get; } = new[] { "pc-" };

        public bool ListsOnlyRunningTasks => false;

        public bool ReportsProgress => true;

        public Task<IReadOnlyList<BackupTask>> GetTasksAsync(ProductChannel channel, TaskQuery query, CancellationToken cancellationToken)
        {
            var request = channel.Request("DescribeBackupTasks")
                .With("DBClusterId", query.InstanceId)
                .With("BackupJobId", query.BackupJobId)
                .With("BackupMode", query.JobMode?.ToString());
            return channel.ReadAsync(request, (root, answer) =>
                root.RequiredItems("Items", "BackupJob").ReadProgressStatusTasks(channel, answer, BackupEngine.PolarDB, query.InstanceId), cancellationToken);
        }

        public async Task<BackupPage> GetBackupPageAsync(ProductChannel channel, BackupQuery query, int pageNumber, CancellationToken cancellationToken)
        {
            // PolarDB accepts page sizes 30, 50 and 100 only.
            var pageSize = Math.Min(100, Math.Max(30, query.PageSize));
            var request = channel.Request("DescribeBackups")
                .With("DBClusterId", query.InstanceId)
                .WithBackupWindow(query, pageSize, pageNumber)
                .With("BackupId", query.BackupId);
            return await channel.ReadAsync(request, (root, answer) =>
            {
                var listed = root.RequiredItems("Items", "Backup").Select(item =>
                {
                    var backupId = WireReaders.RequiredId(item, "backup", "BackupId");
                    var what = "backup " + backupId;
                    var raw = item.Str("BackupStatus");
                    return channel.Stamp(new Backup
                    {
                        Engine = BackupEngine.PolarDB,
                        InstanceId = item.Str("DBClusterId") ?? query.InstanceId,
                        BackupId = backupId,
                        RawStatus = raw,
                        Status = StatusWords.FromBackupStatus(raw),
                        Type = StatusWords.FromBackupType(item.Str("BackupType")),
                        Method = item.Str("BackupMethod"),
                        Mode = item.Str("BackupMode"),
                        StartTime = answer.Time(item, what, "BackupStartTime"),
                        EndTime = answer.Time(item, what, "BackupEndTime"),
                        Size = answer.Size(item, "BackupSetSize", what),
                    });
                }).ToList();
                // The API has no job filter; a BackupJobId asked for can only be honoured where it equals the BackupId.
                var items = listed.Where(b => query.BackupJobId == null || b.BackupId == query.BackupJobId).ToList();
                var total = root.Long("TotalRecordCount") ?? listed.Count;
                var pageCount = root.Int("PageRecordCount") ?? listed.Count;
                return new BackupPage(items, root.Int("PageNumber") ?? pageNumber, pageSize, total, pageCount, listed.Select(BackupPage.KeyOf).ToList());
            }, cancellationToken).ConfigureAwait(false);
        }

        public async Task<StartedBackup> StartBackupAsync(ProductChannel channel, string instanceId, CancellationToken cancellationToken)
        {
            // A ClientToken makes CreateBackup idempotent, so this write may be retried after an ambiguous failure.
            var request = channel.Request("CreateBackup", isIdempotent: true)
                .With("DBClusterId", instanceId)
                .With("ClientToken", "alibackup-" + Guid.NewGuid().ToString("N"));
            return await channel.ReadAsync(request, (root, answer) =>
                new StartedBackup(WireReaders.RequiredId(root, "CreateBackup answer", "BackupJobId", "BackupJobID"), null, answer.RequestId), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// PolarDB backups name no job. CreateBackup's value is documented as the backup set ID, so a backup whose
        /// BackupId equals the job ID is the match; failing that, the manual backup that started closest after the task.
        /// </summary>
        public IReadOnlyList<Backup> MatchBackups(BackupTask task, string jobId, IReadOnlyList<Backup> candidates)
        {
            var exact = candidates.Where(b => b.BackupId == jobId).ToList();
            if (exact.Count > 0)
            {
                foreach (var b in exact) b.BackupJobId = jobId;
                return exact;
            }
            var closest = WireReaders.FirstManualBackupAfter(task, candidates);
            return closest == null ? Array.Empty<Backup>() : new[] { closest };
        }
    }
}
