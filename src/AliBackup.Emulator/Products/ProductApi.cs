using System.Globalization;
using System.Text.Json.Nodes;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Wire;

namespace AliBackup.Emulator.Products;

/// <summary>What a product handler needs besides the request: the state and where the emulator is reachable.</summary>
public sealed record ApiContext(EmulatorState State, string BaseUrl)
{
    public DateTimeOffset Now => State.Now;
}

/// <summary>One product's backup API as the real service speaks it.</summary>
public abstract class ProductApi
{
    public abstract EmulatedProduct Product { get; }

    /// <summary>The API version (x-acs-version / Version) that routes to this product.</summary>
    public abstract string Version { get; }

    /// <summary>The host name the real service reports as HostId in errors.</summary>
    public abstract string HostId { get; }

    /// <summary>The name of the instance parameter (InstanceId, DBClusterId, DBInstanceId).</summary>
    public abstract string InstanceParameter { get; }

    /// <summary>Answers one action; throws <see cref="ApiErrorException"/> for errors.</summary>
    public JsonObject Handle(string action, RpcCall call, ApiContext context) => action switch
    {
        "DescribeBackupTasks" => DescribeBackupTasks(call, context),
        "DescribeBackups" => DescribeBackups(call, context),
        "CreateBackup" => CreateBackup(call, context),
        "DescribeBackupPolicy" => DescribeBackupPolicy(call, context),
        "ModifyBackupPolicy" => ModifyBackupPolicy(call, context),
        _ => throw new ApiErrorException(404, "InvalidApi.NotFound", "Specified api is not found, please check your url and method."),
    };

    protected abstract JsonObject DescribeBackupTasks(RpcCall call, ApiContext context);

    protected abstract JsonObject DescribeBackups(RpcCall call, ApiContext context);

    protected abstract JsonObject CreateBackup(RpcCall call, ApiContext context);

    protected abstract JsonObject DescribeBackupPolicy(RpcCall call, ApiContext context);

    protected abstract JsonObject ModifyBackupPolicy(RpcCall call, ApiContext context);

    /// <summary>The instance the request names; a missing or unknown one is the product's error.</summary>
    protected EmulatedInstance RequireInstance(RpcCall call, ApiContext context, string action)
    {
        var id = call.Param(InstanceParameter);
        if (string.IsNullOrEmpty(id)) throw ApiErrorException.Missing(InstanceParameter);
        return context.State.FindInstance(id, Product) ?? throw NotFound(action, id);
    }

    protected abstract ApiErrorException NotFound(string action, string id);

    protected static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses a DescribeBackups window bound in the documented <c>yyyy-MM-ddTHH:mmZ</c> form.</summary>
    protected static DateTimeOffset? ParseMinute(RpcCall call, string name, bool required)
    {
        var text = call.Param(name);
        if (string.IsNullOrEmpty(text))
        {
            if (required) throw ApiErrorException.Missing(name);
            return null;
        }
        if (!DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            throw ApiErrorException.Malformed(name);
        return value;
    }

    /// <summary>Validates the window and filters backups whose start lies within it.</summary>
    protected static IEnumerable<EmulatedBackup> InWindow(IEnumerable<EmulatedBackup> backups, DateTimeOffset? start, DateTimeOffset? end)
    {
        if (start.HasValue && end.HasValue && end <= start)
            throw new ApiErrorException(400, "InvalidStartTimeAndEndTime.Malformed", "The end time must be greater than the start time.");
        if (backups is OrderedBackups.NewestFirst ordered) return ordered.Within(start, end);
        return backups.Where(b => (!start.HasValue || b.StartTime >= start) && (!end.HasValue || b.StartTime <= end));
    }

    /// <summary>
    /// The sets of <paramref name="inWindow"/> that <paramref name="keep"/> accepts; without a filter, the window itself
    /// (no copy, so paging through 100,000 sets costs a page per page).
    /// </summary>
    protected static IReadOnlyList<EmulatedBackup> Matching(IEnumerable<EmulatedBackup> inWindow, Func<EmulatedBackup, bool>? keep) =>
        keep == null && inWindow is IReadOnlyList<EmulatedBackup> all ? all : inWindow.Where(keep ?? (_ => true)).ToList();

    protected static int PageSize(RpcCall call, int[] allowed, int fallback)
    {
        var text = call.Param("PageSize");
        if (string.IsNullOrEmpty(text)) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) || !allowed.Contains(size))
            throw ApiErrorException.Malformed("PageSize");
        return size;
    }

    protected static int PageNumber(RpcCall call)
    {
        var text = call.Param("PageNumber");
        if (string.IsNullOrEmpty(text)) return 1;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < 1)
            throw ApiErrorException.Malformed("PageNumber");
        return number;
    }

    protected static string? ModeFilter(RpcCall call, string parameter)
    {
        var mode = call.Param(parameter);
        if (string.IsNullOrEmpty(mode)) return null;
        if (mode is not ("Automated" or "Manual"))
            throw new ApiErrorException(400, "Invalid" + parameter + ".Malformed", "The specified parameter " + parameter + " is not valid.");
        return mode;
    }

    /// <summary>A pre-signed URL with <c>Expires=</c>, served by <see cref="Downloads.BackupFileServer"/>.</summary>
    protected static string DownloadUrl(ApiContext context, EmulatedBackup backup, bool intranet) =>
        Downloads.BackupFileServer.UrlFor(context.BaseUrl, context.State, backup, intranet);

    protected static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
