using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.PowerShell.Completion;
using AliBackup.PowerShell.Internal;
using AliBackup.Service;
using AliBackup.Service.Credentials;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>
    /// What every AliBackup cmdlet shares: the -Region/-Endpoint/-Profile/-Credential parameters, the service built
    /// from them, cancellation on Ctrl+C, and running async work to completion while all output is written on the
    /// pipeline thread.
    /// </summary>
    public abstract class AliBackupCmdlet : PSCmdlet, ICanonicalRequestObserver, IServiceNoticeObserver, ICredentialObserver, IDisposable
    {
        // A wait reads the same odd value every round: each notice is shown once per command.
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _noticesShown =
            new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        /// <summary>How the session defaults are named where a value's source is shown.</summary>
        internal const string SessionDefaultsSource = "Connect-AliBackup";

        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private CancellationTokenRegistration _pipelineStopLink;
        private BackupService? _service;
        private volatile PipelineOutput? _output;

        /// <summary>The product, when the ID's prefix (r-, pc-, dds-) does not say it.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public BackupEngine? Engine { get; set; }

        /// <summary>The region whose endpoint is called (default: ALIBABA_CLOUD_REGION_ID, then the CLI profile's region).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [TrimText]
        [ValidateRegion]
        public string? Region { get; set; }

        /// <summary>An endpoint that overrides the region's (https, or http to loopback such as the emulator).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [TrimText]
        [ValidateEndpoint]
        public string? Endpoint { get; set; }

        /// <summary>An aliyun CLI profile (in ~/.aliyun/config.json) to take credentials and region from.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string? Profile { get; set; }

        /// <summary>AccessKey ID as user name, AccessKey secret as password.</summary>
        [Parameter]
        [Credential]
        [ValidateAccessKeyCredential]
        public PSCredential? Credential { get; set; }

        /// <summary>Cancelled when the user presses Ctrl+C (StopProcessing).</summary>
        protected CancellationToken StopToken => _stopping.Token;

        protected BackupService Service => _service ??= BuildService();

        private BackupService BuildService()
        {
            var options = ConfigureService(CreateServiceOptions(UsesSessionDefaults));
            // Commands that use the session's defaults reuse the session's service for their kind of command (while
            // nothing it is built from changed; see SessionServices); Connect-AliBackup builds its own.
            if (!UsesSessionDefaults) return new BackupService(options);
            // A shared service outlives this command: its traces reach whichever command's work made the call.
            options.Observer = SessionServices.Observer;
            // -Credential is turned into new keys on every invocation: what identifies them is the user name and password.
            var identity = Credential == null ? null : new[] { Credential.UserName, Credential.GetNetworkCredential().Password, CredentialParameterSource };
            return Session.Services.Get(GetType(), options, identity);
        }

        /// <summary>
        /// Whether the settings of Connect-AliBackup fill in what the parameters leave out. A -Credential or -Profile
        /// parameter replaces the session's credentials; -Region and -Endpoint each replace their own default.
        /// </summary>
        protected virtual bool UsesSessionDefaults => true;

        /// <summary>How credentials from -Credential are named where their source is shown.</summary>
        protected virtual string CredentialParameterSource => "parameter";

        /// <summary>The session of this runspace (Connect-AliBackup's settings and the shared credential cache).</summary>
        internal ModuleSession Session => _session ??= ModuleSession.Of(this);

        private ModuleSession? _session;

        internal BackupServiceOptions CreateServiceOptions(bool withSessionDefaults)
        {
            var session = Session;
            var options = new BackupServiceOptions
            {
                Credential = Credential == null ? null : ToAliCredential(Credential, CredentialParameterSource),
                Profile = Profile,
                Observer = this,
                CredentialCache = session.Cache,
                DefaultsSource = SessionDefaultsSource,
            };
            if (withSessionDefaults)
            {
                if (Credential == null && Profile == null) options.Credential = session.Credential;
                options.Profile ??= session.Profile;
                options.DefaultRegion = session.Region;
                options.DefaultEndpoint = session.Endpoint;
            }
            return options;
        }

        /// <summary>Where this record's calls go: -Region/-Endpoint as bound for this record, or the defaults.</summary>
        private ApiTarget Target => Service.ResolveTarget(Region, Endpoint);

        /// <summary>Lets a cmdlet adjust the service (e.g. the waiter handles throttling itself).</summary>
        protected virtual BackupServiceOptions ConfigureService(BackupServiceOptions options) => options;

        protected override void BeginProcessing()
        {
            // Session state may only be touched on the pipeline thread; the service may first be built off it.
            _session = ModuleSession.Of(this);
            _tracesDebug = Wants("Debug", "DebugPreference");
            // Under -Debug alone, verbose lines go out as debug records (DebugSwitch), so they are wanted then too.
            _tracesVerbose = Wants("Verbose", "VerbosePreference") || DebugSwitch.Of(MyInvocation).VerboseAsDebug;
            LinkPipelineStopToken();
        }

        protected override void StopProcessing() => Cancel();

        /// <summary>Writes a verbose message, or under -Debug alone a debug record (see <see cref="DebugSwitch"/>).</summary>
        public new void WriteVerbose(string text) => DebugSwitch.WriteVerbose(this, text);

        /// <summary>Writes a warning, or under -Debug without -WarningAction a debug record (see <see cref="DebugSwitch"/>).</summary>
        public new void WriteWarning(string text) => DebugSwitch.WriteWarning(this, text);
        // Whether -Verbose / -Debug output would be shown at all: when not, no trace text is built for it (a call's trace
        // line and canonical request cost more than the rest of the cmdlet's own work).
        private bool _tracesVerbose = true;
        private bool _tracesDebug = true;

        /// <summary>
        /// As PowerShell decides for Write-Verbose/Write-Debug: the switch when it is bound (also through
        /// $PSDefaultParameterValues), else the preference variable in scope; anything but SilentlyContinue or Ignore shows.
        /// </summary>
        private bool Wants(string switchName, string preferenceVariable) =>
            MyInvocation.BoundParameters.TryGetValue(switchName, out var bound) ? DebugSwitch.IsOn(bound) : PreferenceShows(preferenceVariable, whenUnset: false);

        /// <summary>Whether the preference variable in scope lets its stream show: anything but SilentlyContinue or Ignore.</summary>
        private bool PreferenceShows(string preferenceVariable, bool whenUnset)
        {
            var preference = GetVariableValue(preferenceVariable);
            if (preference == null) return whenUnset;
            if (!(preference is ActionPreference value) && !LanguagePrimitives.TryConvertTo(preference, out value)) return true;
            return value != ActionPreference.SilentlyContinue && value != ActionPreference.Ignore;
        }

        /// <summary>Whether progress bars would show ($ProgressPreference); a command skips building them when not.</summary>
        internal bool ShowsProgressBars() => PreferenceShows("ProgressPreference", whenUnset: true);

        /// <summary>Information the host always shows (like Write-Host), so CI logs carry it; it stays on stream 6.</summary>
        internal void WriteHostLine(string text, string tag)
        {
            var record = new InformationRecord(new HostInformationMessage { Message = text }, MyInvocation.MyCommand.Name);
            record.Tags.Add("PSHOST");
            record.Tags.Add("AliBackup");
            record.Tags.Add(tag);
            WriteInformation(record);
        }

        /// <summary>
        /// Whether a failure belongs to one pipeline item alone. Credential failures — none found, or rejected by the
        /// service (wrong secret, unknown key, expired token) — would meet every further item too, so they are not.
        /// </summary>
        internal static bool FailsOnlyItsItem(AliBackupException ex) =>
            !(ex is AliBackupCredentialException) && !(ex is AliBackupApiException { RejectsCaller: true });

        /// <summary>Cleanup belongs here: upstream of Select-Object -First, EndProcessing never runs (PowerShell #7930).</summary>
        public void Dispose()
        {
            Cancel();
            ReleaseResources();
            _pipelineStopLink.Dispose();
            _stopping.Dispose();
        }

        /// <summary>A cmdlet's own cleanup (open files, handles), run from Dispose after the work was cancelled.</summary>
        protected virtual void ReleaseResources()
        {
        }

        private void Cancel()
        {
            try
            {
                _stopping.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>
        /// On PowerShell 7.6+, <c>PipelineStopToken</c> is the engine's own stop signal; linking it means a stop is seen
        /// even where StopProcessing is not called. The module is compiled against PowerShell Standard 5.1, so the
        /// property is looked up at run time (and absent on Windows PowerShell 5.1, where StopProcessing suffices).
        /// </summary>
        private void LinkPipelineStopToken()
        {
            if (PipelineStopTokenProperty?.GetValue(this) is CancellationToken engineStop && engineStop.CanBeCanceled)
                _pipelineStopLink = engineStop.Register(Cancel);
        }

        private static readonly System.Reflection.PropertyInfo? PipelineStopTokenProperty =
            typeof(PSCmdlet).GetProperty("PipelineStopToken", typeof(CancellationToken));

        /// <summary>How long a stopped pipeline waits for the work to notice (it only has to see its token).</summary>
        private static readonly TimeSpan WorkerWindDown = TimeSpan.FromSeconds(1);

        /// <summary>
        /// Runs <paramref name="work"/> and pumps its output on this thread until it ends. The work starts here, on the
        /// pipeline thread, and goes on wherever its awaits resume (never here: the service layer does not capture a
        /// context); a one-call command so costs no thread hop before its request is sent. A stop request cancels the work;
        /// a credential failure (every item would fail), or any failure the work does not handle itself, terminates the
        /// command.
        /// </summary>
        /// <remarks>
        /// When a Write* throws — downstream is satisfied (<c>Select-Object -First</c>), a downstream command threw,
        /// <c>break</c>, or <c>-ErrorAction Stop</c> — the work is cancelled, given a bounded moment to wind down, and
        /// the exception is rethrown unchanged, so PowerShell sees exactly what it threw.
        /// </remarks>
        internal void RunAsync(Func<PipelineOutput, CancellationToken, Task> work, object? target = null) => Run(work, null, target);

        /// <param name="itemTarget">Set for one pipeline item: its failures become that item's errors.</param>
        /// <param name="target">The target object of a terminating error.</param>
        private void Run(Func<PipelineOutput, CancellationToken, Task> work, object? itemTarget, object? target)
        {
            var token = _stopping.Token;
            var output = new PipelineOutput(this, token);
            _output = output;
            Task running;
            using (CommandObserver.Enter(this)) running = StartWork(work, output, token, itemTarget);

            try
            {
                output.Pump();
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Ctrl+C (StopProcessing): handled below.
            }
            catch
            {
                Cancel();
                output.Complete();
                WaitBriefly(running);
                throw;
            }
            finally
            {
                _output = null;
            }

            if (token.IsCancellationRequested)
            {
                output.Complete();
                WaitBriefly(running);
                throw new PipelineStoppedException();
            }

            try
            {
                running.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (AliBackupException ex)
            {
                // Credential failures (every item would fail) and failures of work that is not per item.
                ThrowTerminatingError(ErrorRecords.From(ex, target));
            }
        }

        /// <summary>
        /// Starts the work on this thread; its output ends when it does, however it ends. For one pipeline item
        /// (<paramref name="itemTarget"/> set), its failure becomes that item's error here, in the same async layer (one
        /// state machine less to compile on a command's first call).
        /// </summary>
        private static async Task StartWork(Func<PipelineOutput, CancellationToken, Task> work, PipelineOutput output, CancellationToken token, object? itemTarget)
        {
            try
            {
                await work(output, token).ConfigureAwait(false);
            }
            catch (AliBackupException ex) when (itemTarget != null && FailsOnlyItsItem(ex))
            {
                output.WriteError(ErrorRecords.From(ex, itemTarget));
            }
            finally
            {
                output.Complete();
            }
        }

        /// <summary>Gives cancelled work a moment to end; whatever it ends with is observed here and dropped.</summary>
        private static void WaitBriefly(Task running)
        {
            try
            {
                running.Wait(WorkerWindDown);
            }
            catch (AggregateException)
            {
            }
            if (!running.IsCompleted)
                running.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        }

        /// <summary>
        /// Runs work for one pipeline item: its failure becomes a non-terminating error for that item, so the other
        /// items still come out. Credential failures — none found, or rejected by the service (wrong secret, unknown key,
        /// expired token), which every further item would hit with a request of its own — terminate; stops propagate.
        /// </summary>
        internal void RunForItem(object target, Func<PipelineOutput, CancellationToken, Task> work) => Run(work, target, target);

        /// <summary>
        /// Where this record's calls go, or null after writing why not. A bad -Region or -Endpoint bound from this item
        /// is an error for the item; a bad setting (session default, environment variable, profile) would fail every
        /// item alike, so it terminates.
        /// </summary>
        internal ApiTarget? ResolveTargetOrWriteError(object item)
        {
            try
            {
                return Target;
            }
            catch (AliBackupConfigurationException ex)
            {
                if (ex.ParameterName == null) ThrowTerminatingError(ErrorRecords.From(ex, item));
                WriteError(ErrorRecords.From(ex, item));
                return null;
            }
        }

        /// <summary>Resolves the engine for an ID (-Engine wins), writing a non-terminating error and returning null when it cannot.</summary>
        internal IBackupEngine? ResolveEngineOrWriteError(string instanceId)
        {
            try
            {
                return EngineCatalog.Resolve(instanceId, Engine);
            }
            catch (AliBackupConfigurationException ex)
            {
                WriteError(ErrorRecords.From(ex, instanceId));
                return null;
            }
        }

        void IApiCallObserver.OnCallCompleted(ApiCallTrace trace)
        {
            var output = _output;
            if (output == null) return;
            if (_tracesVerbose) output.WriteVerbose(trace.ToString());
            if (_tracesDebug && trace.CanonicalRequest.Length > 0)
                output.WriteDebug("Canonical request of " + trace.Action + " (signature and security token not shown):" + Environment.NewLine + trace.CanonicalRequest);
        }

        bool ICanonicalRequestObserver.ShowsCanonicalRequest => _tracesDebug;

        void IServiceNoticeObserver.OnNotice(ServiceNotice notice)
        {
            var output = _output;
            if (output == null || !_noticesShown.TryAdd(notice.Key, true)) return;
            if (notice.IsWarning) output.WriteWarning(notice.Message);
            else output.WriteVerbose(notice.Message);
        }

        void ICredentialObserver.OnCredentialNotice(string message, bool isWarning)
        {
            var output = _output;
            if (output == null) return;
            if (isWarning) output.WriteWarning(message);
            else if (_tracesVerbose) output.WriteVerbose(message);
        }

        /// <summary>A PSCredential as an AccessKey pair: the user name is the AccessKey ID, the password the secret.</summary>
        internal static AliCredential ToAliCredential(PSCredential credential, string providerName) =>
            new AliCredential(credential.UserName, credential.GetNetworkCredential().Password, providerName: providerName);
    }
}
