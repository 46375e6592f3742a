using AliBackup.Emulator;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AliBackup.Service.Tests;

/// <summary>The emulator's replay check, as the gateway does it: a nonce is refused while its request could still be valid.</summary>
public class EmulatorNonceTests
{
    [Fact]
    public async Task A_replayed_nonce_is_refused_as_SignatureNonceUsed()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var service = emu.Service(client: new OpenApiClientOptions { NonceFactory = () => "the-same-nonce", MaxAttempts = 1 });
        await service.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None);

        var replay = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            service.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));

        Assert.Equal("SignatureNonceUsed", replay.Code);
    }

    [Fact]
    public async Task A_nonce_is_forgotten_once_its_request_could_no_longer_pass_the_timestamp_check()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emu = await EmulatorHarness.StartAsync(clock);
        var service = emu.Service(time: clock, client: new OpenApiClientOptions { NonceFactory = () => "the-same-nonce", MaxAttempts = 1 });
        await service.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None);

        clock.Advance(TimeSpan.FromMinutes(20));
        var stillRemembered = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            service.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));
        Assert.Equal("SignatureNonceUsed", stillRemembered.Code);

        clock.Advance(TimeSpan.FromMinutes(11));
        var tasks = await service.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None);
        Assert.NotNull(tasks);
    }
}
