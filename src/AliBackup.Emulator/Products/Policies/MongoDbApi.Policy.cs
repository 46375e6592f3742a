using System.Globalization;
using System.Text.Json.Nodes;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Wire;

namespace AliBackup.Emulator.Products;

/// <summary>
/// MongoDB backup policy: <c>BackupRetentionPeriod</c> is a string in the answer and a number in the request;
/// <c>EnableBackupLog</c> (0/1) and <c>LogBackupRetentionPeriod</c> (7 to 730). Errors as the API reference lists them.
/// </summary>
public sealed partial class MongoDbApi
{
    protected override JsonObject DescribeBackupPolicy(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "DescribeBackupPolicy");
        var p = instance.Policy;
        return new JsonObject
        {
            ["PreferredBackupPeriod"] = p.PreferredBackupPeriod,
            ["PreferredBackupTime"] = p.PreferredBackupTime,
            ["PreferredNextBackupTime"] = p.NextBackupTime(context.Now),
            ["BackupRetentionPeriod"] = Text(p.RetentionDays),
            ["EnableBackupLog"] = p.LogBackup ? 1 : 0,
            ["LogBackupRetentionPeriod"] = p.LogRetentionDays,
            ["SnapshotBackupType"] = "Standard",
            ["BackupInterval"] = -1,
            ["HighFrequencyBackupRetention"] = "1",
            ["BackupRetentionPolicyOnClusterDeletion"] = 0,
            ["SrcRegion"] = instance.Region,
        };
    }

    protected override JsonObject ModifyBackupPolicy(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "ModifyBackupPolicy");
        var time = call.Param("PreferredBackupTime");
        if (time != null && !EmulatedPolicy.IsWholeHourWindow(time))
            throw new ApiErrorException(400, "InvalidPreferredBackupTime.Malformed", "Specified parameter PreferredBackupTime is not valid.");
        string? days = null;
        if (call.Param("PreferredBackupPeriod") is { } period)
            days = EmulatedPolicy.NormalizeDays(period, minimum: 1)
                   ?? throw new ApiErrorException(400, "InvalidPreferredBackupPeriod.Malformed", "Specified parameter PreferredBackupPeriod is not valid.");
        int? retention = null;
        if (call.Param("BackupRetentionPeriod") is { } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var keep) || keep < 1)
                throw ApiErrorException.Malformed("BackupRetentionPeriod");
            retention = keep;
        }
        int? logRetention = null;
        if (call.Param("LogBackupRetentionPeriod") is { } logText)
        {
            if (!int.TryParse(logText, NumberStyles.None, CultureInfo.InvariantCulture, out var keep) || keep < 7 || keep > 730)
                throw ApiErrorException.Malformed("LogBackupRetentionPeriod");
            logRetention = keep;
        }
        var log = call.Param("EnableBackupLog");
        if (log is not (null or "0" or "1")) throw ApiErrorException.Malformed("EnableBackupLog");
        var p = instance.Policy;
        if (time != null) p.PreferredBackupTime = time;
        if (days != null) p.PreferredBackupPeriod = days;
        if (retention.HasValue) p.RetentionDays = retention.Value;
        if (logRetention.HasValue) p.LogRetentionDays = logRetention.Value;
        if (log != null) p.LogBackup = log == "1";
        p.Modifications++;
        return [];
    }
}
