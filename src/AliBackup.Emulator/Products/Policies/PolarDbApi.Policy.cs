using System.Globalization;
using System.Text.Json.Nodes;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Wire;

namespace AliBackup.Emulator.Products;

/// <summary>
/// PolarDB backup policy, every field a string; retention is <c>DataLevel1BackupRetentionPeriod</c> (3 to 14 days) and
/// the backup days are at least two. Errors as the API reference lists them (<c>InvalidPreferredBackupTime.Malformed</c>, …).
/// </summary>
public sealed partial class PolarDbApi
{
    protected override JsonObject DescribeBackupPolicy(RpcCall call, ApiContext context)
    {
        var cluster = RequireInstance(call, context, "DescribeBackupPolicy");
        var p = cluster.Policy;
        return new JsonObject
        {
            ["PreferredBackupPeriod"] = p.PreferredBackupPeriod,
            ["PreferredBackupTime"] = p.PreferredBackupTime,
            ["PreferredNextBackupTime"] = p.NextBackupTime(context.Now),
            ["DataLevel1BackupRetentionPeriod"] = Text(p.RetentionDays),
            ["DataLevel2BackupRetentionPeriod"] = "0",
            ["BackupRetentionPolicyOnClusterDeletion"] = "NONE",
            ["BackupFrequency"] = "Normal",
            ["DataLevel1BackupFrequency"] = "Normal",
            ["DataLevel1BackupPeriod"] = p.PreferredBackupPeriod,
            ["DataLevel1BackupTime"] = p.PreferredBackupTime,
            ["DataLevel2BackupPeriod"] = "",
            ["DataLevel2BackupAnotherRegionRegion"] = "",
            ["DataLevel2BackupAnotherRegionRetentionPeriod"] = "0",
            ["BackupPolicyLevel"] = "Normal",
        };
    }

    protected override JsonObject ModifyBackupPolicy(RpcCall call, ApiContext context)
    {
        var cluster = RequireInstance(call, context, "ModifyBackupPolicy");
        var time = call.Param("PreferredBackupTime");
        if (time != null && !EmulatedPolicy.IsWholeHourWindow(time))
            throw ApiErrorException.Malformed("PreferredBackupTime");
        var period = call.Param("PreferredBackupPeriod");
        string? days = null;
        if (period != null)
            days = EmulatedPolicy.NormalizeDays(period, minimum: 2)
                   ?? throw ApiErrorException.Malformed("PreferredBackupPeriod");
        int? retention = null;
        if (call.Param("DataLevel1BackupRetentionPeriod") is { } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var keep) || keep < 3 || keep > 14)
                throw ApiErrorException.Malformed("DataLevel1BackupRetentionPeriod");
            retention = keep;
        }
        var p = cluster.Policy;
        if (time != null) p.PreferredBackupTime = time;
        if (days != null) p.PreferredBackupPeriod = days;
        if (retention.HasValue) p.RetentionDays = retention.Value;
        p.Modifications++;
        return [];
    }
}
