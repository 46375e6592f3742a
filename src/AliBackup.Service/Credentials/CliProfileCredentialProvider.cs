using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// Credentials from a profile of the aliyun CLI's config file. Modes are matched case-insensitively, as the CLI
    /// does: <c>AK</c> and <c>StsToken</c> are static; <c>RamRoleArn</c> and <c>ChainableRamRoleArn</c> assume a role
    /// through STS; <c>EcsRamRole</c> uses the instance metadata service; <c>OIDC</c> assumes a role with an OIDC token;
    /// <c>CredentialsURI</c> reads a credentials URI. Other modes are reported as unsupported by name.
    /// </summary>
    public sealed class CliProfileCredentialProvider : ICredentialProvider, IFingerprintedCredentialProvider, IRefreshableCredentialProvider
    {
        /// <summary>The modes this provider understands, in the words of the CLI.</summary>
        public static readonly IReadOnlyList<string> SupportedModes = new[] { "AK", "StsToken", "RamRoleArn", "EcsRamRole", "OIDC", "ChainableRamRoleArn", "CredentialsURI" };

        private readonly CredentialContext _context;
        private readonly CliProfileStore _store;
        private readonly string? _profileName;
        private ICredentialProvider? _inner;

        public CliProfileCredentialProvider(CredentialContext context, string? profileName)
        {
            _context = context;
            _store = new CliProfileStore(context.Environment);
            _profileName = profileName;
        }

        /// <summary>A provider of static modes only needs the store; role modes get a default context (system clock and HTTP).</summary>
        public CliProfileCredentialProvider(CliProfileStore store, string? profileName)
            : this(new CredentialContext(store.Environment), profileName)
        {
        }

        public string Name => "cli_profile" + (_profileName == null ? "" : ":" + _profileName);

        public string Fingerprint => (_inner as IFingerprintedCredentialProvider)?.Fingerprint ?? "cli_profile|" + _profileName;

        public bool Invalidate(AliCredential rejected) => (_inner as IRefreshableCredentialProvider)?.Invalidate(rejected) == true;

        public async Task<AliCredential> GetCredentialAsync(CancellationToken cancellationToken)
        {
            var inner = _inner ??= Build(_store.GetProfile(_profileName), new HashSet<string>(StringComparer.Ordinal));
            return await inner.GetCredentialAsync(cancellationToken).ConfigureAwait(false);
        }

        private ICredentialProvider Build(CliProfile profile, HashSet<string> visited)
        {
            var label = "cli_profile:" + profile.Name;
            var mode = profile.Mode;
            string Require(string field) => profile.Read(field) ??
                throw new AliBackupCredentialException("Profile '" + profile.Name + "' (mode " + mode + ") has no " + field + ".");

            if (Is(mode, "AK") || Is(mode, "StsToken"))
                return new StaticCredentialProvider(StaticKeys(profile, label));

            if (Is(mode, "RamRoleArn"))
            {
                var source = new StaticCredentialProvider(StaticKeys(profile, label));
                return new RamRoleArnCredentialProvider(_context, source, RoleRequest(profile, Require("ram_role_arn")), profile.Read("sts_region"), label + "/ram_role_arn");
            }

            if (Is(mode, "ChainableRamRoleArn"))
            {
                var sourceName = Require("source_profile");
                if (!visited.Add(profile.Name) || visited.Contains(sourceName))
                    throw new AliBackupCredentialException("Profile '" + profile.Name + "' (mode ChainableRamRoleArn) chains back to itself through source_profile '" + sourceName + "'.");
                var source = Build(_store.GetProfile(sourceName), visited);
                return new RamRoleArnCredentialProvider(_context, source, RoleRequest(profile, Require("ram_role_arn")), profile.Read("sts_region"), label + "/ram_role_arn");
            }

            if (Is(mode, "EcsRamRole"))
                return new EcsRamRoleCredentialProvider(_context, profile.Read("ram_role_name"), label + "/ecs_ram_role");

            if (Is(mode, "OIDC"))
            {
                // The CLI writes the session length as expired_seconds; the Node SDK then overwrites it with duration_seconds,
                // a field the CLI never writes, and so always asks for 3600 s. This honours what the CLI user configured.
                var request = new RoleSessionRequest(Require("ram_role_arn"), RoleSessionNames.Choose(profile.Read("ram_session_name"), _context.Environment),
                    RoleSessionNames.ParseDuration(profile.Read("duration_seconds") ?? profile.Read("expired_seconds"), "expired_seconds"));
                return new OidcRoleArnCredentialProvider(_context, Require("oidc_provider_arn"), Require("oidc_token_file"), request, profile.Read("sts_region"),
                    label + "/oidc_role_arn");
            }

            if (Is(mode, "CredentialsURI"))
                return new CredentialsUriProvider(_context, Require("credentials_uri"), label + "/credential_uri");

            throw new AliBackupCredentialException("Profile '" + profile.Name + "' uses mode '" + mode + "', which AliBackup does not support. Supported modes: " +
                                                   string.Join(", ", SupportedModes) + ".");
        }

        private RoleSessionRequest RoleRequest(CliProfile profile, string roleArn) =>
            new RoleSessionRequest(roleArn, RoleSessionNames.Choose(profile.Read("ram_session_name"), _context.Environment),
                RoleSessionNames.ParseDuration(profile.Read("expired_seconds"), "expired_seconds"))
            {
                ExternalId = profile.Read("external_id"),
            };

        private static AliCredential StaticKeys(CliProfile profile, string label)
        {
            var mode = profile.Mode;
            var id = profile.Read("access_key_id");
            var secret = profile.Read("access_key_secret");
            if (id == null || secret == null)
                throw new AliBackupCredentialException("Profile '" + profile.Name + "' (mode " + mode + ") lacks access_key_id or access_key_secret.");
            string? token = null;
            DateTimeOffset? expiration = null;
            if (Is(mode, "StsToken"))
            {
                token = profile.Read("sts_token") ?? throw new AliBackupCredentialException("Profile '" + profile.Name + "' (mode StsToken) has no sts_token.");
                if (long.TryParse(profile.Read("sts_expiration"), out var unixSeconds) && unixSeconds > 0)
                    expiration = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
            }
            return new AliCredential(id, secret, token, expiration, label);
        }

        private static bool Is(string mode, string expected) => mode.Equals(expected, StringComparison.OrdinalIgnoreCase);
    }
}
