using System.Net;
using System.Text;
using AliBackup.Service.Credentials;
using AliBackup.Service.Engines;
using AliBackup.Service.Tests.Support;

namespace AliBackup.Service.Tests;

/// <summary>
/// What goes on the wire and how answers are read, checked against the documented shapes (not only against our
/// own emulator): an empty-bodied POST to / with the business parameters in the query and the V3 headers, and the
/// seed pages' sample responses parsed into the shared objects.
/// </summary>
public class WireShapeTests
{
    [Fact]
    public async Task DescribeBackupTasks_is_an_empty_POST_with_query_parameters_and_signed_V3_headers()
    {
        var handler = new RecordingHandler("""{"RequestId":"R1","InstanceId":"r-x","BackupJobs":[]}""");
        await Service(handler).GetTasksAsync(new ApiTarget("cn-shenzhen", null), new TaskQuery("r-x", "12345", BackupJobMode.Manual), null, CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("https://r-kvstore.cn-shenzhen.aliyuncs.com/?BackupJobId=12345&InstanceId=r-x&JobMode=Manual", request.Uri);
        Assert.Equal("", request.Body);
        Assert.Null(request.ContentType);
        Assert.Equal("DescribeBackupTasks", request.Headers["x-acs-action"]);
        Assert.Equal("2015-01-01", request.Headers["x-acs-version"]);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", request.Headers["x-acs-content-sha256"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", request.Headers["x-acs-date"]);
        Assert.Matches("^ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$",
            request.Headers["authorization"]);
        Assert.Equal("r-kvstore.cn-shenzhen.aliyuncs.com", request.Headers["host"]);
    }

    [Fact]
    public async Task DescribeBackups_sends_the_window_in_minutes_UTC_and_pages()
    {
        var handler = new RecordingHandler("""{"RequestId":"R1","PageNumber":1,"PageSize":100,"TotalCount":0,"Backups":{"Backup":[]}}""");
        var query = new BackupQuery("r-x", new DateTimeOffset(2024, 3, 1, 8, 0, 59, TimeSpan.FromHours(8)), new DateTimeOffset(2024, 3, 15, 8, 30, 1, TimeSpan.Zero));
        await Service(handler).GetAllBackupsAsync(new ApiTarget("cn-hangzhou", null), query, null, CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal("https://r-kvstore.aliyuncs.com/?EndTime=2024-03-15T08%3A31Z&InstanceId=r-x&PageNumber=1&PageSize=100&StartTime=2024-03-01T00%3A00Z", request.Uri);
    }

    [Fact]
    public async Task CreateBackup_reads_BackupJobID_with_uppercase_ID()
    {
        var handler = new RecordingHandler("""{"RequestId":"R1","BackupJobID":"10000,10001"}""");
        var task = await Service(handler).StartBackupAsync(new ApiTarget("cn-hangzhou", null), "r-cluster", null, CancellationToken.None);

        Assert.Equal("10000,10001", task.BackupJobId);
        Assert.Equal(["10000", "10001"], task.GetJobIds());
        Assert.Equal(BackupTaskStatus.NotStarted, task.Status);
        Assert.Equal("cn-hangzhou", task.Region);
        Assert.Equal("https://r-kvstore.aliyuncs.com/?InstanceId=r-cluster", handler.Requests.Single().Uri);
    }

    [Fact]
    public async Task The_Redis_DescribeBackupTasks_sample_parses_and_its_odd_status_word_is_kept_raw()
    {
        var handler = new RecordingHandler(Fixtures.Text("wire/redis-DescribeBackupTasks.json"));
        var tasks = await Service(handler).GetTasksAsync(new ApiTarget("cn-hangzhou", null), new TaskQuery("r-bp1zxszhcgatnx****"), null, CancellationToken.None);

        var task = Assert.Single(tasks);
        Assert.Equal("8491111", task.BackupJobId);
        Assert.Equal("r-bp1zxszhcgatnx****", task.InstanceId);
        // The sample's BackupProgressStatus is "Automated", not a status word: it must not break parsing.
        Assert.Equal(BackupTaskStatus.Unknown, task.Status);
        Assert.Equal("Automated", task.RawStatus);
        Assert.Equal(0, task.Progress);
        Assert.Equal("Manual", task.JobMode);
        Assert.Equal("NormalBackupTask", task.TaskAction);
        Assert.Equal(new DateTimeOffset(2021, 1, 5, 19, 24, 0, TimeSpan.Zero), task.StartTime);
        Assert.Equal("****", task.NodeId);
    }

    [Fact]
    public async Task The_Redis_DescribeBackups_sample_parses_into_a_backup()
    {
        var handler = new RecordingHandler(Fixtures.Text("wire/redis-DescribeBackups.json"));
        var backups = await Service(handler).GetAllBackupsAsync(new ApiTarget("cn-hangzhou", null),
            new BackupQuery("r-bp10noxlhcoim2****", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow), null, CancellationToken.None);

        var backup = Assert.Single(backups);
        Assert.Equal("111111111", backup.BackupId);
        Assert.Equal("24340", backup.BackupJobId);
        Assert.Equal(BackupStatus.Success, backup.Status);
        Assert.Equal(BackupType.Full, backup.Type);
        Assert.Equal("Physical", backup.Method);
        Assert.Equal("Automated", backup.Mode);
        Assert.Equal(1024, backup.Size);
        Assert.Equal("https://rdsbak-hk45-v2.oss-cn-hongkong.aliyuncs.com/********", backup.DownloadUrl);
        Assert.Equal("https://rdsbak-hk45-v2.oss-cn-hongkong.aliyuncs.com/********", backup.IntranetDownloadUrl);
        Assert.Equal("r-bp10noxlhcoim2****-db-1", backup.NodeInstanceId);
        Assert.Equal("4.0", backup.EngineVersion);
        Assert.Equal("all", backup.DatabaseNames);
        Assert.Equal(new DateTimeOffset(2019, 3, 14, 5, 28, 50, TimeSpan.Zero), backup.StartTime);
        Assert.Equal(new DateTimeOffset(2019, 3, 14, 5, 31, 13, TimeSpan.Zero), backup.EndTime);
        // The sample says TotalCount 5 but holds one item on a 30-item page: paging must stop, not loop.
        Assert.Single(handler.Requests);
    }

    internal static BackupService Service(HttpMessageHandler handler) => new(new BackupServiceOptions
    {
        Credential = new AliCredential("testid", "testsecret"),
        Environment = EmulatorHarness.EmptyEnvironment(),
        Http = new HttpClient(handler),
    });
}

/// <summary>Answers every request with a fixed JSON body and keeps what was sent.</summary>
internal sealed class RecordingHandler(string body, HttpStatusCode status = HttpStatusCode.OK) : HttpMessageHandler
{
    public List<SentRequest> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));
        if (request.Headers.Host != null) headers["host"] = request.Headers.Host;
        var content = request.Content == null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests) Requests.Add(new SentRequest(request.Method.Method, request.RequestUri!.AbsoluteUri, headers, content, request.Content?.Headers.ContentType?.ToString()));
        return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }
}

internal sealed record SentRequest(string Method, string Uri, Dictionary<string, string> Headers, string Body, string? ContentType);
