using System.Globalization;

namespace AliBackup
{
    /// <summary>Human-readable sizes for display; the objects themselves always keep bytes.</summary>
    public static class ByteSize
    {
        private static readonly string[] Units = { "B", "KB", "MB", "GB", "TB", "PB" };

        /// <summary>Formats a byte count with binary units, e.g. <c>1.5 GB</c>.</summary>
        public static string Format(long bytes)
        {
            if (bytes < 1024) return bytes.ToString(CultureInfo.InvariantCulture) + " B";
            double value = bytes;
            var unit = 0;
            while (value >= 1024 && unit < Units.Length - 1)
            {
                value /= 1024;
                unit++;
            }
            return value.ToString(value >= 100 ? "0" : value >= 10 ? "0.#" : "0.##", CultureInfo.InvariantCulture) + " " + Units[unit];
        }
    }
}
