using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using AliBackup.Service;
using AliBackup.Service.Credentials;
using AliBackup.Service.OpenApi;

namespace AliBackup.PowerShell.Internal
{
    /// <summary>
    /// The BackupService each kind of command of one session reuses from one invocation to the next, instead of building
    /// a service (credential chain, client, endpoints) on every call; a runbook calls these cmdlets thousands of times.
    /// </summary>
    /// <remarks>
    /// A service is reused only while everything it was built from is unchanged, so reuse never changes what a command
    /// does: the parameters and session defaults it was given, every environment variable the service has read so far
    /// (it reads them through a reader that notes each one: a fresh service would read the same ones, in the same order,
    /// until one differs), the home folder, and the aliyun CLI and INI credentials files (time written). Checking that
    /// costs a few lookups and two file times; building a service costs a credential chain, a client and endpoints.
    /// </remarks>
    internal sealed class SessionServices
    {
        private readonly Dictionary<Type, Entry> _byCommand = new Dictionary<Type, Entry>();

        /// <summary>Routes traces and notices of shared services to the command whose work is running.</summary>
        public static CommandObserver Observer { get; } = new CommandObserver();

        /// <summary>
        /// The service for <paramref name="command"/>'s type with these options (built when none matches). The options'
        /// Environment is replaced by a noting reader over the process environment.
        /// <paramref name="credentialIdentity"/> says which keys <see cref="BackupServiceOptions.Credential"/> holds when it
        /// is built anew per invocation (from -Credential); without it the credential object itself must be the same.
        /// </summary>
        public BackupService Get(Type command, BackupServiceOptions options, string[]? credentialIdentity)
        {
            lock (_byCommand)
            {
                if (_byCommand.TryGetValue(command, out var entry) && entry.StillFits(options, credentialIdentity)) return entry.Service;
                entry = new Entry(options, credentialIdentity);
                _byCommand[command] = entry;
                return entry.Service;
            }
        }

        public void Clear()
        {
            lock (_byCommand) _byCommand.Clear();
        }

        private sealed class Entry
        {
            private readonly BackupServiceOptions _options;
            private readonly string[]? _credentialIdentity;
            private readonly Dictionary<string, string?> _variablesRead = new Dictionary<string, string?>(StringComparer.Ordinal);
            private readonly string _home;
            private readonly string[] _files;
            private readonly DateTime[] _written;

            public Entry(BackupServiceOptions options, string[]? credentialIdentity)
            {
                _options = options;
                _credentialIdentity = credentialIdentity;
                _home = EnvironmentReader.Process.HomeDirectory;
                _files = new[]
                {
                    Path.Combine(_home, ".aliyun", "config.json"),
                    EnvironmentReader.Process.Get(IniCredentialsFile.PathVariable) ?? Path.Combine(_home, ".alibabacloud", "credentials"),
                };
                _written = Array.ConvertAll(_files, WrittenAt);
                options.Environment = new EnvironmentReader(Read, () => _home);
                Service = new BackupService(options);
            }

            public BackupService Service { get; }

            private string? Read(string name)
            {
                var value = Environment.GetEnvironmentVariable(name);
                lock (_variablesRead)
                {
                    // The first value read is what the service was built on; a later different one fails StillFits.
                    if (!_variablesRead.ContainsKey(name)) _variablesRead[name] = value;
                }
                return value;
            }

