using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Sts;
using AliBackup.Emulator.Wire;

namespace AliBackup.Emulator.Metadata;

/// <summary>
/// The ECS instance metadata service's RAM-role routes (plain HTTP, as on 100.100.100.200): the IMDSv2 token step
/// (<c>PUT /latest/api/token</c>), the attached role's name, and its temporary credentials, which rotate before they
/// expire. Also a credentials-URI route that answers the same JSON, for <c>ALIBABA_CLOUD_CREDENTIALS_URI</c>.
/// </summary>
public sealed class InstanceMetadataService(EmulatorOptions options, TemporaryKeys keys, EmulatorState state)
{
    public const string TokenTtlHeader = "X-aliyun-ecs-metadata-token-ttl-seconds";
    public const string TokenHeader = "X-aliyun-ecs-metadata-token";
    public const string CredentialsPath = "/latest/meta-data/ram/security-credentials/";
    public const string CredentialsUriPath = "/_emulator/credentials-uri";

    private readonly Dictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (EmulatorKey Key, DateTimeOffset Issued)> _current = new(StringComparer.Ordinal);

    /// <summary>Every metadata token handed out (tests make sure none shows in any output).</summary>
    public IReadOnlyList<string> IssuedTokens
    {
        get { lock (_tokens) return _tokens.Keys.ToList(); }
    }

    /// <summary>The RAM role attached to the emulated instance; null: none (the role routes answer 404).</summary>
    public string? RoleName { get; set; } = options.EcsRamRoleName;

    /// <summary>How long each role credential lasts (ECS: about six hours). A new one is handed out once half of it has passed.</summary>
    public TimeSpan CredentialLifetime { get; set; } = options.EcsCredentialLifetime;

    /// <summary>Hardened mode: requests without a valid metadata token are refused (IMDSv1 off).</summary>
    public bool RequireToken { get; set; } = options.EcsRequireMetadataToken;

    /// <summary>False: an older metadata service without the IMDSv2 token step (PUT /latest/api/token answers 404).</summary>
    public bool TokenStepAvailable { get; set; } = true;

    /// <summary>How long credentials from the credentials-URI route last.</summary>
    public TimeSpan CredentialsUriLifetime { get; set; } = options.CredentialsUriLifetime;

    public void Map(WebApplication app)
    {
        app.MapPut("/latest/api/token", (HttpContext http) =>
        {
            if (!TokenStepAvailable) return Answer(http, "PUT /latest/api/token", 404, "404 - Not Found");
            var ttlText = http.Request.Headers[TokenTtlHeader].ToString();
            if (!int.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out var ttl) || ttl < 1 || ttl > 21600)
                return Answer(http, "PUT /latest/api/token", 400, "400 - Bad Request: " + TokenTtlHeader + " must be 1 to 21600.");
            var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
            lock (_tokens) _tokens[token] = options.WallClock.GetUtcNow().AddSeconds(ttl);
            return Answer(http, "PUT /latest/api/token", 200, token);
        });

        app.MapGet(CredentialsPath, (HttpContext http) =>
        {
            const string action = "GET " + CredentialsPath;
            if (!TokenAccepted(http)) return Answer(http, action, 401, "401 - Unauthorized");
            return RoleName == null ? Answer(http, action, 404, "404 - Not Found") : Answer(http, action, 200, RoleName);
        });

        app.MapGet(CredentialsPath + "{role}", (HttpContext http, string role) =>
        {
            var action = "GET " + CredentialsPath + role;
            if (!TokenAccepted(http)) return Answer(http, action, 401, "401 - Unauthorized");
            if (RoleName == null || !string.Equals(role, RoleName, StringComparison.Ordinal)) return Answer(http, action, 404, "404 - Not Found");
            var key = CurrentKey("ecs:" + role, CredentialLifetime, () => new CallerIdentity(StsApi.EmulatorAccountId,
                "acs:ram::" + StsApi.EmulatorAccountId + ":role/" + role.ToLowerInvariant() + "/ecs-instance", "AssumedRoleUser", "3000000000000000001:ecs-instance"));
            return AnswerJson(http, action, CredentialsJson(key));
        });

        app.MapGet(CredentialsUriPath, (HttpContext http) =>
        {
            var key = CurrentKey("uri", CredentialsUriLifetime, () => new CallerIdentity(StsApi.EmulatorAccountId,
                "acs:ram::" + StsApi.EmulatorAccountId + ":role/credentials-uri/uri-session", "AssumedRoleUser", "3000000000000000002:uri-session"));
            return AnswerJson(http, "GET " + CredentialsUriPath, CredentialsJson(key), product: "CredentialsURI");
        });
    }

    private bool TokenAccepted(HttpContext http)
    {
        var token = http.Request.Headers[TokenHeader].ToString();
        if (string.IsNullOrEmpty(token)) return !RequireToken;
        lock (_tokens) return _tokens.TryGetValue(token, out var expires) && options.WallClock.GetUtcNow() < expires;
    }

    /// <summary>The credential currently handed out for <paramref name="slot"/>; a new one once half its lifetime has passed.</summary>
    private EmulatorKey CurrentKey(string slot, TimeSpan lifetime, Func<CallerIdentity> identity)
    {
        var now = options.WallClock.GetUtcNow();
        lock (_current)
        {
            if (_current.TryGetValue(slot, out var current) && now < current.Issued + lifetime / 2) return current.Key;
            var key = keys.Issue(lifetime, identity());
            _current[slot] = (key, now);
            return key;
        }
    }

    private JsonObject CredentialsJson(EmulatorKey key) => new()
    {
        ["AccessKeyId"] = key.AccessKeyId,
        ["AccessKeySecret"] = key.AccessKeySecret,
        ["Expiration"] = TemporaryKeys.Iso(key.Expiration!.Value),
        ["SecurityToken"] = key.SecurityToken,
        ["LastUpdated"] = TemporaryKeys.Iso(options.WallClock.GetUtcNow()),
        ["Code"] = "Success",
    };

    private IResult Answer(HttpContext http, string action, int status, string text)
    {
        Record(http, action, status);
        return Results.Text(text, "text/plain", statusCode: status);
    }

    private IResult AnswerJson(HttpContext http, string action, JsonObject body, string product = "ECS-Metadata")
    {
        Record(http, action, 200, product);
        return Results.Text(body.ToJsonString(), "text/plain", statusCode: 200);
    }

    private void Record(HttpContext http, string action, int status, string product = "ECS-Metadata") =>
        state.Record(new RequestRecord(state.Now, product, action, null, status, status == 200 ? null : status.ToString(CultureInfo.InvariantCulture), null,
            new Dictionary<string, string> { ["MetadataToken"] = http.Request.Headers.ContainsKey(TokenHeader) ? "sent" : "absent" }, null));
}
