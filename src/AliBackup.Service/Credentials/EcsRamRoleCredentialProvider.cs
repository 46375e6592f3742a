using System;
using System.Threading;
using System.Threading.Tasks;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// The RAM role attached to the ECS instance (or ECI container), from the instance metadata service: the IMDSv2
    /// token step first, falling back to token-less requests unless <c>ALIBABA_CLOUD_IMDSV1_DISABLED=true</c>. The role is
    /// the configured one (<c>ALIBABA_CLOUD_ECS_METADATA</c>, a profile's role name) or the one the service names.
    /// Credentials are fetched again an hour before they expire, as the SDKs prefetch them.
    /// </summary>
    public sealed class EcsRamRoleCredentialProvider : RefreshingCredentialProvider
    {
        public const string RoleNameVariable = "ALIBABA_CLOUD_ECS_METADATA";
        public const string DisabledVariable = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
        public const string ImdsV1DisabledVariable = "ALIBABA_CLOUD_IMDSV1_DISABLED";

        private readonly EcsMetadataClient _client;
        private readonly string? _roleName;

        public EcsRamRoleCredentialProvider(CredentialContext context, string? roleName, string name = "ecs_ram_role")
            : base(context, TimeSpan.FromHours(1))
        {
            _client = new EcsMetadataClient(context, EcsMetadataClient.ResolveEndpoint(context.Environment));
            _roleName = string.IsNullOrWhiteSpace(roleName) ? null : roleName!.Trim();
            Name = name;
        }

        public override string Name { get; }

        public override string Fingerprint => "ecs_ram_role|" + _client.Endpoint + "|" + _roleName;

        protected override async Task<AliCredential> FetchAsync(CancellationToken cancellationToken)
        {
            var imdsV1Allowed = !Context.Environment.IsTrue(ImdsV1DisabledVariable);
            try
            {
                string? token = null;
                try
                {
                    token = await _client.GetTokenAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (AliBackupCredentialException) when (imdsV1Allowed)
                {
                    // The service refused a token (not hardened): go on without one, as the SDKs do.
                }

                var role = _roleName ?? await WithTokenOrWithout(token, imdsV1Allowed, t => _client.GetRoleNameAsync(t, cancellationToken)).ConfigureAwait(false);
                return await WithTokenOrWithout(token, imdsV1Allowed, t => _client.GetCredentialsAsync(role, t, Name, cancellationToken)).ConfigureAwait(false);
            }
            catch (AliBackupTransportException ex)
            {
                throw new AliBackupCredentialException(ex.Message, ex);
            }
        }

        private static async Task<T> WithTokenOrWithout<T>(string? token, bool imdsV1Allowed, Func<string?, Task<T>> request)
        {
            try
            {
                return await request(token).ConfigureAwait(false);
            }
            catch (AliBackupCredentialException) when (token != null && imdsV1Allowed)
            {
                return await request(null).ConfigureAwait(false);
            }
        }
    }
}
