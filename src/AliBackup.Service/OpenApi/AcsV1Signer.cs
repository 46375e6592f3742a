using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace AliBackup.Service.OpenApi
{
    /// <summary>The intermediates of a V1 (RPC HMAC-SHA1) signature, so tests can compare each with the official core's.</summary>
    public sealed class AcsV1Signature
    {
        internal AcsV1Signature(string canonicalizedQueryString, string stringToSign, string signature)
        {
            CanonicalizedQueryString = canonicalizedQueryString;
            StringToSign = stringToSign;
            Signature = signature;
        }

        /// <summary>Every signed parameter, sorted and encoded. Holds the SecurityToken when there is one: never log it.</summary>
        public string CanonicalizedQueryString { get; }

        /// <summary>What was signed (contains the canonicalized query, so the same caution applies).</summary>
        public string StringToSign { get; }

        /// <summary>The Base64 signature: a secret-derived value, never to be logged.</summary>
        public string Signature { get; }

        /// <summary>Overrides ToString so an accidental log line shows neither the signature nor a token.</summary>
        public override string ToString() => "AcsV1Signature";
    }

    /// <summary>
    /// Signature V1 ("RPC", HMAC-SHA1, <c>SignatureVersion=1.0</c>): what the official credentials libraries use for
    /// STS AssumeRole. Every parameter, query and form body alike, is signed; see <c>signing.md</c> §3.
    /// </summary>
    public static class AcsV1Signer
    {
        public const string SignatureMethod = "HMAC-SHA1";
        public const string SignatureVersion = "1.0";

        /// <summary>The sorted, RFC 3986-encoded <c>name=value</c> list joined with <c>&amp;</c> (Signature itself excluded).</summary>
        public static string Canonicalize(IEnumerable<KeyValuePair<string, string>> parameters) =>
            string.Join("&", parameters
                .Where(p => p.Key != "Signature")
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .ThenBy(p => p.Value, StringComparer.Ordinal)
                .Select(p => PercentEncoding.Encode(p.Key) + "=" + PercentEncoding.Encode(p.Value ?? "")));

        /// <summary>
        /// Signs <paramref name="parameters"/> (the common ones such as Action, Timestamp, SignatureNonce and AccessKeyId
        /// must already be among them) for <paramref name="method"/> on path <c>/</c>.
        /// </summary>
        public static AcsV1Signature Sign(string method, IEnumerable<KeyValuePair<string, string>> parameters, string accessKeySecret)
        {
            var canonical = Canonicalize(parameters);
            var stringToSign = method.ToUpperInvariant() + "&" + PercentEncoding.Encode("/") + "&" + PercentEncoding.Encode(canonical);
            string signature;
            using (var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(accessKeySecret + "&")))
            {
                signature = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(stringToSign)));
            }
            return new AcsV1Signature(canonical, stringToSign, signature);
        }
    }
}
