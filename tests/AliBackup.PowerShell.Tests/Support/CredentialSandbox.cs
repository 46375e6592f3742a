using System.Text;
using System.Text.Json;
using AliBackup.Emulator;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Sts;
using AliBackup.Emulator.Wire;

namespace AliBackup.PowerShell.Tests.Support;

/// <summary>
/// A process environment of its own for credential tests: every variable the credential chain reads is cleared (so
/// the machine's own settings cannot leak in), HOME points at a fresh folder, and STS, the metadata service, the
/// credentials URI and the backup APIs are the emulator's. Everything is restored on dispose. Tests using it must be in
/// <see cref="ProcessEnvironmentCollection"/>.
/// </summary>
public sealed class CredentialSandbox : IAsyncDisposable
{
    public const string AccountId = "1234567890123456";
    public const string RoleArn = "acs:ram::" + AccountId + ":role/backup-operator";
    public const string SecondRoleArn = "acs:ram::" + AccountId + ":role/backup-auditor";
    public const string OidcProviderArn = "acs:ram::" + AccountId + ":oidc-provider/github";
    public const string OidcIssuer = "https://token.actions.githubusercontent.com";
    public const string EcsRole = "EcsBackupRole";
    public const string Instance = EmulatorServer.DemoRedisInstance;

    private static readonly string[] Isolated =
    [
        "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_ROLE_ARN",
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_ROLE_SESSION_NAME", "ALIBABA_CLOUD_STS_REGION",
        "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "ALIBABA_CLOUD_CREDENTIALS_FILE",
        "ALIBABA_CLOUD_ECS_METADATA", "ALIBABA_CLOUD_ECS_METADATA_DISABLED", "ALIBABA_CLOUD_IMDSV1_DISABLED", "ALIBABA_CLOUD_CREDENTIALS_URI",
        "ALIBABA_CLOUD_REGION_ID", "ALIBABA_CLOUD_REGION", "ALIBACKUP_ENDPOINT", "ALIBACKUP_STS_ENDPOINT", "ALIBACKUP_ECS_METADATA_ENDPOINT",
        "HOME", "USERPROFILE",
    ];

    private readonly Dictionary<string, string?> _saved = new();
    private readonly List<PowerShellSession> _sessions = [];

