using System;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Endpoints;
using AliBackup.Service.OpenApi;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// The ECS instance metadata service's RAM-role routes, with the SDKs' 1-second timeouts (so a machine that is not
    /// on ECS finds out quickly): the IMDSv2 token, the attached role's name, and the role's temporary credentials.
    /// A refusal is an <see cref="AliBackupCredentialException"/>; no answer at all is an <see cref="AliBackupTransportException"/>.
    /// </summary>
    public sealed class EcsMetadataClient
    {
        /// <summary>Test-only override of the metadata endpoint (https, or http to a loopback host such as the emulator).</summary>
        public const string EndpointVariable = "ALIBACKUP_ECS_METADATA_ENDPOINT";

        /// <summary>The metadata service of every ECS instance (plain HTTP by design; it never leaves the host).</summary>
        public static readonly Uri DefaultEndpoint = new Uri("http://100.100.100.200/");

        public const string TokenTtlHeader = "X-aliyun-ecs-metadata-token-ttl-seconds";
        public const string TokenHeader = "X-aliyun-ecs-metadata-token";
        private const string CredentialsPath = "/latest/meta-data/ram/security-credentials/";

        private readonly CredentialContext _context;

        public EcsMetadataClient(CredentialContext context, Uri endpoint, TimeSpan? timeout = null)
        {
            _context = context;
            Endpoint = endpoint;
            Timeout = timeout ?? TimeSpan.FromSeconds(1);
        }

        public Uri Endpoint { get; }

        /// <summary>How long each metadata request may take (1 s, as the SDKs' connect and read timeouts).</summary>
        public TimeSpan Timeout { get; }

        public static Uri ResolveEndpoint(EnvironmentReader environment)
        {
            var overridden = environment.Get(EndpointVariable);
            if (overridden == null) return DefaultEndpoint;
            // The error names the variable; it never shows a user name or password the value may carry.
            return EndpointResolver.ParseEndpoint(overridden, EndpointVariable);
        }

        /// <summary>The IMDSv2 token (PUT /latest/api/token, asking for the SDKs' 6 hours).</summary>
        public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
        {
            var (status, body) = await SendAsync(HttpMethod.Put, "/latest/api/token", null, "PUT /latest/api/token", cancellationToken).ConfigureAwait(false);
            if (status != 200 || string.IsNullOrWhiteSpace(body))
                throw new AliBackupCredentialException("The ECS metadata service refused a metadata token (HTTP " + status + ").");
            return body.Trim();
        }

        /// <summary>The RAM role attached to this instance.</summary>
        public async Task<string> GetRoleNameAsync(string? token, CancellationToken cancellationToken)
        {
            var (status, body) = await SendAsync(HttpMethod.Get, CredentialsPath, token, "GET " + CredentialsPath, cancellationToken).ConfigureAwait(false);
            if (status == 404) throw new AliBackupCredentialException("No RAM role is attached to this ECS instance (the metadata service answered 404).");
            if (status != 200 || string.IsNullOrWhiteSpace(body))
                throw new AliBackupCredentialException("The ECS metadata service did not name the instance's RAM role (HTTP " + status + ").");
            return body.Trim();
        }

        /// <summary>The role's temporary credentials; rejected unless Code is Success and all three values are present.</summary>
        public async Task<AliCredential> GetCredentialsAsync(string roleName, string? token, string providerName, CancellationToken cancellationToken)
        {
            var path = CredentialsPath + PercentEncoding.Encode(roleName);
            var (status, body) = await SendAsync(HttpMethod.Get, path, token, "GET " + CredentialsPath + roleName, cancellationToken).ConfigureAwait(false);
            if (status == 404) throw new AliBackupCredentialException("The ECS metadata service has no credentials for the RAM role '" + roleName + "' (HTTP 404): is that role attached to this instance?");
            if (status != 200) throw new AliBackupCredentialException("The ECS metadata service refused the credentials of the RAM role '" + roleName + "' (HTTP " + status + ").");
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                var id = root.Str("AccessKeyId");
                var secret = root.Str("AccessKeySecret");
                var securityToken = root.Str("SecurityToken");
                if (root.Str("Code") != "Success" || string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(securityToken))
                    throw new AliBackupCredentialException("The ECS metadata service answered for the RAM role '" + roleName + "' without Code Success and a complete key pair and token.");
                return new AliCredential(id!, secret!, securityToken, root.Time("Expiration"), providerName);
            }
            catch (JsonException)
            {
                // The body would hold the secret if it were only slightly malformed: it is never quoted.
                throw new AliBackupCredentialException("The ECS metadata service answered for the RAM role '" + roleName + "' with a body that is not JSON.");
            }
        }

        private async Task<(int Status, string Body)> SendAsync(HttpMethod method, string path, string? token, string action, CancellationToken cancellationToken)
        {
            var trace = new ApiCallTrace { Product = "ecs-metadata", Action = action, Endpoint = Endpoint.GetLeftPart(UriPartial.Authority), Attempt = 1, CredentialSource = "-" };
            var started = _context.Time.GetTimestamp();
            using var message = new HttpRequestMessage(method, new Uri(Endpoint, path));
            if (method == HttpMethod.Put) message.Headers.TryAddWithoutValidation(TokenTtlHeader, "21600");
            if (token != null) message.Headers.TryAddWithoutValidation(TokenHeader, token);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(Timeout);
                using var response = await _context.MetadataHttp.SendAsync(message, timeout.Token).ConfigureAwait(false);
                var bytes = response.Content == null ? Array.Empty<byte>() : await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                trace.HttpStatus = (int)response.StatusCode;
                trace.Duration = _context.Time.GetElapsedTime(started);
                _context.Trace(trace);
                return ((int)response.StatusCode, Encoding.UTF8.GetString(bytes));
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                trace.ErrorCode = ex is HttpRequestException ? "ConnectionFailed" : "Timeout";
                trace.Duration = _context.Time.GetElapsedTime(started);
                _context.Trace(trace);
                // A transport failure, not a refusal: the caller need not try the same host again without a token.
                throw new AliBackupTransportException("The ECS metadata service at " + trace.Endpoint + " did not answer " + action + " within " +
                                                       Timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + " s (is this an ECS instance?).");
            }
        }
    }
}
