using System.Diagnostics;
using AliBackup.Service.Credentials;
using AliBackup.Emulator;
using AliBackup.Emulator.State;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Tests.Support;
using AliBackup.Service.Waiting;

namespace AliBackup.Service.Tests;

/// <summary>
/// The client, the readers and the waiter under the faults a real service and the networks in front of it produce,
/// each case one defect found by fault proxies (issue 11). Time is a stepping fake clock except where the point is
/// real network time.
/// </summary>
public class FaultToleranceTests
{
    private static readonly OpenApiClientOptions WaiterClient = BackupWaiter.ClientOptions();

    private static async Task<List<WaitEvent>> WaitAll(SteppingClock clock, BackupService service, IReadOnlyList<BackupTask> tasks, WaitOptions options) =>
        await clock.RunUntilDoneAsync(PagingAndWaitTests.Collect(new BackupWaiter(service, new Random(3)).WaitAsync(tasks, options, CancellationToken.None)));

    private static BackupTask TaskOf(EmulatorHarness emu, EmulatedJob job, BackupEngine engine = BackupEngine.Redis) =>
        new() { Engine = engine, InstanceId = job.Instance.Id, BackupJobId = string.Join(",", job.JobIds), Endpoint = emu.Server.BaseUrl };

    private sealed class Traces : IApiCallObserver, IServiceNoticeObserver
    {
        public List<ApiCallTrace> Calls { get; } = [];
        public List<ServiceNotice> Notices { get; } = [];

        public void OnCallCompleted(ApiCallTrace trace)
        {
            lock (Calls) Calls.Add(trace);
        }

        public void OnNotice(ServiceNotice notice)
        {
            lock (Notices) Notices.Add(notice);
        }
    }

    // --- x-acs-retry-after --------------------------------------------------------------------------------------

