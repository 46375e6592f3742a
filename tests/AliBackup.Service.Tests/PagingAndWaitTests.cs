using AliBackup.Emulator;
using AliBackup.Emulator.State;
using AliBackup.Service.Engines;
using AliBackup.Service.Tests.Support;
using AliBackup.Service.Waiting;

namespace AliBackup.Service.Tests;

public class PagingAndWaitTests
{
    [Fact]
    public async Task Backup_pages_are_fetched_only_as_they_are_consumed()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-manybackups0001", Product = EmulatedProduct.Redis }, historicalBackups: 250);
        var service = emu.Service();
        var query = new BackupQuery("r-manybackups0001", DateTimeOffset.UtcNow.AddDays(-300), DateTimeOffset.UtcNow);

        await using (var pages = service.GetBackupPagesAsync(emu.Target, query, null, CancellationToken.None).GetAsyncEnumerator())
        {
            Assert.True(await pages.MoveNextAsync());
            Assert.Equal(100, pages.Current.Count);
            Assert.Single(emu.Server.State.Requests);
        }

        emu.Server.State.ClearRequests();
        var all = await service.GetAllBackupsAsync(emu.Target, query, null, CancellationToken.None);
        Assert.Equal(250, all.Count);
        Assert.Equal(250, all.Select(b => b.BackupId).Distinct().Count());
        Assert.Equal(["1", "2", "3"], emu.Server.State.Requests.Select(r => r.Parameters["PageNumber"]));
    }

    [Fact]
    public async Task Waiting_on_a_started_backup_yields_the_backup_the_emulator_made()
    {
        var clock = new SteppingClock();
        // Stages longer than the longest poll gap, so every stage is seen at least once.
        await using var emu = await EmulatorHarness.StartAsync(clock, stage: TimeSpan.FromSeconds(45));
        var service = emu.Service(clock);
        var task = await service.StartBackupAsync(emu.Target, EmulatorServer.DemoRedisInstance, null, CancellationToken.None);

        var events = await clock.RunUntilDoneAsync(Collect(new BackupWaiter(service).WaitAsync([task], new WaitOptions { Timeout = TimeSpan.FromHours(1) }, CancellationToken.None)));

        var done = Assert.Single(events, e => e.Kind == WaitEventKind.Completed);
        var expected = emu.Server.State.Jobs.Single().Backups.Single();
        var backup = Assert.Single(done.Backups);
        Assert.Equal(expected.BackupId.ToString(), backup.BackupId);
        Assert.Equal(expected.SizeBytes, backup.Size);
        Assert.Equal(BackupStatus.Success, backup.Status);
        Assert.NotNull(backup.DownloadUrl);
        Assert.Equal(BackupTaskStatus.Finished, done.Task.Status);
        Assert.True(events.Any(e => e.Kind == WaitEventKind.TaskUpdated && e.Task.Status == BackupTaskStatus.Running), string.Join(" | ", events.Select(e => e.Kind + ":" + e.Task.Status + ":" + e.Task.RawStatus + "@" + e.Waited)));
    }

    [Fact]
    public async Task At_the_deadline_an_unfinished_task_times_out_with_a_command_to_wait_again()
    {
        var clock = new SteppingClock();
        await using var emu = await EmulatorHarness.StartAsync(clock, stage: TimeSpan.FromHours(1));
        var service = emu.Service(clock);
        var task = await service.StartBackupAsync(emu.Target, EmulatorServer.DemoRedisInstance, null, CancellationToken.None);
        var started = clock.GetUtcNow();

        var events = await clock.RunUntilDoneAsync(Collect(new BackupWaiter(service).WaitAsync([task], new WaitOptions { Timeout = TimeSpan.FromMinutes(10) }, CancellationToken.None)));

        var timedOut = Assert.Single(events, e => e.Kind == WaitEventKind.TimedOut);
        var error = Assert.IsType<WaitTimeoutException>(timedOut.Error);
        Assert.Equal(TimeSpan.FromMinutes(10), clock.GetUtcNow() - started);
        Assert.Contains("Timed out after 10m00s", error.Message);
        Assert.Contains("Wait-AliBackupTask -InstanceId " + EmulatorServer.DemoRedisInstance + " -BackupJobId '" + task.BackupJobId + "'", error.Message);
        Assert.Equal(BackupTaskStatus.NotStarted, error.Task.Status);
    }

    internal static async Task<List<WaitEvent>> Collect(IAsyncEnumerable<WaitEvent> events)
    {
        var list = new List<WaitEvent>();
        await foreach (var e in events) list.Add(e);
        return list;
    }
}
