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
    /// call's allocations and a fifth of its first-call JIT); the canonical request is built in one per-thread builder and
    /// hashed through pooled buffers, so signing a call allocates its Authorization value, the path and query it is sent
    /// to and the two 32-byte digests, and the intermediates only when asked (<see cref="Sign"/>; the canonical
    /// request for -Debug). Builders, lists and hash objects are reused per thread: signing never awaits, so a thread's
    /// are never used twice at once.
    /// </remarks>
    public static class AcsV3Signer
    {
        public const string Algorithm = "ACS3-HMAC-SHA256";

        /// <summary>Lowercase hex SHA-256 of the empty string: the payload hash of every bodiless RPC call.</summary>
        public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

        private const string HexDigits = "0123456789abcdef";

        [ThreadStatic] private static StringBuilder? _builder;
        [ThreadStatic] private static List<KeyValuePair<string, string>>? _pairs;
        [ThreadStatic] private static char[]? _chars;
        [ThreadStatic] private static SHA256? _sha;
        [ThreadStatic] private static HMACSHA256? _hmac;
        [ThreadStatic] private static string? _hmacSecret;

        /// <summary>UTC, whole seconds, as <c>x-acs-date</c> wants it.</summary>
        public static string FormatDate(DateTimeOffset now)
        {
            var t = now.UtcDateTime;
            var chars = Chars(20);
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
            return new string(chars, 0, 20);
        }

        public static string HashPayload(byte[] body) => ToHex(Sha256(body, body.Length));

        /// <summary>The canonical query string: ordinal sort by name, names and values percent-encoded.</summary>
        private static void AppendCanonicalQuery(StringBuilder sb, IEnumerable<KeyValuePair<string, string>> query)
        {
            var pairs = Pairs();
            pairs.AddRange(query);
            pairs.Sort(CompareByNameThenValue);
            for (var i = 0; i < pairs.Count; i++)
            {
                if (i > 0) sb.Append('&');
                PercentEncoding.AppendEncoded(sb, pairs[i].Key);
                sb.Append('=');
                PercentEncoding.AppendEncoded(sb, pairs[i].Value ?? "");
            }
            Release(pairs);
        }

        /// <summary>The canonical URI: "/" for RPC, otherwise each segment percent-encoded.</summary>
        private static void AppendCanonicalPath(StringBuilder sb, string path)
        {
            if (string.IsNullOrEmpty(path) || path == "/")
            {
                sb.Append('/');
                return;
            }
            var segments = path.Split('/');
            for (var i = 0; i < segments.Length; i++)
            {
                if (i > 0) sb.Append('/');
                PercentEncoding.AppendEncoded(sb, segments[i]);
            }
        }

        /// <summary>True for the headers V3 signs: host, content-type and every x-acs-* header.</summary>
        public static bool IsSignedHeader(string lowerName) =>
            lowerName == "host" || lowerName == "content-type" || lowerName.StartsWith("x-acs-", StringComparison.Ordinal);

        /// <summary>
        /// Signs one request and returns every intermediate. <paramref name="headers"/> holds every header the request
        /// will carry; only host, content-type and x-acs-* take part, and x-acs-content-sha256 must already be among them.
        /// </summary>
        public static AcsV3Signature Sign(
            string method,
            string path,
            IEnumerable<KeyValuePair<string, string>> query,
            IEnumerable<KeyValuePair<string, string>> headers,
            string hashedPayload,
            string accessKeyId,
            string accessKeySecret) =>
            SignCore(method, path, query, headers, hashedPayload, accessKeyId, accessKeySecret, keepIntermediates: true, keepCanonicalRequest: true).Intermediates!;

        /// <summary>
        /// Signs one request for sending: the Authorization value and the path and query to send it to, and the
        /// canonical request only when <paramref name="keepCanonicalRequest"/> (someone will show it). Same rules as <see cref="Sign"/>.
        /// </summary>
        internal static RequestSignature SignForSending(
            string method,
            string path,
            IEnumerable<KeyValuePair<string, string>> query,
            IEnumerable<KeyValuePair<string, string>> headers,
            string hashedPayload,
            string accessKeyId,
            string accessKeySecret,
            bool keepCanonicalRequest) =>
            SignCore(method, path, query, headers, hashedPayload, accessKeyId, accessKeySecret, keepIntermediates: false, keepCanonicalRequest);

        private static RequestSignature SignCore(string method, string path, IEnumerable<KeyValuePair<string, string>> query,
            IEnumerable<KeyValuePair<string, string>> headers, string hashedPayload, string accessKeyId, string accessKeySecret,
            bool keepIntermediates, bool keepCanonicalRequest)
        {
            // The canonical request, part by part, in one builder; each part's place is kept for the values taken from it.
            var request = Builder();
            request.Append(method.ToUpperInvariant()).Append('\n');
            var pathStart = request.Length;
            AppendCanonicalPath(request, path);
            var pathLength = request.Length - pathStart;
            request.Append('\n');
            var queryStart = request.Length;
            AppendCanonicalQuery(request, query);
            var queryLength = request.Length - queryStart;
            request.Append('\n');

            // Signed headers: names lowercased and trimmed, sorted; repeated names joined by ',' with their values sorted.
            var signed = Pairs();
            foreach (var h in headers)
            {
                var name = h.Key.Trim().ToLowerInvariant();
                if (IsSignedHeader(name)) signed.Add(new KeyValuePair<string, string>(name, (h.Value ?? "").Trim()));
            }
            signed.Sort(CompareByNameThenValue);
            var headersStart = request.Length;
            for (var i = 0; i < signed.Count; i++)
            {
                if (i > 0 && signed[i - 1].Key == signed[i].Key)
                {
                    // Same name as the line before: its value joins that line (values are in order already).
                    request.Length--;
                    request.Append(',').Append(signed[i].Value).Append('\n');
                    continue;
                }
                request.Append(signed[i].Key).Append(':').Append(signed[i].Value).Append('\n');
            }
            var headersLength = request.Length - headersStart;
            request.Append('\n');
            var signedStart = request.Length;
            for (var i = 0; i < signed.Count; i++)
            {
                if (i > 0 && signed[i - 1].Key == signed[i].Key) continue;
                if (request.Length > signedStart) request.Append(';');
                request.Append(signed[i].Key);
            }
            var signedLength = request.Length - signedStart;
            Release(signed);
            request.Append('\n').Append(hashedPayload);

            var canonicalQuery = keepIntermediates ? request.ToString(queryStart, queryLength) : null;
            var pathAndQuery = PathAndQuery(request, pathStart, pathLength, queryStart, queryLength);
            var canonicalRequest = keepCanonicalRequest ? request.ToString() : null;
            var canonicalHeaderText = keepIntermediates ? request.ToString(headersStart, headersLength) : null;
            var signedHeaderText = keepIntermediates ? request.ToString(signedStart, signedLength) : null;
            var requestHash = Sha256(request);
            var signature = HmacSha256(accessKeySecret, requestHash);

            // The builder now holds the Authorization value, the signed header names copied over from where they were.
            var signedNames = Chars(signedLength);
            request.CopyTo(signedStart, signedNames, 0, signedLength);
            request.Clear().Append(Algorithm).Append(" Credential=").Append(accessKeyId).Append(",SignedHeaders=").Append(signedNames, 0, signedLength).Append(",Signature=");
            foreach (var b in signature) request.Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
            var authorization = Done(request);
            AcsV3Signature? intermediates = null;
            if (keepIntermediates)
            {
                var hashedCanonicalRequest = ToHex(requestHash);
                intermediates = new AcsV3Signature(canonicalQuery!, canonicalHeaderText!, signedHeaderText!, canonicalRequest!,
                    hashedCanonicalRequest, Algorithm + "\n" + hashedCanonicalRequest, ToHex(signature), authorization);
            }
            return new RequestSignature(authorization, pathAndQuery, canonicalRequest, intermediates);
        }

        /// <summary>The request target as sent: the canonical path, and '?' and the canonical query when there is one (one string).</summary>
        private static string PathAndQuery(StringBuilder request, int pathStart, int pathLength, int queryStart, int queryLength)
        {
            if (queryLength == 0) return request.ToString(pathStart, pathLength);
            var chars = Chars(pathLength + 1 + queryLength);
            request.CopyTo(pathStart, chars, 0, pathLength);
            chars[pathLength] = '?';
            request.CopyTo(queryStart, chars, pathLength + 1, queryLength);
            return new string(chars, 0, pathLength + 1 + queryLength);
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

        /// <summary>This thread's pair list, empty (a new one while it is in use); give it back with <see cref="Release"/>.</summary>
        private static List<KeyValuePair<string, string>> Pairs()
        {
            var pairs = _pairs;
            if (pairs == null) return new List<KeyValuePair<string, string>>(16);
            _pairs = null;
            return pairs;
        }

        private static void Release(List<KeyValuePair<string, string>> pairs)
        {
            pairs.Clear();
            if (pairs.Capacity <= 64) _pairs = pairs;
        }

        /// <summary>This thread's char buffer, at least <paramref name="length"/> long (for text copied or built before it becomes a string).</summary>
        private static char[] Chars(int length)
        {
            var chars = _chars;
            if (chars == null || chars.Length < length) _chars = chars = new char[Math.Max(length, 256)];
            return chars;
        }

        private static int CompareByNameThenValue(KeyValuePair<string, string> a, KeyValuePair<string, string> b)
        {
            var byName = string.CompareOrdinal(a.Key, b.Key);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        }

        /// <summary>SHA-256 of the builder's text as UTF-8, read through pooled buffers (no string of its own).</summary>
        private static byte[] Sha256(StringBuilder text)
        {
            var chars = Chars(text.Length);
            text.CopyTo(0, chars, 0, text.Length);
            var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
            try
            {
                return Sha256(buffer, Encoding.UTF8.GetBytes(chars, 0, text.Length, buffer, 0));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private static byte[] Sha256(byte[] data, int count) => (_sha ??= SHA256.Create()).ComputeHash(data, 0, count);

        /// <summary>HMAC-SHA256 of the string to sign, "ACS3-HMAC-SHA256\n" and the request hash in lowercase hex, written as bytes.</summary>
        private static byte[] HmacSha256(string secret, byte[] requestHash)
        {
            var hmac = _hmac;
            if (hmac == null || !string.Equals(_hmacSecret, secret, StringComparison.Ordinal))
            {
                hmac?.Dispose();
                _hmac = hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
                _hmacSecret = secret;
            }
            var length = Algorithm.Length + 1 + 2 * requestHash.Length;
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                var at = Encoding.ASCII.GetBytes(Algorithm, 0, Algorithm.Length, buffer, 0);
                buffer[at++] = (byte)'\n';
                foreach (var b in requestHash)
                {
                    buffer[at++] = (byte)HexDigits[b >> 4];
                    buffer[at++] = (byte)HexDigits[b & 0xF];
                }
                return hmac.ComputeHash(buffer, 0, length);
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
            var chars = Chars(bytes.Length * 2);
            for (var i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = HexDigits[bytes[i] >> 4];
                chars[2 * i + 1] = HexDigits[bytes[i] & 0xF];
            }
            return new string(chars, 0, bytes.Length * 2);
        }
    }

    /// <summary>What sending a request needs of its signature (see <see cref="AcsV3Signer.SignForSending"/>).</summary>
    internal readonly struct RequestSignature
    {
        public RequestSignature(string authorization, string pathAndQuery, string? canonicalRequest, AcsV3Signature? intermediates)
        {
            Authorization = authorization;
            PathAndQuery = pathAndQuery;
            CanonicalRequest = canonicalRequest;
            Intermediates = intermediates;
        }

        /// <summary>The Authorization header value (contains the signature; never to be logged).</summary>
        public string Authorization { get; }

        /// <summary>Where the request goes on its host: the canonical path and query string, exactly as signed.</summary>
        public string PathAndQuery { get; }

        /// <summary>The canonical request, when it was asked for.</summary>
        public string? CanonicalRequest { get; }

        /// <summary>Every intermediate, for <see cref="AcsV3Signer.Sign"/>.</summary>
        public AcsV3Signature? Intermediates { get; }
    }
}
