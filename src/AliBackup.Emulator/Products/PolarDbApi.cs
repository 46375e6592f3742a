using System.Text.Json.Nodes;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Wire;

namespace AliBackup.Emulator.Products;

/// <summary>PolarDB, polardb 2017-08-01: <c>Items.BackupJob[]</c>, <c>Items.Backup[]</c>, every field a string.</summary>
public sealed partial class PolarDbApi : ProductApi
{
    private static readonly int[] PageSizes = [30, 50, 100];

    /// <summary>CreateBackup's documented limit: "at most 3 manual backups per cluster".</summary>
    public const int DocumentedManualBackupLimit = 3;
    private readonly Dictionary<string, string> _clientTokens = new(StringComparer.Ordinal);

    public override EmulatedProduct Product => EmulatedProduct.PolarDB;

    public override string Version => "2017-08-01";

    public override string HostId => "polardb.aliyuncs.com";

    public override string InstanceParameter => "DBClusterId";

    // DescribeBackupTasks documents this code with HTTP 400; the other operations with 404.
    protected override ApiErrorException NotFound(string action, string id) =>
        new(action == "DescribeBackupTasks" ? 400 : 404, "InvalidDBClusterId.NotFound", "The DBClusterId provided does not exist in our records.");

    protected override JsonObject DescribeBackupTasks(RpcCall call, ApiContext context)
    {
        var cluster = RequireInstance(call, context, "DescribeBackupTasks");
        var jobFilter = call.Param("BackupJobId");
        var mode = ModeFilter(call, "BackupMode");
        var jobs = new JsonArray();
        foreach (var job in context.State.JobsOf(cluster))
        {
            if (mode != null && job.Mode != mode) continue;
            var id = Text(job.JobIds[0]);
            if (jobFilter != null && id != jobFilter) continue;
            var (status, progress) = job.StatusAt(context.Now);
            jobs.Add(new JsonObject
            {
                ["BackupJobId"] = id,
                ["BackupProgressStatus"] = status,
                ["JobMode"] = job.Mode,
                ["Process"] = Text(progress),
                ["StartTime"] = Iso(job.CreatedAt),
                ["TaskAction"] = job.Mode == "Manual" ? "TempBackupTask" : "NormalBackupTask",
            });
        }
        return new JsonObject { ["Items"] = new JsonObject { ["BackupJob"] = jobs } };
    }

    protected override JsonObject DescribeBackups(RpcCall call, ApiContext context)
    {
        var cluster = RequireInstance(call, context, "DescribeBackups");
        var start = ParseMinute(call, "StartTime", required: true);
        var end = ParseMinute(call, "EndTime", required: true);
        var size = PageSize(call, PageSizes, 30);
        var number = PageNumber(call);
        var backupId = call.Param("BackupId");
        var mode = ModeFilter(call, "BackupMode");
        var status = call.Param("BackupStatus");
        if (status is not (null or "Success" or "Failed"))
            throw ApiErrorException.Malformed("BackupStatus");
        var matching = Matching(InWindow(context.State.BackupsOf(cluster), start, end), backupId == null && mode == null && status == null ? null
            : b => (backupId == null || Text(b.BackupId) == backupId) && (mode == null || b.Mode == mode) && (status == null || b.Status == status));
        var page = new JsonArray();
        foreach (var b in matching.Skip((number - 1) * size).Take(size))
        {
            page.Add(new JsonObject
            {
                ["BackupId"] = Text(b.BackupId),
                ["DBClusterId"] = cluster.Id,
                ["BackupStatus"] = b.Status,
                ["BackupStartTime"] = Iso(b.StartTime),
                ["BackupEndTime"] = Iso(b.EndTime),
                ["BackupSetSize"] = Text(b.SizeBytes),
                ["BackupType"] = "FullBackup",
                ["BackupMethod"] = "Snapshot",
                ["BackupMode"] = b.Mode,
                ["BackupsLevel"] = "Level-1",
                ["ConsistentTime"] = Text(b.EndTime.ToUnixTimeSeconds()),
                ["IsAvail"] = b.Status == "Success" ? "1" : "0",
            });
        }
        return new JsonObject
        {
            ["TotalRecordCount"] = Text(matching.Count),
            ["PageRecordCount"] = Text(page.Count),
            ["PageNumber"] = Text(number),
            ["Items"] = new JsonObject { ["Backup"] = page },
        };
    }

    protected override JsonObject CreateBackup(RpcCall call, ApiContext context)
    {
        var cluster = RequireInstance(call, context, "CreateBackup");
        var token = call.Param("ClientToken");
        lock (_clientTokens)
        {
            // ClientToken makes the call idempotent: a retry with the same token gets the same job.
            if (token != null && _clientTokens.TryGetValue(cluster.Id + "/" + token, out var existing))
                return new JsonObject { ["BackupJobId"] = existing };
            // The documented limit: at most 3 manual backups per cluster (per day, in the error's words).
            var limit = cluster.ManualBackupLimit ?? DocumentedManualBackupLimit;
            if (limit > 0 && context.State.ManualJobsSince(cluster, context.Now.AddDays(-1)) >= limit)
                throw new ApiErrorException(403, "BackupTimesExceeded", "Exceeding the daily backup times of this DB cluster.");
            var job = context.State.CreateJob(cluster);
            var id = Text(job.JobIds[0]);
            if (token != null) _clientTokens[cluster.Id + "/" + token] = id;
            return new JsonObject { ["BackupJobId"] = id };
        }
    }
}
