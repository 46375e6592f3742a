using AliBackup.Emulator.Downloads;
using AliBackup.Emulator.State;
using AliBackup.Service.Downloads;
using AliBackup.Service.Engines;
using AliBackup.Service.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AliBackup.Service.Tests;

/// <summary>
/// Save-AliBackup's service half against the emulator's backup files: resume with Range, never a partial file taken for
/// a whole one, expired URLs replaced through DescribeBackups, per-item refusals, shards and names.
/// </summary>
public sealed class DownloadTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "alibackup-download-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static async Task<Backup> LatestBackupAsync(BackupService service, EmulatorHarness emu, string instanceId)
    {
        var now = service.Time.GetUtcNow();
        var all = await service.GetAllBackupsAsync(emu.Target, new BackupQuery(instanceId, now.AddDays(-8), now.AddMinutes(5)), null, CancellationToken.None);
        return all.OrderByDescending(b => b.StartTime).First();
    }

    private static void AssertIsTheBackupsFile(string path, Backup backup)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(backup.Size, bytes.LongLength);
        var id = long.Parse(backup.BackupId);
        for (long i = 0; i < bytes.LongLength; i += 997)
            Assert.True(bytes[i] == BackupFileServer.ContentByte(id, i), "byte " + i + " differs: the resumed file is not the backup's");
        Assert.Equal(BackupFileServer.ContentByte(id, bytes.LongLength - 1), bytes[^1]);
    }

    [Fact]
    public async Task A_download_cut_off_half_way_resumes_with_a_Range_request_and_ends_with_the_right_size()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-resume00000001", Product = EmulatedProduct.Redis, BackupSizeBytes = 3_000_000 }, historicalBackups: 1);
        var service = emu.Service();
        var backup = await LatestBackupAsync(service, emu, "r-resume00000001");
        emu.Server.State.Downloads.AddCut(new DownloadCut { BackupId = backup.BackupId, AfterFraction = 0.5 });

        using var downloader = new BackupDownloader(service, new DownloadOptions { Directory = _folder });
        var result = await downloader.DownloadAsync(backup, null, CancellationToken.None);

        Assert.Equal(1, result.Resumes);
        AssertIsTheBackupsFile(result.Path, backup);
        Assert.False(File.Exists(result.Path + BackupDownloader.PartialSuffix));
        var log = emu.Server.State.Downloads.Log;
        Assert.Equal(2, log.Count);
        Assert.True(log[0].Cut);
        Assert.Null(log[0].Range);
        // The server cannot know how much of what it wrote arrived; the resumed range says what the client kept.
        var resumedFrom = RangeStart(log[1].Range);
        Assert.InRange(resumedFrom, 1, log[0].BytesSent);
        Assert.Equal(206, log[1].HttpStatus);
        Assert.Equal(backup.Size - resumedFrom, log[1].BytesSent);
    }

    private static long RangeStart(string? range)
    {
        Assert.NotNull(range);
        Assert.Matches(@"^bytes=\d+-$", range);
        return long.Parse(range!["bytes=".Length..^1]);
    }

    [Fact]
    public async Task A_partial_file_from_an_earlier_run_is_continued_not_downloaded_again()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "dds-resume0000001", Product = EmulatedProduct.MongoDB, BackupSizeBytes = 1_000_000 }, historicalBackups: 1);
        var service = emu.Service();
        var backup = await LatestBackupAsync(service, emu, "dds-resume0000001");
        using var downloader = new BackupDownloader(service, new DownloadOptions { Directory = _folder });
        var path = downloader.TargetPath(backup);
        Directory.CreateDirectory(_folder);
        var id = long.Parse(backup.BackupId);
        File.WriteAllBytes(path + BackupDownloader.PartialSuffix, Enumerable.Range(0, 400_000).Select(i => BackupFileServer.ContentByte(id, i)).ToArray());

        var result = await downloader.DownloadAsync(backup, null, CancellationToken.None);

        AssertIsTheBackupsFile(result.Path, backup);
        var only = Assert.Single(emu.Server.State.Downloads.Log);
        Assert.Equal("bytes=400000-", only.Range);
        Assert.Equal(backup.Size - 400_000, only.BytesSent);
        Assert.EndsWith(".tar.gz", result.Path);
    }

    [Fact]
    public async Task A_download_that_never_completes_leaves_only_the_partial_file_and_says_how_to_resume()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-alwayscut00001", Product = EmulatedProduct.Redis, BackupSizeBytes = 500_000 }, historicalBackups: 1);
        var service = emu.Service();
        var backup = await LatestBackupAsync(service, emu, "r-alwayscut00001");
        emu.Server.State.Downloads.AddCut(new DownloadCut { BackupId = backup.BackupId, AfterBytes = 100_000, Remaining = 10 });
        using var downloader = new BackupDownloader(service, new DownloadOptions { Directory = _folder, MaxAttempts = 2 });

        var error = await Assert.ThrowsAsync<DownloadFailedException>(() => downloader.DownloadAsync(backup, null, CancellationToken.None));

        var path = downloader.TargetPath(backup);
        Assert.False(File.Exists(path), "a partial file must never take the backup's name");
        Assert.InRange(new FileInfo(path + BackupDownloader.PartialSuffix).Length, 1, 200_000);
        var log = emu.Server.State.Downloads.Log;
        Assert.Equal(2, log.Count);
        Assert.NotNull(log[1].Range);
        Assert.Contains("resumes", error.RecommendedAction);
    }

    [Fact]
    public async Task An_expired_URL_is_replaced_through_DescribeBackups_before_it_is_used()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emu = await EmulatorHarness.StartAsync(clock, seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "rm-expired000001", Product = EmulatedProduct.RDS, BackupSizeBytes = 200_000 }, historicalBackups: 2);
        var service = emu.Service(clock);
        var backup = await LatestBackupAsync(service, emu, "rm-expired000001");
        Assert.NotNull(DownloadUrls.ExpiresAt(backup.DownloadUrl!));
        // The URL lives an hour; the backup was listed two hours ago. (The signature check allows 15 minutes of skew,
        // so the client's clock is moved with the emulator's.)
        clock.Advance(TimeSpan.FromHours(2));
        emu.Server.State.ClearRequests();

        using var downloader = new BackupDownloader(service, new DownloadOptions { Directory = _folder });
        var result = await downloader.DownloadAsync(backup, null, CancellationToken.None);

        Assert.Equal(1, result.UrlRefreshes);
        AssertIsTheBackupsFile(result.Path, backup);
        var describe = Assert.Single(emu.Server.State.Requests, r => r.Action == "DescribeBackups");
        Assert.Equal(backup.BackupId, describe.Parameters["BackupId"]);
        Assert.All(emu.Server.State.Downloads.Log, d => Assert.Equal(200, d.HttpStatus));
    }

    [Fact]
    public async Task A_URL_the_server_says_has_expired_is_replaced_and_the_download_goes_on_from_the_same_byte()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-serverexpiry01", Product = EmulatedProduct.Redis, BackupSizeBytes = 1_000_000 }, historicalBackups: 1);
        var service = emu.Service();
        var backup = await LatestBackupAsync(service, emu, "r-serverexpiry01");
        emu.Server.State.Downloads.AddCut(new DownloadCut { BackupId = backup.BackupId, AfterFraction = 0.3 });
        emu.Server.State.Downloads.AddCut(new DownloadCut { BackupId = backup.BackupId, Expire = true });

        using var downloader = new BackupDownloader(service, new DownloadOptions { Directory = _folder });
        var result = await downloader.DownloadAsync(backup, null, CancellationToken.None);

        Assert.Equal(1, result.UrlRefreshes);
        AssertIsTheBackupsFile(result.Path, backup);
        var log = emu.Server.State.Downloads.Log;
        Assert.Equal([200, 403, 206], log.Select(d => d.HttpStatus));
        Assert.Equal(log[1].Range, log[2].Range);
        Assert.Equal(backup.Size - RangeStart(log[2].Range), log[2].BytesSent);
    }

    [Fact]
    public async Task Failed_PolarDB_and_URL_less_backups_are_refused_with_the_reason_and_the_way_out()
    {
        var failed = new Backup { Engine = BackupEngine.Redis, InstanceId = "r-x", BackupId = "1", Status = BackupStatus.Failed, DownloadUrl = "http://127.0.0.1/x" };
        var polar = new Backup { Engine = BackupEngine.PolarDB, InstanceId = "pc-x", BackupId = "2", Status = BackupStatus.Success };
        var noIntranet = new Backup { Engine = BackupEngine.MongoDB, InstanceId = "dds-x", BackupId = "3", Status = BackupStatus.Success, DownloadUrl = "http://127.0.0.1/y" };

        var e1 = Assert.Throws<BackupNotDownloadableException>(() => BackupDownloader.CheckDownloadable(failed, intranet: false));
        var e2 = Assert.Throws<BackupNotDownloadableException>(() => BackupDownloader.CheckDownloadable(polar, intranet: false));
        var e3 = Assert.Throws<BackupNotDownloadableException>(() => BackupDownloader.CheckDownloadable(noIntranet, intranet: true));
        BackupDownloader.CheckDownloadable(noIntranet, intranet: false);

        Assert.Contains("Failed", e1.Message);
        Assert.Contains("Start-AliBackup", e1.RecommendedAction);
        Assert.Contains("no download URL", e2.Message);
        Assert.Contains("DBS advanced download", e2.RecommendedAction);
        Assert.Contains("CreateDownload", e2.RecommendedAction);
        Assert.Contains("intranet", e3.Message);
        Assert.Equal("NotDownloadable", e2.ErrorKind);
    }

    [Fact]
    public async Task A_complete_file_is_left_alone_another_file_of_that_name_needs_Force()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-existing000001", Product = EmulatedProduct.Redis, BackupSizeBytes = 100_000 }, historicalBackups: 1);
        var service = emu.Service();
        var backup = await LatestBackupAsync(service, emu, "r-existing000001");
        using var downloader = new BackupDownloader(service, new DownloadOptions { Directory = _folder });
        var first = await downloader.DownloadAsync(backup, null, CancellationToken.None);

        var again = await downloader.DownloadAsync(backup, null, CancellationToken.None);
        Assert.True(again.Skipped);
        Assert.Single(emu.Server.State.Downloads.Log);

        File.WriteAllText(first.Path, "something else");
        await Assert.ThrowsAsync<DownloadTargetExistsException>(() => downloader.DownloadAsync(backup, null, CancellationToken.None));
        using var forced = new BackupDownloader(service, new DownloadOptions { Directory = _folder, Force = true });
        await forced.DownloadAsync(backup, null, CancellationToken.None);
        AssertIsTheBackupsFile(first.Path, backup);
    }

    [Fact]
    public async Task Each_shard_of_a_cluster_backup_gets_its_own_file_and_progress_reaches_the_size()
    {
        await using var emu = await EmulatorHarness.StartAsync(seed: false);
        emu.Server.State.AddInstance(new EmulatedInstance { Id = "r-shards00000001", Product = EmulatedProduct.Redis, Shards = 3, BackupSizeBytes = 300_000 }, historicalBackups: 1);
        var service = emu.Service();
        var now = DateTimeOffset.UtcNow;
        var shards = await service.GetAllBackupsAsync(emu.Target, new BackupQuery("r-shards00000001", now.AddDays(-2), now), null, CancellationToken.None);
        Assert.Equal(3, shards.Count);
        using var downloader = new BackupDownloader(service, new DownloadOptions { Directory = _folder });
        var finished = new List<DownloadProgress>();

        var results = await Task.WhenAll(shards.Select(b => downloader.DownloadAsync(b, p => { if (p.Done) lock (finished) finished.Add(p); }, CancellationToken.None)));

        Assert.Equal(["r-shards00000001_db-0_", "r-shards00000001_db-1_", "r-shards00000001_db-2_"],
            results.Select(r => Path.GetFileName(r.Path)[..22]).Order());
        foreach (var r in results) AssertIsTheBackupsFile(r.Path, r.Backup);
        Assert.Equal(3, finished.Count);
        Assert.All(finished, p => Assert.Equal(100, p.PercentComplete));
    }

    [Theory]
    [InlineData("r-bp1xxxx", null, "340000007", "http://h/_emulator/download/r-bp1xxxx/340000007.rdb?Expires=1", "r-bp1xxxx_340000007.rdb")]
    [InlineData("r-c1", "r-c1-db-0", "9", "https://h/a/hins_data.tar.gz?Expires=1", "r-c1_db-0_9.tar.gz")]
    [InlineData("rm-a", null, "12", "https://h/custins/hins18676859_2021072909473127987849.zip?Expires=1&dbList=tb1", "rm-a_12.zip")]
    [InlineData("d-x:y", null, "a/b\\c*?", "https://h/no-extension", "d-x_y_a_b_c__.tar.gz")]
    [InlineData("CON", null, "1", null, "CON_1.tar.gz")]
    public void File_names_say_instance_shard_backup_and_extension_and_are_safe_everywhere(string instance, string? node, string backupId, string? url, string expected)
    {
        var backup = new Backup { Engine = instance.StartsWith("r-") ? BackupEngine.Redis : instance.StartsWith("rm-") ? BackupEngine.RDS : BackupEngine.MongoDB, InstanceId = instance, NodeInstanceId = node, BackupId = backupId };
        var name = BackupFileNames.For(backup, url);
        Assert.Equal(expected, name);
        Assert.DoesNotContain(name, c => "<>:\"/\\|?*".Contains(c) || c < 32);
    }

    [Fact]
    public void Expiry_is_read_from_V1_and_V4_pre_signed_URLs()
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1796189360), DownloadUrls.ExpiresAt("http://b.oss-cn-hangzhou.aliyuncs.com/f.rdb?Expires=1796189360&OSSAccessKeyId=x&Signature=y"));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 30, 0, TimeSpan.Zero),
            DownloadUrls.ExpiresAt("https://b.oss-cn-hangzhou.aliyuncs.com/f?x-oss-date=20261201T100000Z&x-oss-expires=1800&x-oss-signature=z"));
        Assert.Null(DownloadUrls.ExpiresAt("https://b/f.rdb"));
        Assert.Equal("https://b/f.rdb?…", DownloadUrls.Redacted("https://b/f.rdb?Signature=secret"));
    }
}