            public bool StillFits(BackupServiceOptions options, string[]? credentialIdentity)
            {
                var built = _options;
                if (!ReferenceEquals(options.Environment, EnvironmentReader.Process)) return false;
                if (!(credentialIdentity != null && _credentialIdentity != null ? Same(credentialIdentity, _credentialIdentity)
                        : credentialIdentity == null && _credentialIdentity == null && ReferenceEquals(options.Credential, built.Credential)))
                    return false;
                if (!ReferenceEquals(options.CredentialProvider, built.CredentialProvider) || !ReferenceEquals(options.Http, built.Http) ||
                    !ReferenceEquals(options.Time, built.Time) || !ReferenceEquals(options.Observer, built.Observer) ||
                    !ReferenceEquals(options.CredentialCache, built.CredentialCache))
                    return false;
                if (options.Profile != built.Profile || options.DefaultRegion != built.DefaultRegion || options.DefaultEndpoint != built.DefaultEndpoint ||
                    options.DefaultsSource != built.DefaultsSource || !SameClient(options.Client, built.Client))
                    return false;
                if (EnvironmentReader.Process.HomeDirectory != _home) return false;
                lock (_variablesRead)
                {
                    foreach (var read in _variablesRead)
                        if (!string.Equals(Environment.GetEnvironmentVariable(read.Key), read.Value, StringComparison.Ordinal)) return false;
                }
                for (var i = 0; i < _files.Length; i++)
                    if (WrittenAt(_files[i]) != _written[i]) return false;
                return true;
            }

            private static bool SameClient(OpenApiClientOptions? a, OpenApiClientOptions? b) =>
                a == null || b == null
                    ? a == b
                    : a.MaxAttempts == b.MaxAttempts && a.RetryBaseDelay == b.RetryBaseDelay && a.MaxRetryDelay == b.MaxRetryDelay &&
                      a.RequestTimeout == b.RequestTimeout && a.RetryThrottling == b.RetryThrottling && a.UserAgent == b.UserAgent &&
                      a.RetryBudget == b.RetryBudget && a.MaxRetryAfter == b.MaxRetryAfter && a.MaxResponseBytes == b.MaxResponseBytes;

            private static bool Same(string[] a, string[] b)
            {
                if (a.Length != b.Length) return false;
                for (var i = 0; i < a.Length; i++)
                    if (!string.Equals(a[i], b[i], StringComparison.Ordinal)) return false;
                return true;
            }

            private static DateTime WrittenAt(string path)
            {
                try
                {
                    // A missing file answers a fixed time (1601-01-01), so appearing or vanishing is a change too.
                    return File.GetLastWriteTimeUtc(path);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
                {
                    return DateTime.MaxValue;
                }
            }
        }
    }

    /// <summary>
    /// The observer of every shared service: it hands each trace and notice to the command whose work made the call.
    /// The command is carried by the async flow of its work (an AsyncLocal set where the work starts), so two commands of
    /// one session running at once — a nested pipeline — each get their own.
    /// </summary>
    internal sealed class CommandObserver : ICanonicalRequestObserver, IServiceNoticeObserver, ICredentialObserver
    {
        private static readonly AsyncLocal<IApiCallObserver?> CurrentCommand = new AsyncLocal<IApiCallObserver?>();

        /// <summary>Sets the command for work started from here until the returned value is disposed (call on the pipeline thread).</summary>
        public static Scope Enter(IApiCallObserver command)
        {
            var previous = CurrentCommand.Value;
            CurrentCommand.Value = command;
            return new Scope(previous);
        }

        public void OnCallCompleted(ApiCallTrace trace) => CurrentCommand.Value?.OnCallCompleted(trace);

        /// <summary>Whether the command whose work is running shows canonical requests (no command: no one sees them).</summary>
        public bool ShowsCanonicalRequest => CurrentCommand.Value is ICanonicalRequestObserver command ? command.ShowsCanonicalRequest : CurrentCommand.Value != null;

        public void OnNotice(ServiceNotice notice) => (CurrentCommand.Value as IServiceNoticeObserver)?.OnNotice(notice);

        public void OnCredentialNotice(string message, bool isWarning) => (CurrentCommand.Value as ICredentialObserver)?.OnCredentialNotice(message, isWarning);

        internal readonly struct Scope : IDisposable
        {
            private readonly IApiCallObserver? _previous;

            public Scope(IApiCallObserver? previous)
            {
                _previous = previous;
            }

            public void Dispose() => CurrentCommand.Value = _previous;
        }
    }
}
