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

        /// <summary>Temporary credentials to share with other services (one cache per PowerShell session); null: a private one.</summary>
        public TemporaryCredentialCache? CredentialCache { get; set; }

        /// <summary>The session's default region (Connect-AliBackup -Region): after the caller's region, before the environment.</summary>
        public string? DefaultRegion { get; set; }

        /// <summary>The session's default endpoint (Connect-AliBackup -Endpoint): after the caller's, before ALIBACKUP_ENDPOINT.</summary>
        public string? DefaultEndpoint { get; set; }

        /// <summary>How <see cref="DefaultRegion"/> and <see cref="DefaultEndpoint"/> are named where their source is shown.</summary>
        public string DefaultsSource { get; set; } = "session defaults";
    }

    /// <summary>A setting's value and where it came from (shown by Get-AliBackupContext).</summary>
    public sealed class SourcedValue
    {
        public SourcedValue(string? value, string source)
        {
            Value = value;
            Source = source;
        }

        public string? Value { get; }

        public string Source { get; }
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
        // Keyed by a class, not a (BackupEngine, ApiTarget) tuple: a value-type key makes the dictionary a generic
        // instantiation of its own, a dozen methods to JIT on every command's first call.
        private readonly ConcurrentDictionary<ChannelKey, ProductChannel> _channels = new ConcurrentDictionary<ChannelKey, ProductChannel>();

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

        /// <summary>
        /// -Credential, else -Profile (an aliyun CLI profile of any supported mode), else the official SDKs' default chain:
        /// environment variables, OIDC, the aliyun CLI config file, the INI credentials file, the ECS RAM role, the
        /// credentials URI.
        /// </summary>
        public static ICredentialProvider CreateCredentialProvider(BackupServiceOptions options)
        {
            if (options.Credential != null) return new StaticCredentialProvider(options.Credential);
            var context = new CredentialContext(options.Environment, options.Http, options.Time, options.Observer, options.CredentialCache);
            if (!string.IsNullOrEmpty(options.Profile)) return new CliProfileCredentialProvider(context, options.Profile);
            return CredentialChain.CreateDefault(context);
        }

        /// <summary>
        /// Where calls go when the caller gives a region and/or endpoint (either may be null): the region falls back to the
        /// session default, ALIBABA_CLOUD_REGION_ID, ALIBABA_CLOUD_REGION, then the CLI profile's region_id; the endpoint to
        /// the session default, then ALIBACKUP_ENDPOINT.
        /// </summary>
        public ApiTarget ResolveTarget(string? region, string? endpoint) =>
            new ApiTarget(ResolveRegion(region).Value, ResolveEndpointOverride(endpoint).Value);

        /// <summary>The region and where it came from; Value is null (source "none") when no source has one.</summary>
        public SourcedValue ResolveRegion(string? region)
        {
            var env = _options.Environment;
            if (!string.IsNullOrWhiteSpace(region)) return new SourcedValue(region!.Trim(), "-Region");
            if (!string.IsNullOrWhiteSpace(_options.DefaultRegion)) return new SourcedValue(_options.DefaultRegion!.Trim(), _options.DefaultsSource);
            foreach (var variable in new[] { "ALIBABA_CLOUD_REGION_ID", "ALIBABA_CLOUD_REGION" })
            {
                var value = env.Get(variable);
                if (!string.IsNullOrWhiteSpace(value)) return new SourcedValue(value!.Trim(), variable);
            }
            try
            {
                var store = new CliProfileStore(env);
                if (store.Exists)
                {
                    var profile = store.GetProfile(_options.Profile);
                    if (!string.IsNullOrWhiteSpace(profile.RegionId)) return new SourcedValue(profile.RegionId!.Trim(), "aliyun CLI profile '" + profile.Name + "'");
                }
            }
            catch (AliBackupCredentialException)
            {
                // A broken or missing profile is reported by the credential chain; here it only means "no region".
            }
            return new SourcedValue(null, "none");
        }

        /// <summary>The endpoint that overrides the region's (null, source "none", when the region decides).</summary>
        public SourcedValue ResolveEndpointOverride(string? endpoint)
        {
            if (!string.IsNullOrWhiteSpace(endpoint)) return new SourcedValue(endpoint!.Trim(), "-Endpoint");
            if (!string.IsNullOrWhiteSpace(_options.DefaultEndpoint)) return new SourcedValue(_options.DefaultEndpoint!.Trim(), _options.DefaultsSource);
            var variable = _options.Environment.Get(EndpointResolver.EndpointEnvironmentVariable);
            return string.IsNullOrWhiteSpace(variable)
                ? new SourcedValue(null, "none")
                : new SourcedValue(variable!.Trim(), EndpointResolver.EndpointEnvironmentVariable);
        }

        /// <summary>
        /// Resolves the credentials (obtaining temporary ones if the source hands those out), the region and the endpoint,
        /// and says where each came from. Nothing secret is in the result.
        /// </summary>
        public async Task<AliBackupContext> GetContextAsync(string? region, string? endpoint, BackupEngine? engine, CancellationToken cancellationToken)
        {
            var credential = await Credentials.GetCredentialAsync(cancellationToken).ConfigureAwait(false);
            var resolvedRegion = ResolveRegion(region);
            var resolvedEndpoint = ResolveEndpointOverride(endpoint);
            var endpoints = new List<string>();
            foreach (var e in EngineCatalog.All.Where(e => engine == null || e.Engine == engine))
            {
                if (resolvedEndpoint.Value == null && resolvedRegion.Value == null) break;
                endpoints.Add(e.Engine + " " + EndpointResolver.Resolve(e.Product, resolvedRegion.Value, resolvedEndpoint.Value).GetLeftPart(UriPartial.Authority));
            }
            return new AliBackupContext
            {
                CredentialSource = credential.ProviderName,
                AccessKeyId = credential.MaskedAccessKeyId,
                IsTemporary = credential.IsTemporary,
                Expiration = credential.Expiration,
                Region = resolvedRegion.Value,
                RegionSource = resolvedRegion.Source,
                Endpoint = resolvedEndpoint.Value != null ? EndpointResolver.ParseEndpoint(resolvedEndpoint.Value).GetLeftPart(UriPartial.Authority) : null,
                EndpointSource = resolvedEndpoint.Value != null ? resolvedEndpoint.Source : resolvedRegion.Value != null ? "region" : "none",
                ProductEndpoints = endpoints.ToArray(),
            };
        }

        public ProductChannel Channel(IBackupEngine engine, ApiTarget target)
        {
            var key = new ChannelKey(engine, target);
            return _channels.TryGetValue(key, out var channel) ? channel : _channels.GetOrAdd(key, new ProductChannel(_client, engine.Product, target));
        }

        private sealed class ChannelKey : IEquatable<ChannelKey>
        {
            public ChannelKey(IBackupEngine engine, ApiTarget target)
            {
                Engine = engine.Engine;
                Target = target;
            }

            public BackupEngine Engine { get; }

            public ApiTarget Target { get; }

            public bool Equals(ChannelKey? other) => other != null && other.Engine == Engine && other.Target.Equals(Target);

            public override bool Equals(object? obj) => Equals(obj as ChannelKey);

            public override int GetHashCode() => Target.GetHashCode() * 31 + (int)Engine;
        }

        public Task<IReadOnlyList<BackupTask>> GetTasksAsync(ApiTarget target, TaskQuery query, BackupEngine? engine, CancellationToken cancellationToken)
        {
            // Not async itself in the common case: the engine's task is the answer (one async layer less per call).
            var resolved = EngineCatalog.Resolve(query.InstanceId, engine);
            var jobIds = BackupTask.SplitJobIds(query.BackupJobId);
            return jobIds.Length <= 1
                ? resolved.GetTasksAsync(Channel(resolved, target), query, cancellationToken)
                : GetTasksOfJobsAsync(resolved, target, query, jobIds, cancellationToken);
        }

        /// <summary>A per-shard job list ("1022,2480") is not a filter the services take: list the instance's tasks and keep those jobs.</summary>
        private async Task<IReadOnlyList<BackupTask>> GetTasksOfJobsAsync(IBackupEngine resolved, ApiTarget target, TaskQuery query, string[] jobIds, CancellationToken cancellationToken)
        {
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
            catch (AliBackupApiException ex) when (ex.IsBackupRunning)
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
    }
}
