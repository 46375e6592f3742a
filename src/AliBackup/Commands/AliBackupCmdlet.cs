using System;
using System.Collections.Concurrent;
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
    public abstract class AliBackupCmdlet : PSCmdlet, IApiCallObserver, ICredentialObserver
    {
        /// <summary>How the session defaults are named where a value's source is shown.</summary>
        internal const string SessionDefaultsSource = "Connect-AliBackup";

        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private BackupService? _service;
        private volatile PipelineOutput? _output;

        /// <summary>The product, when the ID's prefix (r-, pc-, dds-) does not say it.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public BackupEngine? Engine { get; set; }

        /// <summary>The region whose endpoint is called (default: ALIBABA_CLOUD_REGION_ID, then the CLI profile's region).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(RegionCompleter))]
        public string? Region { get; set; }

        /// <summary>An endpoint that overrides the region's (https, or http to loopback such as the emulator).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Endpoint { get; set; }

        /// <summary>An aliyun CLI profile (in ~/.aliyun/config.json) to take credentials and region from.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Profile { get; set; }

        /// <summary>AccessKey ID as user name, AccessKey secret as password.</summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>Cancelled when the user presses Ctrl+C (StopProcessing).</summary>
        protected CancellationToken StopToken => _stopping.Token;

        protected BackupService Service => _service ??= new BackupService(ConfigureService(CreateServiceOptions(UsesSessionDefaults)));

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
        protected ApiTarget Target => Service.ResolveTarget(Region, Endpoint);

        /// <summary>Lets a cmdlet adjust the service (e.g. the waiter handles throttling itself).</summary>
        protected virtual BackupServiceOptions ConfigureService(BackupServiceOptions options) => options;

        protected override void BeginProcessing()
        {
            // Session state may only be touched on the pipeline thread; the service may first be built off it.
            _session = ModuleSession.Of(this);
            if (Credential != null &&
                (string.IsNullOrEmpty(Credential.UserName) || string.IsNullOrEmpty(Credential.GetNetworkCredential().Password)))
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument(
                    "-Credential needs the AccessKey ID as the user name and the AccessKey secret as the password, e.g. " +
                    "-Credential (Get-Credential -UserName LTAI...)", "Credential", null));
            }
        }

        protected override void StopProcessing() => _stopping.Cancel();

        /// <summary>
        /// Runs <paramref name="work"/> off the pipeline thread and pumps its output on this thread until it ends.
        /// A stop request cancels the work; a credential failure (every item would fail), or any failure the work does not
        /// handle itself, terminates the command.
        /// </summary>
        internal void RunAsync(Func<PipelineOutput, CancellationToken, Task> work)
        {
            using var queue = new BlockingCollection<Action>();
            var output = new PipelineOutput(this, queue);
            _output = output;
            var token = _stopping.Token;
            var running = Task.Run(async () =>
            {
                try
                {
                    await work(output, token).ConfigureAwait(false);
                }
                finally
                {
                    queue.CompleteAdding();
                }
            });

            try
            {
                foreach (var action in queue.GetConsumingEnumerable()) action();
            }
            catch
            {
                // Output failed (the pipeline is stopping, or -ErrorAction Stop turned an error terminating):
                // stop the work and let it wind down before leaving.
                _stopping.Cancel();
                try { running.Wait(); } catch (AggregateException) { }
                throw;
            }
            finally
            {
                _output = null;
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
                ThrowTerminatingError(ErrorRecords.From(ex, null));
            }
        }

        /// <summary>
        /// Runs work for one pipeline item: its failure becomes a non-terminating error for that item, so the other
        /// items still come out. Credential failures and stops propagate.
        /// </summary>
        internal void RunForItem(object target, Func<PipelineOutput, CancellationToken, Task> work) =>
            RunAsync(async (output, token) =>
            {
                try
                {
                    await work(output, token).ConfigureAwait(false);
                }
                catch (AliBackupException ex) when (!(ex is AliBackupCredentialException))
                {
                    output.WriteError(ErrorRecords.From(ex, target));
                }
            });

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
            output.WriteVerbose(trace.ToString());
            if (trace.CanonicalRequest.Length > 0)
                output.WriteDebug("Canonical request of " + trace.Action + " (signature and security token not shown):" + Environment.NewLine + trace.CanonicalRequest);
        }

        void ICredentialObserver.OnCredentialNotice(string message, bool isWarning)
        {
            var output = _output;
            if (output == null) return;
            if (isWarning) output.WriteWarning(message);
            else output.WriteVerbose(message);
        }

        /// <summary>A PSCredential as an AccessKey pair: the user name is the AccessKey ID, the password the secret.</summary>
        internal static AliCredential ToAliCredential(PSCredential credential, string providerName) =>
            new AliCredential(credential.UserName, credential.GetNetworkCredential().Password, providerName: providerName);
    }
}
