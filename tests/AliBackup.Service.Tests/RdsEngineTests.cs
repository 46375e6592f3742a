using AliBackup.Emulator.State;
using AliBackup.Service.Endpoints;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Tests.Support;
using AliBackup.Service.Waiting;

namespace AliBackup.Service.Tests;

/// <summary>ApsaraDB RDS behind the shared engine interface: prefixes, endpoints, the busy error, Failed tasks and the task-to-backup link.</summary>
public class RdsEngineTests
{
    private static readonly OpenApiClientOptions WaiterClient = new() { RetryThrottling = false };

    [Theory]
    [InlineData("rm-bp1xxxxxxxxxx")]
    [InlineData("pgm-bp1xxxxxxxxx")]
    [InlineData("rr-uf6wjk5xxxxxx")]
    [InlineData("pgr-bp17yuz4dn3d")]
    public void RDS_instance_IDs_pick_the_RDS_engine(string id) => Assert.Equal(BackupEngine.RDS, EngineCatalog.Resolve(id, null).Engine);

    [Fact]
    public void An_unknown_prefix_names_the_RDS_prefixes_and_Engine_RDS()
    {
        var error = Assert.Throws<AliBackupConfigurationException>(() => EngineCatalog.Resolve("mysql-1", null));
        Assert.Contains("rm-… (RDS)", error.Message);
        Assert.Contains("pgm-… (RDS)", error.Message);
        Assert.Contains("Redis|PolarDB|MongoDB|RDS", error.Message);
        Assert.Equal(BackupEngine.RDS, EngineCatalog.Resolve("mysql-1", BackupEngine.RDS).Engine);
    }

    [Theory]
    [InlineData("cn-hangzhou", "rds.aliyuncs.com")]
    [InlineData("cn-hongkong", "rds.aliyuncs.com")]
    [InlineData("cn-shanghai-finance-1", "rds.aliyuncs.com")]
    [InlineData("cn-shenzhen-finance-1", "rds.cn-shenzhen-finance-1.aliyuncs.com")]
    [InlineData("ap-southeast-1", "rds.ap-southeast-1.aliyuncs.com")]
    [InlineData("eu-central-1", "rds.eu-central-1.aliyuncs.com")]
    [InlineData("cn-wulanchabu", "rds.cn-wulanchabu.aliyuncs.com")]
    [InlineData("ap-south-1", "rds.ap-south-1.aliyuncs.com")]
    public void RDS_hosts_follow_the_endpoint_table(string region, string host) =>
        Assert.Equal(new Uri("https://" + host + "/"), EndpointResolver.Resolve(RdsBackupEngine.ApiProduct, region, null));

    [Fact]
    public async Task A_second_manual_backup_is_BackupJobExists_which_counts_as_busy_and_Start_attaches()
    {
        await using var emu = await EmulatorHarness.StartAsync(stage: TimeSpan.FromMinutes(5), seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "rm-busy00000001", Product = EmulatedProduct.RDS });
        var service = emu.Service();
        var first = await service.StartBackupAsync(emu.Target, "rm-busy00000001", null, CancellationToken.None);

        var busy = await Assert.ThrowsAsync<AliBackupApiException>(() => service.StartBackupAsync(emu.Target, "rm-busy00000001", null, CancellationToken.None));
        Assert.Equal(("BackupJobExists", 400), (busy.Code, busy.HttpStatus));
        Assert.True(busy.IsBackupRunning);
        Assert.NotNull(busy.RequestId);

