using System;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace AliBackup.Service.Downloads
{
    /// <summary>
    /// Predictable file names that are safe on Windows and Linux: <c>&lt;instance&gt;[_&lt;shard&gt;]_&lt;backup ID&gt;&lt;extension&gt;</c>,
    /// e.g. <c>r-bp1xxxx_340000007.rdb</c> or <c>r-bp1cluster_db-0_340000012.rdb</c>. The extension is the one of the file
    /// the URL names, so what the service packed (<c>.tar.gz</c>, <c>.xb</c>, <c>.zip</c>) keeps its name.
    /// </summary>
    public static class BackupFileNames
    {
        private static readonly Regex SafeExtension = new Regex(@"^(\.[A-Za-z0-9]{1,10}){1,3}$", RegexOptions.CultureInvariant);
        private static readonly string[] ReservedOnWindows =
            { "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9" };

        /// <summary>The file name for a backup downloaded from <paramref name="url"/>.</summary>
        public static string For(Backup backup, string? url)
        {
            var name = new StringBuilder(Safe(backup.InstanceId));
            var shard = ShardOf(backup);
            if (shard != null) name.Append('_').Append(Safe(shard));
            name.Append('_').Append(Safe(backup.BackupId));
            name.Append(ExtensionOf(url, backup.Engine));
            var text = name.ToString();
            return ReservedOnWindows.Contains(text.Split('.')[0], StringComparer.OrdinalIgnoreCase) ? "_" + text : text;
        }

        /// <summary>The shard part: <c>db-0</c> for the node <c>r-…-db-0</c> of instance <c>r-…</c>; null for a standard instance.</summary>
        public static string? ShardOf(Backup backup)
        {
            var node = backup.NodeInstanceId;
            if (string.IsNullOrEmpty(node) || string.Equals(node, backup.InstanceId, StringComparison.OrdinalIgnoreCase)) return null;
            return node!.StartsWith(backup.InstanceId + "-", StringComparison.OrdinalIgnoreCase) ? node.Substring(backup.InstanceId.Length + 1) : node;
        }

        /// <summary>The extension of the URL's file (<c>.tar.gz</c> kept whole), else the product's usual one.</summary>
        public static string ExtensionOf(string? url, BackupEngine engine)
        {
            if (url != null && Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                var file = Uri.UnescapeDataString(uri.AbsolutePath.Split('/').Last());
                var dot = file.IndexOf('.');
                if (dot > 0)
                {
                    var extension = file.Substring(dot);
                    if (SafeExtension.IsMatch(extension)) return extension.ToLowerInvariant();
                }
            }
            switch (engine)
            {
                case BackupEngine.Redis: return ".rdb";
                case BackupEngine.MongoDB: return ".tar.gz";
                default: return ".backup";
            }
        }

        /// <summary>Keeps letters, digits, '-' and '.'; anything else (path separators, ':', '*', control characters) becomes '_'.</summary>
        public static string Safe(string text)
        {
            var sb = new StringBuilder(text.Length);
            foreach (var c in text.Trim())
                sb.Append(c < 128 && (char.IsLetterOrDigit(c) || c == '-' || c == '.') ? c : '_');
            var safe = sb.ToString().TrimEnd('.', ' ');
            return safe.Length == 0 ? "_" : safe;
        }
    }
}
