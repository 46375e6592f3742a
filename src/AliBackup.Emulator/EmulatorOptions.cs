using AliBackup.Emulator.Sts;
using AliBackup.Emulator.Wire;

namespace AliBackup.Emulator;

/// <summary>How an emulator instance behaves.</summary>
public sealed class EmulatorOptions
{
    /// <summary>The documented demo key pair (not a secret: it opens nothing but the emulator).</summary>
    public const string DemoAccessKeyId = "emulator-access-key-id";

    public const string DemoAccessKeySecret = "emulator-access-key-secret";

    /// <summary>Where to listen; port 0 picks a free port. Loopback only.</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>The key pairs whose signatures are accepted.</summary>
    public List<EmulatorKey> Keys { get; } = [];

    /// <summary>How long each backup task stage lasts (NoStart, Preparing, … each take this long).</summary>
    public TimeSpan StageDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The task clock (tests pass a FakeTimeProvider to advance tasks without sleeping).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>The clock x-acs-date is checked against (15 minutes of skew allowed).</summary>
    public TimeProvider WallClock { get; set; } = TimeProvider.System;

    /// <summary>
    /// How long each product API call (and STS call) takes before it is answered: loopback answers in microseconds, the
    /// real service in tens of milliseconds, and benchmarks of polling strategies need the difference. Zero by default.
    /// </summary>
    public TimeSpan RequestDelay { get; set; }

    /// <summary>Seed the demo instances (one per product, plus a Redis cluster) with a week of automatic backups.</summary>
    public bool SeedDemoInstances { get; set; } = true;

    /// <summary>RAM roles the emulated STS (version 2015-04-01 on the same port) lets callers assume.</summary>
    public List<EmulatedRole> Roles { get; } = [];

    /// <summary>The RAM role attached to the emulated ECS instance (metadata routes under /latest/); null: none.</summary>
    public string? EcsRamRoleName { get; set; }

    /// <summary>How long the instance role's credentials last (ECS hands out about six hours).</summary>
    public TimeSpan EcsCredentialLifetime { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Hardened metadata mode: only requests carrying a token from PUT /latest/api/token are answered.</summary>
    public bool EcsRequireMetadataToken { get; set; }

    /// <summary>How long credentials from the credentials-URI route (/_emulator/credentials-uri) last.</summary>
    public TimeSpan CredentialsUriLifetime { get; set; } = TimeSpan.FromHours(1);

    public static EmulatorOptions WithDemoKey()
    {
        var options = new EmulatorOptions();
        options.Keys.Add(new EmulatorKey(DemoAccessKeyId, DemoAccessKeySecret));
        return options;
    }
}
