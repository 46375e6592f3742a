using System;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using AliBackup.Service.OpenApi;

namespace AliBackup.Service.Credentials
{
    /// <summary>Receives notices about credentials (the cmdlets turn them into verbose messages and warnings).</summary>
    public interface ICredentialObserver
    {
        /// <summary>
        /// <paramref name="message"/> never holds a secret or token. <paramref name="isWarning"/> is set when the user
        /// should act (e.g. a refresh failed and the old credentials will run out).
        /// </summary>
        void OnCredentialNotice(string message, bool isWarning);
    }

    /// <summary>
    /// What credential providers share: the environment, the HTTP pipeline for STS and the credentials URI, one for
    /// the instance metadata service, the clock, the observer and the cache of temporary credentials.
    /// </summary>
    public sealed class CredentialContext
    {
        private static readonly Lazy<HttpClient> SharedHttp = new Lazy<HttpClient>(() =>
            new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan });

        // The metadata service is link-local to the instance: a proxy from HTTP_PROXY must never see those requests.
        private static readonly Lazy<HttpClient> SharedMetadataHttp = new Lazy<HttpClient>(() =>
            new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan });

        public CredentialContext(EnvironmentReader environment, HttpMessageInvoker? http = null, TimeProvider? time = null,
            IApiCallObserver? observer = null, TemporaryCredentialCache? cache = null)
        {
            Environment = environment;
            Http = http ?? SharedHttp.Value;
            MetadataHttp = http ?? SharedMetadataHttp.Value;
            Time = time ?? TimeProvider.System;
            Observer = observer;
            Cache = cache ?? new TemporaryCredentialCache();
        }

        public EnvironmentReader Environment { get; }

        /// <summary>For STS and the credentials URI.</summary>
        public HttpMessageInvoker Http { get; }

        /// <summary>For the ECS instance metadata service (no proxy).</summary>
        public HttpMessageInvoker MetadataHttp { get; }

        public TimeProvider Time { get; }

        /// <summary>Gets a trace of every STS and metadata exchange; notices too when it is an <see cref="ICredentialObserver"/>.</summary>
        public IApiCallObserver? Observer { get; }

        /// <summary>Temporary credentials already obtained, shared by every provider built from this context.</summary>
        public TemporaryCredentialCache Cache { get; }

        /// <summary>A fresh random nonce for V1 signatures.</summary>
        public Func<string> NonceFactory { get; set; } = NewNonce;

        internal void Notice(string message, bool isWarning = false) => (Observer as ICredentialObserver)?.OnCredentialNotice(message, isWarning);

        internal void Trace(ApiCallTrace trace) => Observer?.OnCallCompleted(trace);

        private static string NewNonce()
        {
            var bytes = new byte[16];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(bytes);
            return AcsV3Signer.ToHex(bytes);
        }
    }
}
