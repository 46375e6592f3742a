using AliBackup.Emulator;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>Tab completion as PowerShell's own TabExpansion2 produces it in the runspace.</summary>
public sealed class CompletionTests : IAsyncLifetime
{
    private readonly EmulatorScope _scope = new();

    public Task InitializeAsync() => _scope.InitializeAsync();

    public Task DisposeAsync() => _scope.DisposeAsync();

    private static List<string> Complete(PowerShellSession session, string line, bool tooltips = false)
    {
        session.SetVariable("line", line);
        var result = session.Run(
            "(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { " +
            (tooltips ? "$_.CompletionText + '|' + $_.ToolTip" : "$_.CompletionText") + " }");
        Assert.Empty(result.Errors);
        return result.Output.Select(o => o.ToString()).ToList();
    }

    // -Engine and -JobMode are enums, which PowerShell completes itself (its enum completion runs before any
    // ArgumentCompleter attribute, so the module adds none): these pin that the user gets them.
    [Theory]
    [InlineData("Get-AliBackupTask -Engine ", new[] { "MongoDB", "PolarDB", "RDS", "Redis" })]
    [InlineData("Start-AliBackup -Engine Mo", new[] { "MongoDB" })]
    [InlineData("Get-AliBackupTask -JobMode ", new[] { "Automated", "Manual" })]
    [InlineData("Get-AliBackupTask -JobMode m", new[] { "Manual" })]
    public void Engine_and_JobMode_complete_their_values(string line, string[] expected)
    {
        Assert.Equal(expected, Complete(_scope.Session, line));
    }

    [Theory]
    [InlineData("Get-AliBackup -Region cn-h", "cn-hangzhou")]
    [InlineData("Start-AliBackup x -Region ap-southeast-", "ap-southeast-1")]
    public void Region_completes_known_regions(string line, string expected)
    {
        var completions = Complete(_scope.Session, line);
        Assert.Contains(expected, completions);
        var prefix = line[(line.LastIndexOf(' ') + 1)..];
        Assert.All(completions, c => Assert.StartsWith(prefix, c));
    }

    [Fact]
    public void InstanceId_completes_ids_seen_in_this_session_most_recent_first_and_only_there()
    {
        Assert.Empty(Complete(_scope.Session, "Get-AliBackupTask -InstanceId "));

        _scope.Session.Run("Start-AliBackup " + EmulatorServer.DemoMongoInstance + ", " + EmulatorServer.DemoPolarDbCluster + ", " + EmulatorServer.DemoRedisInstance);

        Assert.Equal([EmulatorServer.DemoRedisInstance, EmulatorServer.DemoPolarDbCluster, EmulatorServer.DemoMongoInstance],
            Complete(_scope.Session, "Get-AliBackupTask -InstanceId "));
        Assert.Equal([EmulatorServer.DemoPolarDbCluster], Complete(_scope.Session, "Wait-AliBackupTask -InstanceId pc-"));
        Assert.Equal([EmulatorServer.DemoRedisInstance, EmulatorServer.DemoPolarDbCluster, EmulatorServer.DemoMongoInstance], Complete(_scope.Session, "Get-AliBackup "));
        Assert.Equal([EmulatorServer.DemoMongoInstance], Complete(_scope.Session, "Get-AliBackup -Engine MongoDB -InstanceId "));
        Assert.Equal([EmulatorServer.DemoRedisInstance + "|Redis instance seen in this session"], Complete(_scope.Session, "Start-AliBackup r-", tooltips: true));

        // Another runspace in the same process has its own history.
        using var other = new PowerShellSession();
        Assert.Empty(Complete(other, "Get-AliBackupTask -InstanceId "));
    }
}
