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

    /// <summary>Seed the demo instances (one per product, plus a Redis cluster) with a week of automatic backups.</summary>
    public bool SeedDemoInstances { get; set; } = true;

    public static EmulatorOptions WithDemoKey()
    {
        var options = new EmulatorOptions();
        options.Keys.Add(new EmulatorKey(DemoAccessKeyId, DemoAccessKeySecret));
        return options;
    }
}
