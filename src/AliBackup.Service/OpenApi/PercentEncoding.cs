using System.Text;

namespace AliBackup.Service.OpenApi
{
    /// <summary>
    /// RFC 3986 percent-encoding over UTF-8 as the ACS signatures require: only <c>A-Z a-z 0-9 - _ . ~</c> stay
    /// as they are, everything else becomes <c>%XX</c> with uppercase hex (space is <c>%20</c>, never <c>+</c>).
    /// </summary>
    public static class PercentEncoding
    {
        private const string Hex = "0123456789ABCDEF";

        public static string Encode(string value)
        {
            if (value.Length == 0 || IsAllUnreserved(value)) return value;
            var sb = new StringBuilder(value.Length + 16);
            AppendEncoded(sb, value);
            return sb.ToString();
        }

        /// <summary>Appends the encoding of <paramref name="value"/> (as <see cref="Encode"/>) without a string of its own.</summary>
        public static void AppendEncoded(StringBuilder sb, string value)
        {
            if (IsAllUnreserved(value))
            {
                sb.Append(value);
                return;
            }
            foreach (var b in Encoding.UTF8.GetBytes(value))
            {
                if (IsUnreserved(b))
                {
                    sb.Append((char)b);
                }
                else
                {
                    sb.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
                }
            }
        }

        /// <summary>Most names and values (IDs, numbers) need no encoding at all: then they are used as they are.</summary>
        private static bool IsAllUnreserved(string value)
        {
            foreach (var c in value)
                if (c > 0x7F || !IsUnreserved((byte)c)) return false;
            return true;
        }

        private static bool IsUnreserved(byte b) =>
            (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
            b == '-' || b == '_' || b == '.' || b == '~';
    }
}
