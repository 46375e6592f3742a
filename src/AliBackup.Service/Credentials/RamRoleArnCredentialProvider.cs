using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// A RAM role assumed through STS AssumeRole with the credentials of another source: a profile's own AccessKey
    /// (RamRoleArn, INI ram_role_arn) or another profile's credentials (ChainableRamRoleArn). The session is cached and
    /// assumed again 15 minutes before it expires.
    /// </summary>
    public sealed class RamRoleArnCredentialProvider : RefreshingCredentialProvider
    {
        private readonly ICredentialProvider _source;
        private readonly RoleSessionRequest _request;
        private readonly StsClient _sts;

        public RamRoleArnCredentialProvider(CredentialContext context, ICredentialProvider source, RoleSessionRequest request, string? stsRegion, string name)
            : base(context, StsRefreshMargin)
        {
            RoleSessionNames.CheckDuration(request.DurationSeconds);
            _source = source;
            _request = request;
            _sts = new StsClient(context, StsClient.ResolveEndpoint(context.Environment, stsRegion));
            Name = name;
        }

        public override string Name { get; }

        public override string Fingerprint =>
            "ram_role_arn|" + _sts.Endpoint + "|" + _request.Fingerprint + "|" + ((_source as IFingerprintedCredentialProvider)?.Fingerprint ?? _source.Name);

        protected override async Task<AliCredential> FetchAsync(CancellationToken cancellationToken)
        {
            AliCredential caller;
            try
            {
                caller = await _source.GetCredentialAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (AliBackupException ex)
            {
                throw new AliBackupCredentialException("The credentials to assume " + _request.RoleArn + " with (" + _source.Name + ") are unavailable: " + ex.Message, ex);
            }
            try
            {
                return await _sts.AssumeRoleAsync(caller, _request, Name, cancellationToken).ConfigureAwait(false);
            }
            catch (AliBackupException ex) when (!(ex is AliBackupCredentialException))
            {
                throw new AliBackupCredentialException("STS AssumeRole of " + _request.RoleArn + " (session " + _request.RoleSessionName + ") failed: " + ex.Message, ex);
            }
        }
    }

    /// <summary>The rules STS applies to sessions, checked before anything is sent.</summary>
    internal static class RoleSessionNames
    {
        public const string SessionNameVariable = "ALIBABA_CLOUD_ROLE_SESSION_NAME";

        /// <summary>
        /// The session name when none is configured. The SDKs make one up per process (credentials-nodejs-&lt;ms&gt;); a
        /// stable one lets a PowerShell session's commands share one cached role session.
        /// </summary>
        public const string DefaultSessionName = "alibackup-powershell";

        public const int DefaultDurationSeconds = 3600;
        public const int MinimumDurationSeconds = 900;

        public static string Choose(string? configured, EnvironmentReader environment) =>
            !string.IsNullOrWhiteSpace(configured) ? configured!.Trim() : environment.Get(SessionNameVariable) ?? DefaultSessionName;

        /// <summary>A whole number of seconds from a profile field; the default when absent.</summary>
        public static int ParseDuration(string? text, string field)
        {
            if (string.IsNullOrWhiteSpace(text)) return DefaultDurationSeconds;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
                throw new AliBackupCredentialException(field + " must be a whole number of seconds (it is '" + text + "').");
            return seconds;
        }

        public static void CheckDuration(int seconds)
        {
            if (seconds < MinimumDurationSeconds)
                throw new AliBackupCredentialException("A role session must last at least 900 seconds (STS's minimum); " + seconds.ToString(CultureInfo.InvariantCulture) + " was configured.");
        }
    }
}
