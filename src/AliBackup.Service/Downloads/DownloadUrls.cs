using System;
using System.Globalization;

namespace AliBackup.Service.Downloads
{
    /// <summary>When a pre-signed download URL stops working, read from its query string.</summary>
    public static class DownloadUrls
    {
        /// <summary>
        /// The expiry of an OSS pre-signed URL: <c>Expires=</c> (Unix seconds, signature V1), or <c>x-oss-date</c> plus
        /// <c>x-oss-expires</c> (seconds, V4). Null when the URL says nothing.
        /// </summary>
        public static DateTimeOffset? ExpiresAt(string url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return null;
            string? expires = null, ossDate = null, ossExpires = null;
            foreach (var pair in uri.Query.TrimStart('?').Split('&'))
            {
                var eq = pair.IndexOf('=');
                if (eq <= 0) continue;
                var name = Uri.UnescapeDataString(pair.Substring(0, eq));
                var value = Uri.UnescapeDataString(pair.Substring(eq + 1));
                if (string.Equals(name, "Expires", StringComparison.OrdinalIgnoreCase)) expires = value;
                else if (string.Equals(name, "x-oss-date", StringComparison.OrdinalIgnoreCase)) ossDate = value;
                else if (string.Equals(name, "x-oss-expires", StringComparison.OrdinalIgnoreCase)) ossExpires = value;
            }
            if (expires != null && long.TryParse(expires, NumberStyles.Integer, CultureInfo.InvariantCulture, out var unix))
                return DateTimeOffset.FromUnixTimeSeconds(unix);
            if (ossDate != null && ossExpires != null &&
                DateTimeOffset.TryParseExact(ossDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt) &&
                long.TryParse(ossExpires, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
                return signedAt.AddSeconds(seconds);
            return null;
        }

        /// <summary>The URL without its query string (no signature), for messages.</summary>
        public static string Redacted(string url)
        {
            var q = url.IndexOf('?');
            return q < 0 ? url : url.Substring(0, q) + "?…";
        }
    }
}
