using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AliBackup.Emulator.Wire;

namespace AliBackup.Emulator.Sts;

/// <summary>
/// STS 2015-04-01 as the credentials libraries use it: AssumeRole (signed, V1 or V3), AssumeRoleWithOIDC (anonymous;
/// the OIDC token is checked against the role's trusted provider) and GetCallerIdentity. Parameter rules and error
/// codes follow the STS API reference.
/// </summary>
public sealed partial class StsApi(IReadOnlyList<EmulatedRole> roles, TemporaryKeys keys, TimeProvider wallClock)
{
    public const string Version = "2015-04-01";
    public const string HostId = "sts.aliyuncs.com";

    /// <summary>The account and user the emulator's configured (long-lived) keys belong to.</summary>
    public const string EmulatorAccountId = "1000000000000001";

    /// <summary>Answers one STS action; <paramref name="caller"/> is the verified key (null only for anonymous actions).</summary>
    public JsonObject Handle(string action, RpcCall call, EmulatorKey? caller) => action switch
    {
        "AssumeRole" => AssumeRole(call),
        "AssumeRoleWithOIDC" => AssumeRoleWithOidc(call),
        "GetCallerIdentity" => GetCallerIdentity(caller ?? throw new ApiErrorException(400, "MissingSignature", "Signature is mandatory for this action.")),
        _ => throw new ApiErrorException(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."),
    };

    /// <summary>True for actions STS answers without a signature.</summary>
    public static bool IsAnonymous(string? action) => action == "AssumeRoleWithOIDC";

    private JsonObject AssumeRole(RpcCall call)
    {
        var role = RequireRole(call);
        var sessionName = RequireSessionName(call);
        var lifetime = Lifetime(call, role);
        CheckPolicy(call);
        var externalId = call.Param("ExternalId");
        if (externalId != null && !ExternalIdPattern().IsMatch(externalId))
            throw new ApiErrorException(400, "InvalidParameter.ExternalId", "The parameter ExternalId is invalid.");
        if (role.ExternalId != null && externalId != role.ExternalId)
            throw new ApiErrorException(401, "AuthenticationFail.NoPermission", "There is no permission");
        return Session(role, sessionName, lifetime);
    }

    private JsonObject AssumeRoleWithOidc(RpcCall call)
    {
        var providerArn = call.Param("OIDCProviderArn");
        if (string.IsNullOrEmpty(providerArn)) throw ApiErrorException.Missing("OIDCProviderArn");
        var token = call.Param("OIDCToken");
        if (string.IsNullOrEmpty(token)) throw new ApiErrorException(401, "AuthenticationFail.OIDCToken.Invalid", "The OIDCToken can not empty.");
        if (token.Length < 4 || token.Length > 20000) throw new ApiErrorException(400, "InvalidParameter.OIDCToken", "The parameter OIDCToken is invalid.");
        var role = RequireRole(call);
        var sessionName = RequireSessionName(call);
        var lifetime = Lifetime(call, role);
        CheckPolicy(call);

        if (!Roles().Any(r => r.OidcProviderArn == providerArn))
            throw new ApiErrorException(401, "AuthenticationFail.NoPermission", "No such OIDC Provider registered.");
        if (role.OidcProviderArn != providerArn)
            throw new ApiErrorException(401, "AuthenticationFail.NoPermission", "There is no permission");

        var claims = ReadJwtClaims(token);
        var issuer = claims.TryGetProperty("iss", out var iss) && iss.ValueKind == JsonValueKind.String ? iss.GetString() : null;
        if (role.OidcIssuer != null && issuer != role.OidcIssuer)
            throw new ApiErrorException(401, "AuthenticationFail.OIDCToken.IssuerNotMatch", "Issuer not match.");
        var now = wallClock.GetUtcNow();
        DateTimeOffset? expires = claims.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var expSeconds) ? DateTimeOffset.FromUnixTimeSeconds(expSeconds) : null;
        DateTimeOffset? issued = claims.TryGetProperty("iat", out var iat) && iat.TryGetInt64(out var iatSeconds) ? DateTimeOffset.FromUnixTimeSeconds(iatSeconds) : null;
        if (expires is { } expiry && now >= expiry)
            throw new ApiErrorException(401, "AuthenticationFail.OIDCToken.Expired", "This JsonWebToken is expired.");

        var response = Session(role, sessionName, lifetime);
        response["OIDCTokenInfo"] = new JsonObject
        {
            ["Subject"] = claims.TryGetProperty("sub", out var sub) ? sub.ToString() : "",
            ["Issuer"] = issuer,
            ["ClientIds"] = claims.TryGetProperty("aud", out var aud) ? aud.ToString() : "",
            ["ExpirationTime"] = expires is { } e ? TemporaryKeys.Iso(e) : null,
            ["IssuanceTime"] = issued is { } i ? TemporaryKeys.Iso(i) : null,
            ["VerificationInfo"] = "Success",
        };
        return response;
    }

