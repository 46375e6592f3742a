using System.Threading;
using System.Threading.Tasks;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// <c>ALIBABA_CLOUD_ACCESS_KEY_ID</c> + <c>ALIBABA_CLOUD_ACCESS_KEY_SECRET</c> (+ optional
    /// <c>ALIBABA_CLOUD_SECURITY_TOKEN</c>): the first link of the official SDKs' default chain, and what
    /// aliyun/configure-aliyun-credentials-action exports in GitHub Actions. Read on every call, so a variable
    /// updated by a later pipeline step is picked up.
    /// </summary>
    public sealed class EnvironmentCredentialProvider : ICredentialProvider
    {
        public const string AccessKeyIdVariable = "ALIBABA_CLOUD_ACCESS_KEY_ID";
        public const string AccessKeySecretVariable = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
        public const string SecurityTokenVariable = "ALIBABA_CLOUD_SECURITY_TOKEN";

        private readonly EnvironmentReader _environment;

        // The answer for the variables as last read: while they are unchanged, every call gets the same completed task.
        private Task<AliCredential>? _lastAnswer;

        public EnvironmentCredentialProvider(EnvironmentReader environment)
        {
            _environment = environment;
        }

        public string Name => "env";

        public Task<AliCredential> GetCredentialAsync(CancellationToken cancellationToken)
        {
            var id = _environment.Get(AccessKeyIdVariable);
            var secret = _environment.Get(AccessKeySecretVariable);
            if (id == null && secret == null)
                throw new AliBackupCredentialException(AccessKeyIdVariable + " and " + AccessKeySecretVariable + " are not set.");
            if (id == null) throw new AliBackupCredentialException(AccessKeyIdVariable + " is not set (" + AccessKeySecretVariable + " is).");
            if (secret == null) throw new AliBackupCredentialException(AccessKeySecretVariable + " is not set (" + AccessKeyIdVariable + " is).");
            var token = _environment.Get(SecurityTokenVariable);
            var last = _lastAnswer;
            if (last != null && last.Result.AccessKeyId == id && last.Result.AccessKeySecret == secret && last.Result.SecurityToken == token) return last;
            return _lastAnswer = Task.FromResult(new AliCredential(id, secret, token, providerName: Name));
        }
    }
}
