using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Endpoints;
using AliBackup.Service.OpenApi;

namespace AliBackup.Service.Credentials
{
    /// <summary>What to ask STS for: the role, the session's name and length, and optional narrowing.</summary>
    public sealed class RoleSessionRequest
    {
        public RoleSessionRequest(string roleArn, string roleSessionName, int durationSeconds)
        {
            RoleArn = roleArn;
            RoleSessionName = roleSessionName;
            DurationSeconds = durationSeconds;
        }

        public string RoleArn { get; }

        public string RoleSessionName { get; }

        public int DurationSeconds { get; }

        /// <summary>A JSON policy that narrows the session's rights.</summary>
        public string? Policy { get; set; }

        /// <summary>AssumeRole only: the value the role's trust policy asks for.</summary>
        public string? ExternalId { get; set; }

        internal string Fingerprint => RoleArn + "|" + RoleSessionName + "|" + DurationSeconds.ToString(CultureInfo.InvariantCulture) + "|" + Policy + "|" + ExternalId;
    }

    /// <summary>Whose credentials they are, as STS GetCallerIdentity reports it.</summary>
    public sealed class CallerIdentity
    {
        public CallerIdentity(string? accountId, string? arn, string? identityType, string? requestId)
        {
            AccountId = accountId;
            Arn = arn;
            IdentityType = identityType;
            RequestId = requestId;
        }

        public string? AccountId { get; }

        /// <summary>e.g. <c>acs:ram::123456789012****:user/alice</c>.</summary>
        public string? Arn { get; }

        /// <summary><c>Account</c>, <c>RAMUser</c> or <c>AssumedRoleUser</c>.</summary>
        public string? IdentityType { get; }

        public string? RequestId { get; }
    }

    /// <summary>
    /// The STS (2015-04-01) calls the credential providers need. AssumeRole is sent as a V1-signed POST with the role
    /// parameters in a form body, exactly as the official credentials libraries send it (so the real service sees the
    /// request it knows from them); AssumeRoleWithOIDC is anonymous. Errors become <see cref="AliBackupApiException"/>
    /// (whose message drops any echoed string-to-sign: for V1 it would contain the query, security token included).
    /// </summary>
    public sealed class StsClient
    {
        public const string Version = "2015-04-01";

        /// <summary>Test-only override of the STS endpoint (https, or http to a loopback host such as the emulator).</summary>
        public const string EndpointVariable = "ALIBACKUP_STS_ENDPOINT";

        public const string StsRegionVariable = "ALIBABA_CLOUD_STS_REGION";
        public const string VpcEndpointVariable = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";

        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
        private const string EchoedStringToSign = "server string to sign is:";

        private readonly CredentialContext _context;

        public StsClient(CredentialContext context, Uri endpoint)
        {
            _context = context;
            Endpoint = endpoint;
        }

        public Uri Endpoint { get; }

        /// <summary>
        /// Where STS calls go: <c>ALIBACKUP_STS_ENDPOINT</c> (tests), else <c>sts.&lt;region&gt;.aliyuncs.com</c> for the
        /// profile's <c>sts_region</c> or <c>ALIBABA_CLOUD_STS_REGION</c> (<c>sts-vpc.…</c> with
        /// <c>ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true</c>), else <c>sts.aliyuncs.com</c>.
        /// </summary>
        public static Uri ResolveEndpoint(EnvironmentReader environment, string? stsRegion)
        {
            var overridden = environment.Get(EndpointVariable);
            // The error names the variable; it never shows a user name or password the value may carry.
            if (overridden != null) return EndpointResolver.ParseEndpoint(overridden, EndpointVariable);
            var fromProfile = !string.IsNullOrWhiteSpace(stsRegion);
            var region = fromProfile ? stsRegion : environment.Get(StsRegionVariable);
            if (string.IsNullOrWhiteSpace(region)) return new Uri("https://sts.aliyuncs.com/");
            var prefix = environment.IsTrue(VpcEndpointVariable) ? "sts-vpc." : "sts.";
            // It becomes part of a host name, like any region.
            var checkedRegion = InputValidation.Region(region!, fromProfile ? "The profile's sts_region" : StsRegionVariable);
            return new Uri("https://" + prefix + checkedRegion + ".aliyuncs.com/");
        }

