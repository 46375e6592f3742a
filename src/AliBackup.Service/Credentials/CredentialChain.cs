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
    public sealed class CredentialChain : ICredentialProvider, IRefreshableCredentialProvider
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

        /// <summary>The SDK-compatible default chain with the process's HTTP, the system clock and a private cache.</summary>
        public static CredentialChain CreateDefault(EnvironmentReader environment) => CreateDefault(new CredentialContext(environment));

        /// <summary>
        /// The official SDKs' default chain, in their order: environment variables, OIDC (when ALIBABA_CLOUD_ROLE_ARN,
        /// ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are all set), the aliyun CLI config file
        /// (unless ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true), the INI credentials file, the ECS RAM role (unless
        /// ALIBABA_CLOUD_ECS_METADATA_DISABLED=true), and the credentials URI (when ALIBABA_CLOUD_CREDENTIALS_URI is set).
        /// Links that are not configured stay in the list, so the final error says how to turn them on.
        /// </summary>
        public static CredentialChain CreateDefault(CredentialContext context)
        {
            var env = context.Environment;
            var providers = new List<ICredentialProvider> { new EnvironmentCredentialProvider(env) };

            var oidcVariables = new[] { OidcRoleArnCredentialProvider.RoleArnVariable, OidcRoleArnCredentialProvider.ProviderArnVariable, OidcRoleArnCredentialProvider.TokenFileVariable };
            var missing = oidcVariables.Where(v => env.Get(v) == null).ToList();
            providers.Add(missing.Count == 0
                ? Build("oidc_role_arn", () => OidcRoleArnCredentialProvider.FromEnvironment(context))
                : Skipped("oidc_role_arn", missing.Count == oidcVariables.Length
                    ? "set " + string.Join(", ", oidcVariables) + " to assume a role with an OIDC token."
                    : string.Join(", ", missing) + (missing.Count == 1 ? " is" : " are") + " not set."));

            providers.Add(env.IsTrue("ALIBABA_CLOUD_CLI_PROFILE_DISABLED")
                ? Skipped("cli_profile", "disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true.")
                : new CliProfileCredentialProvider(context, null));

            providers.Add(new IniProfileCredentialProvider(context));

            providers.Add(env.IsTrue(EcsRamRoleCredentialProvider.DisabledVariable)
                ? Skipped("ecs_ram_role", "disabled by " + EcsRamRoleCredentialProvider.DisabledVariable + "=true.")
                : Build("ecs_ram_role", () => new EcsRamRoleCredentialProvider(context, env.Get(EcsRamRoleCredentialProvider.RoleNameVariable))));

            var uri = env.Get(CredentialsUriProvider.UriVariable);
            providers.Add(uri == null
                ? Skipped("credential_uri", CredentialsUriProvider.UriVariable + " is not set.")
                : Build("credential_uri", () => new CredentialsUriProvider(context, uri)));
            return new CredentialChain(providers);
        }

        private static ICredentialProvider Skipped(string name, string reason) => new UnavailableCredentialSource(name, "skipped: " + reason);

        /// <summary>A link whose settings are wrong fails when asked, like any link, instead of breaking the whole chain.</summary>
        private static ICredentialProvider Build(string name, Func<ICredentialProvider> create)
        {
            try
            {
                return create();
            }
            catch (AliBackupException ex)
            {
                return new UnavailableCredentialSource(name, ex.Message);
            }
        }

        public async Task<AliCredential> GetCredentialAsync(CancellationToken cancellationToken)
        {
            var chosen = Volatile.Read(ref _chosen);
            if (chosen != null) return Prefixed(await chosen.GetCredentialAsync(cancellationToken).ConfigureAwait(false));

            var failures = new List<string>();
            foreach (var provider in _providers)
            {
                try
                {
                    var credential = await provider.GetCredentialAsync(cancellationToken).ConfigureAwait(false);
                    Interlocked.CompareExchange(ref _chosen, provider, null);
                    return Prefixed(credential);
                }
                catch (AliBackupException ex)
                {
                    failures.Add(provider.Name + ": " + ex.Message);
                }
            }
            throw new AliBackupCredentialException("No credentials were found. Sources tried, in order:" + Environment.NewLine +
                                                   string.Join(Environment.NewLine, failures.Select(f => "  - " + f)));
        }

        public bool Invalidate(AliCredential rejected) => (Volatile.Read(ref _chosen) as IRefreshableCredentialProvider)?.Invalidate(rejected) == true;

        /// <summary>Marks the answer as the chain's, as the SDKs report it (<c>default/env</c>).</summary>
        private static AliCredential Prefixed(AliCredential credential) => credential.WithProviderName("default/" + credential.ProviderName);
    }
}
