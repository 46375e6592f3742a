using AliBackup.Emulator;
using AliBackup.Emulator.State;
using AliBackup.Service.Engines;
using AliBackup.Service.Tests.Support;
using AliBackup.Service.Waiting;

namespace AliBackup.Service.Tests;

/// <summary>PolarDB and MongoDB behind the same engine seam: their wire shapes in, the one object shape out.</summary>
public class ProductEngineTests
{
    [Theory]
    [InlineData("wire/redis-DescribeBackupTasks.json", "r-bp1zxszhcgatnx****", BackupEngine.Redis, "8491111", BackupTaskStatus.Unknown, "Automated", 0)]
    [InlineData("wire/polardb-DescribeBackupTasks.json", "pc-2ze0000000000001", BackupEngine.PolarDB, "11111111", BackupTaskStatus.NotStarted, "NoStart", 0)]
    [InlineData("wire/dds-DescribeBackupTasks.json", "dds-2zeb2d64cb46xxxx", BackupEngine.MongoDB, "170034", BackupTaskStatus.NotStarted, "Scheduled", 18)]
    public async Task Each_seed_sample_served_verbatim_parses_into_a_task(string fixture, string instanceId, BackupEngine engine, string jobId, BackupTaskStatus status, string raw, int progress)
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        var product = engine switch { BackupEngine.PolarDB => EmulatedProduct.PolarDB, BackupEngine.MongoDB => EmulatedProduct.MongoDB, _ => EmulatedProduct.Redis };
        emu.Server.State.AddInstance(new EmulatedInstance { Id = instanceId, Product = product });
        emu.Server.State.AddCannedAnswer(new CannedAnswer { Action = "DescribeBackupTasks", Body = Fixtures.Text(fixture) });

        var task = Assert.Single(await emu.Service().GetTasksAsync(emu.Target, new TaskQuery(instanceId), null, CancellationToken.None));

