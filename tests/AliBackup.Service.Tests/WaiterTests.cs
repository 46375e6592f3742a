using AliBackup.Emulator;
using AliBackup.Emulator.State;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Tests.Support;
using AliBackup.Service.Waiting;

namespace AliBackup.Service.Tests;

/// <summary>The waiter on a stepping fake clock: schedules, batching, failures and timeouts proven without sleeping.</summary>
public class WaiterTests
{
    private static readonly OpenApiClientOptions WaiterClient = BackupWaiter.ClientOptions();

    /// <summary>Events with the fake time at which the consumer received them.</summary>
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

    private static List<BackupTask> TasksOf(EmulatorHarness emu, IEnumerable<EmulatedJob> jobs) =>
        jobs.Select(j => new BackupTask { Engine = BackupEngine.Redis, InstanceId = j.Instance.Id, BackupJobId = string.Join(",", j.JobIds), Endpoint = emu.Server.BaseUrl }).ToList();

    [Fact]
    public async Task Fifty_tasks_on_ten_instances_poll_once_per_unfinished_instance_per_round_and_stream_early_finishers()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false);
        var jobs = new List<EmulatedJob>();
        for (var i = 0; i < 10; i++)
        {
            var instance = emu.Server.State.AddInstance(new EmulatedInstance { Id = $"r-batch{i:D10}", Product = EmulatedProduct.Redis, StageDuration = TimeSpan.FromSeconds(20 * (i + 1)) });
            for (var j = 0; j < 5; j++) jobs.Add(emu.Server.State.CreateJob(instance, "Automated"));
        }
        var service = emu.Service(clock, client: WaiterClient);

        var events = await WaitAll(clock, service, TasksOf(emu, jobs), new WaitOptions { Timeout = TimeSpan.FromHours(2), PollInterval = TimeSpan.FromSeconds(30) });

        var completed = events.Where(e => e.Event.Kind == WaitEventKind.Completed).ToList();
        Assert.Equal(50, completed.Count);
        // When each instance's last task was reported: that round is the last one that needs to poll it.
        var doneAt = completed.GroupBy(e => e.Event.Task.InstanceId).ToDictionary(g => g.Key, g => g.Max(e => e.At));
        var rounds = emu.Server.State.Requests.Where(r => r.Action == "DescribeBackupTasks").GroupBy(r => r.ReceivedAt).OrderBy(g => g.Key).ToList();
        Assert.True(rounds.Count > 5);
        foreach (var round in rounds)
        {
            var stillWaiting = doneAt.Where(d => d.Value >= round.Key).Select(d => d.Key).Order().ToList();
            Assert.Equal(stillWaiting, round.Select(r => r.InstanceId!).Order().ToList());
        }
        // Each instance's five jobs finish together, so one DescribeBackups per instance resolves them all.
        Assert.Equal(10, emu.Server.State.Requests.Count(r => r.Action == "DescribeBackups"));
        // The quickest instance's backups were written long before the slowest instance finished.
        var slowestFinish = jobs.Max(j => j.FinishedAt);
        Assert.True(completed.First().At < slowestFinish - TimeSpan.FromMinutes(10));
        Assert.Equal("r-batch0000000000", completed.First().Event.Task.InstanceId);
    }

    [Fact]
    public async Task A_failed_backup_is_reported_within_one_poll_while_the_others_complete()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromMinutes(1));
        var state = emu.Server.State;
        var good = state.AddInstance(new EmulatedInstance { Id = "r-good000000001", Product = EmulatedProduct.Redis, StageDuration = TimeSpan.FromMinutes(3) });
        var bad = state.AddInstance(new EmulatedInstance { Id = "r-bad0000000001", Product = EmulatedProduct.Redis, FailNextBackup = true });
        var jobs = new[] { state.CreateJob(good), state.CreateJob(bad) };
        var options = new WaitOptions { PollInterval = TimeSpan.FromSeconds(20) };

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), TasksOf(emu, jobs), options);

        var failed = Assert.Single(events, e => e.Event.Kind == WaitEventKind.BackupFailed);
        Assert.Equal("r-bad0000000001", failed.Event.Task.InstanceId);
        Assert.Equal(BackupTaskStatus.Failed, failed.Event.Task.Status);
        Assert.IsType<BackupFailedException>(failed.Event.Error);
        Assert.Equal(BackupStatus.Failed, Assert.Single(failed.Event.Backups).Status);
        Assert.True(failed.At - jobs[1].FinishedAt <= options.PollInterval * (1 + options.Jitter), "failure noticed late: " + (failed.At - jobs[1].FinishedAt));
        Assert.True(failed.At < jobs[0].FinishedAt, "the failure must not wait for the other task");
        Assert.Equal("r-good000000001", Assert.Single(events, e => e.Event.Kind == WaitEventKind.Completed).Event.Task.InstanceId);
    }

    [Fact]
    public async Task A_task_handed_out_in_an_event_keeps_its_values_when_later_rounds_settle_it()
    {
        // The task reads Finished a round before its backup is listed, and the backup turns out Failed: the BackupFailed
        // event says Failed, while the TaskUpdated a consumer already holds still says what that round saw.
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromMinutes(1));
        var state = emu.Server.State;
        var instance = state.AddInstance(new EmulatedInstance { Id = "r-settle00000001", Product = EmulatedProduct.Redis, FailNextBackup = true, ListingLag = TimeSpan.FromSeconds(45) });
        var job = state.CreateJob(instance);
        var options = new WaitOptions { PollInterval = TimeSpan.FromSeconds(20), Jitter = 0 };
        var seenWhenHandedOut = new List<(WaitEvent Event, BackupTaskStatus Status, int? Progress, string? RawStatus)>();

        async Task<int> Consume()
        {
            await foreach (var e in new BackupWaiter(emu.Service(clock, client: WaiterClient), new Random(7)).WaitAsync(TasksOf(emu, [job]), options, CancellationToken.None))
                seenWhenHandedOut.Add((e, e.Task.Status, e.Task.Progress, e.Task.RawStatus));
            return seenWhenHandedOut.Count;
        }
        await clock.RunUntilDoneAsync(Consume());

        var finishedUpdate = Assert.Single(seenWhenHandedOut, s => s.Event.Kind == WaitEventKind.TaskUpdated && s.Status == BackupTaskStatus.Finished);
        Assert.Equal(BackupTaskStatus.Failed, Assert.Single(seenWhenHandedOut, s => s.Event.Kind == WaitEventKind.BackupFailed).Event.Task.Status);
        Assert.NotSame(finishedUpdate.Event.Task, seenWhenHandedOut[^1].Event.Task);
        Assert.All(seenWhenHandedOut, s => Assert.Equal((s.Status, s.Progress, s.RawStatus), (s.Event.Task.Status, s.Event.Task.Progress, s.Event.Task.RawStatus)));
    }

    [Fact]
    public async Task Throttled_polls_slow_the_schedule_and_the_wait_still_succeeds()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromMinutes(1));
        var instance = emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-throttled00001", Product = EmulatedProduct.Redis });
        var job = emu.Server.State.CreateJob(instance);
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", Code = "Throttling.User", HttpStatus = 400, Remaining = 3 });
        var options = new WaitOptions { PollInterval = TimeSpan.FromSeconds(30), FirstPollInterval = TimeSpan.FromSeconds(2), Jitter = 0 };

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), TasksOf(emu, [job]), options);

        Assert.Single(events, e => e.Event.Kind == WaitEventKind.Completed);
        Assert.Equal(3, events.Count(e => e.Event.Kind == WaitEventKind.Throttled));
        // Unthrottled the schedule would go 2 s, 3 s, 4.5 s…; each throttled round doubles the gap instead.
        Assert.Equal([TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(16)], clock.RequestedDelays.Take(3));
        Assert.Equal(3, emu.Server.State.Requests.Count(r => r.ErrorCode == "Throttling.User"));
    }

    [Fact]
    public async Task Jitter_never_makes_a_gap_shorter_than_the_minimum_poll_gap()
    {
        // Wait-AliBackupTask raises -PollInterval 0.05 to the 1 s floor and promises at most one poll a second per instance.
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromMinutes(1));
        var job = emu.Server.State.CreateJob(emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-floorgap000001", Product = EmulatedProduct.Redis }));
        var options = new WaitOptions { PollInterval = TimeSpan.FromSeconds(1), MinimumPollGap = TimeSpan.FromSeconds(1) };

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), TasksOf(emu, [job]), options);

        Assert.Single(events, e => e.Event.Kind == WaitEventKind.Completed);
        Assert.True(clock.RequestedDelays.Count > 20);
        Assert.All(clock.RequestedDelays, d => Assert.True(d >= TimeSpan.FromSeconds(1), "a gap of " + d));
        Assert.Contains(clock.RequestedDelays, d => d > TimeSpan.FromSeconds(1)); // jitter still spreads the waiters
    }

    [Fact]
    public async Task A_retry_after_hint_is_honoured_and_5xx_also_slows_down()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromMinutes(1));
        var instance = emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-hinted0000001", Product = EmulatedProduct.Redis });
        var job = emu.Server.State.CreateJob(instance);
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", Code = "Throttling.Api", HttpStatus = 429, RetryAfterMs = 45_000 });
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", Code = "ServiceUnavailable", HttpStatus = 503, Remaining = 3 });
        var options = new WaitOptions { PollInterval = TimeSpan.FromSeconds(30), Jitter = 0 };
        var client = new OpenApiClientOptions { RetryThrottling = false, MaxAttempts = 1 };

        var events = await WaitAll(clock, emu.Service(clock, client: client), TasksOf(emu, [job]), options);

        Assert.Single(events, e => e.Event.Kind == WaitEventKind.Completed);
        Assert.Equal(TimeSpan.FromSeconds(45), clock.RequestedDelays[0]);
        Assert.True(clock.RequestedDelays[1] > TimeSpan.FromSeconds(45), "a failing 503 round must not speed the schedule up");
    }

    [Fact]
    public async Task At_the_deadline_three_of_five_are_done_and_two_time_out_naming_their_tasks()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromMinutes(1));
        var jobs = Enumerable.Range(0, 5).Select(i => emu.Server.State.CreateJob(emu.Server.State.AddInstance(new EmulatedInstance
        {
            Id = $"r-deadline{i:D6}", Product = EmulatedProduct.Redis, StageDuration = i < 3 ? TimeSpan.FromMinutes(1) : TimeSpan.FromHours(1),
        }))).ToList();

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), TasksOf(emu, jobs), new WaitOptions { Timeout = TimeSpan.FromMinutes(20) });

        Assert.Equal(["r-deadline000000", "r-deadline000001", "r-deadline000002"], events.Where(e => e.Event.Kind == WaitEventKind.Completed).Select(e => e.Event.Task.InstanceId));
        var timedOut = events.Where(e => e.Event.Kind == WaitEventKind.TimedOut).ToList();
        Assert.Equal(["r-deadline000003", "r-deadline000004"], timedOut.Select(e => e.Event.Task.InstanceId));
        foreach (var (e, at) in timedOut)
        {
            var error = Assert.IsType<WaitTimeoutException>(e.Error);
            Assert.Equal(TimeSpan.FromMinutes(20), error.Waited);
            Assert.Contains("-BackupJobId '" + e.Task.BackupJobId + "'", error.ReattachCommand);
            Assert.Contains("last status NotStarted", error.Message); // one-hour stages: still in the first at 20 minutes
        }
    }

    [Fact]
    public async Task Heartbeats_come_every_interval_while_tasks_run()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromMinutes(2));
        var job = emu.Server.State.CreateJob(emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-heartbeat00001", Product = EmulatedProduct.Redis }));

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), TasksOf(emu, [job]), new WaitOptions { HeartbeatInterval = TimeSpan.FromMinutes(1) });

        var beats = events.Where(e => e.Event.Kind == WaitEventKind.Heartbeat).ToList();
        var total = events.Last().Event.Waited;
        Assert.InRange(beats.Count, (int)total.TotalMinutes, (int)total.TotalMinutes + 1);
        Assert.All(beats.Zip(beats.Skip(1)), pair => Assert.True(pair.Second.At - pair.First.At >= TimeSpan.FromMinutes(1)));
        Assert.All(beats, b => Assert.Equal("r-heartbeat00001", Assert.Single(b.Event.Pending).InstanceId));
    }

    [Fact]
    public async Task Without_credentials_the_whole_wait_ends_with_the_credential_error()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        var service = new BackupService(new BackupServiceOptions { Environment = EmulatorHarness.EmptyEnvironment() });
        var task = new BackupTask { Engine = BackupEngine.Redis, InstanceId = "r-x", BackupJobId = "1", Endpoint = emu.Server.BaseUrl };

        await Assert.ThrowsAsync<AliBackupCredentialException>(() => PagingAndWaitTests.Collect(new BackupWaiter(service).WaitAsync([task], new WaitOptions(), CancellationToken.None)));
    }

    [Fact]
    public async Task Starting_on_a_busy_instance_attaches_or_fails_as_asked()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var service = emu.Service();
        var (first, attachedFirst) = await service.StartOrAttachAsync(emu.Target, EmulatorServer.DemoRedisCluster, null, RunningBackupAction.Attach, CancellationToken.None);
        var (second, attachedSecond) = await service.StartOrAttachAsync(emu.Target, EmulatorServer.DemoRedisCluster, null, RunningBackupAction.Attach, CancellationToken.None);

        Assert.False(attachedFirst);
        Assert.True(attachedSecond);
        Assert.Equal(first.BackupJobId.Split(',').Order(), second.BackupJobId.Split(',').Order());
        Assert.Single(emu.Server.State.Jobs);
        var error = await Assert.ThrowsAsync<BackupAlreadyRunningException>(() =>
            service.StartOrAttachAsync(emu.Target, EmulatorServer.DemoRedisCluster, null, RunningBackupAction.Fail, CancellationToken.None));
        Assert.Contains("Wait-AliBackupTask -InstanceId " + EmulatorServer.DemoRedisCluster, error.RecommendedAction);
        Assert.Single(emu.Server.State.Jobs);
    }
}