    [Fact]
    public async Task X_acs_retry_after_is_milliseconds_so_1500_waits_one_and_a_half_seconds()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock);
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", Code = "Throttling.User", RetryAfterMs = 1500 });

        await clock.RunUntilDoneAsync(emu.Service(clock).GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));

        Assert.Equal([TimeSpan.FromMilliseconds(1500)], clock.RequestedDelays);
    }

    [Fact]
    public async Task The_waiter_sleeps_the_hinted_milliseconds_not_25_minutes()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromSeconds(10));
        var job = emu.Server.State.CreateJob(emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-hint00000000001", Product = EmulatedProduct.Redis }));
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", Code = "Throttling.Api", HttpStatus = 400, RetryAfterMs = 1500 });

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), [TaskOf(emu, job)], new WaitOptions { Jitter = 0, FirstPollInterval = TimeSpan.FromMilliseconds(500) });

        Assert.Single(events, e => e.Kind == WaitEventKind.Completed);
        Assert.True(clock.RequestedDelays.Max() < TimeSpan.FromMinutes(1), "longest sleep: " + clock.RequestedDelays.Max());
        Assert.Contains(TimeSpan.FromMilliseconds(1500), clock.RequestedDelays);
    }

    [Theory]
    [InlineData(503, "ServiceUnavailable")]
    [InlineData(400, "SomethingUnusual")]
    [InlineData(403, "")]
    public async Task Any_4xx_or_5xx_with_a_positive_retry_after_is_a_throttle_and_is_retried(int status, string code)
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock);
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", HttpStatus = status, Code = code, Message = "x", RetryAfterMs = 250, Remaining = 2 });

        await clock.RunUntilDoneAsync(emu.Service(clock).GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));

        Assert.Equal(3, emu.Server.State.Requests.Count(r => r.Action == "DescribeBackupTasks"));
        Assert.Equal([TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250)], clock.RequestedDelays);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("")]
    [InlineData("soon")]
    public async Task A_retry_after_of_zero_negative_empty_or_text_is_no_hint(string header)
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock);
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", HttpStatus = 400, Code = "InvalidParameter", Message = "x", RetryAfterHeader = header });

        var error = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            clock.RunUntilDoneAsync(emu.Service(clock).GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None)));

        Assert.False(error.IsThrottling);
        Assert.Null(error.RetryAfter);
        Assert.Single(emu.Server.State.Requests, r => r.Action == "DescribeBackupTasks");
    }

    [Fact]
    public async Task A_huge_retry_after_is_capped_at_60_seconds()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock);
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", Code = "Throttling", RetryAfterMs = 3_600_000 });

        await clock.RunUntilDoneAsync(emu.Service(clock).GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));

        Assert.Equal([TimeSpan.FromSeconds(60)], clock.RequestedDelays);
    }

    // --- every attempt is the client's own ----------------------------------------------------------------------

    [Fact]
    public async Task A_connection_closed_after_the_request_is_never_resent_behind_the_clients_back()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock);
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", Kind = FaultKind.ResetAfterExecute, Remaining = -1 });
        var traces = new Traces();
        var client = new OpenApiClientOptions { MaxAttempts = 3 };

        var error = await Assert.ThrowsAsync<AliBackupTransportException>(() => clock.RunUntilDoneAsync(
            emu.Service(clock, observer: traces, client: client).GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None)));

        var onTheWire = emu.Server.State.Requests.Where(r => r.Action == "DescribeBackupTasks").ToList();
        Assert.Equal(3, onTheWire.Count);
        Assert.Equal(3, onTheWire.Select(r => r.Signature).Distinct().Count());
        Assert.Equal([1, 2, 3], traces.Calls.Select(t => t.Attempt));
        Assert.Contains("retrying in", traces.Calls[0].ToString());
        Assert.Contains("(attempt 2 of 3)", traces.Calls[0].ToString());
        Assert.DoesNotContain("retrying", traces.Calls[2].ToString());
        Assert.Contains(emu.Server.BaseUrl.Replace("http://", ""), error.Message);
    }

    // --- -Timeout bounds every request ------------------------------------------------------------------------

    [Fact]
    public async Task A_poll_waiting_on_the_network_does_not_outlast_the_timeout()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false, stage: TimeSpan.FromMinutes(5));
        var job = emu.Server.State.CreateJob(emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-slowpoll0000001", Product = EmulatedProduct.Redis }));
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", Kind = FaultKind.Slow, DelayMs = 8000, Remaining = -1 });
        var watch = Stopwatch.StartNew();

        var events = await PagingAndWaitTests.Collect(new BackupWaiter(emu.Service(client: WaiterClient)).WaitAsync([TaskOf(emu, job)],
            new WaitOptions { Timeout = TimeSpan.FromSeconds(1.5) }, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), "the wait took " + watch.Elapsed);
        var timedOut = Assert.Single(events, e => e.Kind == WaitEventKind.TimedOut);
        Assert.Contains("the last poll failed", timedOut.Error!.Message);
    }

    [Fact]
    public async Task The_answer_of_the_last_poll_is_judged_before_a_timeout_is_declared()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false);
        // Five stages of 1.7 s: finished at 8.5 s, listed then; -Timeout 10 s. Polls at 0, 2, 5, then 9 (the final round).
        var job = emu.Server.State.CreateJob(emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-lastpoll0000001", Product = EmulatedProduct.Redis, StageDuration = TimeSpan.FromSeconds(1.7) }));
        var started = clock.GetUtcNow();

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), [TaskOf(emu, job)],
            new WaitOptions { Timeout = TimeSpan.FromSeconds(10), PollInterval = TimeSpan.FromSeconds(30), Jitter = 0 });

        Assert.Single(events, e => e.Kind == WaitEventKind.Completed);
        Assert.DoesNotContain(events, e => e.Kind == WaitEventKind.TimedOut);
        Assert.True(clock.GetUtcNow() - started <= TimeSpan.FromSeconds(10));
    }

    // --- paging ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task Paging_stops_with_an_error_when_the_service_repeats_the_same_page()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-samepage0000001", Product = EmulatedProduct.Redis });
        var items = string.Join(",", Enumerable.Range(1, 100).Select(i => $$"""{"BackupId":{{i}},"BackupJobID":{{i}},"BackupStatus":"Success","BackupStartTime":"2024-01-01T00:00:00Z","BackupSize":1}"""));
        emu.Server.State.AddCannedAnswer(new CannedAnswer { Action = "DescribeBackups", Remaining = 100_000, Body = "{\"RequestId\":\"R-SAME\",\"PageNumber\":1,\"PageSize\":100,\"TotalCount\":100000,\"Backups\":{\"Backup\":[" + items + "]}}" });
        var pages = new List<int>();

        var error = await Assert.ThrowsAsync<AliBackupInvalidResponseException>(async () =>
        {
            await foreach (var page in emu.Service().GetBackupPagesAsync(emu.Target, new BackupQuery("r-samepage0000001", DateTimeOffset.UtcNow.AddDays(-7), DateTimeOffset.UtcNow), null, CancellationToken.None)
                               .WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token))
                pages.Add(page.Count);
        });

        Assert.Equal([100], pages);
        Assert.Equal(2, emu.Server.State.Requests.Count);
        Assert.Equal("DescribeBackups", error.Action);
        Assert.Contains("repeats", error.Message);
    }

    // --- unreadable answers ---------------------------------------------------------------------------------

    [Theory]
    [InlineData(FaultKind.InvalidUtf8)]
    [InlineData(FaultKind.LoneSurrogate)]
    public async Task Text_that_is_not_text_is_one_InvalidResponse_naming_the_action_and_RequestId(FaultKind kind)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        emu.Server.State.CreateJob(emu.Server.State.FindInstance(EmulatorServer.DemoRedisInstance, EmulatedProduct.Redis)!);
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", Kind = kind, Remaining = -1 });

        var error = await Assert.ThrowsAsync<AliBackupInvalidResponseException>(() =>
            emu.Service(client: new OpenApiClientOptions { MaxAttempts = 1 }).GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));

        Assert.Equal("DescribeBackupTasks", error.Action);
        Assert.Matches("^[0-9A-F]{8}-", error.RequestId);
        Assert.Contains("not valid text", error.Message);
        Assert.Contains(error.RequestId!, error.Message);
    }

    [Fact]
    public async Task Retry_settings_from_the_environment_reach_the_client_and_leave_the_callers_options_as_given()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", HttpStatus = 503, Code = "ServiceUnavailable", Remaining = -1 });
        var given = new OpenApiClientOptions { MaxAttempts = 5, RetryBaseDelay = TimeSpan.FromMilliseconds(1) };
        var service = new BackupService(new BackupServiceOptions
        {
            Credential = new AliCredential(emu.AccessKeyId, emu.AccessKeySecret),
            Environment = EmulatorHarness.EmptyEnvironment(new() { [BackupService.RetryMaxAttemptsVariable] = "2" }),
            Client = given,
        });

        await Assert.ThrowsAsync<AliBackupApiException>(() => service.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));

        Assert.Equal(2, emu.Server.State.Requests.Count(r => r.Action == "DescribeBackupTasks"));
        Assert.Equal(5, given.MaxAttempts);
    }

    [Fact]
    public async Task An_answer_larger_than_MaxResponseBytes_is_an_InvalidResponse_not_an_unreachable_endpoint()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        emu.Server.State.CreateJob(emu.Server.State.FindInstance(EmulatorServer.DemoRedisInstance, EmulatedProduct.Redis)!);

        var error = await Assert.ThrowsAsync<AliBackupInvalidResponseException>(() =>
            emu.Service(client: new OpenApiClientOptions { MaxAttempts = 1, MaxResponseBytes = 64 }).GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));

        Assert.Equal(("DescribeBackupTasks", 200), (error.Action, error.HttpStatus));
        Assert.Contains("larger than 64 bytes", error.Message);
        Assert.Matches("^[0-9A-F]{8}-", error.RequestId);
    }

    [Theory]
    [InlineData(FaultKind.Empty200)]
    [InlineData(FaultKind.Truncated)]
    [InlineData(FaultKind.Malformed)]
    [InlineData(FaultKind.Html)]
    public async Task A_malformed_poll_answer_is_a_transient_fault_and_the_wait_still_succeeds(FaultKind kind)
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromSeconds(5));
        var job = emu.Server.State.CreateJob(emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-garbled00000001", Product = EmulatedProduct.Redis }));
        // Both the task poll and the backup lookup get spoiled once each.
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", Kind = kind, HttpStatus = kind == FaultKind.Html ? 502 : 200, Remaining = 3 });
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackups", Kind = kind, HttpStatus = kind == FaultKind.Html ? 502 : 200, Remaining = 1 });

        var events = await WaitAll(clock, emu.Service(clock, client: new OpenApiClientOptions { RetryThrottling = false, MaxAttempts = 1 }), [TaskOf(emu, job)], new WaitOptions());

        var done = Assert.Single(events, e => e.Kind == WaitEventKind.Completed);
        Assert.Equal(job.Backups[0].BackupId.ToString(), Assert.Single(done.Backups).BackupId);
        Assert.DoesNotContain(events, e => e.Kind == WaitEventKind.Error);
        Assert.Contains(events, e => e.Kind == WaitEventKind.Throttled);
    }

    [Fact]
    public async Task A_200_that_carries_an_error_code_is_that_error_not_an_empty_result()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        emu.Server.State.AddCannedAnswer(new CannedAnswer { Action = "DescribeBackupTasks", Body = """{"RequestId":"R-200-ERROR","Code":"InvalidInstanceId.NotFound","Message":"The specified instance is not found."}""" });

        var error = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            emu.Service().GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));

        Assert.Equal(("InvalidInstanceId.NotFound", 200, "R-200-ERROR"), (error.Code, error.HttpStatus, error.RequestId));
        Assert.True(error.IsNotFound);
    }

    [Fact]
    public async Task An_answer_without_its_list_is_an_InvalidResponse_not_an_empty_list()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        emu.Server.State.AddCannedAnswer(new CannedAnswer { Action = "DescribeBackups", Body = """{"RequestId":"R-NOLIST","TotalCount":3}""" });

        var error = await Assert.ThrowsAsync<AliBackupInvalidResponseException>(() => emu.Service().GetAllBackupsAsync(emu.Target,
            new BackupQuery(EmulatorServer.DemoRedisInstance, DateTimeOffset.UtcNow.AddDays(-7), DateTimeOffset.UtcNow), null, CancellationToken.None));

        Assert.Equal("R-NOLIST", error.RequestId);
        Assert.Contains("Backups.Backup", error.Message);
    }

    [Fact]
    public async Task Out_of_range_values_are_corrected_and_said_so()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        emu.Server.State.AddCannedAnswer(new CannedAnswer
        {
            Action = "DescribeBackupTasks",
            Body = """{"RequestId":"R-ODD","BackupJobs":[{"BackupJobID":7,"BackupProgressStatus":"Uploading","Progress":"250","StartTime":"0001-01-01T00:00:00Z","JobMode":"Manual"}]}""",
        });
        emu.Server.State.AddCannedAnswer(new CannedAnswer
        {
            Action = "DescribeBackups",
            Body = """{"RequestId":"R-ODD2","PageNumber":1,"PageSize":100,"TotalCount":1,"Backups":{"Backup":[{"BackupId":9,"BackupStatus":"Success","BackupSize":-5,"BackupStartTime":"9999-12-31T00:00:00Z"}]}}""",
        });
        var traces = new Traces();
        var service = emu.Service(observer: traces);

        var task = Assert.Single(await service.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));
        var backup = Assert.Single(await service.GetAllBackupsAsync(emu.Target, new BackupQuery(EmulatorServer.DemoRedisInstance, DateTimeOffset.UtcNow.AddDays(-7), DateTimeOffset.UtcNow), null, CancellationToken.None));

        Assert.Equal((100, (DateTimeOffset?)null), (task.Progress, task.StartTime));
        Assert.Equal((0L, (DateTimeOffset?)null), (backup.Size, backup.StartTime));
        var warnings = traces.Notices.Where(n => n.IsWarning).Select(n => n.Message).ToList();
        Assert.Equal(4, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("Progress = '250'") && w.Contains("job 7") && w.Contains("R-ODD"));
        Assert.Contains(warnings, w => w.Contains("StartTime = '0001-01-01T00:00:00Z'"));
        Assert.Contains(warnings, w => w.Contains("BackupSize = '-5'") && w.Contains("backup 9") && w.Contains("shown as 0"));
        Assert.Contains(warnings, w => w.Contains("BackupStartTime = '9999-12-31T00:00:00Z'"));
    }

    // --- CreateBackup is never sent twice blindly ---------------------------------------------------------------

    [Theory]
    [InlineData(EmulatedProduct.Redis, FaultKind.ResetAfterExecute)]
    [InlineData(EmulatedProduct.MongoDB, FaultKind.ResetAfterExecute)]
    [InlineData(EmulatedProduct.PolarDB, FaultKind.ResetAfterExecute)]
    [InlineData(EmulatedProduct.Redis, FaultKind.Truncated)]
    [InlineData(EmulatedProduct.MongoDB, FaultKind.Truncated)]
    public async Task A_lost_CreateBackup_answer_reports_the_task_it_started_and_starts_no_second(EmulatedProduct product, FaultKind kind)
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false);
        var id = product switch { EmulatedProduct.PolarDB => "pc-lostanswer00001", EmulatedProduct.MongoDB => "dds-lostanswer0001", _ => "r-lostanswer000001" };
        emu.Server.State.AddInstance(new EmulatedInstance { Id = id, Product = product });
        // Every CreateBackup answer is lost: a resend would be carried out and lost too, and show as a second job.
        emu.Server.State.AddFault(new FaultRule { Action = "CreateBackup", Kind = kind, Remaining = -1 });

        var (task, attached) = await clock.RunUntilDoneAsync(emu.Service(clock).StartOrAttachAsync(emu.Target, id, null, RunningBackupAction.Attach, CancellationToken.None));

        var job = Assert.Single(emu.Server.State.Jobs);
        Assert.False(attached);
        Assert.Equal(job.JobIds[0].ToString(), task.BackupJobId);
        Assert.Equal(id, task.InstanceId);
    }

    [Fact]
    public async Task A_MongoDB_backup_that_finished_before_the_lookup_is_found_among_the_backups()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.Zero);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "dds-quick00000001", Product = EmulatedProduct.MongoDB });
        emu.Server.State.AddFault(new FaultRule { Action = "CreateBackup", Kind = FaultKind.ResetAfterExecute });

        var task = await clock.RunUntilDoneAsync(emu.Service(clock).StartBackupAsync(emu.Target, "dds-quick00000001", null, CancellationToken.None));

        var job = Assert.Single(emu.Server.State.Jobs);
        Assert.Equal(job.JobIds[0].ToString(), task.BackupJobId);
        Assert.Equal(BackupTaskStatus.Finished, task.Status);
    }

    [Fact]
    public async Task A_CreateBackup_that_got_no_answer_in_time_is_found_not_resent()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-notintime000001", Product = EmulatedProduct.Redis });
        emu.Server.State.AddFault(new FaultRule { Action = "CreateBackup", Kind = FaultKind.Slow, DelayMs = 3000 });
        var traces = new Traces();

        var task = await emu.Service(observer: traces, client: new OpenApiClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) })
            .StartBackupAsync(emu.Target, "r-notintime000001", null, CancellationToken.None);

        Assert.Equal(Assert.Single(emu.Server.State.Jobs).JobIds[0].ToString(), task.BackupJobId);
        Assert.Single(emu.Server.State.Requests, r => r.Action == "CreateBackup");
        Assert.Contains(traces.Notices, n => !n.IsWarning && n.Message.Contains("was lost") && n.Message.Contains(task.BackupJobId));
    }

    [Fact]
    public async Task A_throttled_CreateBackup_was_not_carried_out_and_is_sent_again()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-throttledcreate", Product = EmulatedProduct.Redis });
        emu.Server.State.AddFault(new FaultRule { Action = "CreateBackup", Code = "Throttling.User", Remaining = 2 });

        var task = await clock.RunUntilDoneAsync(emu.Service(clock).StartBackupAsync(emu.Target, "r-throttledcreate", null, CancellationToken.None));

        Assert.Equal(Assert.Single(emu.Server.State.Jobs).JobIds[0].ToString(), task.BackupJobId);
        Assert.Equal(3, emu.Server.State.Requests.Count(r => r.Action == "CreateBackup"));
    }

    // --- busy and limits --------------------------------------------------------------------------------------

    [Theory]
    [InlineData("BackupJobExists", 400)]
    [InlineData("OperationDenied.BackupJobExists", 403)]
    [InlineData("TaskExists", 400)]
    [InlineData("TaskHasExist", 400)]
    [InlineData("IncorrectDBInstanceState", 403)]
    [InlineData("IncorrectDBInstanceState", 400)]
    public async Task Every_busy_code_means_a_backup_is_running_and_Start_attaches_to_it(string code, int status)
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        var instance = emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-busy0000000001", Product = EmulatedProduct.Redis, StageDuration = TimeSpan.FromMinutes(10) });
        var running = emu.Server.State.CreateJob(instance);
        // The check before CreateBackup sees nothing yet (the other backup started a moment later).
        emu.Server.State.AddCannedAnswer(new CannedAnswer { Action = "DescribeBackupTasks", Body = """{"RequestId":"R","InstanceId":"r-busy0000000001","BackupJobs":[]}""" });
        emu.Server.State.AddFault(new FaultRule { Action = "CreateBackup", Code = code, HttpStatus = status, Message = "busy" });

        var (task, attached) = await emu.Service().StartOrAttachAsync(emu.Target, "r-busy0000000001", null, RunningBackupAction.Attach, CancellationToken.None);

        Assert.True(attached);
        Assert.Equal(running.JobIds[0].ToString(), task.BackupJobId);
        Assert.Single(emu.Server.State.Jobs);
    }

    [Fact]
    public async Task PolarDB_past_its_manual_backup_limit_fails_at_once_with_what_to_do()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.Zero);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "pc-limit00000001", Product = EmulatedProduct.PolarDB });
        var service = emu.Service(clock);
        for (var i = 0; i < 3; i++) await service.StartBackupAsync(emu.Target, "pc-limit00000001", null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<AliBackupApiException>(() => service.StartBackupAsync(emu.Target, "pc-limit00000001", null, CancellationToken.None));

        Assert.Equal((403, "BackupTimesExceeded"), (error.HttpStatus, error.Code));
        Assert.True(error.IsBackupLimitReached);
        Assert.Contains("limit of manual backups", error.RecommendedAction);
        Assert.Equal(4, emu.Server.State.Requests.Count(r => r.Action == "CreateBackup"));
        Assert.Equal(3, emu.Server.State.Jobs.Count);
        Assert.Empty(clock.RequestedDelays);
    }

    // --- retry budget and non-retryable errors ----------------------------------------------------------------

    [Fact]
    public async Task A_standalone_read_rides_out_a_short_throttling_storm_with_a_verbose_line_per_retry()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock);
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", Code = "Throttling.User", Remaining = 6 });
        var traces = new Traces();

        await clock.RunUntilDoneAsync(emu.Service(clock, observer: traces).GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));

        Assert.Equal(7, traces.Calls.Count);
        Assert.All(traces.Calls.Take(6), t => Assert.Matches(@"Throttling\.User .*; retrying in [0-9.]+ (s|ms) \(attempt \d of 8\)$", t.ToString()));
        // Full jitter under an exponential cap: each delay at most 1 s, 2 s, 4 s, ... and all of them within the budget.
        Assert.All(clock.RequestedDelays.Select((d, i) => (d, i)), x => Assert.True(x.d <= TimeSpan.FromSeconds(Math.Min(20, Math.Pow(2, x.i)))));
        Assert.True(clock.RequestedDelays.Aggregate(TimeSpan.Zero, (a, b) => a + b) <= TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_storm_longer_than_the_budget_ends_with_the_services_error_and_the_attempts_made()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock);
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", Code = "Throttling.User", Remaining = -1 });

        var error = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            clock.RunUntilDoneAsync(emu.Service(clock).GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None)));

        Assert.Equal("Throttling.User", error.Code);
        Assert.NotNull(error.RequestId);
        Assert.Equal("Request was denied due to user flow control.", error.ServiceMessage);
        Assert.InRange(error.Attempts, 2, 8);
        Assert.Contains("after " + error.Attempts + " attempts", error.RecommendedAction);
    }

    [Theory]
    [InlineData(404, "InvalidInstanceId.NotFound", "Check the instance ID")]
    [InlineData(400, "InvalidParameter", null)]
    [InlineData(404, "InvalidAccessKeyId.NotFound", "Check the AccessKey ID")]
    [InlineData(400, "SignatureDoesNotMatch", "Check the AccessKey secret")]
    [InlineData(400, "InvalidTimeStamp.Expired", "clock")]
    public async Task Non_retryable_errors_fail_at_once_saying_what_to_fix(int status, string code, string? advice)
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock);
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", HttpStatus = status, Code = code, Message = "m" });

        var error = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            clock.RunUntilDoneAsync(emu.Service(clock).GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None)));

        Assert.Equal(code, error.Code);
        Assert.Single(emu.Server.State.Requests);
        Assert.Empty(clock.RequestedDelays);
        if (advice != null) Assert.Contains(advice, error.RecommendedAction);
    }

    // --- the waiter through faults ----------------------------------------------------------------------------

    [Fact]
    public async Task A_listing_that_lags_behind_a_finished_task_is_waited_for_and_the_backup_reported()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromSeconds(2));
        var instance = emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-lagging00000001", Product = EmulatedProduct.Redis, ListingLag = TimeSpan.FromMinutes(2) });
        var job = emu.Server.State.CreateJob(instance);

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), [TaskOf(emu, job)], new WaitOptions { PollInterval = TimeSpan.FromSeconds(20) });

        var done = Assert.Single(events, e => e.Kind == WaitEventKind.Completed);
        Assert.Equal(job.Backups[0].BackupId.ToString(), Assert.Single(done.Backups).BackupId);
        Assert.True(done.Waited >= TimeSpan.FromMinutes(2));
        Assert.DoesNotContain(events, e => e.Kind is WaitEventKind.Error or WaitEventKind.TimedOut);
    }

    [Fact]
    public async Task A_backup_never_listed_after_its_task_finished_ends_that_wait_after_the_grace()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromSeconds(2));
        var instance = emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-neverlisted0001", Product = EmulatedProduct.Redis, ListingLag = TimeSpan.FromDays(1) });
        var job = emu.Server.State.CreateJob(instance);

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), [TaskOf(emu, job)],
            new WaitOptions { PollInterval = TimeSpan.FromSeconds(30), BackupListingGrace = TimeSpan.FromMinutes(3) });

        var error = Assert.IsType<BackupNotListedException>(Assert.Single(events, e => e.Kind == WaitEventKind.Error).Error);
        Assert.InRange(error.MissingFor, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(4));
        Assert.Contains("Get-AliBackup -InstanceId r-neverlisted0001", error.RecommendedAction);
    }

    [Fact]
    public async Task Faults_on_one_instance_keep_the_others_going_and_a_deleted_instance_ends_only_its_task()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromSeconds(20));
        var state = emu.Server.State;
        var healthy = state.CreateJob(state.AddInstance(new EmulatedInstance { Id = "r-healthy00000001", Product = EmulatedProduct.Redis }));
        var failing = state.CreateJob(state.AddInstance(new EmulatedInstance { Id = "r-failing00000001", Product = EmulatedProduct.Redis }));
        var deleted = state.CreateJob(state.AddInstance(new EmulatedInstance { Id = "r-deleted00000001", Product = EmulatedProduct.Redis }));
        state.AddFault(new FaultRule { InstanceId = "r-failing00000001", HttpStatus = 503, Code = "ServiceUnavailable", Message = "down", Remaining = -1 });
        state.AddFault(new FaultRule { InstanceId = "r-deleted00000001", Action = "DescribeBackupTasks", Kind = FaultKind.DeleteInstance });

        var events = await WaitAll(clock, emu.Service(clock, client: WaiterClient), [TaskOf(emu, healthy), TaskOf(emu, failing), TaskOf(emu, deleted)],
            new WaitOptions { Timeout = TimeSpan.FromMinutes(10), PollInterval = TimeSpan.FromSeconds(30) });

        var completed = Assert.Single(events, e => e.Kind == WaitEventKind.Completed);
        Assert.Equal("r-healthy00000001", completed.Task.InstanceId);
        Assert.True(completed.Waited < TimeSpan.FromMinutes(4), "the healthy task waited " + completed.Waited);
        var gone = Assert.Single(events, e => e.Kind == WaitEventKind.Error);
        Assert.Equal("r-deleted00000001", gone.Task.InstanceId);
        Assert.True(Assert.IsType<AliBackupApiException>(gone.Error).IsNotFound);
        var timedOut = Assert.Single(events, e => e.Kind == WaitEventKind.TimedOut);
        Assert.Equal("r-failing00000001", timedOut.Task.InstanceId);
        Assert.Contains("ServiceUnavailable", timedOut.Error!.Message);
    }

    [Theory]
    [InlineData("InvalidAccessKeyId.NotFound", 404)]
    [InlineData("InvalidSecurityToken.Expired", 400)]
    [InlineData("InvalidTimeStamp.Expired", 400)]
    public async Task Revoked_credentials_or_a_clock_far_off_end_the_whole_wait_with_the_services_error(string code, int status)
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false, stage: TimeSpan.FromMinutes(1));
        var a = emu.Server.State.CreateJob(emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-revokeda0000001", Product = EmulatedProduct.Redis }));
        var b = emu.Server.State.CreateJob(emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-revokedb0000001", Product = EmulatedProduct.Redis }));
        emu.Server.State.AddFault(new FaultRule { HttpStatus = status, Code = code, Message = "refused", Remaining = -1 });

        var error = await Assert.ThrowsAsync<AliBackupApiException>(() => WaitAll(clock, emu.Service(clock, client: WaiterClient), [TaskOf(emu, a), TaskOf(emu, b)], new WaitOptions()));

        Assert.Equal(code, error.Code);
        Assert.NotNull(error.RequestId);
        Assert.True(error.RejectsCaller);
    }
}
