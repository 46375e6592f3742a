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
            // A copy: the caller's options stay as given (a session compares them with the next command's to reuse this service).
            var clientOptions = options.Client?.Copy() ?? new OpenApiClientOptions();
            clientOptions.Time = options.Time;
            ApplyRetrySettings(clientOptions, options.Environment);
            if (options.Observer != null) clientOptions.Observer = options.Observer;
            _client = new OpenApiClient(options.Http ?? SharedHttp.Value, Credentials, clientOptions);
        }

        public ICredentialProvider Credentials { get; }

        /// <summary>Environment variables that tune the client's retries (as aliyun-cli's ALIBABA_CLOUD_THROTTLING_RETRY_* do).</summary>
        public const string RetryMaxAttemptsVariable = "ALIBACKUP_RETRY_MAX_ATTEMPTS";

        public const string RetryBaseDelayVariable = "ALIBACKUP_RETRY_BASE_DELAY_MS";

        public const string RetryBudgetVariable = "ALIBACKUP_RETRY_BUDGET_SECONDS";

        public const string RequestTimeoutVariable = "ALIBACKUP_REQUEST_TIMEOUT_SECONDS";

        /// <summary>
        /// Lowers the -PollInterval floor (default 1 s) for rehearsals and tests against the emulator, where no service
        /// quota is at stake: <c>ALIBACKUP_MIN_POLL_INTERVAL_MS</c> (10–60000); anything else is ignored.
        /// </summary>
        public const string MinimumPollIntervalVariable = "ALIBACKUP_MIN_POLL_INTERVAL_MS";

        /// <summary>The shortest gap a wait polls at: <see cref="InputValidation.MinimumPollInterval"/> unless the environment lowers or raises it.</summary>
        public TimeSpan MinimumPollInterval =>
            Number(Environment.Get(MinimumPollIntervalVariable), 10, 60000) is double ms ? TimeSpan.FromMilliseconds(ms) : InputValidation.MinimumPollInterval;

        /// <summary>
        /// <c>ALIBACKUP_RETRY_MAX_ATTEMPTS</c> (1–20), <c>ALIBACKUP_RETRY_BASE_DELAY_MS</c> (1–60000) and
        /// <c>ALIBACKUP_RETRY_BUDGET_SECONDS</c> (1–3600) and <c>ALIBACKUP_REQUEST_TIMEOUT_SECONDS</c> (0.1–600), when set to a
        /// number in range; anything else is ignored.
        /// </summary>
        internal static void ApplyRetrySettings(OpenApiClientOptions client, EnvironmentReader environment)
        {
            if (Number(environment.Get(RetryMaxAttemptsVariable), 1, 20) is double attempts) client.MaxAttempts = (int)attempts;
            if (Number(environment.Get(RetryBaseDelayVariable), 1, 60000) is double baseDelay) client.RetryBaseDelay = TimeSpan.FromMilliseconds(baseDelay);
            if (Number(environment.Get(RetryBudgetVariable), 1, 3600) is double budget) client.RetryBudget = TimeSpan.FromSeconds(budget);
            if (Number(environment.Get(RequestTimeoutVariable), 0.1, 600) is double timeout) client.RequestTimeout = TimeSpan.FromSeconds(timeout);
        }

        private static double? Number(string? text, double min, double max) =>
            double.TryParse(text?.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) &&
            value >= min && value <= max ? value : (double?)null;

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

        /// <summary>
        /// The region and where it came from; Value is null (source "none") when no source has one. Whatever the source,
        /// the value must be a region ID (it becomes part of a host name): an error names the source otherwise.
        /// </summary>
        public SourcedValue ResolveRegion(string? region)
        {
            var env = _options.Environment;
            if (!string.IsNullOrWhiteSpace(region)) return new SourcedValue(InputValidation.Region(region!, "-Region"), "-Region");
            if (!string.IsNullOrWhiteSpace(_options.DefaultRegion))
                return new SourcedValue(InputValidation.Region(_options.DefaultRegion!, "The region set by " + _options.DefaultsSource), _options.DefaultsSource);
            foreach (var variable in new[] { "ALIBABA_CLOUD_REGION_ID", "ALIBABA_CLOUD_REGION" })
            {
                var value = env.Get(variable);
                if (!string.IsNullOrWhiteSpace(value)) return new SourcedValue(InputValidation.Region(value!, variable), variable);
            }
            CliProfile? profile = null;
            try
            {
                var store = new CliProfileStore(env);
                if (store.Exists) profile = store.GetProfile(_options.Profile);
            }
            catch (AliBackupCredentialException)
            {
                // A broken or missing profile is reported by the credential chain; here it only means "no region".
            }
            if (!string.IsNullOrWhiteSpace(profile?.RegionId))
            {
                var source = "aliyun CLI profile '" + profile!.Name + "'";
                return new SourcedValue(InputValidation.Region(profile.RegionId!, "The region_id of the " + source), source);
            }
            return new SourcedValue(null, "none");
        }

        /// <summary>
        /// The endpoint that overrides the region's (null, source "none", when the region decides). A value that cannot be
        /// used is an error naming its source (-Endpoint, Connect-AliBackup, ALIBACKUP_ENDPOINT).
        /// </summary>
        public SourcedValue ResolveEndpointOverride(string? endpoint)
        {
            SourcedValue Checked(string value, string source, string checkedAs)
            {
                EndpointResolver.ParseEndpoint(value, checkedAs);
                return new SourcedValue(value.Trim(), source);
            }

            if (!string.IsNullOrWhiteSpace(endpoint)) return Checked(endpoint!, "-Endpoint", "-Endpoint");
            if (!string.IsNullOrWhiteSpace(_options.DefaultEndpoint))
                return Checked(_options.DefaultEndpoint!, _options.DefaultsSource, "The endpoint set by " + _options.DefaultsSource);
            var variable = _options.Environment.Get(EndpointResolver.EndpointEnvironmentVariable);
            return string.IsNullOrWhiteSpace(variable)
                ? new SourcedValue(null, "none")
                : Checked(variable!, EndpointResolver.EndpointEnvironmentVariable, EndpointResolver.EndpointEnvironmentVariable);
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
            // Not async itself in the common case: the engine's task is the answer (one async layer less per call). A bad
            // ID fails the returned task, as it did when this method was async.
            IBackupEngine resolved;
            string[] jobIds;
            try
            {
                query = new TaskQuery(InputValidation.Id(IdKind.Instance, query.InstanceId, "InstanceId"),
                    query.BackupJobId == null ? null : InputValidation.Id(IdKind.BackupJob, query.BackupJobId, "BackupJobId"), query.JobMode);
                resolved = EngineCatalog.Resolve(query.InstanceId, engine);
                jobIds = BackupTask.SplitJobIds(query.BackupJobId);
            }
            catch (AliBackupException ex)
            {
                return Task.FromException<IReadOnlyList<BackupTask>>(ex);
            }
            return jobIds.Length <= 1
                ? NewestFirstAsync(resolved.GetTasksAsync(Channel(resolved, target), query, cancellationToken))
                : GetTasksOfJobsAsync(resolved, target, query, jobIds, cancellationToken);
        }

        private static async Task<IReadOnlyList<BackupTask>> NewestFirstAsync(Task<IReadOnlyList<BackupTask>> listing) =>
            NewestFirst(await listing.ConfigureAwait(false));

        /// <summary>
        /// Tasks newest first, as backups are listed (the services list tasks oldest first). The sort is stable, so tasks
        /// that started together, such as the shards of one cluster job, keep the service's order; tasks without a start
        /// time come last.
        /// </summary>
        private static IReadOnlyList<BackupTask> NewestFirst(IEnumerable<BackupTask> tasks)
        {
            // An insertion sort (stable, and in place): an instance lists a handful of recent tasks, and a call's sort
            // then costs no iterator, key array or delegate. The engines' lists are new per call, so they are sorted as they are.
            var sorted = tasks as List<BackupTask> ?? new List<BackupTask>(tasks);
            for (var i = 1; i < sorted.Count; i++)
            {
                var task = sorted[i];
                var started = StartOf(task);
                var at = i;
                while (at > 0 && StartOf(sorted[at - 1]) < started)
                {
                    sorted[at] = sorted[at - 1];
                    at--;
                }
                sorted[at] = task;
            }
            return sorted;
        }

        private static DateTimeOffset StartOf(BackupTask task) => task.StartTime ?? DateTimeOffset.MinValue;

        /// <summary>
        /// A per-shard job list ("1022,2480") is not a filter the services take: list the instance's tasks and keep those
        /// jobs.
        /// </summary>
        private async Task<IReadOnlyList<BackupTask>> GetTasksOfJobsAsync(IBackupEngine resolved, ApiTarget target, TaskQuery query, string[] jobIds, CancellationToken cancellationToken)
        {
            var all = await resolved.GetTasksAsync(Channel(resolved, target), new TaskQuery(query.InstanceId, null, query.JobMode), cancellationToken).ConfigureAwait(false);
            return NewestFirst(all.Where(t => t.GetJobIds().Any(id => Array.IndexOf(jobIds, id) >= 0)));
        }

        /// <summary>
        /// Backups page by page: the next page is requested only when the caller asks for it. A per-shard job list
        /// ("1022,2480") is queried one job at a time, as DescribeBackups asks. For a lookup by ID
        /// (<see cref="BackupQuery.IsLookup"/>), an ID that matches nothing is a <see cref="BackupNotFoundException"/>
        /// once every page has been read. Paging stops when a page is short or empty, or the backups seen reach
        /// TotalCount; a service that answers a page it already gave, or a page that adds nothing new, would otherwise be
        /// asked forever, so that ends the listing with an error (after the pages that were good).
        /// </summary>
        public async IAsyncEnumerable<IReadOnlyList<Backup>> GetBackupPagesAsync(ApiTarget target, BackupQuery query, BackupEngine? engine,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var instanceId = InputValidation.Id(IdKind.Instance, query.InstanceId, "InstanceId");
            var backupId = query.BackupId == null ? null : InputValidation.Id(IdKind.Backup, query.BackupId, "BackupId");
            var jobIds = query.BackupJobId == null ? new string?[] { null } : InputValidation.Id(IdKind.BackupJob, query.BackupJobId, "BackupJobId").Split(',');
            var resolved = EngineCatalog.Resolve(instanceId, engine);
            var channel = Channel(resolved, target);
            var missing = new List<string>();
            foreach (var jobId in jobIds)
            {
                var single = query.With(instanceId, backupId, jobId);
                var found = 0;
                // Keys of the last few pages only, not of every backup listed: what a shifting list repeats sits across a
                // page boundary, a repeated page is the one before, and memory stays flat however many pages there are
                // (sets of every key grew a listing of 100,000 backups by tens of MB).
                var recent = new RecentKeys(RepeatWindowPages);
                long distinct = 0;
                for (var pageNumber = 1; ; pageNumber++)
                {
                    var page = await resolved.GetBackupPageAsync(channel, single, pageNumber, cancellationToken).ConfigureAwait(false);
                    var listed = new HashSet<string>(StringComparer.Ordinal);
                    var added = 0;
                    foreach (var key in page.ListedKeys)
                        if (listed.Add(key) && !recent.Contains(key)) added++;
                    var fresh = new List<Backup>(page.Items.Count);
                    var taken = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var b in page.Items)
                    {
                        var key = BackupPage.KeyOf(b);
                        if (!recent.Contains(key) && taken.Add(key)) fresh.Add(b);
                    }
                    recent.Add(listed);
                    distinct += added;
                    if (pageNumber > 1 && page.ListedKeys.Count > 0 && added == 0)
                    {
                        throw new AliBackupInvalidResponseException(resolved.Product.ProductId, "DescribeBackups", 200, null,
                            "page " + pageNumber + " repeats backups already listed on earlier pages (" + distinct + " distinct of TotalCount " +
                            page.TotalCount + "); paging was stopped instead of asking again forever");
                    }
                    found += fresh.Count;
                    yield return fresh;
                    if (!page.HasMore || distinct >= page.TotalCount) break;
                    if (pageNumber >= MaxPages)
                    {
                        throw new AliBackupInvalidResponseException(resolved.Product.ProductId, "DescribeBackups", 200, null,
                            "it kept offering more pages after " + MaxPages + " (" + distinct + " backups); paging was stopped. Narrow -StartTime/-EndTime.");
                    }
                }
                if (found == 0) missing.Add(jobId == null ? "" : jobId);
            }
            if (query.IsLookup && missing.Count > 0)
            {
                var jobs = missing.Where(j => j.Length > 0).ToList();
                var what = (backupId != null ? "BackupId " + backupId : "") + (backupId != null && jobs.Count > 0 ? " and " : "") +
                           (jobs.Count > 0 ? "job " + string.Join(", ", jobs) : "");
                throw new BackupNotFoundException(instanceId, what, query.StartTime, query.EndTime);
            }
        }

        /// <summary>
        /// A listing longer than this many pages (a million backups at 100 a page) is not a real one: an instance keeps at
        /// most a few tens of thousands. Repeated or empty pages end a runaway listing long before this.
        /// </summary>
        internal const int MaxPages = 10_000;

        /// <summary>How many pages back repeats are looked for (a service that shifts or repeats pages does so nearby).</summary>
        internal const int RepeatWindowPages = 10;

        /// <summary>The keys of the last few pages.</summary>
        private sealed class RecentKeys
        {
            private readonly Queue<HashSet<string>> _pages = new Queue<HashSet<string>>();
            private readonly int _window;

            public RecentKeys(int window)
            {
                _window = window;
            }

            public bool Contains(string key)
            {
                foreach (var page in _pages)
                    if (page.Contains(key)) return true;
                return false;
            }

            public void Add(HashSet<string> page)
            {
                _pages.Enqueue(page);
                if (_pages.Count > _window) _pages.Dequeue();
            }
        }

        /// <summary>All backups of a query (every page).</summary>
        public async Task<IReadOnlyList<Backup>> GetAllBackupsAsync(ApiTarget target, BackupQuery query, BackupEngine? engine, CancellationToken cancellationToken)
        {
            var all = new List<Backup>();
            await foreach (var page in GetBackupPagesAsync(target, query, engine, cancellationToken).ConfigureAwait(false)) all.AddRange(page);
            return all;
        }

        /// <summary>
        /// The backups one job of <paramref name="task"/> produced, searched for in every backup the instance still has
        /// (no 7-day window): how a job that no task list shows (a typo, or one that finished long ago) is told apart.
        /// </summary>
        public async Task<IReadOnlyList<Backup>> FindJobBackupsAsync(ApiTarget target, BackupTask task, string jobId, BackupEngine? engine, CancellationToken cancellationToken)
        {
            var resolved = EngineCatalog.Resolve(task.InstanceId, engine);
            var query = BackupQuery.Wide(task.InstanceId, _options.Time.GetUtcNow());
            query.BackupJobId = jobId;
            var candidates = await GetAllBackupsAsync(target, query, resolved.Engine, cancellationToken).ConfigureAwait(false);
            return resolved.MatchBackups(task, jobId, candidates);
        }

        /// <summary>
        /// A backup asked for by ID, as a wait reports it: looked up among every backup of the instance; a failed one is a
        /// <see cref="Waiting.BackupFailedException"/>, an unknown ID a <see cref="BackupNotFoundException"/>.
        /// </summary>
        public async Task<IReadOnlyList<Backup>> GetFinishedBackupAsync(ApiTarget target, string instanceId, string backupId, BackupEngine? engine, CancellationToken cancellationToken)
        {
            var query = BackupQuery.For(instanceId, null, null, backupId, null, _options.Time.GetUtcNow());
            var backups = await GetAllBackupsAsync(target, query, engine, cancellationToken).ConfigureAwait(false);
            var resolved = EngineCatalog.Resolve(instanceId, engine);
            if (backups.Any(b => b.Status == BackupStatus.Failed))
                throw new Waiting.BackupFailedException(new BackupTask { Engine = resolved.Engine, InstanceId = query.InstanceId, Status = BackupTaskStatus.Failed }, backups);
            var unfinished = backups.FirstOrDefault(b => b.Status != BackupStatus.Success);
            if (unfinished != null)
                throw new AliBackupConfigurationException("The backup " + unfinished.BackupId + " of " + query.InstanceId + " is not finished (status " + (unfinished.RawStatus ?? "unknown") +
                                                          "); a backup in progress is waited on through its task: Wait-AliBackupTask -InstanceId " + query.InstanceId + " -Latest.", "BackupId");
            return backups;
        }

        /// <summary>
        /// Proves the credentials with STS GetCallerIdentity (it needs no permission) and says whose they are. The call
        /// goes to ALIBACKUP_STS_ENDPOINT when set; with a loopback endpoint override (the emulator serves STS on its
        /// port) to that endpoint; else to the STS endpoint the credential sources use.
        /// </summary>
        public async Task<CallerIdentity> VerifyCredentialsAsync(string? endpoint, CancellationToken cancellationToken)
        {
            var credential = await Credentials.GetCredentialAsync(cancellationToken).ConfigureAwait(false);
            var env = _options.Environment;
            var overridden = ResolveEndpointOverride(endpoint).Value;
            var productEndpoint = overridden == null ? null : EndpointResolver.ParseEndpoint(overridden);
            var stsEndpoint = env.Get(StsClient.EndpointVariable) == null && productEndpoint != null && EndpointResolver.IsLoopback(productEndpoint.Host)
                ? productEndpoint
                : StsClient.ResolveEndpoint(env, null);
            var context = new CredentialContext(env, _options.Http, _options.Time, _options.Observer, _options.CredentialCache);
            return await new StsClient(context, stsEndpoint).GetCallerIdentityAsync(credential, cancellationToken).ConfigureAwait(false);
        }


        /// <summary>How far the service's clock may be behind ours when a task started by a lost CreateBackup is looked for.</summary>
        internal static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);

        /// <summary>
        /// Pauses before each look for a task after a lost CreateBackup answer, in steps of the client's retry base delay
        /// (a new task may take a moment to be listed): at once, after one step, after two more.
        /// </summary>
        private IEnumerable<TimeSpan> CreatedTaskLookupPauses()
        {
            yield return TimeSpan.Zero;
            yield return _client.Options.RetryBaseDelay;
            yield return TimeSpan.FromTicks(_client.Options.RetryBaseDelay.Ticks * 2);
        }

        /// <summary>
        /// Starts a manual backup and returns its task (status NotStarted, start time = now). CreateBackup is never sent
        /// twice blindly: when its answer is lost (the connection dropped after it was sent, no answer in time, a 5xx, an
        /// unreadable answer) the backup may have started, so the instance's manual tasks (and, for products that list only
        /// running tasks, its manual backups) started since the request are looked up and that task is returned. Only when
        /// none is found is the outcome reported as unknown (<see cref="BackupOutcomeUnknownException"/>), with how to check.
        /// </summary>
        public async Task<BackupTask> StartBackupAsync(ApiTarget target, string instanceId, BackupEngine? engine, CancellationToken cancellationToken)
        {
            instanceId = InputValidation.Id(IdKind.Instance, instanceId, "InstanceId");
            var resolved = EngineCatalog.Resolve(instanceId, engine);
            var channel = Channel(resolved, target);
            var requestedAt = _options.Time.GetUtcNow();
            StartedBackup started;
            try
            {
                started = await resolved.StartBackupAsync(channel, instanceId, cancellationToken).ConfigureAwait(false);
            }
            catch (AliBackupException ex) when (OutcomeIsOpen(ex))
            {
                var found = await FindCreatedTaskAsync(target, resolved, instanceId, requestedAt, ex, cancellationToken).ConfigureAwait(false);
                Notify(new ServiceNotice("CreateBackup's answer for " + instanceId + " was lost (" + ex.Message + "); the backup it started was found: job " +
                                         found.BackupJobId + " (" + found.Status + ").", isWarning: false));
                return found;
            }
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

        /// <summary>Whether a failed CreateBackup may nevertheless have started a backup.</summary>
        internal static bool OutcomeIsOpen(AliBackupException failure)
        {
            switch (failure)
            {
                case AliBackupTransportException transport: return transport.RequestMayHaveArrived;
                case AliBackupInvalidResponseException _: return true;
                case AliBackupApiException api: return api.HttpStatus >= 500 || api.Code == "SignatureNonceUsed";
                default: return false;
            }
        }

        /// <summary>
        /// The manual task a lost CreateBackup started: one in progress now (the check before CreateBackup found none), or
        /// one started since the request (allowing for the service's clock being behind); for products whose task list drops
        /// finished tasks, a manual backup started since then stands for it.
        /// </summary>
        private async Task<BackupTask> FindCreatedTaskAsync(ApiTarget target, IBackupEngine engine, string instanceId, DateTimeOffset requestedAt,
            AliBackupException cause, CancellationToken cancellationToken)
        {
            var since = requestedAt - ClockSkewAllowance;
            Exception? lookupFailure = null;
            foreach (var pause in CreatedTaskLookupPauses())
            {
                if (pause > TimeSpan.Zero) await _options.Time.Delay(pause, cancellationToken).ConfigureAwait(false);
                try
                {
                    var tasks = await GetTasksAsync(target, new TaskQuery(instanceId, null, BackupJobMode.Manual), engine.Engine, cancellationToken).ConfigureAwait(false);
                    var found = Newest(tasks.Where(t => t.Status >= BackupTaskStatus.NotStarted && t.Status <= BackupTaskStatus.Checking ||
                                                       t.StartTime.HasValue && t.StartTime.Value >= since));
                    if (found != null) return found;
                    var window = new BackupQuery(instanceId, since, _options.Time.GetUtcNow() + TimeSpan.FromMinutes(2));
                    var backups = await GetAllBackupsAsync(target, window, engine.Engine, cancellationToken).ConfigureAwait(false);
                    var backup = backups.Where(b => string.Equals(b.Mode, "Manual", StringComparison.OrdinalIgnoreCase) && b.StartTime.HasValue && b.StartTime.Value >= since)
                        .OrderByDescending(b => b.StartTime).FirstOrDefault();
                    if (backup != null) return TaskOf(backup, engine);
                    lookupFailure = null;
                }
                catch (AliBackupException ex) when (!(ex is AliBackupCredentialException))
                {
                    lookupFailure = ex;
                }
            }
            throw new BackupOutcomeUnknownException(instanceId, cause, lookupFailure);
        }

        /// <summary>A finished backup standing for the task that made it (its job ID, or for PolarDB its backup ID).</summary>
        private static BackupTask TaskOf(Backup backup, IBackupEngine engine) => new BackupTask
        {
            Engine = engine.Engine,
            InstanceId = backup.InstanceId,
            BackupJobId = backup.BackupJobId ?? backup.BackupId,
            Status = BackupTaskStatus.Finished,
            Progress = engine.ReportsProgress ? 100 : (int?)null,
            JobMode = "Manual",
            TaskAction = "TempBackupTask",
            StartTime = backup.StartTime,
            NodeId = backup.NodeInstanceId,
            Region = backup.Region,
            Endpoint = backup.Endpoint,
        };

        private void Notify(ServiceNotice notice) => (_options.Observer as IServiceNoticeObserver)?.OnNotice(notice);

        /// <summary>
        /// Starts a manual backup unless one is already running on the instance (the services allow one at a time):
        /// then <paramref name="ifRunning"/> says whether to return the running task (Attach) or fail.
        /// </summary>
        public async Task<(BackupTask Task, bool Attached)> StartOrAttachAsync(ApiTarget target, string instanceId, BackupEngine? engine,
            RunningBackupAction ifRunning, CancellationToken cancellationToken)
        {
            var running = await FindRunningManualTaskAsync(target, instanceId, engine, cancellationToken).ConfigureAwait(false);
            if (running != null) return (AttachOrFail(running, ifRunning), true);
            BackupTask started;
            try
            {
                started = await StartBackupAsync(target, instanceId, engine, cancellationToken).ConfigureAwait(false);
            }
            catch (AliBackupApiException ex) when (ex.IsBackupRunning)
            {
                // Someone started a backup between the check and the call (any of the products' "busy" codes): look again.
                running = await FindRunningManualTaskAsync(target, instanceId, engine, cancellationToken).ConfigureAwait(false);
                if (running == null) throw;
                return (AttachOrFail(running, ifRunning), true);
            }
            return (await DescribeStartedAsync(target, started, cancellationToken).ConfigureAwait(false), false);
        }

        /// <summary>
        /// The task just started, as the service lists it, so a started task and a listed one are the same object (its
        /// RawStatus, the service's own Progress, StartTime and NodeId), whichever cmdlet wrote it. When the service does
        /// not list it yet, or the look fails, the task described from CreateBackup's answer stands: the backup has
        /// started either way, and the wait finds it by its job ID.
        /// </summary>
        private async Task<BackupTask> DescribeStartedAsync(ApiTarget target, BackupTask started, CancellationToken cancellationToken)
        {
            IReadOnlyList<BackupTask> listed;
            try
            {
                listed = await GetTasksAsync(target, new TaskQuery(started.InstanceId, started.BackupJobId), started.Engine, cancellationToken).ConfigureAwait(false);
            }
            catch (AliBackupException)
            {
                return started;
            }
            var jobIds = started.GetJobIds();
            var task = listed.FirstOrDefault(t => t.GetJobIds().Any(id => Array.IndexOf(jobIds, id) >= 0));
            if (task == null) return started;
            // Every shard's job, as CreateBackup named them (the list has one task per shard).
            task.BackupJobId = started.BackupJobId;
            return task;
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
