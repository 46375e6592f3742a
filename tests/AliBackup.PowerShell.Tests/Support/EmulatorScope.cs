using AliBackup.Emulator;
using AliBackup.Emulator.Wire;

namespace AliBackup.PowerShell.Tests.Support;

/// <summary>A fresh emulator (fast task stages, random key pair) and a runspace pointed at it, per test.</summary>
public sealed class EmulatorScope : IAsyncLifetime
{
    public EmulatorServer Emulator { get; private set; } = null!;
    public PowerShellSession Session { get; private set; } = null!;
    public string AccessKeyId { get; } = "LTAI" + Guid.NewGuid().ToString("N")[..16];
    public string AccessKeySecret { get; } = "secret-" + Guid.NewGuid().ToString("N");

    /// <summary>Each task stage lasts this long, so a whole backup takes five times as long.</summary>
    public TimeSpan Stage { get; init; } = TimeSpan.FromMilliseconds(100);

    public async Task InitializeAsync()
    {
        var options = new EmulatorOptions { StageDuration = Stage };
        options.Keys.Add(new EmulatorKey(AccessKeyId, AccessKeySecret));
        Emulator = await EmulatorServer.StartAsync(options);
        Session = new PowerShellSession().UseEndpoint(Emulator.BaseUrl, AccessKeyId, AccessKeySecret);
    }

    /// <summary>
    /// Leaves the runspace undisposed: a test whose script hung calls this, because disposing a runspace waits for its
    /// pipeline, and a hung pipeline would then hang the whole test run instead of failing one test.
    /// </summary>
    public void AbandonSession() => _abandoned = true;

    private bool _abandoned;

    public async Task DisposeAsync()
    {
        if (!_abandoned) Session.Dispose();
        await Emulator.DisposeAsync();
    }
}
