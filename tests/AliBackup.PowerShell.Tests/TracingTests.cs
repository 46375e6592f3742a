using System.Text.RegularExpressions;
using AliBackup.Emulator;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>-Verbose shows each request; -Debug adds the canonical request, never the signature or a secret.</summary>
public sealed class TracingTests : IAsyncLifetime
{
    private static readonly Regex VerboseLine = new(
        @"^(?<product>r-kvstore|polardb|dds) (?<action>\w+) region=(?<region>\S+) endpoint=(?<endpoint>\S+) -> HTTP (?<status>\d{3})( (?<code>\S+))? RequestId=(?<requestId>\S+) in \d+ ms$");

    private readonly EmulatorScope _scope = new();

    public Task InitializeAsync() => _scope.InitializeAsync();

    public Task DisposeAsync() => _scope.DisposeAsync();

    [Theory]
    [InlineData(EmulatorServer.DemoRedisInstance, "r-kvstore")]
    [InlineData(EmulatorServer.DemoPolarDbCluster, "polardb")]
    [InlineData(EmulatorServer.DemoMongoInstance, "dds")]
    public void Verbose_shows_product_action_region_endpoint_request_id_status_and_duration(string instance, string product)
    {
        var result = _scope.Session.Run("Get-AliBackupTask " + instance + " -Region cn-hangzhou -Verbose; Get-AliBackupTask r-doesnotexist001 -Verbose");

        Assert.Equal(2, result.Verbose.Count);
        var ok = VerboseLine.Match(result.Verbose[0].Message);
        Assert.True(ok.Success, result.Verbose[0].Message);
        Assert.Equal(product, ok.Groups["product"].Value);
        Assert.Equal(_scope.Emulator.State.Requests[0].Action, ok.Groups["action"].Value);
        Assert.Equal("cn-hangzhou", ok.Groups["region"].Value);
        Assert.Equal(_scope.Emulator.BaseUrl, ok.Groups["endpoint"].Value);
        Assert.Equal("200", ok.Groups["status"].Value);
        Assert.Matches("^[0-9A-F-]{36}$", ok.Groups["requestId"].Value);

        var failed = VerboseLine.Match(result.Verbose[1].Message);
        Assert.True(failed.Success, result.Verbose[1].Message);
        Assert.Equal("404", failed.Groups["status"].Value);
        Assert.Equal("InvalidInstanceId.NotFound", failed.Groups["code"].Value);
        // The same RequestId the error carries, so a support ticket can quote either.
        Assert.Contains(failed.Groups["requestId"].Value, Assert.Single(result.Errors).Exception.Message);
    }

    [Fact]
    public void Debug_adds_the_canonical_request_without_signature_or_secret()
    {
        var result = _scope.Session.Run("Start-AliBackup " + EmulatorServer.DemoRedisInstance + " -Debug");

        // Start-AliBackup first looks for a running manual backup (DescribeBackupTasks), creates one, then reads the new
        // task back. Under -Debug alone each request's verbose line is a debug record too.
        var canonical = result.Debug.Where(d => d.Message.StartsWith("Canonical request of ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, canonical.Count);
        Assert.Equal(6, result.Debug.Count);
        var debug = canonical[1].Message;
        var lines = debug.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("Canonical request of CreateBackup (signature and security token not shown):", lines[0]);
        Assert.Equal("POST", lines[1]);
        Assert.Contains("x-acs-action:CreateBackup", lines);
        Assert.Contains("x-acs-version:2015-01-01", lines);
        Assert.Contains(lines, l => l.StartsWith("InstanceId=" + EmulatorServer.DemoRedisInstance));

        var signatures = _scope.Emulator.State.Requests.Select(r => r.Signature).ToList();
        Assert.Equal(3, signatures.Count);
        Assert.All(signatures, s => Assert.False(string.IsNullOrEmpty(s)));
        Assert.All(signatures, s => Assert.All(result.Debug, d => Assert.DoesNotContain(s!, d.Message)));
        Assert.DoesNotContain(_scope.AccessKeySecret, debug);
        Assert.DoesNotContain("Authorization", debug, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Signature=", debug);
        Assert.All(result.Verbose, v => Assert.DoesNotContain(_scope.AccessKeySecret, v.Message));
    }
    /// <summary>
    /// -Debug on a compiled cmdlet turns the verbose and warning streams to Inquire (PowerShell's MshCommandRuntime), so
    /// every request trace would ask "Continue with this operation?". -Debug alone must only add detail.
    /// </summary>
    [Fact]
    public void Debug_alone_never_prompts_and_still_shows_each_request()
    {
        var result = _scope.Session.Run(
            "Get-AliBackup " + EmulatorServer.DemoRedisInstance + " -Debug | Out-Null; " +
            "Start-AliBackup " + EmulatorServer.DemoMongoInstance + " -Debug | Wait-AliBackupTask -PollInterval 0.1 -Timeout 60 -Debug | Out-Null; " +
            "Get-AliBackupContext -Debug | Out-Null");

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Empty(_scope.Session.Host.Prompts);
        Assert.Empty(result.Verbose);
        var traces = result.Debug.Where(d => VerboseLine.IsMatch(d.Message)).ToList();
        Assert.Equal(_scope.Emulator.State.Requests.Count, traces.Count);
        Assert.Equal(traces.Count, result.Debug.Count(d => d.Message.StartsWith("Canonical request of ", StringComparison.Ordinal)));
    }
}
