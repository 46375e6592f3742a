using AliBackup.Emulator;
using AliBackup.Emulator.State;
using AliBackup.PowerShell.Tests.Support;
using System.Management.Automation;

namespace AliBackup.PowerShell.Tests;

/// <summary>Redis, PolarDB and MongoDB through one pipeline, one object shape.</summary>
public sealed class ThreeProductTests : IAsyncLifetime
{
    private const string Ids = "'" + EmulatorServer.DemoRedisInstance + "', '" + EmulatorServer.DemoPolarDbCluster + "', '" + EmulatorServer.DemoMongoInstance + "'";
    private readonly EmulatorScope _scope = new() { Stage = TimeSpan.FromSeconds(30) };

    public Task InitializeAsync() => _scope.InitializeAsync();

    public Task DisposeAsync() => _scope.DisposeAsync();

    [Fact]
    public void One_pipeline_lists_tasks_of_all_three_products_in_one_shape()
    {
        var started = _scope.Session.Run(Ids + " | Start-AliBackup");
        Assert.Empty(started.Errors);
        var jobs = _scope.Emulator.State.Jobs;

        var result = _scope.Session.Run(Ids + " | Get-AliBackupTask");

        Assert.Empty(result.Errors);
        var tasks = result.OfTypeName("AliBackup.BackupTask");
        Assert.Equal(3, tasks.Count);
        Assert.Equal(["Redis", "PolarDB", "MongoDB"], tasks.Select(t => t.Text("Engine")));
        Assert.Equal([EmulatorServer.DemoRedisInstance, EmulatorServer.DemoPolarDbCluster, EmulatorServer.DemoMongoInstance], tasks.Select(t => t.Text("InstanceId")));
        Assert.Equal(jobs.Select(j => j.JobIds[0].ToString()), tasks.Select(t => t.Text("BackupJobId")));
        // Thirty-second stages: every task is still in its first stage, which each product names differently.
        Assert.All(tasks, t => Assert.Equal("NotStarted", t.Text("Status")));
        Assert.Equal(["NoStart", "NoStart", "Scheduled"], tasks.Select(t => t.Text("RawStatus")));
        Assert.Equal([0, 0, null], tasks.Select(t => t.Prop("Progress")));
    }

    [Fact]
    public void Engine_overrides_the_prefix_and_an_unknown_prefix_without_it_names_the_parameter()
    {
        _scope.Emulator.State.AddInstance(new EmulatedInstance { Id = "d-shardnode00001", Product = EmulatedProduct.MongoDB });

        var withEngine = _scope.Session.Run("Start-AliBackup d-shardnode00001 -Engine MongoDB | Get-AliBackupTask");
        Assert.Empty(withEngine.Errors);
        Assert.Equal("MongoDB", Assert.Single(withEngine.Output).Text("Engine"));

        var without = _scope.Session.Run("Get-AliBackupTask d-shardnode00001");
        var error = Assert.Single(without.Errors);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("-Engine", error.Exception.Message);
        Assert.Contains("dds-", error.Exception.Message);
        Assert.Contains("pc-", error.Exception.Message);
    }
}

/// <summary>Waiting works for every product, with fast stages.</summary>
public sealed class ThreeProductWaitTests : IAsyncLifetime
{
    private readonly EmulatorScope _scope = new();

    public Task InitializeAsync() => _scope.InitializeAsync();

    public Task DisposeAsync() => _scope.DisposeAsync();

    [Fact]
    public void Start_and_wait_on_all_three_writes_each_products_backup()
    {
        var result = _scope.Session.Run(
            "'" + EmulatorServer.DemoRedisInstance + "', '" + EmulatorServer.DemoPolarDbCluster + "', '" + EmulatorServer.DemoMongoInstance + "' | " +
            "Start-AliBackup | Wait-AliBackupTask -PollInterval 0.1 -Timeout 60");

        Assert.Empty(result.Errors);
        var backups = result.OfTypeName("AliBackup.Backup");
        Assert.Equal(["MongoDB", "PolarDB", "Redis"], backups.Select(b => b.Text("Engine")).Order());
        var made = _scope.Emulator.State.Jobs.SelectMany(j => j.Backups).Select(b => b.BackupId.ToString()).Order();
        Assert.Equal(made, backups.Select(b => b.Text("BackupId")).Order());
        Assert.All(backups, b => Assert.Equal("Success", b.Text("Status")));
        // PolarDB offers no download URL; the others do.
        Assert.Null(backups.Single(b => b.Text("Engine") == "PolarDB").Prop("DownloadUrl"));
        Assert.NotNull(backups.Single(b => b.Text("Engine") == "MongoDB").Prop("DownloadUrl"));
    }
}
