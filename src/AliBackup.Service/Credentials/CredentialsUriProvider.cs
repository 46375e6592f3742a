using System;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.OpenApi;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// Temporary credentials from a URI (<c>ALIBABA_CLOUD_CREDENTIALS_URI</c>, or a CLI profile of mode CredentialsURI):
    /// <c>GET &lt;uri&gt;</c> answers <c>{AccessKeyId, AccessKeySecret, SecurityToken, Expiration}</c>. Messages show the URI
    /// without its query, which some credential servers use for a token.
    /// </summary>
    public sealed class CredentialsUriProvider : RefreshingCredentialProvider
    {
        public const string UriVariable = "ALIBABA_CLOUD_CREDENTIALS_URI";

        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
        private readonly Uri _uri;

        public CredentialsUriProvider(CredentialContext context, string uri, string name = "credential_uri")
            : base(context, StsRefreshMargin)
        {
            Name = name;
            if (!Uri.TryCreate(uri.Trim(), UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
                throw new AliBackupCredentialException("The credentials URI is not an http(s) URL.");
            _uri = parsed;
        }

        public override string Name { get; }

        public override string Fingerprint => "credential_uri|" + _uri.AbsoluteUri;

        /// <summary>The URI as shown to users: scheme, host and path only.</summary>
        public string DisplayUri => Shown.GetLeftPart(UriPartial.Path);

        // A user name or password in the URI (basic authentication) is sent, but never shown: it reads ***.
        private Uri Shown => _uri.UserInfo.Length == 0 ? _uri : new UriBuilder(_uri) { UserName = "***", Password = "" }.Uri;

        protected override async Task<AliCredential> FetchAsync(CancellationToken cancellationToken)
        {
            var trace = new ApiCallTrace { Product = "credentials-uri", Action = "GET " + _uri.AbsolutePath, Endpoint = Shown.GetLeftPart(UriPartial.Authority), Attempt = 1, CredentialSource = "-" };
            var started = Context.Time.GetTimestamp();
            int status;
            byte[] body;
            try
            {
                using var message = new HttpRequestMessage(HttpMethod.Get, _uri);
                message.Headers.TryAddWithoutValidation("Accept", "application/json");
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(Timeout);
                using var response = await Context.Http.SendAsync(message, timeout.Token).ConfigureAwait(false);
                status = (int)response.StatusCode;
                body = response.Content == null ? Array.Empty<byte>() : await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                trace.ErrorCode = ex is HttpRequestException ? "ConnectionFailed" : "Timeout";
                trace.Duration = Context.Time.GetElapsedTime(started);
                Context.Trace(trace);
                throw new AliBackupCredentialException("The credentials URI " + DisplayUri + " did not answer" +
                                                       (ex is HttpRequestException ? "." : " within " + (int)Timeout.TotalSeconds + " s."));
            }
            trace.HttpStatus = status;
            trace.Duration = Context.Time.GetElapsedTime(started);
            Context.Trace(trace);

            if (status != 200) throw new AliBackupCredentialException("The credentials URI " + DisplayUri + " answered HTTP " + status + ".");
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                var id = root.Str("AccessKeyId");
                var secret = root.Str("AccessKeySecret");
                var token = root.Str("SecurityToken");
                if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(token))
                    throw new AliBackupCredentialException("The credentials URI " + DisplayUri + " answered without AccessKeyId, AccessKeySecret and SecurityToken.");
                return new AliCredential(id!, secret!, token, root.Time("Expiration"), Name);
            }
            catch (JsonException)
            {
                // Never quote the body: it carries the secret.
                throw new AliBackupCredentialException("The credentials URI " + DisplayUri + " answered with a body that is not JSON.");
            }
        }
    }
}
