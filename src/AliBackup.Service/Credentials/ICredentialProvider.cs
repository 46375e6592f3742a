using System.Threading;
using System.Threading.Tasks;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// One source of credentials. Callers ask before every request, so a provider that hands out temporary
    /// credentials can cache them and refresh them before they expire.
    /// </summary>
    public interface ICredentialProvider
    {
        /// <summary>A short name for the source, shown to users (never a secret).</summary>
        string Name { get; }

        /// <summary>Returns usable credentials, or throws <see cref="AliBackupCredentialException"/> saying why not.</summary>
        Task<AliCredential> GetCredentialAsync(CancellationToken cancellationToken);
    }

    /// <summary>
    /// A provider that can be told the service rejected its credentials as expired (its clock and the service's may
    /// disagree), so the next request gets fresh ones instead of the cached ones.
    /// </summary>
    public interface IRefreshableCredentialProvider
    {
        /// <summary>True when new credentials will be fetched for the next request.</summary>
        bool Invalidate(AliCredential rejected);
    }

    /// <summary>Credentials given directly (e.g. a PSCredential passed to -Credential).</summary>
    public sealed class StaticCredentialProvider : ICredentialProvider, IFingerprintedCredentialProvider
    {
        private readonly AliCredential _credential;
        private readonly Task<AliCredential> _answer;

        public StaticCredentialProvider(AliCredential credential)
        {
            _credential = credential;
            _answer = Task.FromResult(credential);
        }

        public string Name => _credential.ProviderName;

        public string Fingerprint => "static|" + _credential.AccessKeyId + "|" + _credential.AccessKeySecret + "|" + _credential.SecurityToken;

        public Task<AliCredential> GetCredentialAsync(CancellationToken cancellationToken) => _answer;
    }

    /// <summary>
    /// A link of the default chain that is not configured, switched off or misconfigured: it never answers, but the
    /// chain's final error still says why it was passed over (e.g. which variable would turn it on).
    /// </summary>
    public sealed class UnavailableCredentialSource : ICredentialProvider
    {
        private readonly string _reason;

        public UnavailableCredentialSource(string name, string reason)
        {
            Name = name;
            _reason = reason;
        }

        public string Name { get; }

        public Task<AliCredential> GetCredentialAsync(CancellationToken cancellationToken) =>
            throw new AliBackupCredentialException(_reason);
    }
}
