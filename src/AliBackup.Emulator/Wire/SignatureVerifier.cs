using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AliBackup.Emulator.Wire;

/// <summary>
/// Checks a request's signature as the gateway does: V3 (ACS3-HMAC-SHA256 in the Authorization header) or V1
/// (HMAC-SHA1 <c>Signature</c> parameter), plus the timestamp window, nonce reuse and the STS token. Written from
/// the public signature documents, independently of the client's signer.
/// </summary>
public sealed class SignatureVerifier(Func<string, EmulatorKey?> findKey, TimeProvider wallClock)
{
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);
    private readonly HashSet<string> _nonces = new(StringComparer.Ordinal);

    // Nonces in the order they were seen, so expired ones leave from the front: each request costs O(1), however
    // many nonces are remembered (a scan of all of them once past 10,000 slowed the emulator ~6x in benchmarks).
    private readonly Queue<(string Nonce, DateTimeOffset Seen)> _nonceOrder = new();

    /// <summary>Returns the key the request was signed with, or throws the gateway's error.</summary>
    public EmulatorKey Verify(RpcCall call) => call.IsV3 ? VerifyV3(call) : VerifyV1(call);

    private EmulatorKey VerifyV3(RpcCall call)
    {
        var authorization = call.Header("authorization")!;
        var space = authorization.IndexOf(' ');
        var algorithm = space < 0 ? authorization : authorization[..space];
        if (algorithm != "ACS3-HMAC-SHA256")
            throw new ApiErrorException(400, "InvalidSignatureMethod", "The signature method " + algorithm + " is not supported.");
        var fields = authorization[(space + 1)..].Split(',')
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.Ordinal);
        if (!fields.TryGetValue("Credential", out var accessKeyId) || !fields.TryGetValue("SignedHeaders", out var signedHeaderList) ||
            !fields.TryGetValue("Signature", out var signature))
            throw new ApiErrorException(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.");

        var key = findKey(accessKeyId) ?? throw new ApiErrorException(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");

        var signedNames = signedHeaderList.Split(';', StringSplitOptions.RemoveEmptyEntries);
        // Every x-acs-* header the request carries (the security token included) must be covered by the signature.
        var required = call.Headers.Select(h => h.Key).Where(k => k.StartsWith("x-acs-", StringComparison.Ordinal)).Append("host").Distinct();
        var missing = required.Where(r => !signedNames.Contains(r)).ToList();
        if (missing.Count > 0 || call.Header("x-acs-date") == null || call.Header("x-acs-signature-nonce") == null)
            throw new ApiErrorException(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards." +
                (missing.Count > 0 ? " Unsigned headers: " + string.Join(",", missing) : ""));

        CheckTimestamp(call.Header("x-acs-date")!);

        var payloadHash = Hex(SHA256.HashData(call.Body));
        var declaredHash = call.Header("x-acs-content-sha256");
        if (declaredHash != null && !string.Equals(declaredHash, payloadHash, StringComparison.Ordinal))
            throw new ApiErrorException(400, "SignatureDoesNotMatch", "The x-acs-content-sha256 header does not match the request body.");

        var canonicalHeaders = new StringBuilder();
        foreach (var name in signedNames.OrderBy(n => n, StringComparer.Ordinal))
        {
            var values = call.Headers.Where(h => h.Key == name).Select(h => h.Value.Trim()).OrderBy(v => v, StringComparer.Ordinal);
            canonicalHeaders.Append(name).Append(':').Append(string.Join(",", values)).Append('\n');
        }
        var canonicalQuery = string.Join("&", call.Query
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => Rfc3986(p.Key) + "=" + Rfc3986(p.Value)));
        var canonicalPath = call.Path == "/" ? "/" : string.Join("/", call.Path.Split('/').Select(s => Rfc3986(Uri.UnescapeDataString(s))));
        var canonicalRequest = call.Method + "\n" + canonicalPath + "\n" + canonicalQuery + "\n" + canonicalHeaders + "\n" +
                               string.Join(";", signedNames.OrderBy(n => n, StringComparer.Ordinal)) + "\n" + (declaredHash ?? payloadHash);
        var stringToSign = "ACS3-HMAC-SHA256\n" + Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));
        var expected = Hex(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key.AccessKeySecret), Encoding.UTF8.GetBytes(stringToSign)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
            throw new ApiErrorException(400, "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. server string to sign is:" + stringToSign);

        CheckNonce(call.Header("x-acs-signature-nonce")!);
        CheckToken(key, call.Header("x-acs-security-token"));
        return key;
    }

    private EmulatorKey VerifyV1(RpcCall call)
    {
        var parameters = call.AllParameters();
        if (!parameters.TryGetValue("Signature", out var signature) || !parameters.TryGetValue("AccessKeyId", out var accessKeyId))
            throw new ApiErrorException(400, "MissingSignature", "Signature is mandatory for this action.");
        var key = findKey(accessKeyId) ?? throw new ApiErrorException(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
        if (parameters.GetValueOrDefault("SignatureMethod") != "HMAC-SHA1")
            throw new ApiErrorException(400, "InvalidSignatureMethod", "The signature method is not supported.");
        CheckTimestamp(parameters.GetValueOrDefault("Timestamp") ?? throw ApiErrorException.Missing("Timestamp"));

        var canonical = string.Join("&", parameters.Where(p => p.Key != "Signature")
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => Rfc3986(p.Key) + "=" + Rfc3986(p.Value)));
        var stringToSign = call.Method + "&" + Rfc3986("/") + "&" + Rfc3986(canonical);
        var expected = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(key.AccessKeySecret + "&"), Encoding.UTF8.GetBytes(stringToSign)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
            throw new ApiErrorException(400, "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. server string to sign is:" + stringToSign);

        CheckNonce(parameters.GetValueOrDefault("SignatureNonce") ?? throw ApiErrorException.Missing("SignatureNonce"));
        CheckToken(key, parameters.GetValueOrDefault("SecurityToken"));
        return key;
    }

    private void CheckTimestamp(string text)
    {
        if (!DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var sent))
            throw new ApiErrorException(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.");
        if ((wallClock.GetUtcNow() - sent).Duration() > AllowedSkew)
            throw new ApiErrorException(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
    }

    private void CheckNonce(string nonce)
    {
        var now = wallClock.GetUtcNow();
        lock (_nonces)
        {
            // A nonce is remembered as long as its timestamp could still pass the skew check (twice the window).
            while (_nonceOrder.Count > 0 && now - _nonceOrder.Peek().Seen > AllowedSkew * 2)
                _nonces.Remove(_nonceOrder.Dequeue().Nonce);
            if (!_nonces.Add(nonce))
                throw new ApiErrorException(400, "SignatureNonceUsed", "Specified signature nonce was used already.");
            _nonceOrder.Enqueue((nonce, now));
        }
    }

    private void CheckToken(EmulatorKey key, string? token)
    {
        if (key.SecurityToken == null)
        {
            if (token != null) throw new ApiErrorException(400, "InvalidSecurityToken.MismatchWithAccessKey", "The security token does not belong to this AccessKey.");
            return;
        }
        if (token == null) throw new ApiErrorException(400, "InvalidSecurityToken.Malformed", "Temporary credentials need their security token.");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(key.SecurityToken)))
            throw new ApiErrorException(400, "InvalidSecurityToken.MismatchWithAccessKey", "The security token does not belong to this AccessKey.");
        if (key.Expiration is { } expiration && wallClock.GetUtcNow() >= expiration)
            throw new ApiErrorException(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.");
    }

    /// <summary>RFC 3986 percent-encoding of UTF-8 (unreserved characters kept, uppercase hex).</summary>
    public static string Rfc3986(string value)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~') sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
