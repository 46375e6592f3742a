using AliBackup.Emulator;
using AliBackup.Emulator.State;
using AliBackup.Service.Credentials;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Tests.Support;
using AliBackup.Service.Waiting;

namespace AliBackup.Service.Tests;

/// <summary>Temporary credentials are cached, refreshed before they expire, and kept when a refresh fails in time (fake clocks throughout).</summary>
public sealed class CredentialRefreshTests
{
    private static RamRoleArnCredentialProvider Assume(CredentialWorld world, TemporaryCredentialCache cache, int seconds = 3600, IApiCallObserver? observer = null) =>
        new(world.Context(cache, observer), new StaticCredentialProvider(new AliCredential(world.KeyId, world.Secret)),
            new RoleSessionRequest(CredentialWorld.RoleArn, "refresh-test", seconds), null, "test/ram_role_arn");

    private static int AssumeRoleCalls(CredentialWorld world) => world.Requests("STS").Count(r => r.Action == "AssumeRole" && r.HttpStatus == 200);

    [Fact]
    public async Task An_hour_long_session_is_reused_until_15_minutes_before_it_expires()
    {
        var clock = new SteppingClock();
        await using var world = await CredentialWorld.StartAsync(clock);
        var provider = Assume(world, new TemporaryCredentialCache());

        var first = await provider.GetCredentialAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(44));
        Assert.Same(first, await provider.GetCredentialAsync(CancellationToken.None));
        Assert.Equal(1, AssumeRoleCalls(world));

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var second = await provider.GetCredentialAsync(CancellationToken.None);

