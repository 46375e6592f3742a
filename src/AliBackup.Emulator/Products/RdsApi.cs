using System.Globalization;
using System.Text.Json.Nodes;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Wire;

namespace AliBackup.Emulator.Products;

/// <summary>
/// ApsaraDB RDS, rds 2014-08-15 (field names and types from the official SDK models): <c>Items.BackupJob[]</c> with
/// <c>BackupStatus</c> (which also says <c>Failed</c>) beside <c>BackupProgressStatus</c>, and the <c>BackupId</c> of a
/// finished task when it is queried by <c>BackupJobId</c>; <c>Items.Backup[]</c> with string paging fields, a numeric
/// <c>BackupSize</c> and an integer <c>IsAvail</c>. A second manual backup is 400 <c>BackupJobExists</c>.
/// </summary>
public sealed class RdsApi : ProductApi
{
    private static readonly int[] PageSizes = [30, 50, 100];

    public override EmulatedProduct Product => EmulatedProduct.RDS;

    public override string Version => "2014-08-15";

    public override string HostId => "rds.aliyuncs.com";

    public override string InstanceParameter => "DBInstanceId";

    protected override ApiErrorException NotFound(string action, string id) =>
        new(404, "InvalidDBInstanceId.NotFound", "The DBInstanceId provided does not exist in our records.");

    protected override JsonObject DescribeBackupTasks(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "DescribeBackupTasks");
        var jobFilter = call.Param("BackupJobId");
        if (jobFilter != null && !long.TryParse(jobFilter, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw ApiErrorException.Malformed("BackupJobId");
        var mode = ModeFilter(call, "BackupMode");
        var state = call.Param("BackupJobStatus");
        if (state is not (null or "NoStart" or "Progressing"))
            throw ApiErrorException.Malformed("BackupJobStatus");
        var jobs = new JsonArray();
        foreach (var job in context.State.JobsOf(instance))
        {
            if (mode != null && job.Mode != mode) continue;
            var id = Text(job.JobIds[0]);
            if (jobFilter != null && id != jobFilter) continue;
            var (status, progress) = job.StatusAt(context.Now);
            var finished = status == "Finished";
            // Listed without a job ID, only tasks in progress show; a finished (or failed) one answers when asked for by ID.
            if (finished && jobFilter == null) continue;
            if (state == "NoStart" && status != "NoStart" || state == "Progressing" && (status == "NoStart" || finished)) continue;
            var item = new JsonObject
            {
                ["BackupJobId"] = id,
                ["BackupProgressStatus"] = status,
                ["BackupStatus"] = finished && job.Fails ? "Failed" : status,
                ["JobMode"] = job.Mode,
                ["Process"] = Text(progress),
                ["TaskAction"] = job.Mode == "Manual" ? "TempBackupTask" : "NormalBackupTask",
            };
            if (finished && jobFilter != null && !job.Fails) item["BackupId"] = Text(job.Backups[0].BackupId);
            jobs.Add(item);
        }
        return new JsonObject { ["Items"] = new JsonObject { ["BackupJob"] = jobs } };
    }

    protected override JsonObject DescribeBackups(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "DescribeBackups");
        var start = ParseMinute(call, "StartTime", required: false);
        var end = ParseMinute(call, "EndTime", required: false);
        var size = PageSize(call, PageSizes, 30);
        var number = PageNumber(call);
        var backupId = call.Param("BackupId");
        var mode = ModeFilter(call, "BackupMode");
        var status = call.Param("BackupStatus");
        if (status is not (null or "Success" or "Failed"))
            throw ApiErrorException.Malformed("BackupStatus");
        var type = call.Param("BackupType");
        if (type is not (null or "FullBackup" or "IncrementalBackup"))
            throw new ApiErrorException(400, "InvalidBackupType.Format", "Specified backup type is not valid.");
        var matching = Matching(InWindow(context.State.BackupsOf(instance), start, end),
            backupId == null && mode == null && status == null && type == null ? null
            : b => (backupId == null || Text(b.BackupId) == backupId) && (mode == null || b.Mode == mode)
                && (status == null || b.Status == status) && (type == null || b.Type == type));
        var page = new JsonArray();
        foreach (var b in matching.Skip((number - 1) * size).Take(size))
        {
            var ok = b.Status == "Success";
            page.Add(new JsonObject
            {
                ["BackupId"] = Text(b.BackupId),
                ["DBInstanceId"] = instance.Id,
                ["BackupStatus"] = b.Status,
                ["BackupStartTime"] = Iso(b.StartTime),
                ["BackupEndTime"] = Iso(b.EndTime),
                ["BackupType"] = b.Type,
                ["BackupMode"] = b.Mode,
                ["BackupMethod"] = b.Method,
                ["BackupInitiator"] = b.Mode == "Manual" ? "User" : "System",
                ["BackupSize"] = b.SizeBytes,
                ["BackupDownloadURL"] = ok ? DownloadUrl(context, b, intranet: false) : "",
                ["BackupIntranetDownloadURL"] = ok ? DownloadUrl(context, b, intranet: true) : "",
                ["Engine"] = "MySQL",
                ["EngineVersion"] = instance.EngineVersion,
                ["HostInstanceID"] = "5882781",
                ["ConsistentTime"] = b.EndTime.ToUnixTimeSeconds(),
                ["IsAvail"] = ok ? 1 : 0,
                ["MetaStatus"] = ok ? "OK" : "EMPTY",
                ["StoreStatus"] = "Disabled",
                ["StorageClass"] = "0",
                ["Encryption"] = "{}",
                ["Checksum"] = Text(b.BackupId * 7919 % 10_000_000_000),
            });
        }
        return new JsonObject
        {
            ["PageNumber"] = Text(number),
            ["PageRecordCount"] = Text(page.Count),
            ["TotalRecordCount"] = Text(matching.Count),
            ["TotalEcsSnapshotSize"] = 0,
            ["Items"] = new JsonObject { ["Backup"] = page },
        };
    }

