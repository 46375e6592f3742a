using AliBackup.Emulator;
using AliBackup.Emulator.Wire;
using AliBackup.Service.Credentials;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;

namespace AliBackup.Service.Tests.Support;

/// <summary>An in-process emulator with a fresh random key pair, and services pointed at it.</summary>
public sealed class EmulatorHarness : IAsyncDisposable
{
    private EmulatorHarness(EmulatorServer server, string keyId, string secret)
    {
        Server = server;
        AccessKeyId = keyId;
        AccessKeySecret = secret;
    }

    public EmulatorServer Server { get; }

    public string AccessKeyId { get; }

    public string AccessKeySecret { get; }

    public ApiTarget Target => new(null, Server.BaseUrl);

    public static async Task<EmulatorHarness> StartAsync(TimeProvider? clock = null, TimeSpan? stage = null, bool seed = true)
    {
        var keyId = "LTAI" + Guid.NewGuid().ToString("N")[..16];
        var secret = "secret-" + Guid.NewGuid().ToString("N");
        var options = new EmulatorOptions { StageDuration = stage ?? TimeSpan.FromSeconds(1), SeedDemoInstances = seed };
        if (clock != null)
        {
            options.Clock = clock;
            options.WallClock = clock;
        }
        options.Keys.Add(new EmulatorKey(keyId, secret));
        return new EmulatorHarness(await EmulatorServer.StartAsync(options), keyId, secret);
    }

    /// <summary>A service using this emulator's key pair (or the given credential), with no environment leaking in.</summary>
    public BackupService Service(TimeProvider? time = null, AliCredential? credential = null, IApiCallObserver? observer = null, OpenApiClientOptions? client = null) =>
        new(new BackupServiceOptions
        {
            Credential = credential ?? new AliCredential(AccessKeyId, AccessKeySecret),
            Environment = EmptyEnvironment(),
            Time = time ?? TimeProvider.System,
            Observer = observer,
            Client = client,
        });

    public static EnvironmentReader EmptyEnvironment(Dictionary<string, string>? variables = null, string? home = null) =>
        new(name => variables != null && variables.TryGetValue(name, out var v) ? v : null, home ?? Path.Combine(Path.GetTempPath(), "alibackup-nohome-" + Guid.NewGuid().ToString("N")));

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
