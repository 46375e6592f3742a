using AliBackup.Emulator;
using AliBackup.Emulator.State;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>
/// Objects stay useful downstream: a Backup binds by property name into the task cmdlets, and a BackupTask that went
/// through PowerShell's serializer (a runbook that starts in one job and waits in another) still pipes into the wait.
/// </summary>
public sealed class ObjectFlowTests : IAsyncLifetime
{
    private const string Redis = EmulatorServer.DemoRedisInstance;
    private readonly EmulatorScope _scope = new();

    public Task InitializeAsync() => _scope.InitializeAsync();

    public Task DisposeAsync() => _scope.DisposeAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_deserialized_task_pipes_into_Wait_AliBackupTask(int depth)
    {
        var started = _scope.Session.Run(
            "$xml = [System.Management.Automation.PSSerializer]::Serialize((Start-AliBackup " + Redis + "), " + depth + "); $xml");
        var xml = Assert.Single(started.Output).ToString();
        Assert.Contains("<T>Deserialized.AliBackup.BackupTask</T>", System.Management.Automation.PSSerializer.Serialize(System.Management.Automation.PSSerializer.Deserialize(xml)));

        // A fresh runspace: nothing of the first survives but the serialized text.
        using var other = new PowerShellSession().UseEndpoint(_scope.Emulator.BaseUrl, _scope.AccessKeyId, _scope.AccessKeySecret);
        other.SetVariable("xml", xml);
        var result = other.Run(
            "$task = [System.Management.Automation.PSSerializer]::Deserialize($xml); $task.PSObject.TypeNames[0]; $task | Wait-AliBackupTask -Timeout 60 -PollInterval 0.1");

        Assert.Empty(result.Errors);
        Assert.Equal("Deserialized.AliBackup.BackupTask", result.Output[0].ToString());
        var backup = Assert.Single(result.Output.Skip(1));
        Assert.True(backup.IsA("AliBackup.Backup"));
        Assert.Equal(Assert.Single(Assert.Single(_scope.Emulator.State.Jobs).Backups).BackupId.ToString(), backup.Text("BackupId"));
    }

    [Fact]
    public void A_backup_binds_by_property_name_into_Get_AliBackupTask_and_Wait_AliBackupTask()
    {
        var result = _scope.Session.Run(
            "$backup = Start-AliBackup " + Redis + " | Wait-AliBackupTask -PollInterval 0.1; " +
            "$backup | Get-AliBackupTask; $backup | Wait-AliBackupTask -Timeout 30 -PollInterval 0.1");

        Assert.Empty(result.Errors);
        var job = Assert.Single(_scope.Emulator.State.Jobs);
        Assert.Equal(["AliBackup.BackupTask", "AliBackup.Backup"], result.Output.Select(o => o.TypeNames[0]));
        var task = result.Output[0];
        Assert.Equal(job.JobIds[0].ToString(), task.Text("BackupJobId"));
        Assert.Equal("Finished", task.Text("Status"));
        Assert.Equal(job.Backups.Single().BackupId.ToString(), result.Output[1].Text("BackupId"));
    }
    private static readonly string[] TaskProperties =
        ["Engine", "InstanceId", "BackupJobId", "Status", "RawStatus", "Progress", "JobMode", "TaskAction", "StartTime", "NodeId", "Region", "Endpoint", "IsTerminal"];

    /// <summary>
    /// A script that compares the task it started with the one it lists (or pipes either into the same code) must see
    /// one object: the same properties filled the same way, whichever cmdlet wrote it.
    /// </summary>
    [Theory]
    [InlineData("r-shape00000001", EmulatedProduct.Redis)]
    [InlineData("pc-shape0000001", EmulatedProduct.PolarDB)]
    [InlineData("dds-shape000001", EmulatedProduct.MongoDB)]
    public void The_task_Start_AliBackup_writes_is_the_task_Get_AliBackupTask_lists(string id, EmulatedProduct product)
    {
        _scope.Emulator.State.AddInstance(new EmulatedInstance { Id = id, Product = product, StageDuration = TimeSpan.FromMinutes(10) });

        var result = _scope.Session.Run("$started = Start-AliBackup " + id + "; $started; Get-AliBackupTask " + id + " -BackupJobId $started.BackupJobId");

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Output.Count);
        var (started, listed) = (result.Output[0], result.Output[1]);
        Assert.Equal(TaskProperties.Select(p => p + "=" + listed.Text(p)), TaskProperties.Select(p => p + "=" + started.Text(p)));
        Assert.NotNull(started.Text("RawStatus"));
    }

    [Fact]
    public void The_same_task_piped_twice_is_waited_on_once_and_writes_its_backup_once()
    {
        var result = _scope.Session.Run(
            "$task = Start-AliBackup " + Redis + "; $again = Get-AliBackupTask " + Redis + " -BackupJobId $task.BackupJobId; " +
            "$task, $task, $again | Wait-AliBackupTask -PollInterval 0.1 -Timeout 60");

        Assert.Empty(result.Errors);
        var backup = Assert.Single(result.OfTypeName("AliBackup.Backup"));
        Assert.Equal(Assert.Single(Assert.Single(_scope.Emulator.State.Jobs).Backups).BackupId.ToString(), backup.Text("BackupId"));
    }

    [Fact]
    public void Tasks_are_listed_newest_first_as_backups_are()
    {
        _scope.Emulator.State.AddInstance(new EmulatedInstance { Id = "r-order00000001", Product = EmulatedProduct.Redis, StageDuration = TimeSpan.FromMilliseconds(50) });

        // Start times have one-second resolution: the second backup starts in a later second than the first.
        var result = _scope.Session.Run(
            "Start-AliBackup r-order00000001 | Wait-AliBackupTask -PollInterval 0.1 | Out-Null; Start-Sleep -Milliseconds 1100; " +
            "Start-AliBackup r-order00000001 | Wait-AliBackupTask -PollInterval 0.1 | Out-Null; " +
            "Get-AliBackupTask r-order00000001; Get-AliBackup r-order00000001");

        Assert.Empty(result.Errors);
        var jobs = _scope.Emulator.State.Jobs.Where(j => j.Instance.Id == "r-order00000001").OrderByDescending(j => j.CreatedAt).Select(j => j.JobIds[0].ToString()).ToList();
        Assert.Equal(2, jobs.Count);
        Assert.Equal(jobs, result.OfTypeName("AliBackup.BackupTask").Select(t => t.Text("BackupJobId")));
        Assert.Equal(jobs, result.OfTypeName("AliBackup.Backup").Select(b => b.Text("BackupJobId")));
    }
}