        /// <summary>
        /// STS GetCallerIdentity with <paramref name="caller"/>'s keys: needs no permission, so it proves only that the
        /// keys (and token) are accepted, and says whose they are. V1-signed, like AssumeRole.
        /// </summary>
        public async Task<CallerIdentity> GetCallerIdentityAsync(AliCredential caller, CancellationToken cancellationToken)
        {
            var form = new List<KeyValuePair<string, string>>();
            var (query, signature) = SignedQuery("GetCallerIdentity", caller, form);
            using var document = await SendAsync("GetCallerIdentity", query, form, caller.ProviderName, signature.StringToSign, cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            return new CallerIdentity(root.Str("AccountId"), root.Str("Arn"), root.Str("IdentityType"), root.Str("RequestId"));
        }

        /// <summary>STS AssumeRole with <paramref name="caller"/>'s keys (and token, when they are temporary themselves).</summary>
        public async Task<AliCredential> AssumeRoleAsync(AliCredential caller, RoleSessionRequest request, string providerName, CancellationToken cancellationToken)
        {
            var form = RoleForm(request);
            if (request.ExternalId != null) form.Add(Pair("ExternalId", request.ExternalId));
            var (query, signature) = SignedQuery("AssumeRole", caller, form);
            using var document = await SendAsync("AssumeRole", query, form, caller.ProviderName, signature.StringToSign, cancellationToken).ConfigureAwait(false);
            return ReadCredentials(document, "AssumeRole", providerName);
        }

        /// <summary>STS AssumeRoleWithOIDC: anonymous; <paramref name="oidcToken"/> is the raw JWT, sent only in the form body.</summary>
        public async Task<AliCredential> AssumeRoleWithOidcAsync(string oidcProviderArn, string oidcToken, RoleSessionRequest request, string providerName,
            CancellationToken cancellationToken)
        {
            var query = CommonQuery("AssumeRoleWithOIDC");
            var form = new List<KeyValuePair<string, string>> { Pair("OIDCProviderArn", oidcProviderArn), Pair("OIDCToken", oidcToken) };
            form.AddRange(RoleForm(request));
            using var document = await SendAsync("AssumeRoleWithOIDC", query, form, "anonymous", null, cancellationToken).ConfigureAwait(false);
            return ReadCredentials(document, "AssumeRoleWithOIDC", providerName);
        }

        /// <summary>The query of a V1-signed call with <paramref name="caller"/>'s keys: the signature covers it and the form.</summary>
        private (List<KeyValuePair<string, string>> Query, AcsV1Signature Signature) SignedQuery(string action, AliCredential caller, List<KeyValuePair<string, string>> form)
        {
            var query = CommonQuery(action);
            query.Add(Pair("SignatureMethod", AcsV1Signer.SignatureMethod));
            query.Add(Pair("SignatureVersion", AcsV1Signer.SignatureVersion));
            query.Add(Pair("SignatureNonce", _context.NonceFactory()));
            query.Add(Pair("AccessKeyId", caller.AccessKeyId));
            if (caller.SecurityToken != null) query.Add(Pair("SecurityToken", caller.SecurityToken));
            var signature = AcsV1Signer.Sign("POST", query.Concat(form), caller.AccessKeySecret);
            query.Add(Pair("Signature", signature.Signature));
            return (query, signature);
        }

        private List<KeyValuePair<string, string>> CommonQuery(string action) => new List<KeyValuePair<string, string>>
        {
            Pair("Version", Version),
            Pair("Action", action),
            Pair("Format", "JSON"),
            Pair("Timestamp", AcsV3Signer.FormatDate(_context.Time.GetUtcNow())),
        };

        private static List<KeyValuePair<string, string>> RoleForm(RoleSessionRequest request)
        {
            var form = new List<KeyValuePair<string, string>> { Pair("RoleArn", request.RoleArn) };
            if (!string.IsNullOrEmpty(request.Policy)) form.Add(Pair("Policy", request.Policy!));
            form.Add(Pair("RoleSessionName", request.RoleSessionName));
            form.Add(Pair("DurationSeconds", request.DurationSeconds.ToString(CultureInfo.InvariantCulture)));
            return form;
        }

        private async Task<JsonDocument> SendAsync(string action, List<KeyValuePair<string, string>> query, List<KeyValuePair<string, string>> form,
            string credentialSource, string? stringToSign, CancellationToken cancellationToken)
        {
            var trace = new ApiCallTrace
            {
                Product = "sts",
                Action = action,
                Endpoint = Endpoint.GetLeftPart(UriPartial.Authority),
                Attempt = 1,
                CredentialSource = credentialSource,
                CanonicalRequest = "POST / " + Describe(query.Concat(form)),
            };
            var started = _context.Time.GetTimestamp();
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(Endpoint, "/?" + Encode(query)))
            {
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Encode(form))),
            };
            message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
            message.Headers.TryAddWithoutValidation("Accept", "application/json");
            message.Headers.TryAddWithoutValidation("User-Agent", "AliBackup/" + typeof(StsClient).Assembly.GetName().Version?.ToString(3));

