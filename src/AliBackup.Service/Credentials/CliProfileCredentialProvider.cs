using System;
using System.Threading;
using System.Threading.Tasks;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// Credentials from a profile of the aliyun CLI's config file. Modes are matched case-insensitively, as the CLI
    /// does: <c>AK</c> and <c>StsToken</c> are static; other modes are reported as unsupported by name.
    /// </summary>
    public sealed class CliProfileCredentialProvider : ICredentialProvider
    {
        private readonly CliProfileStore _store;
        private readonly string? _profileName;

        public CliProfileCredentialProvider(CliProfileStore store, string? profileName)
        {
            _store = store;
            _profileName = profileName;
        }

        public string Name => "cli_profile" + (_profileName == null ? "" : ":" + _profileName);

        public Task<AliCredential> GetCredentialAsync(CancellationToken cancellationToken)
        {
            var profile = _store.GetProfile(_profileName);
            var source = "cli_profile:" + profile.Name;
            var mode = profile.Mode;
            if (mode.Equals("AK", StringComparison.OrdinalIgnoreCase) || mode.Equals("StsToken", StringComparison.OrdinalIgnoreCase))
            {
                var id = profile.Read("access_key_id");
                var secret = profile.Read("access_key_secret");
                if (id == null || secret == null)
                    throw new AliBackupCredentialException("Profile '" + profile.Name + "' (mode " + mode + ") lacks access_key_id or access_key_secret.");
                string? token = null;
                if (mode.Equals("StsToken", StringComparison.OrdinalIgnoreCase))
                {
                    token = profile.Read("sts_token");
                    if (token == null) throw new AliBackupCredentialException("Profile '" + profile.Name + "' (mode StsToken) has no sts_token.");
                }
                DateTimeOffset? expiration = null;
                if (long.TryParse(profile.Read("sts_expiration"), out var unixSeconds) && unixSeconds > 0)
                    expiration = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
                return Task.FromResult(new AliCredential(id, secret, token, expiration, source));
            }

            throw new AliBackupCredentialException("Profile '" + profile.Name + "' uses mode '" + mode +
                                                   "', which AliBackup does not support. Supported modes: AK, StsToken.");
        }
    }
}
