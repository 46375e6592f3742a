using System.Text.Json.Nodes;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Wire;

namespace AliBackup.Emulator.Products;

/// <summary>ApsaraDB for Redis / Tair, r-kvstore 2015-01-01: <c>BackupJobs[]</c>, <c>Backups.Backup[]</c>, <c>BackupJobID</c>.</summary>
public sealed partial class RedisApi : ProductApi
{
    private static readonly int[] PageSizes = [30, 50, 100, 200, 300, 1000];

    public override EmulatedProduct Product => EmulatedProduct.Redis;

    public override string Version => "2015-01-01";

    public override string HostId => "r-kvstore.aliyuncs.com";

    public override string InstanceParameter => "InstanceId";

    protected override ApiErrorException NotFound(string action, string id) =>
        new(404, "InvalidInstanceId.NotFound", "The specified instance is not found.");

    protected override JsonObject DescribeBackupTasks(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "DescribeBackupTasks");
        var jobFilter = call.Param("BackupJobId");
        var mode = ModeFilter(call, "JobMode");
        var jobs = new JsonArray();
        foreach (var job in context.State.JobsOf(instance))
        {
            if (mode != null && job.Mode != mode) continue;
            var (status, progress) = job.StatusAt(context.Now);
            for (var i = 0; i < job.JobIds.Count; i++)
            {
                var id = job.JobIds[i];
                if (jobFilter != null && Text(id) != jobFilter) continue;
                jobs.Add(new JsonObject
                {
                    ["BackupJobID"] = id,
                    ["BackupProgressStatus"] = status,
                    ["JobMode"] = job.Mode,
                    ["Process"] = Text(progress),
                    ["Progress"] = Text(progress),
                    ["StartTime"] = Iso(job.CreatedAt),
                    ["TaskAction"] = job.Mode == "Manual" ? "TempBackupTask" : "NormalBackupTask",
                    ["NodeId"] = instance.PerShardJobs ? instance.Id + "-db-" + i : instance.Id,
                });
            }
        }
        return new JsonObject { ["InstanceId"] = instance.Id, ["BackupJobs"] = jobs };
    }

    protected override JsonObject DescribeBackups(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "DescribeBackups");
        var start = ParseMinute(call, "StartTime", required: true);
        var end = ParseMinute(call, "EndTime", required: true);
        var size = PageSize(call, PageSizes, 30);
        var number = PageNumber(call);
        var backupId = call.Param("BackupId");
        var jobId = call.Param("BackupJobId");
        var matching = Matching(InWindow(context.State.BackupsOf(instance), start, end), backupId == null && jobId == null ? null
            : b => (backupId == null || Text(b.BackupId) == backupId) && (jobId == null || Text(b.JobId) == jobId));
        var page = new JsonArray();
        foreach (var b in matching.Skip((number - 1) * size).Take(size))
        {
            page.Add(new JsonObject
            {
                ["BackupId"] = b.BackupId,
                ["BackupJobID"] = b.JobId,
                ["BackupStatus"] = b.Status,
                ["BackupStartTime"] = Iso(b.StartTime),
                ["BackupEndTime"] = Iso(b.EndTime),
                ["BackupType"] = b.Type,
                ["BackupMethod"] = b.Method,
                ["BackupMode"] = b.Mode,
                ["BackupSize"] = b.SizeBytes,
                ["BackupDBNames"] = "all",
                ["EngineVersion"] = instance.EngineVersion,
                ["NodeInstanceId"] = b.NodeInstanceId,
                ["BackupDownloadURL"] = b.Status == "Success" ? DownloadUrl(context, b, intranet: false) : "",
                ["BackupIntranetDownloadURL"] = b.Status == "Success" ? DownloadUrl(context, b, intranet: true) : "",
                ["ExpectExpireTime"] = Iso(b.StartTime.AddDays(7)),
                ["RecoverConfigMode"] = "",
            });
        }
        return new JsonObject
        {
            ["PageNumber"] = number,
            ["PageSize"] = size,
            ["TotalCount"] = matching.Count,
            ["FullStorageSize"] = matching.Sum(b => b.SizeBytes),
            ["LogStorageSize"] = 0,
            ["FreeSize"] = 0,
            ["Backups"] = new JsonObject { ["Backup"] = page },
        };
    }

    protected override JsonObject CreateBackup(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "CreateBackup");
        if (context.State.RunningManualJob(instance) != null)
            throw new ApiErrorException(403, "IncorrectDBInstanceState", "Current DB instance state does not support this operation.");
        var job = context.State.CreateJob(instance);
        // Per-shard clusters (created before 2023-12-05) answer one job per shard, comma-separated, as a string.
        return new JsonObject { ["BackupJobID"] = string.Join(",", job.JobIds.Select(Text)) };
    }
}