    private JsonObject GetCallerIdentity(EmulatorKey caller)
    {
        var identity = keys.IdentityOf(caller.AccessKeyId) ??
                       new CallerIdentity(EmulatorAccountId, "acs:ram::" + EmulatorAccountId + ":user/emulator-user", "RAMUser", "20000000000000001", UserId: "20000000000000001");
        return new JsonObject
        {
            ["AccountId"] = identity.AccountId,
            ["Arn"] = identity.Arn,
            ["IdentityType"] = identity.IdentityType,
            ["PrincipalId"] = identity.PrincipalId,
            ["UserId"] = identity.UserId,
            ["RoleId"] = identity.RoleId,
        };
    }

    private JsonObject Session(EmulatedRole role, string sessionName, TimeSpan lifetime)
    {
        var roleId = RoleIdOf(role);
        var arn = "acs:ram::" + role.AccountId + ":role/" + role.Name.ToLowerInvariant() + "/" + sessionName;
        var key = keys.Issue(lifetime, new CallerIdentity(role.AccountId, arn, "AssumedRoleUser", roleId + ":" + sessionName, RoleId: roleId));
        return new JsonObject
        {
            ["AssumedRoleUser"] = new JsonObject { ["Arn"] = arn, ["AssumedRoleId"] = roleId + ":" + sessionName },
            ["Credentials"] = new JsonObject
            {
                ["AccessKeyId"] = key.AccessKeyId,
                ["AccessKeySecret"] = key.AccessKeySecret,
                ["SecurityToken"] = key.SecurityToken,
                ["Expiration"] = TemporaryKeys.Iso(key.Expiration!.Value),
            },
        };
    }

    private EmulatedRole RequireRole(RpcCall call)
    {
        var arn = call.Param("RoleArn");
        if (string.IsNullOrEmpty(arn)) throw ApiErrorException.Missing("RoleArn");
        if (!RoleArnPattern().IsMatch(arn)) throw new ApiErrorException(400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed.");
        return Roles().FirstOrDefault(r => string.Equals(r.Arn, arn, StringComparison.OrdinalIgnoreCase))
               ?? throw new ApiErrorException(404, "EntityNotExist.Role", "The role not exists: " + arn + ".");
    }

    /// <summary>The roles as they are now (the control route may add one while a request is answered).</summary>
    private List<EmulatedRole> Roles()
    {
        lock (roles) return [.. roles];
    }

    private static string RequireSessionName(RpcCall call)
    {
        var name = call.Param("RoleSessionName");
        if (string.IsNullOrEmpty(name)) throw ApiErrorException.Missing("RoleSessionName");
        if (!SessionNamePattern().IsMatch(name)) throw new ApiErrorException(400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.");
        return name;
    }

    private static TimeSpan Lifetime(RpcCall call, EmulatedRole role)
    {
        var text = call.Param("DurationSeconds");
        var seconds = 3600;
        if (!string.IsNullOrEmpty(text) && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out seconds) || seconds < 900 || seconds > role.MaxSessionDurationSeconds))
            throw new ApiErrorException(400, "InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/" + role.MaxSessionDurationSeconds / 60 + "min.");
        return role.SessionLifetime ?? TimeSpan.FromSeconds(seconds);
    }

    private static void CheckPolicy(RpcCall call)
    {
        var policy = call.Param("Policy");
        if (policy == null) return;
        if (policy.Length is < 1 or > 2048) throw new ApiErrorException(400, "InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check.");
        try
        {
            using var _ = JsonDocument.Parse(policy);
        }
        catch (JsonException)
        {
            throw new ApiErrorException(400, "InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check.");
        }
    }

    /// <summary>The claims of a JWT. The signature is not checked (the emulator has no provider keys); the shape is.</summary>
    private static JsonElement ReadJwtClaims(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
            throw new ApiErrorException(401, "AuthenticationFail.OIDCToken.Invalid", "The number of Jwt field should be divided into 3 parts with '.' .");
        try
        {
            using var header = JsonDocument.Parse(Base64Url(parts[0]));
            using var payload = JsonDocument.Parse(Base64Url(parts[1]));
            if (header.RootElement.ValueKind != JsonValueKind.Object || payload.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException();
            return payload.RootElement.Clone();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw new ApiErrorException(401, "AuthenticationFail.OIDCToken.Invalid", "Cannot decode base64 encoded response(format invalided).");
        }
    }

    private static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return Convert.FromBase64String(padded);
    }

    private static string RoleIdOf(EmulatedRole role)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(role.Arn));
        return "3" + (BitConverter.ToUInt64(hash) % 100_000_000_000_000_000UL).ToString("D17", CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^acs:ram::\d+:role/[\w.@+=,-]{1,64}$", RegexOptions.IgnoreCase)]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[A-Za-z0-9.@_-]{2,64}$")]
    private static partial Regex SessionNamePattern();

    [GeneratedRegex(@"^[\w+=,.@:/-]{2,1224}$")]
    private static partial Regex ExternalIdPattern();
}
