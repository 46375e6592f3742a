using AliBackup.Emulator;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>The product in one line: Start-AliBackup | Wait-AliBackupTask, in a real runspace, against the emulator.</summary>
public sealed class FlagshipPipelineTests : IAsyncLifetime
{
    private readonly EmulatorScope _scope = new();

    public Task InitializeAsync() => _scope.InitializeAsync();

    public Task DisposeAsync() => _scope.DisposeAsync();

    [Fact]
    public void Start_then_wait_writes_the_backup_the_emulator_made()
    {
        var result = _scope.Session.Run(
            "Start-AliBackup -InstanceId " + EmulatorServer.DemoRedisInstance + " | Wait-AliBackupTask -Timeout 600 -PollInterval 0.1 | " +
            "ForEach-Object { $_ }");

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var output = Assert.Single(result.Output);
        Assert.Equal("AliBackup.Backup", output.TypeNames[0]);
        Assert.Equal("AliBackup.Backup", output.BaseObject.GetType().FullName);
        var made = Assert.Single(Assert.Single(_scope.Emulator.State.Jobs).Backups);
        Assert.Equal(made.BackupId.ToString(), output.Text("BackupId"));
        Assert.Equal(made.SizeBytes, output.Prop("Size"));
        Assert.StartsWith(_scope.Emulator.BaseUrl + "/_emulator/download/" + EmulatorServer.DemoRedisInstance + "/" + made.BackupId + ".rdb?Expires=", output.Text("DownloadUrl"));
        Assert.Equal("Success", output.Text("Status"));
        Assert.Equal(EmulatorServer.DemoRedisInstance, output.Text("InstanceId"));
    }

    [Fact]
    public void The_flagship_properties_can_be_picked_downstream()
    {
        var result = _scope.Session.Run(
            "Start-AliBackup -InstanceId " + EmulatorServer.DemoRedisInstance + " | Wait-AliBackupTask -Timeout 600 -PollInterval 0.1 | " +
            "ForEach-Object { $_.BackupId, $_.Size, $_.DownloadUrl }");

        var made = Assert.Single(Assert.Single(_scope.Emulator.State.Jobs).Backups);
        var values = result.Output.Select(o => o.ToString()).ToList();
        Assert.Equal([made.BackupId.ToString(), made.SizeBytes.ToString()], values.Take(2));
        Assert.StartsWith(_scope.Emulator.BaseUrl + "/_emulator/download/" + EmulatorServer.DemoRedisInstance + "/" + made.BackupId + ".rdb?Expires=", Assert.Single(values.Skip(2)));
    }

    [Fact]
    public void WhatIf_sends_nothing()
    {
        var result = _scope.Session.Run("Start-AliBackup -InstanceId " + EmulatorServer.DemoRedisInstance + " -WhatIf");

        Assert.Empty(result.Output);
        Assert.Empty(result.Errors);
        Assert.Empty(_scope.Emulator.State.Requests);
        Assert.Empty(_scope.Emulator.State.Jobs);
        Assert.Contains("What if: Performing the operation \"Start a manual backup\" on target \"" + EmulatorServer.DemoRedisInstance, result.HostText);
    }

    [Fact]
    public void Confirm_declined_sends_nothing_and_accepted_starts_the_backup()
    {
        _scope.Session.Host.ChoiceAnswers.Enqueue(2); // "No"
        var declined = _scope.Session.Run("Start-AliBackup -InstanceId " + EmulatorServer.DemoRedisInstance + " -Confirm");
        Assert.Empty(declined.Output);
        Assert.Empty(_scope.Emulator.State.Jobs);

        _scope.Session.Host.ChoiceAnswers.Enqueue(0); // "Yes"
        var accepted = _scope.Session.Run("Start-AliBackup -InstanceId " + EmulatorServer.DemoRedisInstance + " -Confirm");
        var task = Assert.Single(accepted.Output);
        Assert.True(task.IsA("AliBackup.BackupTask"));
        Assert.Equal(Assert.Single(_scope.Emulator.State.Jobs).JobIds[0].ToString(), task.Text("BackupJobId"));
        Assert.Equal(2, _scope.Session.Host.Prompts.Count);
    }

    [Fact]
    public void The_waited_backup_renders_through_the_table_view()
    {
        var result = _scope.Session.Run(
            "Start-AliBackup -InstanceId " + EmulatorServer.DemoRedisInstance + " | Wait-AliBackupTask -Timeout 600 -PollInterval 0.1 | Out-Default");

        var made = Assert.Single(Assert.Single(_scope.Emulator.State.Jobs).Backups);
        var lines = result.HostText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("InstanceId: " + EmulatorServer.DemoRedisInstance, Assert.Single(lines, l => l.StartsWith("InstanceId")));
        var header = Assert.Single(lines, l => l.StartsWith("BackupId"));
        Assert.Matches(@"^BackupId\s+Status\s+Size\s+Ended \(UTC\)\s+DownloadUrl$", header);
        var row = Assert.Single(lines, l => l.Contains(made.BackupId.ToString()));
        Assert.Contains("Success", row);
        Assert.Contains("50 MB", row);
        Assert.Contains("/_emulator/download/", row);
        Assert.DoesNotContain("\u001b[", result.HostText);
    }

    [Fact]
    public void Get_AliBackupTask_lists_the_started_task_and_binds_instance_ids_from_the_pipeline()
    {
        var result = _scope.Session.Run(
            "$task = Start-AliBackup " + EmulatorServer.DemoRedisInstance + "; " +
            "'" + EmulatorServer.DemoRedisInstance + "' | Get-AliBackupTask -JobMode Manual; $task | Get-AliBackupTask");

        Assert.Empty(result.Errors);
        var tasks = result.OfTypeName("AliBackup.BackupTask");
        Assert.Equal(2, tasks.Count);
        Assert.Equal(_scope.Emulator.State.Jobs.Single().JobIds[0].ToString(), tasks.Select(t => t.Text("BackupJobId")).Distinct().Single());
        Assert.All(tasks, t => Assert.Equal("Manual", t.Text("JobMode")));
        Assert.All(tasks, t => Assert.Equal("TempBackupTask", t.Text("TaskAction")));
    }

    [Fact]
    public void Get_AliBackup_asks_for_at_most_one_page_ahead_of_the_one_it_is_writing()
    {
        // 250 backups: three pages of 100.
        _scope.Emulator.State.AddInstance(new AliBackup.Emulator.State.EmulatedInstance { Id = "r-pagedinstance01", Product = AliBackup.Emulator.State.EmulatedProduct.Redis }, historicalBackups: 250);
        _scope.Session.SetVariable("emulatorState", _scope.Emulator.State);

        var result = _scope.Session.Run(
            "Get-AliBackup r-pagedinstance01 -StartTime ([datetime]::UtcNow.AddDays(-300)) | " +
            "ForEach-Object { @($emulatorState.Requests | Where-Object Action -eq 'DescribeBackups').Count }");

        Assert.Empty(result.Errors);
        var callsSeenByEachObject = result.Output.Select(o => (int)o.BaseObject).ToList();
        Assert.Equal(250, callsSeenByEachObject.Count);
        // While page n is written, page n + 1 may be on its way; page n + 2 never is.
        Assert.All(callsSeenByEachObject.Take(100), calls => Assert.InRange(calls, 1, 2));
        Assert.All(callsSeenByEachObject.Skip(100).Take(100), calls => Assert.InRange(calls, 2, 3));
        Assert.All(callsSeenByEachObject.Skip(200), calls => Assert.Equal(3, calls));
    }
}
