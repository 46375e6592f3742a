using System;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Credentials;
using AliBackup.Service.Engines;

namespace AliBackup.Service
{
    /// <summary>
    /// Runs a first call's own code once on a background thread, against an answer held in memory: nothing is sent,
    /// no credential, file or environment variable is read, and no state the cmdlets use is touched.
    /// </summary>
    /// <remarks>
    /// A command's first call spends most of its own time compiling methods (the signer, the client's async layers,
    /// the readers), initialising the crypto library for the first HMAC and parsing the first JSON. Started when the
    /// module is imported, this does that work while the script is still on its next line, on another core where
    /// there is one. What it cannot warm is the framework's own first use of a socket, which needs a real connection.
    /// </remarks>
    public static class FirstCallWarmUp
    {
        private const string AnswerOfThreeTasks =
            "{\"RequestId\":\"00000000-0000-0000-0000-000000000000\",\"InstanceId\":\"r-warmup\",\"AccessDeniedDetail\":null,\"BackupJobs\":[" +
            "{\"BackupJobID\":1,\"BackupProgressStatus\":\"Finished\",\"Process\":\"100\",\"Progress\":\"100\",\"JobMode\":\"Automated\",\"TaskAction\":\"NormalBackupTask\",\"StartTime\":\"2026-01-01T00:00:00Z\",\"NodeId\":\"r-warmup-db-0\"}," +
            "{\"BackupJobID\":2,\"BackupProgressStatus\":\"Uploading\",\"Process\":\"40\",\"Progress\":\"40\",\"JobMode\":\"Manual\",\"TaskAction\":\"TempBackupTask\",\"StartTime\":\"2026-01-01T01:00:00Z\",\"NodeId\":\"r-warmup-db-0\"}," +
            "{\"BackupJobID\":3,\"BackupProgressStatus\":\"NoStart\",\"Process\":\"0\",\"Progress\":\"0\",\"JobMode\":\"Manual\",\"TaskAction\":\"TempBackupTask\",\"StartTime\":\"2026-01-01T02:00:00Z\",\"NodeId\":\"r-warmup-db-0\"}]}";

        private static int _started;

        /// <summary>Starts the warm-up once per process; later calls do nothing.</summary>
        public static void Start()
        {
            if (Interlocked.Exchange(ref _started, 1) != 0) return;
            var thread = new Thread(Run) { IsBackground = true, Name = "AliBackup first-call warm-up", Priority = ThreadPriority.BelowNormal };
            thread.Start();
        }

        private static void Run()
        {
            try
            {
                var service = new BackupService(new BackupServiceOptions
                {
                    Credential = new AliCredential("warm-up-key-id", "warm-up-key-secret", providerName: "warm-up"),
                    Environment = new EnvironmentReader(_ => null, "/nonexistent"),
                    Http = new HttpMessageInvoker(new AnswerFromMemory()),
                });
                var target = service.ResolveTarget("cn-hangzhou", null);
                // GetTasksAsync checks the ID as a command's call does, so the input checks are warmed too.
                service.GetTasksAsync(target, new TaskQuery("r-warmup"), null, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                // A warm-up that fails costs the first call its head start, nothing else.
            }
        }

        /// <summary>Answers every request with the same DescribeBackupTasks body, as the service would.</summary>
        private sealed class AnswerFromMemory : HttpMessageHandler
        {
            private static readonly byte[] Body = Encoding.UTF8.GetBytes(AnswerOfThreeTasks);

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Body), RequestMessage = request };
                response.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json;charset=utf-8");
                response.Headers.TryAddWithoutValidation("x-acs-request-id", "00000000-0000-0000-0000-000000000000");
                return Task.FromResult(response);
            }
        }
    }
}