        var (task, attached) = await service.StartOrAttachAsync(emu.Target, "rm-busy00000001", null, RunningBackupAction.Attach, CancellationToken.None);
        Assert.True(attached);
        Assert.Equal(first.BackupJobId, task.BackupJobId);
    }

    [Fact]
    public async Task A_finished_task_queried_by_job_ID_names_its_backup_and_the_wait_writes_exactly_that_one()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, stage: TimeSpan.FromSeconds(10), seed: false);
        var instance = emu.Server.State.AddInstance(new EmulatedInstance { Id = "rm-link00000001", Product = EmulatedProduct.RDS }, historicalBackups: 3);
        var service = emu.Service(clock, client: WaiterClient);
        // A manual backup that finished a minute before ours started: the closest-after-start guess picks it; the link cannot.
        var other = emu.Server.State.CreateJob(instance, "Manual");
        clock.Advance(TimeSpan.FromSeconds(110));
        var started = await service.StartBackupAsync(emu.Target, instance.Id, null, CancellationToken.None);

        var events = await clock.RunUntilDoneAsync(Collect(new BackupWaiter(service, new Random(3)).WaitAsync([started], new WaitOptions { PollInterval = TimeSpan.FromSeconds(5) }, CancellationToken.None)));

        var completed = Assert.Single(events, e => e.Kind == WaitEventKind.Completed);
        var backup = Assert.Single(completed.Backups);
        var job = emu.Server.State.Jobs.Single(j => j.JobIds[0].ToString() == started.BackupJobId);
        Assert.Equal(job.Backups[0].BackupId.ToString(), backup.BackupId);
        Assert.NotEqual(other.Backups[0].BackupId.ToString(), backup.BackupId);
        Assert.Equal(started.BackupJobId, backup.BackupJobId);
        Assert.Equal(BackupEngine.RDS, backup.Engine);
        Assert.StartsWith(emu.Server.BaseUrl + "/_emulator/download/rm-link00000001/", backup.DownloadUrl);
        Assert.Contains(emu.Server.State.Requests, r => r.Action == "DescribeBackupTasks" && r.Parameters.GetValueOrDefault("BackupJobId") == started.BackupJobId);
    }

    [Fact]
    public async Task Backups_asked_for_by_job_ID_are_the_set_the_finished_task_names_and_none_while_it_runs()
    {
        // RDS DescribeBackups neither takes nor lists a BackupJobId: the lookup goes through the job's task.
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, stage: TimeSpan.FromSeconds(10), seed: false);
        var instance = emu.Server.State.AddInstance(new EmulatedInstance { Id = "rm-byjob00000001", Product = EmulatedProduct.RDS }, historicalBackups: 3);
        var service = emu.Service(clock);
        var started = await service.StartBackupAsync(emu.Target, instance.Id, null, CancellationToken.None);
        var byJob = BackupQuery.For(instance.Id, null, null, null, started.BackupJobId, clock.GetUtcNow());

        var running = await Assert.ThrowsAsync<BackupNotFoundException>(() => service.GetAllBackupsAsync(emu.Target, byJob, null, CancellationToken.None));
        Assert.Contains("has job " + started.BackupJobId, running.Message);

        clock.Advance(TimeSpan.FromMinutes(5));
        var backup = Assert.Single(await service.GetAllBackupsAsync(emu.Target, byJob, null, CancellationToken.None));
        var job = emu.Server.State.Jobs.Single(j => j.JobIds[0].ToString() == started.BackupJobId);
        Assert.Equal((job.Backups[0].BackupId.ToString(), started.BackupJobId), (backup.BackupId, backup.BackupJobId));
        Assert.Contains(emu.Server.State.Requests, r => r.Action == "DescribeBackups" && r.Parameters.GetValueOrDefault("BackupId") == backup.BackupId);

        // The waiter's look for a job no task list showed finds it the same way, without a task start or BackupId to go on.
        var unlisted = new BackupTask { Engine = BackupEngine.RDS, InstanceId = instance.Id, BackupJobId = started.BackupJobId };
        var found = Assert.Single(await service.FindJobBackupsAsync(emu.Target, unlisted, started.BackupJobId, null, CancellationToken.None));
        Assert.Equal(backup.BackupId, found.BackupId);
    }

    [Fact]
    public async Task A_task_RDS_reports_Failed_ends_the_wait_with_BackupFailed_long_before_the_timeout()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, stage: TimeSpan.FromSeconds(10), seed: false);
        var instance = emu.Server.State.AddInstance(new EmulatedInstance { Id = "rm-fail00000001", Product = EmulatedProduct.RDS, FailNextBackup = true });
        var service = emu.Service(clock, client: WaiterClient);
        var started = await service.StartBackupAsync(emu.Target, instance.Id, null, CancellationToken.None);
        var begun = clock.GetUtcNow();

        var events = await clock.RunUntilDoneAsync(Collect(new BackupWaiter(service, new Random(3)).WaitAsync([started],
            new WaitOptions { Timeout = TimeSpan.FromHours(1), PollInterval = TimeSpan.FromSeconds(5) }, CancellationToken.None)));

        var failed = Assert.Single(events, e => e.Kind == WaitEventKind.BackupFailed);
        Assert.IsType<BackupFailedException>(failed.Error);
        Assert.Equal(BackupTaskStatus.Failed, failed.Task.Status);
        Assert.True(clock.GetUtcNow() - begun < TimeSpan.FromMinutes(3));
        Assert.DoesNotContain(events, e => e.Kind == WaitEventKind.TimedOut);
    }

    [Fact]
    public async Task Tasks_map_BackupStatus_and_BackupProgressStatus_and_backups_read_IsAvail()
    {
        await using var emu = await EmulatorHarness.StartAsync(stage: TimeSpan.FromMinutes(5), seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "rm-shape00000001", Product = EmulatedProduct.RDS, BackupSizeBytes = 2_167_808 }, historicalBackups: 2);
        var service = emu.Service();
        var started = await service.StartBackupAsync(emu.Target, "rm-shape00000001", null, CancellationToken.None);

        var task = Assert.Single(await service.GetTasksAsync(emu.Target, new TaskQuery("rm-shape00000001", jobMode: BackupJobMode.Manual), null, CancellationToken.None));
        Assert.Equal((started.BackupJobId, BackupTaskStatus.NotStarted, "NoStart", 0, "TempBackupTask"), (task.BackupJobId, task.Status, task.RawStatus, task.Progress, task.TaskAction));
        Assert.Null(task.BackupId);

        var now = DateTimeOffset.UtcNow;
        var backups = await service.GetAllBackupsAsync(emu.Target, new BackupQuery("rm-shape00000001", now.AddDays(-3), now), null, CancellationToken.None);
        Assert.Equal(2, backups.Count);
        Assert.All(backups, b =>
        {
            Assert.Equal(BackupStatus.Success, b.Status);
            Assert.True(b.Size > 2_000_000);
            Assert.Contains("Expires=", b.DownloadUrl);
            Assert.NotNull(b.IntranetDownloadUrl);
        });
    }

    private static async Task<List<WaitEvent>> Collect(IAsyncEnumerable<WaitEvent> events)
    {
        var list = new List<WaitEvent>();
        await foreach (var e in events) list.Add(e);
        return list;
    }
}
