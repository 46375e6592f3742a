using AliBackup.Emulator;
using AliBackup.Emulator.State;
using AliBackup.Service.Credentials;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Tests.Support;
using AliBackup.Service.Waiting;

namespace AliBackup.Service.Tests;

/// <summary>
/// Lookups by ID that do not stop at the 7-day window, jobs no list knows, per-shard job lists, credentials proven with
/// STS and rejected credentials that end a wait at once.
/// </summary>
public class LookupTests
{
    private static readonly OpenApiClientOptions WaiterClient = new() { RetryThrottling = false };

    private static async Task<List<(WaitEvent Event, DateTimeOffset At)>> WaitAll(SteppingClock clock, BackupService service, IReadOnlyList<BackupTask> tasks, WaitOptions options)
    {
        async Task<List<(WaitEvent, DateTimeOffset)>> Consume()
        {
            var list = new List<(WaitEvent, DateTimeOffset)>();
            await foreach (var e in new BackupWaiter(service, new Random(7)).WaitAsync(tasks, options, CancellationToken.None)) list.Add((e, clock.GetUtcNow()));
            return list;
        }
        return await clock.RunUntilDoneAsync(Consume());
    }

    [Fact]
    public async Task A_job_no_list_knows_is_reported_missing_after_two_looks_not_at_the_timeout()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-typo000000001", Product = EmulatedProduct.Redis }, historicalBackups: 3);
        var started = clock.GetUtcNow();
        var task = new BackupTask { Engine = BackupEngine.Redis, InstanceId = "r-typo000000001", BackupJobId = "999999", Endpoint = emu.Server.BaseUrl };

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), [task], new WaitOptions { Timeout = TimeSpan.FromHours(1) });

        var (e, at) = Assert.Single(events, x => x.Event.Kind != WaitEventKind.TaskUpdated);
        Assert.Equal(WaitEventKind.Error, e.Kind);
        var error = Assert.IsType<BackupJobNotFoundException>(e.Error);
        Assert.Equal(["999999"], error.MissingJobIds);
        Assert.Contains("Get-AliBackupTask -InstanceId r-typo000000001", error.RecommendedAction);
        Assert.True(at - started < TimeSpan.FromSeconds(10), "reported after " + (at - started));
        // The look covered every backup the instance has, filtered by the job: no 7-day window.
        var lookups = emu.Server.State.Requests.Where(r => r.Action == "DescribeBackups").ToList();
        Assert.Equal(2, lookups.Count);
        Assert.All(lookups, r => Assert.Equal(("2010-01-01T00:00Z", "999999"), (r.Parameters["StartTime"], r.Parameters["BackupJobId"])));
    }

    [Fact]
    public async Task An_old_finished_job_that_left_the_task_list_returns_its_backup_at_once()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false);
        var instance = emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-oldjob0000001", Product = EmulatedProduct.Redis }, historicalBackups: 20);
        var oldest = emu.Server.State.BackupsOf(instance).OrderBy(b => b.StartTime).First();
        Assert.True(clock.GetUtcNow() - oldest.StartTime > TimeSpan.FromDays(19));
        var task = new BackupTask { Engine = BackupEngine.Redis, InstanceId = instance.Id, BackupJobId = oldest.JobId.ToString(), Endpoint = emu.Server.BaseUrl };

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), [task], new WaitOptions());

        var completed = Assert.Single(events, x => x.Event.Kind == WaitEventKind.Completed).Event;
        Assert.Equal(oldest.BackupId.ToString(), Assert.Single(completed.Backups).BackupId);
        Assert.DoesNotContain(events, x => x.Event.Kind is WaitEventKind.TimedOut or WaitEventKind.Error);
    }

    [Fact]
    public async Task Where_only_running_tasks_are_listed_a_missing_job_is_looked_for_a_minute_first()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "dds-typo00000001", Product = EmulatedProduct.MongoDB });
        var started = clock.GetUtcNow();
        var task = new BackupTask { Engine = BackupEngine.MongoDB, InstanceId = "dds-typo00000001", BackupJobId = "424242", Endpoint = emu.Server.BaseUrl };

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), [task], new WaitOptions { PollInterval = TimeSpan.FromSeconds(10) });

        var (e, at) = Assert.Single(events, x => x.Event.Kind == WaitEventKind.Error);
        Assert.IsType<BackupJobNotFoundException>(e.Error);
        // DescribeBackups may lag a job that just finished and left the list: not before a minute, not much after.
        Assert.InRange(at - started, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1.5));
    }

    [Fact]
    public async Task A_timeout_before_a_job_is_ever_listed_says_so_instead_of_the_backup_going_on()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "dds-typo00000002", Product = EmulatedProduct.MongoDB });
        var task = new BackupTask { Engine = BackupEngine.MongoDB, InstanceId = "dds-typo00000002", BackupJobId = "424243", Endpoint = emu.Server.BaseUrl };

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), [task], new WaitOptions { Timeout = TimeSpan.FromSeconds(20) });

        var timeout = Assert.IsType<WaitTimeoutException>(Assert.Single(events, x => x.Event.Kind == WaitEventKind.TimedOut).Event.Error);
        Assert.Contains("has not listed the job or any backup of it", timeout.Message);
        Assert.DoesNotContain("goes on in the service", timeout.Message);
    }

    [Fact]
    public async Task A_wait_without_a_time_limit_runs_to_the_end()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromMinutes(1));
        var job = emu.Server.State.CreateJob(emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-nolimit000001", Product = EmulatedProduct.Redis }));
        var task = new BackupTask { Engine = BackupEngine.Redis, InstanceId = "r-nolimit000001", BackupJobId = job.JobIds[0].ToString(), Endpoint = emu.Server.BaseUrl };

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), [task], new WaitOptions { Timeout = InputValidation.Timeout(TimeSpan.MaxValue) });

        Assert.Single(events, x => x.Event.Kind == WaitEventKind.Completed);
    }

    [Fact]
    public async Task A_per_shard_job_list_is_queried_one_job_at_a_time_and_gives_each_shards_backup()
    {
        await using var emu = await EmulatorHarness.StartAsync(stage: TimeSpan.Zero);
        var job = emu.Server.State.CreateJob(emu.Server.State.FindInstance(EmulatorServer.DemoRedisCluster, EmulatedProduct.Redis)!);
        var service = emu.Service();
        emu.Server.State.ClearRequests();

        var query = BackupQuery.For(EmulatorServer.DemoRedisCluster, null, null, null, string.Join(",", job.JobIds), DateTimeOffset.UtcNow);
        var backups = await service.GetAllBackupsAsync(emu.Target, query, null, CancellationToken.None);

        Assert.Equal(3, backups.Count);
        Assert.Equal(3, backups.Select(b => b.NodeInstanceId).Distinct().Count());
        Assert.Equal(job.JobIds.Select(j => j.ToString()), emu.Server.State.Requests.Select(r => r.Parameters["BackupJobId"]));
    }

    [Fact]
    public async Task A_lookup_by_ID_finds_an_old_backup_and_reports_one_that_does_not_exist()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        var instance = emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-history000001", Product = EmulatedProduct.Redis }, historicalBackups: 30);
        var oldest = emu.Server.State.BackupsOf(instance).OrderBy(b => b.StartTime).First();
        var service = emu.Service();
        var now = DateTimeOffset.UtcNow;

        var found = await service.GetAllBackupsAsync(emu.Target, BackupQuery.For(instance.Id, null, null, oldest.BackupId.ToString(), null, now), null, CancellationToken.None);
        Assert.Equal(oldest.BackupId.ToString(), Assert.Single(found).BackupId);

        var error = await Assert.ThrowsAsync<BackupNotFoundException>(() =>
            service.GetAllBackupsAsync(emu.Target, BackupQuery.For(instance.Id, null, null, "12345", null, now), null, CancellationToken.None));
        Assert.Contains("No backup of r-history000001 has BackupId 12345", error.Message);
        // A plain listing that finds nothing is not an error.
        Assert.Empty(await service.GetAllBackupsAsync(emu.Target, BackupQuery.For(instance.Id, now.AddMinutes(-5), null, null, null, now), null, CancellationToken.None));
    }

    [Fact]
    public async Task Rejected_credentials_end_the_whole_wait_at_the_first_round()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        var tasks = Enumerable.Range(1, 3).Select(i =>
        {
            var instance = emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-rejected00000" + i, Product = EmulatedProduct.Redis, StageDuration = TimeSpan.FromHours(1) });
            var job = emu.Server.State.CreateJob(instance);
            return new BackupTask { Engine = BackupEngine.Redis, InstanceId = instance.Id, BackupJobId = job.JobIds[0].ToString(), Endpoint = emu.Server.BaseUrl };
        }).ToList();
        var service = emu.Service(credential: new AliCredential(emu.AccessKeyId, "wrong-secret"), client: WaiterClient);

        var error = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            PagingAndWaitTests.Collect(new BackupWaiter(service).WaitAsync(tasks, new WaitOptions { PollInterval = TimeSpan.FromSeconds(1) }, CancellationToken.None)));

        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.True(emu.Server.State.Requests.Count <= 3, emu.Server.State.Requests.Count + " requests");
    }

    [Fact]
    public async Task Credentials_are_proven_with_a_V1_signed_GetCallerIdentity()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);

        var identity = await emu.Service().VerifyCredentialsAsync(emu.Server.BaseUrl, CancellationToken.None);
        Assert.Equal("acs:ram::" + Emulator.Sts.StsApi.EmulatorAccountId + ":user/emulator-user", identity.Arn);
        var call = Assert.Single(emu.Server.State.Requests);
        Assert.Equal(("STS", "GetCallerIdentity", 200), (call.Product, call.Action, call.HttpStatus));
        Assert.Equal(("2015-04-01", "HMAC-SHA1", emu.AccessKeyId), (call.Parameters["Version"], call.Parameters["SignatureMethod"], call.Parameters["AccessKeyId"]));

        await Assert.ThrowsAsync<AliBackupCredentialException>(() =>
            emu.Service(credential: new AliCredential(emu.AccessKeyId, "wrong-secret")).VerifyCredentialsAsync(emu.Server.BaseUrl, CancellationToken.None));
        var unknown = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            emu.Service(credential: new AliCredential("LTAIunknown000000", "secret")).VerifyCredentialsAsync(emu.Server.BaseUrl, CancellationToken.None));
        Assert.True(unknown.RejectsCaller, unknown.Code);
        Assert.False(string.IsNullOrEmpty(unknown.RequestId));
    }
}