    protected override JsonObject CreateBackup(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "CreateBackup");
        if (call.Param("BackupMethod") is not (null or "Logical" or "Physical" or "Snapshot"))
            throw new ApiErrorException(400, "InvalidBackupMethod.Format", "Specified backup method is not valid.");
        if (call.Param("BackupType") is not (null or "Auto" or "FullBackup"))
            throw new ApiErrorException(400, "InvalidBackupType.Format", "Specified backup type is not valid.");
        if (call.Param("BackupStrategy") is not (null or "db" or "instance"))
            throw ApiErrorException.Malformed("BackupStrategy");
        if (context.State.RunningManualJob(instance) != null)
            throw new ApiErrorException(400, "BackupJobExists", "A backup job already exists in the specified DB instance.");
        var job = context.State.CreateJob(instance);
        return new JsonObject { ["BackupJobId"] = Text(job.JobIds[0]) };
    }

    protected override JsonObject DescribeBackupPolicy(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "DescribeBackupPolicy");
        var mode = call.Param("BackupPolicyMode");
        if (mode is not (null or "DataBackupPolicy" or "LogBackupPolicy"))
            throw ApiErrorException.Malformed("BackupPolicyMode");
        var p = instance.Policy;
        return new JsonObject
        {
            ["BackupRetentionPeriod"] = p.RetentionDays,
            ["PreferredBackupTime"] = p.PreferredBackupTime,
            ["PreferredBackupPeriod"] = p.PreferredBackupPeriod,
            ["PreferredNextBackupTime"] = p.NextBackupTime(context.Now),
            ["BackupLog"] = p.LogBackup ? "Enable" : "Disabled",
            ["EnableBackupLog"] = p.LogBackup ? "1" : "0",
            ["LogBackupRetentionPeriod"] = p.LogRetentionDays,
            ["LocalLogRetentionHours"] = 18,
            ["LocalLogRetentionSpace"] = "30",
            ["HighSpaceUsageProtection"] = "Enable",
            ["LogBackupFrequency"] = "LogInterval",
            ["LogBackupLocalRetentionNumber"] = 60,
            ["BackupMethod"] = "Physical",
            ["BackupInterval"] = "-1",
            ["Category"] = "Standard",
            ["CompressType"] = "1",
            ["ReleasedKeepPolicy"] = "None",
            ["ArchiveBackupKeepCount"] = "1",
            ["ArchiveBackupKeepPolicy"] = "ByMonth",
            ["ArchiveBackupRetentionPeriod"] = "0",
            ["EnableIncrementDataBackup"] = false,
            ["SupportReleasedKeep"] = 1,
            ["SupportVolumeShadowCopy"] = 0,
            ["SupportsHighFrequencyBackup"] = 1,
        };
    }

    protected override JsonObject ModifyBackupPolicy(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "ModifyBackupPolicy");
        var mode = call.Param("BackupPolicyMode") ?? "DataBackupPolicy";
        if (mode is not ("DataBackupPolicy" or "LogBackupPolicy"))
            throw ApiErrorException.Malformed("BackupPolicyMode");
        var p = instance.Policy;
        if (mode == "LogBackupPolicy")
        {
            var enable = call.Param("EnableBackupLog");
            if (enable is not (null or "True" or "False" or "1" or "0"))
                throw ApiErrorException.Malformed("EnableBackupLog");
            if (enable != null) p.LogBackup = enable is "True" or "1";
            p.Modifications++;
            return ModifyAnswer(instance);
        }

        // In the data-backup mode the window, the days and the retention must all be given.
        var time = call.Param("PreferredBackupTime") ?? throw ApiErrorException.Missing("PreferredBackupTime");
        var period = call.Param("PreferredBackupPeriod") ?? throw ApiErrorException.Missing("PreferredBackupPeriod");
        var retention = call.Param("BackupRetentionPeriod") ?? throw ApiErrorException.Missing("BackupRetentionPeriod");
        if (!EmulatedPolicy.IsWholeHourWindow(time))
            throw new ApiErrorException(400, "InvalidPreferredBackupTime.Format", "Specified preferred backup time is not valid.");
        var days = EmulatedPolicy.NormalizeDays(period, minimum: 2)
                   ?? throw new ApiErrorException(400, "InvalidPreferredBackupPeriod.Malformed", "Specified backup period is not valid.");
        if (!int.TryParse(retention, NumberStyles.None, CultureInfo.InvariantCulture, out var keep) || keep < 7 || keep > 730)
            throw new ApiErrorException(400, "InvalidBackupRetentionPeriod.Malformed", "Specified backup retention period is not valid.");
        var log = call.Param("BackupLog");
        if (log is not (null or "Enable" or "Disabled"))
            throw ApiErrorException.Malformed("BackupLog");
        p.PreferredBackupTime = time;
        p.PreferredBackupPeriod = days;
        p.RetentionDays = keep;
        if (log != null) p.LogBackup = log == "Enable";
        p.Modifications++;
        return ModifyAnswer(instance);
    }

    private static JsonObject ModifyAnswer(EmulatedInstance instance) => new()
    {
        ["DBInstanceID"] = instance.Id,
        ["EnableBackupLog"] = instance.Policy.LogBackup ? "1" : "0",
        ["LocalLogRetentionHours"] = 18,
        ["LocalLogRetentionSpace"] = "30",
        ["HighSpaceUsageProtection"] = "Enable",
        ["CompressType"] = "1",
        ["LogBackupLocalRetentionNumber"] = 60,
    };
}
