using System.Globalization;
using System.Text.Json.Nodes;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Wire;

namespace AliBackup.Emulator.Products;

/// <summary>
/// Redis/Tair backup policy: ModifyBackupPolicy requires <c>PreferredBackupTime</c> (one whole hour) and
/// <c>PreferredBackupPeriod</c>; <c>EnableBackupLog</c> (0/1) is data flashback. The API reference documents no error
/// codes for it: the emulator answers bad values with the <c>Invalid&lt;Parameter&gt;.Malformed</c> codes its other
/// operations use (unverified).
/// </summary>
public sealed partial class RedisApi
{
    protected override JsonObject DescribeBackupPolicy(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "DescribeBackupPolicy");
        var p = instance.Policy;
        return new JsonObject
        {
            ["BackupRetentionPeriod"] = Text(p.RetentionDays),
            ["PreferredBackupPeriod"] = p.PreferredBackupPeriod,
            ["PreferredBackupTime"] = p.PreferredBackupTime,
            ["PreferredNextBackupTime"] = p.NextBackupTime(context.Now),
            ["EnableBackupLog"] = p.LogBackup ? 1 : 0,
            ["BackupLogStartTime"] = p.LogBackup ? Iso(context.Now.AddDays(-1)) : "",
            ["DbsInstance"] = "0",
        };
    }

    protected override JsonObject ModifyBackupPolicy(RpcCall call, ApiContext context)
    {
        var instance = RequireInstance(call, context, "ModifyBackupPolicy");
        var time = call.Param("PreferredBackupTime") ?? throw ApiErrorException.Missing("PreferredBackupTime");
        var period = call.Param("PreferredBackupPeriod") ?? throw ApiErrorException.Missing("PreferredBackupPeriod");
        if (!EmulatedPolicy.IsWholeHourWindow(time)) throw ApiErrorException.Malformed("PreferredBackupTime");
        var days = EmulatedPolicy.NormalizeDays(period, minimum: 1) ?? throw ApiErrorException.Malformed("PreferredBackupPeriod");
        int? retention = null;
        if (call.Param("BackupRetentionPeriod") is { } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var keep) || keep < 7 || keep > 730)
                throw ApiErrorException.Malformed("BackupRetentionPeriod");
            retention = keep;
        }
        var log = call.Param("EnableBackupLog");
        if (log is not (null or "0" or "1")) throw ApiErrorException.Malformed("EnableBackupLog");
        var p = instance.Policy;
        p.PreferredBackupTime = time;
        p.PreferredBackupPeriod = days;
        if (retention.HasValue) p.RetentionDays = retention.Value;
        if (log != null) p.LogBackup = log == "1";
        p.Modifications++;
        return [];
    }
}
