using System.Net.Http.Json;
using AliBackup.Emulator.State;
using AliBackup.Service.Engines;
using AliBackup.Service.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AliBackup.Service.Tests;

/// <summary>
/// The emulator's DescribeBackups over a large history, as benchmarks use it: seeded at an interval (not one a day), paged
/// newest first through an index instead of a re-sort per page, with finished jobs joining in time order.
/// </summary>
public class EmulatorPagingTests
{
    [Fact]
    public async Task A_history_seeded_at_an_interval_pages_newest_first_without_gaps_or_repeats()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false);
        using var http = new HttpClient { BaseAddress = new Uri(emu.Server.BaseUrl) };
        var added = await http.PostAsJsonAsync("/_emulator/instances", new { id = "r-interval0000001", product = "Redis", historicalBackups = 2_500, historyIntervalSeconds = 60 });
        added.EnsureSuccessStatusCode();

        var service = emu.Service(time: clock);
        var all = await service.GetAllBackupsAsync(emu.Target, new BackupQuery("r-interval0000001", clock.GetUtcNow().AddDays(-3), clock.GetUtcNow()), null, CancellationToken.None);

        Assert.Equal(2_500, all.Count);
        Assert.Equal(2_500, all.Select(b => b.BackupId).Distinct().Count());
        Assert.Equal(clock.GetUtcNow().AddMinutes(-1), all[0].StartTime);
        Assert.Equal(clock.GetUtcNow().AddMinutes(-2_500), all[^1].StartTime);
        Assert.All(all.Zip(all.Skip(1)), pair => Assert.Equal(TimeSpan.FromMinutes(1), pair.First.StartTime - pair.Second.StartTime));
    }

    [Fact]
    public async Task A_window_keeps_both_of_its_bounds_and_counts_only_what_it_holds()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-window000000001", Product = EmulatedProduct.Redis }, historicalBackups: 600, historyInterval: TimeSpan.FromMinutes(1));
        var service = emu.Service(time: clock);

        // Minutes -300 .. -100, both ends included: 201 backups, listed over three pages of 100.
        var now = clock.GetUtcNow();
        var window = new BackupQuery("r-window000000001", now.AddMinutes(-300), now.AddMinutes(-100));
        var pages = new List<IReadOnlyList<Backup>>();
        await foreach (var page in service.GetBackupPagesAsync(emu.Target, window, null, CancellationToken.None)) pages.Add(page);

        Assert.Equal(new[] { 100, 100, 1 }, pages.Select(p => p.Count));
        Assert.Equal(now.AddMinutes(-100), pages[0][0].StartTime);
        Assert.Equal(now.AddMinutes(-300), pages[2][0].StartTime);
    }

    [Fact]
    public async Task Shards_of_one_job_keep_their_order_and_a_finished_job_joins_at_its_time()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var emu = await EmulatorHarness.StartAsync(clock, stage: TimeSpan.FromSeconds(1), seed: false);
        var cluster = emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-shards000000001", Product = EmulatedProduct.Redis, Shards = 3, PerShardJobs = true }, historicalBackups: 2);
        var service = emu.Service(time: clock);
        var query = new BackupQuery("r-shards000000001", clock.GetUtcNow().AddDays(-3), clock.GetUtcNow().AddHours(1));

        var job = emu.Server.State.CreateJob(cluster);
        var before = await service.GetAllBackupsAsync(emu.Target, query, null, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(10));
        var after = await service.GetAllBackupsAsync(emu.Target, query, null, CancellationToken.None);

        Assert.Equal(6, before.Count);
        Assert.Equal(new[] { "r-shards000000001-db-0", "r-shards000000001-db-1", "r-shards000000001-db-2" }, before.Take(3).Select(b => b.NodeInstanceId));
        Assert.Equal(9, after.Count);
        Assert.Equal(job.JobIds.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)), after.Take(3).Select(b => b.BackupJobId));
        Assert.Equal(before, after.Skip(3), new BackupIdComparer());
    }

    private sealed class BackupIdComparer : IEqualityComparer<Backup>
    {
        public bool Equals(Backup? x, Backup? y) => x?.BackupId == y?.BackupId;

        public int GetHashCode(Backup obj) => obj.BackupId.GetHashCode();
    }
}