        Assert.Equal(engine, task.Engine);
        Assert.Equal(jobId, task.BackupJobId);
        Assert.Equal(status, task.Status);
        Assert.Equal(raw, task.RawStatus);
        Assert.Equal(progress, task.Progress);
        Assert.NotNull(task.StartTime);
        Assert.Equal(TimeSpan.Zero, task.StartTime!.Value.Offset);
    }

    [Fact]
    public async Task PolarDB_requests_name_the_cluster_and_BackupMode_and_read_string_fields()
    {
        var tasks = new RecordingHandler("""{"RequestId":"R","Items":{"BackupJob":[{"BackupJobId":"42","BackupProgressStatus":"Uploading","JobMode":"Manual","Process":"40","StartTime":"2024-01-01T00:00:00Z","TaskAction":"TempBackupTask"}]}}""");
        var task = Assert.Single(await WireShapeTests.Service(tasks).GetTasksAsync(new ApiTarget("cn-shenzhen", null), new TaskQuery("pc-x", "42", BackupJobMode.Manual), null, CancellationToken.None));
        Assert.Equal("https://polardb.cn-shenzhen.aliyuncs.com/?BackupJobId=42&BackupMode=Manual&DBClusterId=pc-x", tasks.Requests.Single().Uri);
        Assert.Equal("2017-08-01", tasks.Requests.Single().Headers["x-acs-version"]);
        Assert.Equal((BackupTaskStatus.Running, 40), (task.Status, task.Progress));

        var backups = new RecordingHandler("""{"RequestId":"R","TotalRecordCount":"1","PageRecordCount":"1","PageNumber":"1","Items":{"Backup":[{"BackupId":"61","DBClusterId":"pc-x","BackupStatus":"Success","BackupStartTime":"2020-11-15T07:30:05Z","BackupEndTime":"2020-11-15T07:30:20Z","BackupSetSize":"4639948800","BackupType":"FullBackup","BackupMethod":"Snapshot","BackupMode":"Automated","IsAvail":"1"}]}}""");
        var backup = Assert.Single(await WireShapeTests.Service(backups).GetAllBackupsAsync(new ApiTarget("cn-hangzhou", null),
            new BackupQuery("pc-x", new DateTimeOffset(2020, 11, 15, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2020, 11, 16, 0, 0, 0, TimeSpan.Zero)), null, CancellationToken.None));
        Assert.Equal("https://polardb.aliyuncs.com/?DBClusterId=pc-x&EndTime=2020-11-16T00%3A00Z&PageNumber=1&PageSize=100&StartTime=2020-11-15T00%3A00Z", backups.Requests.Single().Uri);
        Assert.Equal(4639948800, backup.Size);
        Assert.Equal(BackupEngine.PolarDB, backup.Engine);
        Assert.Null(backup.DownloadUrl);
        Assert.Null(backup.BackupJobId);
    }

    [Fact]
    public async Task PolarDB_CreateBackup_sends_a_ClientToken_so_it_is_safe_to_retry()
    {
        var handler = new RecordingHandler("""{"RequestId":"R","BackupJobId":"11111111"}""");
        var task = await WireShapeTests.Service(handler).StartBackupAsync(new ApiTarget("cn-hangzhou", null), "pc-x", null, CancellationToken.None);
        Assert.Equal("11111111", task.BackupJobId);
        Assert.Matches(@"^https://polardb\.aliyuncs\.com/\?ClientToken=alibackup-[0-9a-f]{32}&DBClusterId=pc-x$", handler.Requests.Single().Uri);
    }

    [Fact]
    public async Task MongoDB_uses_the_mongodb_host_DBInstanceId_and_reads_its_own_keys()
    {
        var tasks = new RecordingHandler("""{"RequestId":"R","BackupJobs":[{"BackupjobId":"7","BackupSetStatus":"Backuping","BackupStartTime":"2024-01-16T11:04:56Z","Progress":"18%","JobMode":"Manual"},{"BackupjobId":8,"BackupSetStatus":"Checking","JobMode":"Automated"}]}""");
        var listed = await WireShapeTests.Service(tasks).GetTasksAsync(new ApiTarget("cn-hangzhou", null), new TaskQuery("dds-x", null, BackupJobMode.Manual), null, CancellationToken.None);
        Assert.Equal("https://mongodb.aliyuncs.com/?DBInstanceId=dds-x", tasks.Requests.Single().Uri);
        var task = Assert.Single(listed); // the mode filter is applied here: the API has none
        Assert.Equal(("7", BackupTaskStatus.Running, 18), (task.BackupJobId, task.Status, task.Progress));

        var created = new RecordingHandler("""{"RequestId":"R","BackupId":"5664","BackupJobId":"775051"}""");
        var started = await WireShapeTests.Service(created).StartBackupAsync(new ApiTarget("ap-northeast-2", null), "dds-x", null, CancellationToken.None);
        Assert.Equal("https://mongodb.ap-northeast-2.aliyuncs.com/?DBInstanceId=dds-x", created.Requests.Single().Uri);
        Assert.Equal("775051", started.BackupJobId);

        var legacy = new RecordingHandler("""{"RequestId":"R","BackupId":"5664"}""");
        Assert.Equal("5664", (await WireShapeTests.Service(legacy).StartBackupAsync(new ApiTarget("cn-hangzhou", null), "dds-x", null, CancellationToken.None)).BackupJobId);
    }

    [Fact]
    public void MongoDB_statuses_map_to_the_shared_vocabulary()
    {
        Assert.Equal(BackupTaskStatus.NotStarted, MongoDbBackupEngine.FromBackupSetStatus("Scheduled"));
        Assert.Equal(BackupTaskStatus.Preparing, MongoDbBackupEngine.FromBackupSetStatus("Checking"));
        Assert.Equal(BackupTaskStatus.Running, MongoDbBackupEngine.FromBackupSetStatus("Backuping"));
        Assert.Equal(BackupTaskStatus.Finished, MongoDbBackupEngine.FromBackupSetStatus("Finished"));
        Assert.Equal(BackupTaskStatus.Unknown, MongoDbBackupEngine.FromBackupSetStatus("Exploded"));
    }

    [Fact]
    public void A_PolarDB_task_matches_the_backup_with_its_ID_or_else_the_next_manual_backup()
    {
        var engine = new PolarDbBackupEngine();
        var start = new DateTimeOffset(2024, 1, 1, 10, 0, 0, TimeSpan.Zero);
        var task = new BackupTask { InstanceId = "pc-x", BackupJobId = "900", StartTime = start };
        Backup B(string id, string mode, int minutes) => new() { BackupId = id, Mode = mode, StartTime = start.AddMinutes(minutes) };

        Assert.Equal("900", Assert.Single(engine.MatchBackups(task, "900", [B("899", "Manual", 1), B("900", "Manual", 3)])).BackupId);
        Assert.Equal("12", Assert.Single(engine.MatchBackups(task, "900", [B("10", "Manual", -30), B("11", "Automated", 1), B("13", "Manual", 9), B("12", "Manual", 2)])).BackupId);
        Assert.Empty(engine.MatchBackups(task, "900", [B("10", "Manual", -30)]));
    }

    [Theory]
    [InlineData(EmulatorServer.DemoPolarDbCluster, BackupEngine.PolarDB)]
    [InlineData(EmulatorServer.DemoMongoInstance, BackupEngine.MongoDB)]
    [InlineData(EmulatorServer.DemoRedisCluster, BackupEngine.Redis)]
    public async Task Waiting_resolves_each_product_to_its_backups(string instanceId, BackupEngine engine)
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, stage: TimeSpan.FromSeconds(45));
        var service = emu.Service(clock);
        var task = await service.StartBackupAsync(emu.Target, instanceId, null, CancellationToken.None);

        var events = await clock.RunUntilDoneAsync(PagingAndWaitTests.Collect(new BackupWaiter(service).WaitAsync([task], new WaitOptions(), CancellationToken.None)));

        var done = Assert.Single(events, e => e.Kind == WaitEventKind.Completed);
        var expected = emu.Server.State.Jobs.Single().Backups.Select(b => b.BackupId.ToString()).Order();
        Assert.Equal(expected, done.Backups.Select(b => b.BackupId).Order());
        Assert.All(done.Backups, b => Assert.Equal(engine, b.Engine));
        Assert.Equal(BackupTaskStatus.Finished, done.Task.Status);
        Assert.DoesNotContain(events, e => e.Kind == WaitEventKind.Error);
    }

    [Fact]
    public async Task A_MongoDB_task_that_drops_out_of_the_list_is_resolved_not_reported_missing()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, stage: TimeSpan.FromSeconds(45));
        var service = emu.Service(clock);
        var task = await service.StartBackupAsync(emu.Target, EmulatorServer.DemoMongoInstance, null, CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(1)); // finished long ago: MongoDB no longer lists it

        Assert.Empty(await service.GetTasksAsync(emu.Target, new TaskQuery(EmulatorServer.DemoMongoInstance, task.BackupJobId), null, CancellationToken.None));
        var events = await clock.RunUntilDoneAsync(PagingAndWaitTests.Collect(new BackupWaiter(service).WaitAsync([task], new WaitOptions(), CancellationToken.None)));

        var done = Assert.Single(events);
        Assert.Equal(WaitEventKind.Completed, done.Kind);
        Assert.Equal(emu.Server.State.Jobs.Single().Backups.Single().BackupId.ToString(), Assert.Single(done.Backups).BackupId);
    }

    [Theory]
    [InlineData("pc-nosuchcluster1", "InvalidDBClusterId.NotFound", 400)]
    [InlineData("dds-nosuchinstance", "InvalidDBInstanceId.NotFound", 404)]
    public async Task Each_product_reports_its_own_not_found_code(string instanceId, string code, int status)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var error = await Assert.ThrowsAsync<AliBackupApiException>(() => emu.Service().GetTasksAsync(emu.Target, new TaskQuery(instanceId), null, CancellationToken.None));
        Assert.Equal((code, status), (error.Code, error.HttpStatus));
        Assert.True(error.IsNotFound);
    }
}
