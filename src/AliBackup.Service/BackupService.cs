using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Credentials;
using AliBackup.Service.Endpoints;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;

namespace AliBackup.Service
{
    /// <summary>How a <see cref="BackupService"/> authenticates, sends and reports.</summary>
    public sealed class BackupServiceOptions
    {
        /// <summary>Explicit credentials (-Credential); when null, <see cref="Profile"/> or the default chain is used.</summary>
        public AliCredential? Credential { get; set; }

        /// <summary>An aliyun CLI profile name (-Profile).</summary>
        public string? Profile { get; set; }

        /// <summary>A ready provider; wins over <see cref="Credential"/> and <see cref="Profile"/>.</summary>
        public ICredentialProvider? CredentialProvider { get; set; }

        public EnvironmentReader Environment { get; set; } = EnvironmentReader.Process;

        /// <summary>The HTTP pipeline; null for the process-wide shared client.</summary>
        public HttpMessageInvoker? Http { get; set; }

        public TimeProvider Time { get; set; } = TimeProvider.System;

        public IApiCallObserver? Observer { get; set; }

        /// <summary>Client settings (retries, timeouts); null for the defaults.</summary>
        public OpenApiClientOptions? Client { get; set; }
    }

    /// <summary>
    /// The one facade the cmdlets call: picks the engine for an instance, the endpoint for a region, and turns the
    /// products' answers into <see cref="BackupTask"/> and <see cref="Backup"/> objects.
    /// </summary>
    public sealed class BackupService
    {
        private static readonly Lazy<HttpClient> SharedHttp = new Lazy<HttpClient>(() =>
            new HttpClient(new HttpClientHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            })
            { Timeout = Timeout.InfiniteTimeSpan });

        private readonly BackupServiceOptions _options;
        private readonly OpenApiClient _client;
        private readonly ConcurrentDictionary<(BackupEngine, ApiTarget), ProductChannel> _channels = new ConcurrentDictionary<(BackupEngine, ApiTarget), ProductChannel>();

        public BackupService(BackupServiceOptions options)
        {
            _options = options;
            Credentials = options.CredentialProvider ?? CreateCredentialProvider(options);
            var clientOptions = options.Client ?? new OpenApiClientOptions();
            clientOptions.Time = options.Time;
            if (options.Observer != null) clientOptions.Observer = options.Observer;
            _client = new OpenApiClient(options.Http ?? SharedHttp.Value, Credentials, clientOptions);
        }

        public ICredentialProvider Credentials { get; }

        public TimeProvider Time => _options.Time;

        public EnvironmentReader Environment => _options.Environment;

        /// <summary>-Credential, else -Profile, else the SDK-compatible default chain.</summary>
        public static ICredentialProvider CreateCredentialProvider(BackupServiceOptions options)
        {
            if (options.Credential != null) return new StaticCredentialProvider(options.Credential);
            if (!string.IsNullOrEmpty(options.Profile))
                return new CliProfileCredentialProvider(new CliProfileStore(options.Environment), options.Profile);
            return CredentialChain.CreateDefault(options.Environment);
        }

        /// <summary>
        /// Where calls go when the caller gives a region and/or endpoint (either may be null): the region falls back to
        /// ALIBABA_CLOUD_REGION_ID, ALIBABA_CLOUD_REGION, then the CLI profile's region_id; the endpoint to ALIBACKUP_ENDPOINT.
        /// </summary>
        public ApiTarget ResolveTarget(string? region, string? endpoint)
        {
            var env = _options.Environment;
            var resolvedRegion = FirstNonEmpty(region, env.Get("ALIBABA_CLOUD_REGION_ID"), env.Get("ALIBABA_CLOUD_REGION"));
            if (resolvedRegion == null)
            {
                try
                {
                    var store = new CliProfileStore(env);
                    if (store.Exists) resolvedRegion = store.GetProfile(_options.Profile).RegionId;
                }
                catch (AliBackupCredentialException)
                {
                    // A broken or missing profile is reported by the credential chain; here it only means "no region".
                }
            }
            return new ApiTarget(resolvedRegion, FirstNonEmpty(endpoint, env.Get(EndpointResolver.EndpointEnvironmentVariable)));
        }

        public ProductChannel Channel(IBackupEngine engine, ApiTarget target) =>
            _channels.GetOrAdd((engine.Engine, target), key => new ProductChannel(_client, engine.Product, key.Item2));

        public async Task<IReadOnlyList<BackupTask>> GetTasksAsync(ApiTarget target, TaskQuery query, BackupEngine? engine, CancellationToken cancellationToken)
        {
            var resolved = EngineCatalog.Resolve(query.InstanceId, engine);
            var jobIds = BackupTask.SplitJobIds(query.BackupJobId);
            if (jobIds.Length <= 1) return await resolved.GetTasksAsync(Channel(resolved, target), query, cancellationToken).ConfigureAwait(false);

            // A per-shard job list ("1022,2480") is not a filter the services take: list the instance's tasks and keep those jobs.
            var all = await resolved.GetTasksAsync(Channel(resolved, target), new TaskQuery(query.InstanceId, null, query.JobMode), cancellationToken).ConfigureAwait(false);
            return all.Where(t => t.GetJobIds().Any(id => Array.IndexOf(jobIds, id) >= 0)).ToList();
        }

