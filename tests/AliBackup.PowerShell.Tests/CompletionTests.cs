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

/// <summary>-Profile offers the aliyun CLI's profile names (it reads ~/.aliyun/config.json, so it runs alone).</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class ProfileCompletionTests : IAsyncLifetime
{
    private CredentialSandbox _box = null!;

    public async Task InitializeAsync() => _box = await CredentialSandbox.StartAsync();

    public async Task DisposeAsync() => await _box.DisposeAsync();

    private static List<string> Complete(PowerShellSession session, string line)
    {
        session.SetVariable("line", line);
        var result = session.Run("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { $_.CompletionText + '|' + $_.ToolTip }");
        Assert.Empty(result.Errors);
        return result.Output.Select(o => o.ToString()).ToList();
    }

    [Fact]
    public void Profile_completes_the_names_in_the_CLI_config_never_file_names()
    {
        _box.WriteCliConfig("default",
            new Dictionary<string, object> { ["name"] = "default", ["mode"] = "AK", ["access_key_id"] = _box.KeyId, ["access_key_secret"] = _box.Secret },
            new Dictionary<string, object> { ["name"] = "ops", ["mode"] = "RamRoleArn", ["region_id"] = "cn-shanghai", ["access_key_id"] = _box.KeyId, ["access_key_secret"] = _box.Secret, ["ram_role_arn"] = CredentialSandbox.RoleArn },
            new Dictionary<string, object> { ["name"] = "o'brien", ["mode"] = "AK", ["access_key_id"] = _box.KeyId, ["access_key_secret"] = _box.Secret });
        var session = InHomeWithAFile();

        Assert.Equal(["default|default (AK)", "ops|ops (RamRoleArn, cn-shanghai)", "'o''brien'|o'brien (AK)"], Complete(session, "Get-AliBackup x -Profile "));
        Assert.Equal(["ops|ops (RamRoleArn, cn-shanghai)"], Complete(session, "Connect-AliBackup -Profile op"));
        Assert.Equal(["'ops'|ops (RamRoleArn, cn-shanghai)"], Complete(session, "Start-AliBackup x -Profile 'op"));
        var all = string.Join(" ", Complete(session, "Wait-AliBackupTask x 1 -Profile "));
        Assert.DoesNotContain("ops-notes", all);
        Assert.DoesNotContain("secret", all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(_box.Secret, all);
    }

    [Fact]
    public void Profile_completes_nothing_without_a_CLI_config()
    {
        Assert.Empty(Complete(InHomeWithAFile(), "Get-AliBackup x -Profile op"));
    }

    /// <summary>A session whose current folder holds ops-notes.txt, which a file-name completer would offer for "op".</summary>
    private PowerShellSession InHomeWithAFile()
    {
        File.WriteAllText(Path.Combine(_box.Home, "ops-notes.txt"), "not a profile");
        var session = _box.NewSession();
        session.SetVariable("folder", _box.Home);
        session.Run("Set-Location -LiteralPath $folder");
        return session;
    }
}
