using AliBackup.Emulator;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Wire;
using AliBackup.Service.Credentials;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Tests.Support;

namespace AliBackup.Service.Tests;

/// <summary>The client against the signature-verifying emulator: what users see when calls succeed and fail.</summary>
public class OpenApiClientTests
{
    [Fact]
    public async Task A_started_backup_is_listed_by_its_task_query()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var service = emu.Service();
        var started = await service.StartBackupAsync(emu.Target, EmulatorServer.DemoRedisInstance, null, CancellationToken.None);

        var tasks = await service.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance, started.BackupJobId), null, CancellationToken.None);

        var task = Assert.Single(tasks);
        Assert.Equal(started.BackupJobId, task.BackupJobId);
        Assert.Equal(BackupEngine.Redis, task.Engine);
        Assert.Equal("Manual", task.JobMode);
        Assert.Equal(emu.Server.State.Jobs.Single().JobIds[0].ToString(), task.BackupJobId);
    }

    [Fact]
    public async Task A_service_error_keeps_status_code_message_and_request_id()
    {
        await using var emu = await EmulatorHarness.StartAsync();

        var error = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            emu.Service().GetTasksAsync(emu.Target, new TaskQuery("r-doesnotexist01"), null, CancellationToken.None));

        Assert.Equal(404, error.HttpStatus);
        Assert.Equal("InvalidInstanceId.NotFound", error.Code);
        Assert.Equal("The specified instance is not found.", error.ServiceMessage);
        Assert.Matches("^[0-9A-F]{8}-[0-9A-F]{4}-", error.RequestId);
        Assert.Contains(error.RequestId!, error.Message);
        Assert.Equal("DescribeBackupTasks", error.Action);
        Assert.Equal("r-kvstore", error.Product);
    }

    [Fact]
    public async Task A_wrong_secret_is_SignatureDoesNotMatch_and_the_echoed_string_to_sign_is_dropped()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var service = emu.Service(credential: new AliCredential(emu.AccessKeyId, "not-the-secret"));

        var error = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            service.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));

        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.Equal(400, error.HttpStatus);
        Assert.NotNull(error.RequestId);
        Assert.DoesNotContain("string to sign", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ACS3-HMAC-SHA256", error.ToString());
    }

    [Fact]
    public async Task An_unknown_access_key_is_InvalidAccessKeyId_NotFound()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var service = emu.Service(credential: new AliCredential("LTAIunknownkey0000", emu.AccessKeySecret));

        var error = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            service.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));

        Assert.Equal("InvalidAccessKeyId.NotFound", error.Code);
    }

    [Fact]
    public async Task Temporary_credentials_send_their_security_token_signed()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        emu.Server.AddKey(new EmulatorKey("STS.testkey0001", "sts-secret", "token-abc"));

        var good = emu.Service(credential: new AliCredential("STS.testkey0001", "sts-secret", "token-abc"));
        var tasks = await good.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None);
        Assert.Empty(tasks);

        var wrongToken = emu.Service(credential: new AliCredential("STS.testkey0001", "sts-secret", "token-other"));
        var error = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            wrongToken.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None));
        Assert.Equal("InvalidSecurityToken.MismatchWithAccessKey", error.Code);
    }

    [Fact]
    public async Task Throttling_is_retried_after_the_service_hint_with_a_fresh_nonce_each_time()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock);
        emu.Server.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", Code = "Throttling.User", HttpStatus = 400, RetryAfterMs = 3000, Remaining = 2 });

        var call = emu.Service(clock).GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None);
        await clock.RunUntilDoneAsync(call);

        var requests = emu.Server.State.Requests.Where(r => r.Action == "DescribeBackupTasks").ToList();
        Assert.Equal(["Throttling.User", "Throttling.User", null], requests.Select(r => r.ErrorCode));
        Assert.Equal(3, requests.Select(r => r.Signature).Distinct().Count());
        Assert.All(clock.RequestedDelays, d => Assert.True(d >= TimeSpan.FromSeconds(3), "retry came before the x-acs-retry-after hint: " + d));
    }

    [Fact]
    public async Task A_write_is_not_resent_after_a_server_error_and_an_unknown_outcome_says_how_to_check()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock);
        emu.Server.State.AddFault(new FaultRule { Action = "CreateBackup", Code = "InternalError", HttpStatus = 500, Message = "The request processing has failed due to some unknown error." });

        var error = await Assert.ThrowsAsync<BackupOutcomeUnknownException>(() =>
            clock.RunUntilDoneAsync(emu.Service(clock).StartBackupAsync(emu.Target, EmulatorServer.DemoRedisInstance, null, CancellationToken.None)));

        var cause = Assert.IsType<AliBackupApiException>(error.Cause);
        Assert.Equal("InternalError", cause.Code);
        Assert.NotNull(cause.RequestId);
        Assert.Contains("Get-AliBackupTask -InstanceId " + EmulatorServer.DemoRedisInstance + " -JobMode Manual", error.RecommendedAction);
        Assert.Single(emu.Server.State.Requests, r => r.Action == "CreateBackup");
        Assert.Empty(emu.Server.State.Jobs);
    }

    [Fact]
    public async Task Each_call_is_traced_without_the_secret_token_or_signature()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        emu.Server.AddKey(new EmulatorKey("STS.tracekey", "trace-secret", "trace-token-value"));
        var traces = new List<ApiCallTrace>();
        var service = emu.Service(credential: new AliCredential("STS.tracekey", "trace-secret", "trace-token-value"), observer: new Collect(traces));

        await service.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoRedisInstance), null, CancellationToken.None);

        var trace = Assert.Single(traces);
        Assert.Equal("DescribeBackupTasks", trace.Action);
        Assert.Equal(200, trace.HttpStatus);
        Assert.NotNull(trace.RequestId);
        Assert.Contains("x-acs-security-token:***", trace.CanonicalRequest);
        var signature = emu.Server.State.Requests.Single().Signature!;
        foreach (var text in new[] { trace.ToString(), trace.CanonicalRequest })
        {
            Assert.DoesNotContain("trace-token-value", text);
            Assert.DoesNotContain("trace-secret", text);
            Assert.DoesNotContain(signature, text);
        }
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_transport_error_naming_it()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var service = new BackupService(new BackupServiceOptions
        {
            Credential = new AliCredential("id", "secret"),
            Environment = EmulatorHarness.EmptyEnvironment(),
            Client = new OpenApiClientOptions { MaxAttempts = 1 },
        });

        var error = await Assert.ThrowsAsync<AliBackupTransportException>(() =>
            service.GetTasksAsync(new ApiTarget(null, "http://127.0.0.1:" + port), new TaskQuery("r-x"), null, CancellationToken.None));

        Assert.Contains("127.0.0.1:" + port, error.Message);
    }

    private sealed class Collect(List<ApiCallTrace> traces) : IApiCallObserver
    {
        public void OnCallCompleted(ApiCallTrace trace)
        {
            lock (traces) traces.Add(trace);
        }
    }
}