        /// <summary>Backups page by page: the next page is requested only when the caller asks for it.</summary>
        public async IAsyncEnumerable<IReadOnlyList<Backup>> GetBackupPagesAsync(ApiTarget target, BackupQuery query, BackupEngine? engine,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var resolved = EngineCatalog.Resolve(query.InstanceId, engine);
            var channel = Channel(resolved, target);
            for (var pageNumber = 1; ; pageNumber++)
            {
                var page = await resolved.GetBackupPageAsync(channel, query, pageNumber, cancellationToken).ConfigureAwait(false);
                yield return page.Items;
                if (!page.HasMore) yield break;
            }
        }

        /// <summary>All backups of a query (every page).</summary>
        public async Task<IReadOnlyList<Backup>> GetAllBackupsAsync(ApiTarget target, BackupQuery query, BackupEngine? engine, CancellationToken cancellationToken)
        {
            var all = new List<Backup>();
            await foreach (var page in GetBackupPagesAsync(target, query, engine, cancellationToken).ConfigureAwait(false)) all.AddRange(page);
            return all;
        }

        /// <summary>Starts a manual backup and returns its task (status NotStarted, start time = now).</summary>
        public async Task<BackupTask> StartBackupAsync(ApiTarget target, string instanceId, BackupEngine? engine, CancellationToken cancellationToken)
        {
            var resolved = EngineCatalog.Resolve(instanceId, engine);
            var channel = Channel(resolved, target);
            var requestedAt = _options.Time.GetUtcNow();
            var started = await resolved.StartBackupAsync(channel, instanceId, cancellationToken).ConfigureAwait(false);
            return channel.Stamp(new BackupTask
            {
                Engine = resolved.Engine,
                InstanceId = instanceId,
                BackupJobId = started.BackupJobId,
                Status = BackupTaskStatus.NotStarted,
                Progress = resolved.ReportsProgress ? 0 : (int?)null,
                JobMode = "Manual",
                TaskAction = "TempBackupTask",
                StartTime = new DateTimeOffset(requestedAt.UtcTicks - requestedAt.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero),
            });
        }

        /// <summary>
        /// Starts a manual backup unless one is already running on the instance (the services allow one at a time):
        /// then <paramref name="ifRunning"/> says whether to return the running task (Attach) or fail.
        /// </summary>
        public async Task<(BackupTask Task, bool Attached)> StartOrAttachAsync(ApiTarget target, string instanceId, BackupEngine? engine,
            RunningBackupAction ifRunning, CancellationToken cancellationToken)
        {
            var running = await FindRunningManualTaskAsync(target, instanceId, engine, cancellationToken).ConfigureAwait(false);
            if (running != null) return (AttachOrFail(running, ifRunning), true);
            try
            {
                return (await StartBackupAsync(target, instanceId, engine, cancellationToken).ConfigureAwait(false), false);
            }
            catch (AliBackupApiException ex) when (ex.Code.EndsWith("BackupJobExists", StringComparison.Ordinal) || ex.Code == "IncorrectDBInstanceState")
            {
                // Someone started a backup between the check and the call: look again.
                running = await FindRunningManualTaskAsync(target, instanceId, engine, cancellationToken).ConfigureAwait(false);
                if (running == null) throw;
                return (AttachOrFail(running, ifRunning), true);
            }
        }

        /// <summary>
        /// The manual backup in progress on an instance, or null. The shards of a per-shard Redis cluster job are listed
        /// as separate tasks that started together; they are joined into one task again.
        /// </summary>
        public async Task<BackupTask?> FindRunningManualTaskAsync(ApiTarget target, string instanceId, BackupEngine? engine, CancellationToken cancellationToken)
        {
            var tasks = await GetTasksAsync(target, new TaskQuery(instanceId, null, BackupJobMode.Manual), engine, cancellationToken).ConfigureAwait(false);
            return Newest(tasks.Where(t => t.Status >= BackupTaskStatus.NotStarted && t.Status <= BackupTaskStatus.Checking));
        }

        /// <summary>The newest manual task of an instance, finished or not (what -Latest re-attaches to).</summary>
        public async Task<BackupTask> FindLatestManualTaskAsync(ApiTarget target, string instanceId, BackupEngine? engine, CancellationToken cancellationToken)
        {
            var tasks = await GetTasksAsync(target, new TaskQuery(instanceId, null, BackupJobMode.Manual), engine, cancellationToken).ConfigureAwait(false);
            return Newest(tasks) ?? throw new NoBackupTaskException(instanceId, EngineCatalog.Resolve(instanceId, engine).ListsOnlyRunningTasks);
        }

        private static BackupTask? Newest(IEnumerable<BackupTask> tasks)
        {
            var newest = tasks.GroupBy(t => t.StartTime).OrderByDescending(g => g.Key ?? DateTimeOffset.MinValue).FirstOrDefault()?.ToList();
            if (newest == null || newest.Count == 0) return null;
            var task = newest[0];
            if (newest.Count > 1) task.BackupJobId = string.Join(",", newest.SelectMany(t => t.GetJobIds()).Distinct());
            return task;
        }

        private static BackupTask AttachOrFail(BackupTask running, RunningBackupAction ifRunning) =>
            ifRunning == RunningBackupAction.Attach ? running : throw new BackupAlreadyRunningException(running);

        private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
    }
}
