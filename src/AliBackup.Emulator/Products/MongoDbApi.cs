using System.Text.Json.Nodes;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Wire;

namespace AliBackup.Emulator.Products;

/// <summary>
/// ApsaraDB for MongoDB, dds 2015-12-01: <c>BackupJobs[]</c> of tasks in progress only, <c>BackupjobId</c> (lowercase j),
/// <c>BackupSetStatus</c>, <c>Progress</c> like "18%"; <c>Backups.Backup[]</c> with <c>BackupJobId</c> and boolean <c>IsAvail</c>.
/// </summary>
public sealed partial class MongoDbApi : ProductApi
{
    private static readonly int[] PageSizes = [30, 50, 100];

    public override EmulatedProduct Product => EmulatedProduct.MongoDB;

    public override string Version => "2015-12-01";

    public override string HostId => "mongodb.aliyuncs.com";

    public override string InstanceParameter => "DBInstanceId";

    protected override ApiErrorException NotFound(string action, string id) =>
        new(404, "InvalidDBInstanceId.NotFound", "The specified instance is not found.");

    protected override JsonObject DescribeBackupTasks(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "DescribeBackupTasks");
        var jobFilter = call.Param("BackupJobId");
        var jobs = new JsonArray();
        foreach (var job in context.State.JobsOf(instance))
        {
            var id = Text(job.JobIds[0]);
            if (jobFilter != null && id != jobFilter) continue;
            var (status, progress) = job.StatusAt(context.Now);
            var item = new JsonObject
            {
                // The SDK model and the API metadata type this as a string (the English doc's sample shows a number).
                ["BackupjobId"] = id,
                ["BackupSetStatus"] = status,
                ["BackupStartTime"] = Iso(job.CreatedAt),
                ["JobMode"] = job.Mode,
            };
            // Progress is returned only while the backup runs.
            if (status == "Backuping") item["Progress"] = Text(progress) + "%";
            jobs.Add(item);
        }
        return new JsonObject { ["BackupJobs"] = jobs };
    }

    protected override JsonObject DescribeBackups(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "DescribeBackups");
        var start = ParseMinute(call, "StartTime", required: false);
        var end = ParseMinute(call, "EndTime", required: false);
        var size = PageSize(call, PageSizes, 30);
        var number = PageNumber(call);
        var backupIds = call.Param("BackupId")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var jobId = call.Param("BackupJobId");
        var nodeId = call.Param("NodeId");
        var matching = Matching(InWindow(context.State.BackupsOf(instance), start, end), backupIds == null && jobId == null && nodeId == null ? null
            : b => (backupIds == null || backupIds.Contains(Text(b.BackupId))) && (jobId == null || Text(b.JobId) == jobId) &&
                   (nodeId == null || b.NodeInstanceId == nodeId));
        var page = new JsonArray();
        foreach (var b in matching.Skip((number - 1) * size).Take(size))
        {
            var ok = b.Status == "Success";
            page.Add(new JsonObject
            {
                ["BackupId"] = Text(b.BackupId),
                ["BackupJobId"] = Text(b.JobId),
                ["BackupStatus"] = b.Status,
                ["BackupStartTime"] = Iso(b.StartTime),
                ["BackupEndTime"] = Iso(b.EndTime),
                ["BackupSize"] = b.SizeBytes,
                ["BackupType"] = b.Type,
                ["BackupMethod"] = b.Method,
                ["BackupMode"] = b.Mode,
                ["BackupDBNames"] = "",
                ["EngineVersion"] = instance.EngineVersion,
                ["BackupDownloadURL"] = ok ? DownloadUrl(context, b, intranet: false) : "",
                ["BackupIntranetDownloadURL"] = ok ? DownloadUrl(context, b, intranet: true) : "",
                ["BackupExpireTime"] = Iso(b.StartTime.AddDays(7)),
                ["BackupName"] = "",
                ["BackupScale"] = "",
                ["IsAvail"] = ok,
            });
        }
        return new JsonObject
        {
            ["TotalCount"] = matching.Count,
            ["PageNumber"] = number,
            ["PageSize"] = size,
            ["Backups"] = new JsonObject { ["Backup"] = page },
        };
    }

    protected override JsonObject CreateBackup(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "CreateBackup");
        var method = call.Param("BackupMethod");
        if (method is not (null or "Snapshot" or "Logical" or "Physical"))
            throw new ApiErrorException(400, "InvalidBackupMethod.ValueNotSupport", "The specified BackupMethod is not supported.");
        if (context.State.RunningManualJob(instance) != null)
            throw new ApiErrorException(403, "OperationDenied.BackupJobExists", "The operation is denied: a backup job of this instance is running.");
        var job = context.State.CreateJob(instance);
        return new JsonObject
        {
            ["BackupId"] = Text(job.Backups[0].BackupId),
            ["BackupJobId"] = Text(job.JobIds[0]),
        };
    }
}
