using AliBackup.Emulator;
using AliBackup.PowerShell.Tests.Support;
using System.Management.Automation;

namespace AliBackup.PowerShell.Tests;

/// <summary>Errors users can act on: the service's Code/Message/RequestId kept, one bad item never loses the others.</summary>
public sealed class ErrorHandlingTests : IAsyncLifetime
{
    private readonly EmulatorScope _scope = new();

    public Task InitializeAsync() => _scope.InitializeAsync();

    public Task DisposeAsync() => _scope.DisposeAsync();

    [Fact]
    public void A_wrong_secret_stops_the_command_at_the_first_item_with_one_request_keeping_SignatureDoesNotMatch_and_the_RequestId()
    {
        _scope.Session.SetVariable("wrong", PowerShellSession.Credential(_scope.AccessKeyId, "wrong-secret"));

        // Every further item would be rejected alike, each with a request of its own: the first rejection ends the command.
        var result = _scope.Session.Run("'" + EmulatorServer.DemoRedisInstance + "', 'r-bp1another00001', 'r-bp1another00002' | Get-AliBackupTask -Credential $wrong");

        var error = Assert.Single(result.Errors);
        Assert.Equal("SignatureDoesNotMatch", error.ApiCode());
        Assert.False(string.IsNullOrEmpty(error.Exception.Text("RequestId")));
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.StartsWith("AliBackup.Api.SignatureDoesNotMatch,", error.FullyQualifiedErrorId);
        Assert.Contains("AccessKey secret", error.ErrorDetails.RecommendedAction);
        Assert.Equal(EmulatorServer.DemoRedisInstance, error.TargetObject);
        Assert.Single(_scope.Emulator.State.Requests);
    }

    [Fact]
    public void A_bad_item_in_the_pipeline_does_not_lose_the_others()
    {
        var result = _scope.Session.Run("'r-doesnotexist001', '" + EmulatorServer.DemoRedisInstance + "', 'x-notaprefix' | Get-AliBackup");

        Assert.Null(result.Terminating);
        Assert.Equal(7, result.OfTypeName("AliBackup.Backup").Count);
        Assert.Equal(2, result.Errors.Count);
        var notFound = result.Errors[0];
        Assert.Equal("r-doesnotexist001", notFound.TargetObject);
        Assert.Equal(ErrorCategory.ObjectNotFound, notFound.CategoryInfo.Category);
        Assert.Equal("InvalidInstanceId.NotFound", notFound.ApiCode());
        var badPrefix = result.Errors[1];
        Assert.Equal("x-notaprefix", badPrefix.TargetObject);
        Assert.Equal(ErrorCategory.InvalidArgument, badPrefix.CategoryInfo.Category);
        // The ID is what is wrong: the error is about -InstanceId, and says when -Engine is the fix.
        Assert.StartsWith("AliBackup.InvalidArgument.InstanceId,", badPrefix.FullyQualifiedErrorId);
        Assert.Contains("-Engine", badPrefix.Exception.Message);
    }

    [Fact]
    public void ErrorAction_Stop_turns_an_item_error_into_a_terminating_one()
    {
        var result = _scope.Session.Run("'r-doesnotexist001', '" + EmulatorServer.DemoRedisInstance + "' | Get-AliBackup -ErrorAction Stop");

        Assert.NotNull(result.Terminating);
        Assert.Contains("InvalidInstanceId.NotFound", result.Terminating!.Message);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void A_plain_http_endpoint_that_is_not_loopback_is_refused_naming_Endpoint()
    {
        var result = _scope.Session.Run("Get-AliBackupTask " + EmulatorServer.DemoRedisInstance + " -Endpoint http://r-kvstore.aliyuncs.com");

        // Refused while the parameter binds, naming it.
        var error = Assert.Single(result.Errors);
        Assert.Equal("Endpoint", Assert.IsAssignableFrom<ParameterBindingException>(error.Exception).ParameterName);
        Assert.Contains("plain http", error.Exception.Message);
        Assert.Empty(_scope.Emulator.State.Requests);
    }

    [Fact]
    public void Bad_parameter_values_are_rejected_before_anything_is_sent()
    {
        // A cmdlet's terminating error stops its statement (and is written to the error stream).
        var timeout = _scope.Session.Run("Wait-AliBackupTask " + EmulatorServer.DemoRedisInstance + " 1 -Timeout -5");
        var timeoutError = Assert.Single(timeout.Errors);
        Assert.Contains("-Timeout must be positive", timeoutError.Exception.Message);
        Assert.Contains("-1 to wait with no limit", timeoutError.Exception.Message);
        Assert.Equal("Timeout", Assert.IsAssignableFrom<ParameterBindingException>(timeoutError.Exception).ParameterName);

        var window = _scope.Session.Run("Get-AliBackup " + EmulatorServer.DemoRedisInstance + " -StartTime 2024-02-01 -EndTime 2024-01-01");
        Assert.Contains("-EndTime", Assert.Single(window.Errors).Exception.Message);

        Assert.Empty(_scope.Emulator.State.Requests);
    }

    [Fact]
    public void Timeout_accepts_seconds_and_a_TimeSpan()
    {
        var result = _scope.Session.Run(
            "(Get-Command Wait-AliBackupTask).Parameters['Timeout'].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentTransformationAttribute] } | " +
            "ForEach-Object { $_.Transform($ExecutionContext, 3600); $_.Transform($ExecutionContext, '01:30:00'); $_.Transform($ExecutionContext, 0.5) }");

        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromMinutes(90), TimeSpan.FromMilliseconds(500)], result.Output.Select(o => (TimeSpan)o.BaseObject));
    }

    [Fact]
    public void An_unfinished_task_times_out_as_an_OperationTimeout_error_naming_the_task()
    {
        _scope.Emulator.State.AddInstance(new AliBackup.Emulator.State.EmulatedInstance { Id = "r-slowinstance001", Product = AliBackup.Emulator.State.EmulatedProduct.Redis, StageDuration = TimeSpan.FromHours(1) });

        var result = _scope.Session.Run("Start-AliBackup r-slowinstance001 | Wait-AliBackupTask -Timeout 0.5 -PollInterval 0.1");

        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
        Assert.StartsWith("AliBackup.WaitTimeout,", error.FullyQualifiedErrorId);
        Assert.True(error.TargetObject.IsA("AliBackup.BackupTask"));
        Assert.Equal("r-slowinstance001", error.TargetObject.Text("InstanceId"));
        Assert.Contains("Timed out after", error.Exception.Message);
        Assert.Contains("Wait-AliBackupTask -InstanceId r-slowinstance001 -BackupJobId '" + error.TargetObject.Text("BackupJobId") + "'", error.Exception.Message);
        Assert.Empty(result.Output);
    }
}
