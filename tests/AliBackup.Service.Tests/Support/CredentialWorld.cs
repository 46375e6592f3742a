using System.Text;
using System.Text.Json;
using AliBackup.Emulator;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Sts;
using AliBackup.Emulator.Wire;
using AliBackup.Service.Credentials;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;

namespace AliBackup.Service.Tests.Support;

/// <summary>
/// An emulator with STS roles and metadata routes, a temporary home folder for config files, and an environment
/// dictionary pointing the STS and metadata clients at the emulator: every credential source, with no process state.
/// </summary>
public sealed class CredentialWorld : IAsyncDisposable
{
    public const string AccountId = "1234567890123456";
    public const string RoleArn = "acs:ram::" + AccountId + ":role/backup-operator";
    public const string SecondRoleArn = "acs:ram::" + AccountId + ":role/backup-auditor";
    public const string OidcProviderArn = "acs:ram::" + AccountId + ":oidc-provider/github";
    public const string OidcIssuer = "https://token.actions.githubusercontent.com";
    public const string EcsRole = "EcsBackupRole";

    private CredentialWorld(EmulatorServer server, string keyId, string secret, TimeProvider clock)
    {
        Server = server;
        KeyId = keyId;
        Secret = secret;
        Clock = clock;
        Home = Path.Combine(Path.GetTempPath(), "alibackup-world-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Home);
        Variables = new Dictionary<string, string>
        {
            [StsClient.EndpointVariable] = server.BaseUrl,
            [EcsMetadataClient.EndpointVariable] = server.BaseUrl,
        };
    }

    public EmulatorServer Server { get; }

    /// <summary>A RAM user's long-lived key pair (the source of AssumeRole).</summary>
    public string KeyId { get; }

    public string Secret { get; }

    public TimeProvider Clock { get; }

    public string Home { get; }

    /// <summary>The environment the services see; change it freely (it is read live).</summary>
    public Dictionary<string, string> Variables { get; }

    public EnvironmentReader Environment => EmulatorHarness.EmptyEnvironment(Variables, Home);

    public ApiTarget Target => new(null, Server.BaseUrl);

    public static async Task<CredentialWorld> StartAsync(TimeProvider? clock = null, TimeSpan? sessionLifetime = null, Action<EmulatorOptions>? configure = null)
    {
        var keyId = "LTAI" + Guid.NewGuid().ToString("N")[..16];
        var secret = "user-secret-" + Guid.NewGuid().ToString("N");
        var options = new EmulatorOptions { StageDuration = TimeSpan.FromSeconds(1) };
        if (clock != null)
        {
            options.Clock = clock;
            options.WallClock = clock;
        }
        options.Keys.Add(new EmulatorKey(keyId, secret));
        options.Roles.Add(new EmulatedRole { Arn = RoleArn, SessionLifetime = sessionLifetime, OidcProviderArn = OidcProviderArn, OidcIssuer = OidcIssuer, MaxSessionDurationSeconds = 43200 });
        options.Roles.Add(new EmulatedRole { Arn = SecondRoleArn, SessionLifetime = sessionLifetime });
        configure?.Invoke(options);
        return new CredentialWorld(await EmulatorServer.StartAsync(options), keyId, secret, clock ?? TimeProvider.System);
    }

    public BackupService Service(TimeProvider? time = null, string? profile = null, TemporaryCredentialCache? cache = null, IApiCallObserver? observer = null) =>
        new(new BackupServiceOptions
        {
            Environment = Environment,
            Profile = profile,
            Time = time ?? Clock,
            CredentialCache = cache,
            Observer = observer,
            Client = new OpenApiClientOptions { MaxAttempts = 1 },
        });

    public CredentialContext Context(TemporaryCredentialCache? cache = null, IApiCallObserver? observer = null) =>
        new(Environment, time: Clock, observer: observer, cache: cache);

    public void WriteCliConfig(string current, params object[] profiles)
    {
        Directory.CreateDirectory(Path.Combine(Home, ".aliyun"));
        File.WriteAllText(Path.Combine(Home, ".aliyun", "config.json"), JsonSerializer.Serialize(new { current, profiles, meta_path = "" }));
    }

    public void WriteIni(string text)
    {
        Directory.CreateDirectory(Path.Combine(Home, ".alibabacloud"));
        File.WriteAllText(Path.Combine(Home, ".alibabacloud", "credentials"), text);
    }

    /// <summary>Writes an OIDC token (an unsigned JWT of the given issuer and expiry) to a file and returns the file's path.</summary>
    public string WriteOidcToken(string? issuer = OidcIssuer, DateTimeOffset? expires = null, string file = "oidc-token")
    {
        var path = Path.Combine(Home, file);
        File.WriteAllText(path, Jwt(issuer, expires ?? Clock.GetUtcNow().AddHours(1)));
        return path;
    }

    public static string Jwt(string? issuer, DateTimeOffset expires, string subject = "repo:alibackup/alibackup:ref:refs/heads/main")
    {
        static string Part(object value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return Part(new { alg = "RS256", typ = "JWT", kid = "k1" }) + "." +
               Part(new { iss = issuer, sub = subject, aud = "sts.aliyuncs.com", exp = expires.ToUnixTimeSeconds(), iat = expires.AddHours(-1).ToUnixTimeSeconds(), nonce = Guid.NewGuid().ToString("N") }) + "." +
               "c2lnbmF0dXJlLW5vdC1jaGVja2VkLWJ5LXRoZS1lbXVsYXRvcg";
    }

    /// <summary>Requests of one product ("STS", "ECS-Metadata", "Redis"…), in order.</summary>
    public List<RequestRecord> Requests(string product) => Server.State.Requests.Where(r => r.Product == product).ToList();

    /// <summary>Lists a demo instance's tasks through the service: the backup call that proves which keys were resolved.</summary>
    public async Task<RequestRecord> CallBackupApiAsync(BackupService service)
    {
        await service.GetTasksAsync(Target, new TaskQuery(EmulatorServer.DemoRedisInstance, null, null), null, CancellationToken.None);
        return Requests("Redis").Last();
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try { Directory.Delete(Home, recursive: true); } catch (IOException) { }
    }
}
