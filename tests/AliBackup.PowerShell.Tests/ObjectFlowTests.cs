using AliBackup.Emulator;
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
}