        Assert.NotEqual(first.AccessKeyId, second.AccessKeyId);
        Assert.Equal(2, AssumeRoleCalls(world));
        Assert.Equal(first.Expiration!.Value.AddMinutes(45).AddSeconds(1), second.Expiration!.Value, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_15_minute_session_is_refreshed_half_way_through_not_on_every_call()
    {
        var clock = new SteppingClock();
        await using var world = await CredentialWorld.StartAsync(clock, sessionLifetime: TimeSpan.FromMinutes(15));
        var provider = Assume(world, new TemporaryCredentialCache(), seconds: 900);

        var first = await provider.GetCredentialAsync(CancellationToken.None);
        for (var i = 0; i < 7; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Same(first, await provider.GetCredentialAsync(CancellationToken.None));
        }
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.NotEqual(first.AccessKeyId, (await provider.GetCredentialAsync(CancellationToken.None)).AccessKeyId);
        Assert.Equal(2, AssumeRoleCalls(world));
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_valid_session_warns_and_retries_but_an_expired_one_is_an_error()
    {
        var clock = new SteppingClock();
        await using var world = await CredentialWorld.StartAsync(clock);
        var notices = new NoticeRecorder();
        var provider = Assume(world, new TemporaryCredentialCache(), observer: notices);
        var first = await provider.GetCredentialAsync(CancellationToken.None);

        clock.Advance(TimeSpan.FromMinutes(46));
        world.Server.State.AddFault(new FaultRule { Action = "AssumeRole", HttpStatus = 503, Code = "ServiceUnavailable", Message = "The request has failed due to a temporary failure of the server.", Remaining = 1 });
        Assert.Same(first, await provider.GetCredentialAsync(CancellationToken.None));
        var warning = Assert.Single(notices.Warnings);
        Assert.Contains("ServiceUnavailable", warning);
        Assert.Contains("retrying in 10 s", warning);

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Same(first, await provider.GetCredentialAsync(CancellationToken.None)); // not yet time to retry
        clock.Advance(TimeSpan.FromSeconds(6));
        var second = await provider.GetCredentialAsync(CancellationToken.None);
        Assert.NotEqual(first.AccessKeyId, second.AccessKeyId);

        world.Server.State.AddFault(new FaultRule { Action = "AssumeRole", HttpStatus = 503, Code = "ServiceUnavailable", Message = "Down.", Remaining = 10 });
        clock.Advance(TimeSpan.FromMinutes(61));
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => provider.GetCredentialAsync(CancellationToken.None));
        Assert.Contains("ServiceUnavailable", error.Message);
    }

    [Fact]
    public async Task Services_sharing_a_cache_share_the_session()
    {
        var clock = new SteppingClock();
        await using var world = await CredentialWorld.StartAsync(clock);
        var shared = new TemporaryCredentialCache();

        var a = await Assume(world, shared).GetCredentialAsync(CancellationToken.None);
        var b = await Assume(world, shared).GetCredentialAsync(CancellationToken.None);
        var c = await Assume(world, new TemporaryCredentialCache()).GetCredentialAsync(CancellationToken.None);

        Assert.Same(a, b);
        Assert.NotEqual(a.AccessKeyId, c.AccessKeyId);
        Assert.Equal(2, AssumeRoleCalls(world));
        shared.Clear();
        Assert.NotEqual(a.AccessKeyId, (await Assume(world, shared).GetCredentialAsync(CancellationToken.None)).AccessKeyId);
    }

    [Fact]
    public async Task A_wait_of_an_hour_on_15_minute_tokens_refreshes_them_and_completes()
    {
        var clock = new SteppingClock();
        await using var world = await CredentialWorld.StartAsync(clock, sessionLifetime: TimeSpan.FromMinutes(15));
        world.Server.State.AddInstance(new EmulatedInstance { Id = "r-hourlong00000001", Product = EmulatedProduct.Redis, StageDuration = TimeSpan.FromMinutes(13) });
        world.WriteCliConfig("assume", new Dictionary<string, object>
        {
            ["name"] = "assume", ["mode"] = "RamRoleArn", ["access_key_id"] = world.KeyId, ["access_key_secret"] = world.Secret,
            ["ram_role_arn"] = CredentialWorld.RoleArn, ["expired_seconds"] = 900,
        });
        var service = world.Service(clock);
        var started = clock.GetUtcNow();
        var task = await service.StartBackupAsync(world.Target, "r-hourlong00000001", null, CancellationToken.None);

        var events = await clock.RunUntilDoneAsync(PagingAndWaitTests.Collect(new BackupWaiter(service).WaitAsync([task],
            new WaitOptions { Timeout = TimeSpan.FromHours(2), PollInterval = TimeSpan.FromMinutes(1) }, CancellationToken.None)));

        var done = Assert.Single(events, e => e.Kind == WaitEventKind.Completed);
        Assert.True(clock.GetUtcNow() - started >= TimeSpan.FromMinutes(65), "the wait lasted " + (clock.GetUtcNow() - started));
        var calls = world.Requests("Redis");
        Assert.All(calls, c => Assert.Equal(200, c.HttpStatus));
        Assert.True(AssumeRoleCalls(world) >= 8, AssumeRoleCalls(world) + " AssumeRole calls");
        Assert.True(calls.Select(c => c.AccessKeyId).Distinct().Count() >= 8);
        Assert.DoesNotContain(events, e => e.Error != null);
    }

    [Fact]
    public async Task A_token_the_service_calls_expired_is_replaced_and_the_call_sent_again()
    {
        // A source that does not say when its credentials expire (some credential servers omit Expiration): only the
        // service can tell, and its InvalidSecurityToken.Expired must lead to fresh credentials, not a failed call.
        var clock = new SteppingClock();
        await using var world = await CredentialWorld.StartAsync(clock);
        var provider = new UndatedSessions(world);
        var service = new BackupService(new BackupServiceOptions { CredentialProvider = provider, Environment = world.Environment, Time = clock });
        await world.CallBackupApiAsync(service);

        clock.Advance(TimeSpan.FromMinutes(20));
        var call = await world.CallBackupApiAsync(service);

        Assert.Equal(200, call.HttpStatus);
        var redis = world.Requests("Redis");
        Assert.Equal([200, 400, 200], redis.Select(r => r.HttpStatus));
        Assert.Equal("InvalidSecurityToken.Expired", redis[1].ErrorCode);
        Assert.Equal(2, provider.Fetches);

        // Once is enough: a source that keeps handing out expired credentials is an error, not a loop.
        provider.Lifetime = TimeSpan.FromSeconds(-1);
        clock.Advance(TimeSpan.FromMinutes(20));
        var error = await Assert.ThrowsAsync<AliBackupApiException>(() => world.CallBackupApiAsync(service));
        Assert.Equal("InvalidSecurityToken.Expired", error.Code);
        Assert.Equal(3, provider.Fetches);
    }

    /// <summary>Issues 15-minute emulator sessions but reports them without an Expiration.</summary>
    private sealed class UndatedSessions(CredentialWorld world) : RefreshingCredentialProvider(world.Context(), StsRefreshMargin)
    {
        public int Fetches;

        public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(15);

        public override string Name => "undated";

        public override string Fingerprint => "undated";

        protected override Task<AliCredential> FetchAsync(CancellationToken cancellationToken)
        {
            Fetches++;
            var key = world.Server.TemporaryKeys.Issue(Lifetime, new Emulator.Sts.CallerIdentity("1", "arn", "AssumedRoleUser", "p"));
            return Task.FromResult(new AliCredential(key.AccessKeyId, key.AccessKeySecret, key.SecurityToken, null, Name));
        }
    }

    private sealed class NoticeRecorder : IApiCallObserver, ICredentialObserver
    {
        public List<string> Warnings { get; } = [];

        public void OnCallCompleted(ApiCallTrace trace) { }

        public void OnCredentialNotice(string message, bool isWarning)
        {
            if (isWarning) lock (Warnings) Warnings.Add(message);
        }
    }
}
