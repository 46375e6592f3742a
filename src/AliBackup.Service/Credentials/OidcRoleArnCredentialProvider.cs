using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// A RAM role assumed with an OIDC token (RRSA on ACK, GitHub Actions OIDC, …) through the anonymous STS call
    /// AssumeRoleWithOIDC. The token file is read again on every refresh, since the platform rotates it; its content
    /// goes only into that request's body and is never shown.
    /// </summary>
    public sealed class OidcRoleArnCredentialProvider : RefreshingCredentialProvider
    {
        public const string RoleArnVariable = "ALIBABA_CLOUD_ROLE_ARN";
        public const string ProviderArnVariable = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
        public const string TokenFileVariable = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";

        private readonly string _providerArn;
        private readonly string _tokenFile;
        private readonly RoleSessionRequest _request;
        private readonly StsClient _sts;

        public OidcRoleArnCredentialProvider(CredentialContext context, string oidcProviderArn, string tokenFile, RoleSessionRequest request, string? stsRegion,
            string name = "oidc_role_arn")
            : base(context, StsRefreshMargin)
        {
            RoleSessionNames.CheckDuration(request.DurationSeconds);
            _providerArn = oidcProviderArn;
            _tokenFile = tokenFile;
            _request = request;
            _sts = new StsClient(context, StsClient.ResolveEndpoint(context.Environment, stsRegion));
            Name = name;
        }

        /// <summary>The provider the default chain uses when all three ALIBABA_CLOUD_* OIDC variables are set.</summary>
        public static OidcRoleArnCredentialProvider FromEnvironment(CredentialContext context)
        {
            var env = context.Environment;
            return new OidcRoleArnCredentialProvider(context, env.Get(ProviderArnVariable)!, env.Get(TokenFileVariable)!,
                new RoleSessionRequest(env.Get(RoleArnVariable)!, RoleSessionNames.Choose(null, env), RoleSessionNames.DefaultDurationSeconds), null);
        }

        public override string Name { get; }

        public override string Fingerprint => "oidc_role_arn|" + _sts.Endpoint + "|" + _providerArn + "|" + _tokenFile + "|" + _request.Fingerprint;

        protected override async Task<AliCredential> FetchAsync(CancellationToken cancellationToken)
        {
            string token;
            try
            {
                token = File.ReadAllText(_tokenFile, Encoding.UTF8).Trim();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
            {
                throw new AliBackupCredentialException("The OIDC token file " + _tokenFile + " cannot be read (" +
                                                       (ex is FileNotFoundException || ex is DirectoryNotFoundException ? "it does not exist" : ex.GetType().Name) + ").");
            }
            if (token.Length == 0) throw new AliBackupCredentialException("The OIDC token file " + _tokenFile + " is empty.");

            try
            {
                return await _sts.AssumeRoleWithOidcAsync(_providerArn, token, _request, Name, cancellationToken).ConfigureAwait(false);
            }
            catch (AliBackupException ex) when (!(ex is AliBackupCredentialException))
            {
                throw new AliBackupCredentialException("STS AssumeRoleWithOIDC of " + _request.RoleArn + " (OIDC provider " + _providerArn + ") failed: " + ex.Message, ex);
            }
        }
    }
}
