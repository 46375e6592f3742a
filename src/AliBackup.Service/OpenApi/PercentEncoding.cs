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
            if (value.Length == 0) return value;
            var bytes = Encoding.UTF8.GetBytes(value);
            var sb = new StringBuilder(bytes.Length + 8);
            foreach (var b in bytes)
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
            return sb.ToString();
        }

        private static bool IsUnreserved(byte b) =>
            (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
            b == '-' || b == '_' || b == '.' || b == '~';
    }
}