            HttpResponseMessage response;
            byte[] body;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(Timeout);
                response = await _context.Http.SendAsync(message, timeout.Token).ConfigureAwait(false);
                body = response.Content == null ? Array.Empty<byte>() : await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                trace.ErrorCode = "Timeout";
                trace.Duration = _context.Time.GetElapsedTime(started);
                _context.Trace(trace);
                throw new AliBackupTransportException("STS " + action + " got no answer from " + trace.Endpoint + " within " + (int)Timeout.TotalSeconds + " s.");
            }
            catch (HttpRequestException ex)
            {
                trace.ErrorCode = "ConnectionFailed";
                trace.Duration = _context.Time.GetElapsedTime(started);
                _context.Trace(trace);
                // The exception is not kept as the inner one: the request's query holds the security token.
                throw new AliBackupTransportException("STS " + action + " could not reach " + trace.Endpoint + ": " + (ex.InnerException?.Message ?? ex.Message));
            }

            using (response)
            {
                trace.HttpStatus = (int)response.StatusCode;
                trace.Duration = _context.Time.GetElapsedTime(started);
                var document = Parse(body);
                trace.RequestId = document?.RootElement.Str("RequestId");
                if (response.IsSuccessStatusCode && document != null)
                {
                    _context.Trace(trace);
                    return document;
                }

                using (document)
                {
                    var root = document?.RootElement;
                    var code = root?.Str("Code") ?? (response.IsSuccessStatusCode ? "InvalidResponse" : null);
                    var rawMessage = root?.Str("Message") ?? (response.IsSuccessStatusCode ? "STS answered with a body that is not JSON." : "HTTP " + (int)response.StatusCode + " " + response.ReasonPhrase);
                    trace.ErrorCode = code ?? "HttpStatus" + (int)response.StatusCode;
                    _context.Trace(trace);

                    // As the credentials library does: a gateway echo of exactly our string-to-sign means only the secret can be wrong.
                    var echoAt = rawMessage.IndexOf(EchoedStringToSign, StringComparison.Ordinal);
                    if (code == "SignatureDoesNotMatch" && stringToSign != null && echoAt >= 0 &&
                        string.Equals(rawMessage.Substring(echoAt + EchoedStringToSign.Length), stringToSign, StringComparison.Ordinal))
                    {
                        throw new AliBackupCredentialException("STS rejected the " + action + " signature made with the AccessKey of " + credentialSource +
                                                               ": the AccessKey secret is invalid (RequestId " + (trace.RequestId ?? "-") + ").");
                    }
                    throw new AliBackupApiException("sts", action, (int)response.StatusCode, code, rawMessage, trace.RequestId,
                        root?.Str("HostId"), root?.Str("Recommend"));
                }
            }
        }

        private static AliCredential ReadCredentials(JsonDocument document, string action, string providerName)
        {
            var credentials = document.RootElement.At("Credentials");
            var id = credentials?.Str("AccessKeyId");
            var secret = credentials?.Str("AccessKeySecret");
            var token = credentials?.Str("SecurityToken");
            var expiration = credentials?.Time("Expiration");
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(token) || expiration == null)
            {
                throw new AliBackupApiException("sts", action, 200, "InvalidResponse",
                    "The answer lacks Credentials.AccessKeyId, AccessKeySecret, SecurityToken or Expiration.", document.RootElement.Str("RequestId"));
            }
            return new AliCredential(id!, secret!, token, expiration, providerName);
        }

        /// <summary>The parameters as shown in -Debug: sorted, with the token, the OIDC token and the signature masked.</summary>
        private static string Describe(IEnumerable<KeyValuePair<string, string>> parameters) =>
            string.Join("&", parameters
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => p.Key + "=" + (p.Key == "SecurityToken" || p.Key == "OIDCToken" || p.Key == "Signature" ? "***" : p.Value)));

        private static string Encode(IEnumerable<KeyValuePair<string, string>> pairs) =>
            string.Join("&", pairs.Select(p => PercentEncoding.Encode(p.Key) + "=" + PercentEncoding.Encode(p.Value)));

        private static JsonDocument? Parse(byte[] body)
        {
            if (body.Length == 0) return null;
            try
            {
                var document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
                document.Dispose();
                return null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static KeyValuePair<string, string> Pair(string name, string value) => new KeyValuePair<string, string>(name, value);
    }
}