    private CredentialSandbox(EmulatorServer emulator, string keyId, string secret)
    {
        Emulator = emulator;
        KeyId = keyId;
        Secret = secret;
        Home = Path.Combine(Path.GetTempPath(), "alibackup-sandbox-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Home);
        foreach (var name in Isolated)
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, null);
        }
        Set("HOME", Home);
        Set("USERPROFILE", Home);
        Set("ALIBACKUP_ENDPOINT", emulator.BaseUrl);
        Set("ALIBACKUP_STS_ENDPOINT", emulator.BaseUrl);
        Set("ALIBACKUP_ECS_METADATA_ENDPOINT", emulator.BaseUrl);
    }

    public EmulatorServer Emulator { get; }

    /// <summary>A RAM user's long-lived key pair (what AssumeRole is signed with).</summary>
    public string KeyId { get; }

    public string Secret { get; }

    public string Home { get; }

    public static async Task<CredentialSandbox> StartAsync(TimeSpan? sessionLifetime = null, TimeSpan? stage = null)
    {
        var keyId = "LTAI" + Guid.NewGuid().ToString("N")[..16];
        var secret = "user-secret-" + Guid.NewGuid().ToString("N");
        var options = new EmulatorOptions { StageDuration = stage ?? TimeSpan.FromMilliseconds(100) };
        options.Keys.Add(new EmulatorKey(keyId, secret));
        options.Roles.Add(new EmulatedRole { Arn = RoleArn, SessionLifetime = sessionLifetime, OidcProviderArn = OidcProviderArn, OidcIssuer = OidcIssuer });
        options.Roles.Add(new EmulatedRole { Arn = SecondRoleArn, SessionLifetime = sessionLifetime });
        return new CredentialSandbox(await EmulatorServer.StartAsync(options), keyId, secret);
    }

    /// <summary>Sets (or with null, removes) a process environment variable until the sandbox is disposed.</summary>
    public void Set(string name, string? value)
    {
        if (!_saved.ContainsKey(name)) _saved[name] = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    /// <summary>Clears every credential variable and config file, keeping HOME and the emulator endpoints.</summary>
    public void ResetSources()
    {
        foreach (var name in Isolated.Where(n => n is not ("HOME" or "USERPROFILE" or "ALIBACKUP_ENDPOINT" or "ALIBACKUP_STS_ENDPOINT" or "ALIBACKUP_ECS_METADATA_ENDPOINT")))
            Set(name, null);
        foreach (var file in new[] { Path.Combine(Home, ".aliyun", "config.json"), Path.Combine(Home, ".alibabacloud", "credentials") })
            if (File.Exists(file)) File.Delete(file);
        Emulator.Metadata.RoleName = null;
        Emulator.Metadata.RequireToken = false;
        Emulator.Metadata.TokenStepAvailable = true;
    }

    /// <summary>A new runspace with the staged module imported (disposed with the sandbox).</summary>
    public PowerShellSession NewSession()
    {
        var session = new PowerShellSession();
        _sessions.Add(session);
        return session;
    }

    public void WriteCliConfig(string current, params object[] profiles)
    {
        Directory.CreateDirectory(Path.Combine(Home, ".aliyun"));
        File.WriteAllText(Path.Combine(Home, ".aliyun", "config.json"), JsonSerializer.Serialize(new { current, profiles, meta_path = "" }));
    }

    public void WriteCliConfigText(string text)
    {
        Directory.CreateDirectory(Path.Combine(Home, ".aliyun"));
        File.WriteAllText(Path.Combine(Home, ".aliyun", "config.json"), text);
    }

    public void WriteIni(string text)
    {
        Directory.CreateDirectory(Path.Combine(Home, ".alibabacloud"));
        File.WriteAllText(Path.Combine(Home, ".alibabacloud", "credentials"), text);
    }

    /// <summary>Writes an unsigned JWT (the emulator checks shape, issuer and expiry) and returns the file's path.</summary>
    public string WriteOidcToken(DateTimeOffset? expires = null, string name = "oidc-token")
    {
        static string Part(object value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = (expires ?? DateTimeOffset.UtcNow.AddHours(1)).ToUnixTimeSeconds();
        OidcToken = Part(new { alg = "RS256", typ = "JWT" }) + "." +
                    Part(new { iss = OidcIssuer, sub = "repo:alibackup/alibackup:ref:refs/heads/main", aud = "sts.aliyuncs.com", exp, jti = Guid.NewGuid().ToString("N") }) + "." +
                    "b2lkYy1zaWduYXR1cmUtc2VjcmV0LXBhcnQ";
        var path = Path.Combine(Home, name);
        File.WriteAllText(path, OidcToken);
        return path;
    }

    /// <summary>The last OIDC token written (a secret: it must never show).</summary>
    public string? OidcToken { get; private set; }

    public Dictionary<string, object> RamRoleArnProfile(string name = "assume", string? secret = null, string roleArn = RoleArn) => new()
    {
        ["name"] = name, ["mode"] = "RamRoleArn", ["access_key_id"] = KeyId, ["access_key_secret"] = secret ?? Secret,
        ["ram_role_arn"] = roleArn, ["ram_session_name"] = "runspace-test", ["expired_seconds"] = 900, ["region_id"] = "cn-hangzhou",
    };

    /// <summary>Requests of one product ("STS", "ECS-Metadata", "CredentialsURI", "Redis"…), in order.</summary>
    public List<RequestRecord> Requests(string product) => Emulator.State.Requests.Where(r => r.Product == product).ToList();

    /// <summary>Every secret the run knows of: the user's, every issued session's secret and token, the OIDC token, and every signature sent.</summary>
    public List<string> Secrets(params string[] more)
    {
        var secrets = new List<string> { Secret };
        foreach (var key in Emulator.Keys) secrets.Add(key.AccessKeySecret);
        foreach (var key in Emulator.Keys.Where(k => k.SecurityToken != null)) secrets.Add(key.SecurityToken!);
        if (OidcToken != null) secrets.AddRange([OidcToken, OidcToken.Split('.')[1], OidcToken.Split('.')[2]]);
        secrets.AddRange(Emulator.Metadata.IssuedTokens);
        secrets.AddRange(Emulator.State.Requests.Select(r => r.Signature).Where(s => !string.IsNullOrEmpty(s))!);
        secrets.AddRange(more);
        return secrets.Distinct().ToList();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions) session.Dispose();
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
        await Emulator.DisposeAsync();
        try { Directory.Delete(Home, recursive: true); } catch (IOException) { }
    }
}
