using System.Net;
using System.Text.Json;
using AliBackup.Service.Credentials;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace AliBackup.Service.Tests;

/// <summary>
/// Property: whatever a service answers with HTTP 200, every reader either reads it or fails with one clear AliBackup
/// error naming the action and the RequestId (InvalidResponse; an API error when the body carries an error Code) —
/// never a raw .NET exception, never a hang. 10,000+ generated answers through every reader, in process.
/// </summary>
public class ResponsePropertyTests(ITestOutputHelper output)
{
    private const int Cases = 12_000;

    [Fact]
    public void Every_reader_reads_or_fails_clearly_on_any_answer()
    {
        var counts = new Dictionary<string, int>();
        var property = Prop.ForAll(Arb.From(AnswerGenerator.Any()), answer =>
        {
            var outcome = Run(answer);
            lock (counts) counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
            return outcome != "bad";
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithEndSize(20), property);

        output.WriteLine("generated answers: " + counts.Values.Sum() + " — " + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => c.Key + " " + c.Value)));
        Assert.True(counts.Values.Sum() >= 10_000);
        Assert.False(counts.ContainsKey("bad"));
        // The generator really reaches both sides: readable answers and unreadable ones.
        Assert.True(counts.GetValueOrDefault("read") > 1000, "too few readable answers");
        Assert.True(counts.GetValueOrDefault("InvalidResponse") > 1000, "too few unreadable answers");
    }

    /// <summary>"read", "InvalidResponse", "ApiError", "OutcomeUnknown", or "bad" (with the reason thrown so FsCheck shows it).</summary>
    private static string Run(AnswerGenerator.Answer answer)
    {
        var service = Service(answer.Body);
        var target = new ApiTarget("cn-hangzhou", null);
        var id = answer.Product switch { AnswerGenerator.Product.PolarDB => "pc-prop0000000001", AnswerGenerator.Product.MongoDB => "dds-prop000000001", _ => "r-prop00000000001" };
        var action = answer.Action.ToString();
        try
        {
            Task work = answer.Action switch
            {
                AnswerGenerator.Action.DescribeBackupTasks => service.GetTasksAsync(target, new TaskQuery(id), null, CancellationToken.None),
                AnswerGenerator.Action.DescribeBackups => FirstPage(service, target, id),
                _ => service.StartBackupAsync(target, id, null, CancellationToken.None),
            };
            work.WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            return "read";
        }
        catch (AliBackupInvalidResponseException ex) when (ex.Action == action || answer.Action == AnswerGenerator.Action.CreateBackup)
        {
            // The body's RequestId when it has a readable one, else the gateway's header.
            if (string.IsNullOrWhiteSpace(ex.RequestId) || !ex.Message.Contains("(RequestId " + ex.RequestId + ")"))
                throw new InvalidOperationException("RequestId " + ex.RequestId + " not kept in: " + ex.Message + " for " + answer);
            return "InvalidResponse";
        }
        catch (AliBackupApiException ex) when (ex.HttpStatus == 200 && answer.Text.Contains("\"Code\""))
        {
            return "ApiError";
        }
        catch (BackupOutcomeUnknownException ex) when (answer.Action == AnswerGenerator.Action.CreateBackup &&
                                                       ex.Cause is AliBackupInvalidResponseException or AliBackupApiException)
        {
            return "OutcomeUnknown";
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException("hung: " + answer);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException("bad outcome " + ex.GetType().Name + ": " + ex.Message + " for " + answer, ex);
        }
    }

    private static async Task FirstPage(BackupService service, ApiTarget target, string id)
    {
        await foreach (var _ in service.GetBackupPagesAsync(target, new BackupQuery(id, DateTimeOffset.UtcNow.AddDays(-7), DateTimeOffset.UtcNow), null, CancellationToken.None))
            break;
    }

    private static BackupService Service(byte[] body) => new(new BackupServiceOptions
    {
        Credential = new AliCredential("propid", "propsecret"),
        Environment = EmulatorHarness.EmptyEnvironment(),
        Http = new HttpClient(new FixedAnswer(body)),
        Time = new InstantTime(),
        Client = new OpenApiClientOptions { MaxAttempts = 1 },
    });

    private sealed class FixedAnswer(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
            response.Headers.TryAddWithoutValidation("x-acs-request-id", "HDR-REQUEST-ID");
            return Task.FromResult(response);
        }
    }

    /// <summary>A clock whose delays end at once (the lookups after a lost CreateBackup pause between tries).</summary>
    private sealed class InstantTime : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            TimeProvider.System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }
}
