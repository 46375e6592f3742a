using System;
using System.Collections.Generic;
using System.Globalization;
using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace AliBackup.Service.OpenApi
{
    /// <summary>Every intermediate of a V3 signature, so tests can compare each step with the official SDK's.</summary>
    public sealed class AcsV3Signature
    {
        internal AcsV3Signature(string canonicalQueryString, string canonicalHeaders, string signedHeaders,
            string canonicalRequest, string hashedCanonicalRequest, string stringToSign, string signature, string authorization)
        {
            CanonicalQueryString = canonicalQueryString;
            CanonicalHeaders = canonicalHeaders;
            SignedHeaders = signedHeaders;
            CanonicalRequest = canonicalRequest;
            HashedCanonicalRequest = hashedCanonicalRequest;
            StringToSign = stringToSign;
            Signature = signature;
            Authorization = authorization;
        }

        public string CanonicalQueryString { get; }
        public string CanonicalHeaders { get; }
        public string SignedHeaders { get; }
        public string CanonicalRequest { get; }
        public string HashedCanonicalRequest { get; }
        public string StringToSign { get; }

        /// <summary>The signature itself: a secret-derived value, never to be logged.</summary>
        public string Signature { get; }

        /// <summary>The Authorization header value (contains the signature; never to be logged).</summary>
        public string Authorization { get; }

        /// <summary>Overrides ToString so an accidental log line shows no signature.</summary>
        public override string ToString() => "AcsV3Signature(SignedHeaders=" + SignedHeaders + ")";
    }

    /// <summary>
    /// Signature V3 (ACS3-HMAC-SHA256) as described in Alibaba Cloud's "V3 request structure and signature"
    /// document and implemented by the official openapi cores.
    /// </summary>
    /// <remarks>
    /// Every call is signed, so this is written for the hot path: no LINQ (its iterators and delegates were most of a
    /// call's allocations and a fifth of its first-call JIT), one builder per string, and the hash objects reused per
    /// thread (signing never awaits, so a thread's objects are never used twice at once).
    /// </remarks>
    public static class AcsV3Signer
    {
        public const string Algorithm = "ACS3-HMAC-SHA256";

        /// <summary>Lowercase hex SHA-256 of the empty string: the payload hash of every bodiless RPC call.</summary>
        public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

        private const string HexDigits = "0123456789abcdef";

        [ThreadStatic] private static StringBuilder? _builder;
        [ThreadStatic] private static SHA256? _sha;
        [ThreadStatic] private static HMACSHA256? _hmac;
        [ThreadStatic] private static string? _hmacSecret;

        /// <summary>UTC, whole seconds, as <c>x-acs-date</c> wants it.</summary>
        public static string FormatDate(DateTimeOffset now)
        {
            var t = now.UtcDateTime;
            var chars = new char[20];
            Digits(chars, 0, t.Year, 4);
            chars[4] = '-';
            Digits(chars, 5, t.Month, 2);
            chars[7] = '-';
            Digits(chars, 8, t.Day, 2);
            chars[10] = 'T';
            Digits(chars, 11, t.Hour, 2);
            chars[13] = ':';
            Digits(chars, 14, t.Minute, 2);
            chars[16] = ':';
            Digits(chars, 17, t.Second, 2);
            chars[19] = 'Z';
            return new string(chars);
        }

        public static string HashPayload(byte[] body) => ToHex(Sha256(body, body.Length));

        /// <summary>The canonical query string: ordinal sort by name, names and values percent-encoded.</summary>
        public static string CanonicalizeQuery(IEnumerable<KeyValuePair<string, string>> query)
        {
            var pairs = new List<KeyValuePair<string, string>>(query);
            if (pairs.Count == 0) return "";
            pairs.Sort(CompareByNameThenValue);
            var sb = Builder();
            for (var i = 0; i < pairs.Count; i++)
            {
                if (i > 0) sb.Append('&');
                PercentEncoding.AppendEncoded(sb, pairs[i].Key);
                sb.Append('=');
                PercentEncoding.AppendEncoded(sb, pairs[i].Value ?? "");
            }
            return Done(sb);
        }

        /// <summary>The canonical URI: "/" for RPC, otherwise each segment percent-encoded.</summary>
        public static string CanonicalizePath(string path)
        {
            if (string.IsNullOrEmpty(path) || path == "/") return "/";
            var segments = path.Split('/');
            var sb = new StringBuilder(path.Length + 16);
            for (var i = 0; i < segments.Length; i++)
            {
                if (i > 0) sb.Append('/');
                PercentEncoding.AppendEncoded(sb, segments[i]);
            }
            return sb.ToString();
        }

        /// <summary>True for the headers V3 signs: host, content-type and every x-acs-* header.</summary>
        public static bool IsSignedHeader(string lowerName) =>
            lowerName == "host" || lowerName == "content-type" || lowerName.StartsWith("x-acs-", StringComparison.Ordinal);

        /// <summary>
        /// Signs one request. <paramref name="headers"/> holds every header the request will carry; only host,
        /// content-type and x-acs-* take part, and x-acs-content-sha256 must already be among them.
        /// </summary>
        public static AcsV3Signature Sign(
            string method,
            string path,
            IEnumerable<KeyValuePair<string, string>> query,
            IEnumerable<KeyValuePair<string, string>> headers,
            string hashedPayload,
            string accessKeyId,
            string accessKeySecret)
        {
            var canonicalQuery = CanonicalizeQuery(query);

            // Signed headers: names lowercased and trimmed, sorted; repeated names joined by ',' with their values sorted.
            var signed = new List<KeyValuePair<string, string>>();
            foreach (var h in headers)
            {
                var name = h.Key.Trim().ToLowerInvariant();
                if (IsSignedHeader(name)) signed.Add(new KeyValuePair<string, string>(name, (h.Value ?? "").Trim()));
            }
            signed.Sort(CompareByNameThenValue);

            var canonicalHeaders = Builder();
            for (var i = 0; i < signed.Count; i++)
            {
                if (i > 0 && signed[i - 1].Key == signed[i].Key)
                {
                    // Same name as the line before: its value joins that line (values are in order already).
                    canonicalHeaders.Length--;
                    canonicalHeaders.Append(',').Append(signed[i].Value).Append('\n');
                    continue;
                }
                canonicalHeaders.Append(signed[i].Key).Append(':').Append(signed[i].Value).Append('\n');
            }
            var canonicalHeaderText = Done(canonicalHeaders);

            var signedHeaders = Builder();
            for (var i = 0; i < signed.Count; i++)
            {
                if (i > 0 && signed[i - 1].Key == signed[i].Key) continue;
                if (signedHeaders.Length > 0) signedHeaders.Append(';');
                signedHeaders.Append(signed[i].Key);
            }
            var signedHeaderText = Done(signedHeaders);

            var request = Builder();
            request.Append(method.ToUpperInvariant()).Append('\n')
                .Append(CanonicalizePath(path)).Append('\n')
                .Append(canonicalQuery).Append('\n')
                .Append(canonicalHeaderText).Append('\n')
                .Append(signedHeaderText).Append('\n')
                .Append(hashedPayload);
            var canonicalRequest = Done(request);
            var hashedCanonicalRequest = ToHex(Sha256(canonicalRequest));
            var stringToSign = Algorithm + "\n" + hashedCanonicalRequest;
            var signature = ToHex(HmacSha256(accessKeySecret, stringToSign));
            var authorization = Algorithm + " Credential=" + accessKeyId + ",SignedHeaders=" + signedHeaderText + ",Signature=" + signature;
            return new AcsV3Signature(canonicalQuery, canonicalHeaderText, signedHeaderText, canonicalRequest,
                hashedCanonicalRequest, stringToSign, signature, authorization);
        }

        /// <summary>This thread's builder, empty (a new one while it is in use); give it back with <see cref="Done"/>.</summary>
        private static StringBuilder Builder()
        {
            var sb = _builder;
            if (sb == null) return new StringBuilder(512);
            _builder = null;
            return sb.Clear();
        }

        private static string Done(StringBuilder sb)
        {
            var text = sb.ToString();
            if (sb.Capacity <= 4096) _builder = sb;
            return text;
        }

        private static int CompareByNameThenValue(KeyValuePair<string, string> a, KeyValuePair<string, string> b)
        {
            var byName = string.CompareOrdinal(a.Key, b.Key);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        }

        private static byte[] Sha256(string text)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
            try
            {
                return Sha256(buffer, Encoding.UTF8.GetBytes(text, 0, text.Length, buffer, 0));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private static byte[] Sha256(byte[] data, int count) => (_sha ??= SHA256.Create()).ComputeHash(data, 0, count);

        private static byte[] HmacSha256(string secret, string text)
        {
            var hmac = _hmac;
            if (hmac == null || !string.Equals(_hmacSecret, secret, StringComparison.Ordinal))
            {
                hmac?.Dispose();
                _hmac = hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
                _hmacSecret = secret;
            }
            var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
            try
            {
                return hmac.ComputeHash(buffer, 0, Encoding.UTF8.GetBytes(text, 0, text.Length, buffer, 0));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private static void Digits(char[] chars, int at, int value, int width)
        {
            for (var i = width - 1; i >= 0; i--)
            {
                chars[at + i] = (char)('0' + value % 10);
                value /= 10;
            }
        }

        internal static string ToHex(byte[] bytes)
        {
            var chars = new char[bytes.Length * 2];
            for (var i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = HexDigits[bytes[i] >> 4];
                chars[2 * i + 1] = HexDigits[bytes[i] & 0xF];
            }
            return new string(chars);
        }
    }
}
