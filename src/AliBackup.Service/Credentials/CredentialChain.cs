using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// Tries providers in order; the first that returns credentials wins and is kept for later calls (as the official
    /// SDKs' default chain does). When every provider fails, one error lists what each one said.
    /// </summary>
    public sealed class CredentialChain : ICredentialProvider
    {
        private readonly IReadOnlyList<ICredentialProvider> _providers;
        private ICredentialProvider? _chosen;

        public CredentialChain(IEnumerable<ICredentialProvider> providers)
        {
            _providers = providers.ToList();
        }

        public string Name => _chosen == null ? "default" : "default/" + _chosen.Name;

        /// <summary>The provider that answered, once one has.</summary>
        public ICredentialProvider? ChosenProvider => _chosen;

        /// <summary>
        /// The SDK-compatible default chain (first cut): environment variables, then the aliyun CLI config file
        /// (skipped when ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true).
        /// </summary>
        public static CredentialChain CreateDefault(EnvironmentReader environment)
        {
            var providers = new List<ICredentialProvider> { new EnvironmentCredentialProvider(environment) };
            if (!environment.IsTrue("ALIBABA_CLOUD_CLI_PROFILE_DISABLED"))
                providers.Add(new CliProfileCredentialProvider(new CliProfileStore(environment), null));
            return new CredentialChain(providers);
        }

        public async Task<AliCredential> GetCredentialAsync(CancellationToken cancellationToken)
        {
            var chosen = Volatile.Read(ref _chosen);
            if (chosen != null) return await chosen.GetCredentialAsync(cancellationToken).ConfigureAwait(false);

            var failures = new List<string>();
            foreach (var provider in _providers)
            {
                try
                {
                    var credential = await provider.GetCredentialAsync(cancellationToken).ConfigureAwait(false);
                    Interlocked.CompareExchange(ref _chosen, provider, null);
                    return credential;
                }
                catch (AliBackupException ex)
                {
                    failures.Add(provider.Name + ": " + ex.Message);
                }
            }
            throw new AliBackupCredentialException("No credentials were found. Sources tried, in order:" + Environment.NewLine +
                                                   string.Join(Environment.NewLine, failures.Select(f => "  - " + f)));
        }
    }
}
