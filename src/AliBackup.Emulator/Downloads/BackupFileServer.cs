using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AliBackup.Emulator.State;

namespace AliBackup.Emulator.Downloads;

/// <summary>
/// Serves the backup files DescribeBackups points at, as OSS serves pre-signed objects: the URL carries
/// <c>Expires=</c> (Unix seconds), <c>OSSAccessKeyId</c> and <c>Signature</c>; an expired or altered URL gets 403 with
/// an OSS XML error; the body is the backup's size in bytes (a fixed pattern, so a client can check what it got), with
/// <c>Range</c> support (206 and <c>Content-Range</c>, 416 past the end). Downloads can be cut short on purpose.
/// </summary>
public static class BackupFileServer
{
    public const string AccessKeyId = "LTAIemulatoross0001";
    private static readonly byte[] SigningKey = Encoding.UTF8.GetBytes("alibackup-emulator-oss-url-signing");

    /// <summary>The pre-signed URL of a backup's file, valid for the configured lifetime from now.</summary>
    public static string UrlFor(string baseUrl, EmulatorState state, EmulatedBackup backup, bool intranet)
    {
        var backupId = backup.BackupId.ToString(CultureInfo.InvariantCulture);
        var expires = (state.Now + state.Downloads.UrlLifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var file = backupId + ExtensionOf(backup.Instance.Product);
        return baseUrl + "/_emulator/download/" + backup.Instance.Id + "/" + file + "?Expires=" + expires + "&OSSAccessKeyId=" + AccessKeyId +
               "&Signature=" + Uri.EscapeDataString(Sign(backup.Instance.Id, file, expires, intranet)) + (intranet ? "&intranet=1" : "");
    }

    /// <summary>The byte at <paramref name="position"/> of the file of backup <paramref name="backupId"/>.</summary>
    public static byte ContentByte(long backupId, long position) => (byte)((position * 131 + (position >> 11) + backupId * 7) & 0xFF);

    public static string ExtensionOf(EmulatedProduct product) => product switch
    {
        EmulatedProduct.Redis => ".rdb",
        EmulatedProduct.MongoDB => ".tar.gz",
        _ => "_qp.xb",
    };

    public static void Map(WebApplication app, EmulatorServer server) =>
        app.MapGet("/_emulator/download/{instanceId}/{file}", (string instanceId, string file, HttpContext http) => ServeAsync(server.State, instanceId, file, http));

    private static async Task ServeAsync(EmulatorState state, string instanceId, string file, HttpContext http)
    {
        var query = http.Request.Query;
        var intranet = query["intranet"] == "1";
        var backupId = file.Split('.', '_')[0];
        var startedAt = DateTimeOffset.UtcNow;
        var range = http.Request.Headers.Range.ToString();
        range = range.Length == 0 ? null : range;

        async Task Refuse(int status, string code, string message)
        {
            state.Downloads.Record(new DownloadRecord(state.Now, instanceId, backupId, range, status, 0, intranet, false));
            http.Response.StatusCode = status;
            http.Response.ContentType = "application/xml";
            await http.Response.WriteAsync("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>" + code + "</Code>\n  <Message>" + message + "</Message>\n  <RequestId>" +
                                           Guid.NewGuid().ToString("N").ToUpperInvariant()[..24] + "</RequestId>\n  <HostId>" + http.Request.Host.Value + "</HostId>\n</Error>\n");
        }

        string expires = query["Expires"].ToString(), signature = query["Signature"].ToString();
        if (query["OSSAccessKeyId"] != AccessKeyId || expires.Length == 0 || signature != Sign(instanceId, file, expires, intranet))
        {
            await Refuse(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
            return;
        }
        if (!long.TryParse(expires, NumberStyles.Integer, CultureInfo.InvariantCulture, out var until) || state.Now.ToUnixTimeSeconds() > until)
        {
            await Refuse(403, "AccessDenied", "Request has expired.");
            return;
        }
        var backup = state.Instances.Where(i => i.Id == instanceId).SelectMany(state.BackupsOf)
            .FirstOrDefault(b => b.BackupId.ToString(CultureInfo.InvariantCulture) == backupId && b.Status == "Success");
        if (backup == null)
        {
            await Refuse(404, "NoSuchKey", "The specified key does not exist.");
            return;
        }

        var size = backup.SizeBytes;
        long from = 0, to = size - 1;
        if (range != null)
        {
            var spec = range.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) ? range[6..].Split('-') : [];
            if (spec.Length != 2 || !long.TryParse(spec[0], NumberStyles.None, CultureInfo.InvariantCulture, out from))
            {
                from = 0; // a range OSS cannot read is ignored: the whole object is sent
                range = null;
            }
            else if (spec[1].Length > 0 && long.TryParse(spec[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            {
                to = Math.Min(last, size - 1);
            }
            if (range != null && from >= size)
            {
                state.Downloads.Record(new DownloadRecord(state.Now, instanceId, backupId, range, 416, 0, intranet, false));
                http.Response.StatusCode = 416;
                http.Response.Headers.ContentRange = "bytes */" + size.ToString(CultureInfo.InvariantCulture);
                return;
            }
        }

        var length = to - from + 1;
        http.Response.StatusCode = range != null ? 206 : 200;
        http.Response.ContentType = "application/octet-stream";
        http.Response.ContentLength = length;
        http.Response.Headers.AcceptRanges = "bytes";
        http.Response.Headers.ETag = "\"" + backupId + "-" + size.ToString(CultureInfo.InvariantCulture) + "\"";
        if (range != null) http.Response.Headers.ContentRange = "bytes " + from + "-" + to + "/" + size;

        var cut = state.Downloads.TakeCut(instanceId, backupId);
        if (cut is { Expire: true })
        {
            http.Response.Headers.Remove("Content-Range");
            http.Response.ContentLength = null;
            await Refuse(403, "AccessDenied", "Request has expired.");
            return;
        }
        var rate = state.Downloads.BytesPerSecond;
        var stopAfter = cut == null ? long.MaxValue : cut.AfterFraction is { } fraction ? (long)(length * fraction) : cut.AfterBytes;
        var buffer = new byte[64 * 1024];
        long sent = 0;
        var cutShort = false;
        try
        {
            while (sent < length)
            {
                var n = (int)Math.Min(buffer.Length, Math.Min(length - sent, stopAfter - sent));
                if (n <= 0)
                {
                    cutShort = true;
                    break;
                }
                for (var i = 0; i < n; i++) buffer[i] = ContentByte(backup.BackupId, from + sent + i);
                await http.Response.Body.WriteAsync(buffer.AsMemory(0, n), http.RequestAborted);
                sent += n;
                if (rate is > 0) await Task.Delay(TimeSpan.FromSeconds((double)n / rate.Value), http.RequestAborted);
            }
            if (cutShort)
            {
                await http.Response.Body.FlushAsync(http.RequestAborted);
                http.Abort();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away (or stopped reading): nothing more to send.
        }
        state.Downloads.Record(new DownloadRecord(state.Now, instanceId, backupId, range, http.Response.StatusCode, sent, intranet, cutShort) { StartedAt = startedAt });
    }

    private static string Sign(string instanceId, string file, string expires, bool intranet)
    {
        using var hmac = new HMACSHA256(SigningKey);
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(instanceId + "/" + file + "\n" + expires + (intranet ? "\nintranet" : ""))));
    }
}
