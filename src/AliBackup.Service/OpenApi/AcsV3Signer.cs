using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
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
    public static class AcsV3Signer
    {
        public const string Algorithm = "ACS3-HMAC-SHA256";

        /// <summary>Lowercase hex SHA-256 of the empty string: the payload hash of every bodiless RPC call.</summary>
        public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

        /// <summary>UTC, whole seconds, as <c>x-acs-date</c> wants it.</summary>
        public static string FormatDate(DateTimeOffset now) =>
            now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        public static string HashPayload(byte[] body) => ToHex(Sha256(body));

        /// <summary>The canonical query string: ordinal sort by name, names and values percent-encoded.</summary>
        public static string CanonicalizeQuery(IEnumerable<KeyValuePair<string, string>> query) =>
            string.Join("&", query
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .ThenBy(p => p.Value, StringComparer.Ordinal)
                .Select(p => PercentEncoding.Encode(p.Key) + "=" + PercentEncoding.Encode(p.Value ?? "")));

        /// <summary>The canonical URI: "/" for RPC, otherwise each segment percent-encoded.</summary>
        public static string CanonicalizePath(string path)
        {
            if (string.IsNullOrEmpty(path) || path == "/") return "/";
            return string.Join("/", path.Split('/').Select(PercentEncoding.Encode));
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

            var signed = headers
                .Select(h => new KeyValuePair<string, string>(h.Key.Trim().ToLowerInvariant(), (h.Value ?? "").Trim()))
                .Where(h => IsSignedHeader(h.Key))
                .GroupBy(h => h.Key, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new KeyValuePair<string, string>(
                    g.Key, string.Join(",", g.Select(h => h.Value).OrderBy(v => v, StringComparer.Ordinal))))
                .ToList();

            var canonicalHeaders = new StringBuilder();
            foreach (var h in signed) canonicalHeaders.Append(h.Key).Append(':').Append(h.Value).Append('\n');
            var signedHeaders = string.Join(";", signed.Select(h => h.Key));

            var canonicalRequest = method.ToUpperInvariant() + "\n" + CanonicalizePath(path) + "\n" + canonicalQuery + "\n" +
                                   canonicalHeaders + "\n" + signedHeaders + "\n" + hashedPayload;
            var hashedCanonicalRequest = ToHex(Sha256(Encoding.UTF8.GetBytes(canonicalRequest)));
            var stringToSign = Algorithm + "\n" + hashedCanonicalRequest;
            string signature;
            using (var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(accessKeySecret)))
            {
                signature = ToHex(hmac.ComputeHash(Encoding.UTF8.GetBytes(stringToSign)));
            }
            var authorization = Algorithm + " Credential=" + accessKeyId + ",SignedHeaders=" + signedHeaders + ",Signature=" + signature;
            return new AcsV3Signature(canonicalQuery, canonicalHeaders.ToString(), signedHeaders, canonicalRequest,
                hashedCanonicalRequest, stringToSign, signature, authorization);
        }

        private static byte[] Sha256(byte[] data)
        {
            using var sha = SHA256.Create();
            return sha.ComputeHash(data);
        }

        internal static string ToHex(byte[] bytes)
        {
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (var b in bytes) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }
    }
}
