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

    /// <summary>Credentials given directly (e.g. a PSCredential passed to -Credential).</summary>
    public sealed class StaticCredentialProvider : ICredentialProvider
    {
        private readonly AliCredential _credential;

        public StaticCredentialProvider(AliCredential credential)
        {
            _credential = credential;
        }

        public string Name => _credential.ProviderName;

        public Task<AliCredential> GetCredentialAsync(CancellationToken cancellationToken) => Task.FromResult(_credential);
    }
}
