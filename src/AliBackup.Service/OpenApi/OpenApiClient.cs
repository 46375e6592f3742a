using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Credentials;

namespace AliBackup.Service.OpenApi
{
    /// <summary>Settings of <see cref="OpenApiClient"/>; the defaults are what the cmdlets use.</summary>
    public sealed class OpenApiClientOptions
    {
        /// <summary>Attempts per call, counting the first (transient failures only are retried).</summary>
        public int MaxAttempts { get; set; } = 3;

        /// <summary>First retry delay; doubles per attempt, with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>How long one HTTP exchange may take.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>
        /// Whether throttling answers are retried here. The waiter turns this off and slows its own schedule instead.
        /// </summary>
        public bool RetryThrottling { get; set; } = true;

        public string UserAgent { get; set; } = "AliBackup/" + typeof(OpenApiClient).Assembly.GetName().Version?.ToString(3);

        /// <summary>The clock used for x-acs-date and retry delays.</summary>
        public TimeProvider Time { get; set; } = TimeProvider.System;

        /// <summary>A fresh x-acs-signature-nonce per request (tests may replace it).</summary>
        public Func<string> NonceFactory { get; set; } = NewNonce;

        public IApiCallObserver? Observer { get; set; }

        // One generator for the process (it is thread-safe): creating one per request was a tenth of a call's allocations.
        private static readonly RandomNumberGenerator Random = RandomNumberGenerator.Create();

        private static string NewNonce()
        {
            var bytes = new byte[16];
            Random.GetBytes(bytes);
            return AcsV3Signer.ToHex(bytes);
        }
    }

    /// <summary>
    /// The RPC-style OpenAPI client: signs each call with V3 (ACS3-HMAC-SHA256), sends the business parameters in
    /// the query string of an empty-bodied POST to <c>/</c> (as the official clients do), turns error bodies into
    /// <see cref="AliBackupApiException"/>, and retries transient failures with a fresh nonce and date.
    /// </summary>
    public sealed class OpenApiClient
    {
        private static readonly HttpMethod Post = HttpMethod.Post;
        private readonly HttpMessageInvoker _http;
        private readonly ICredentialProvider _credentials;
        private readonly OpenApiClientOptions _options;
        private readonly Random _jitter = new Random();

        public OpenApiClient(HttpMessageInvoker http, ICredentialProvider credentials, OpenApiClientOptions? options = null)
        {
            _http = http;
            _credentials = credentials;
            _options = options ?? new OpenApiClientOptions();
        }

        public OpenApiClientOptions Options => _options;

        public ICredentialProvider Credentials => _credentials;

        /// <summary>Sends the call and returns the parsed JSON body of a 2xx answer.</summary>
        public async Task<JsonDocument> CallAsync(ApiRequest request, CancellationToken cancellationToken)
        {
            var refreshedAfterExpiry = false;
            for (var attempt = 1; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var credential = await _credentials.GetCredentialAsync(cancellationToken).ConfigureAwait(false);
                var trace = new ApiCallTrace
                {
                    Product = request.Product.ProductId,
                    Action = request.Action,
                    Region = request.Region,
                    Endpoint = request.Endpoint.GetLeftPart(UriPartial.Authority),
                    Attempt = attempt,
                    CredentialSource = credential.ProviderName,
                };
                var started = _options.Time.GetTimestamp();
                AliBackupException failure;
                try
                {
                    using var message = BuildSignedMessage(request, credential, trace);
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(_options.RequestTimeout);
                    using var response = await _http.SendAsync(message, timeout.Token).ConfigureAwait(false);
                    var body = response.Content == null ? Array.Empty<byte>() : await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    trace.HttpStatus = (int)response.StatusCode;
                    trace.Duration = _options.Time.GetElapsedTime(started);

                    if (response.IsSuccessStatusCode)
                    {
                        var document = ParseJson(body);
                        if (document != null)
                        {
                            trace.RequestId = document.RootElement.Str("RequestId", "requestId");
                            Observe(trace);
                            return document;
                        }
                        var invalid = new AliBackupApiException(request.Product.ProductId, request.Action, (int)response.StatusCode,
                            "InvalidResponse", "The service answered with a body that is not JSON.", null);
                        trace.ErrorCode = invalid.Code;
                        Observe(trace);
                        throw invalid;
                    }

                    var error = ToApiException(request, response, body);
                    trace.RequestId = error.RequestId;
                    trace.ErrorCode = error.Code;
                    Observe(trace);
                    failure = error;
                    // The service says the token expired though its source did not say so (no Expiration, or the clocks
                    // disagree): fetch new credentials and send again, once.
                    if (error.Code == "InvalidSecurityToken.Expired" && !refreshedAfterExpiry && credential.IsTemporary &&
                        _credentials is IRefreshableCredentialProvider refreshable && refreshable.Invalidate(credential))
                    {
                        refreshedAfterExpiry = true;
                        continue;
                    }
                    var retryable = error.IsThrottling ? _options.RetryThrottling : error.IsTransient && request.IsIdempotent;
                    if (!retryable || attempt >= _options.MaxAttempts) throw error;
                    await DelayBeforeRetry(attempt, error.RetryAfter, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    trace.Duration = _options.Time.GetElapsedTime(started);
                    trace.ErrorCode = "Timeout";
                    Observe(trace);
                    failure = new AliBackupTransportException(request.Action + " (" + request.Product.ProductId + ") got no answer from " +
                                                              trace.Endpoint + " within " + _options.RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s.");
                    if (!request.IsIdempotent || attempt >= _options.MaxAttempts) throw failure;
                    await DelayBeforeRetry(attempt, null, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpRequestException ex)
                {
                    trace.Duration = _options.Time.GetElapsedTime(started);
                    trace.ErrorCode = "ConnectionFailed";
                    Observe(trace);
                    failure = new AliBackupTransportException(request.Action + " (" + request.Product.ProductId + ") could not reach " +
                                                              trace.Endpoint + ": " + (ex.InnerException?.Message ?? ex.Message), ex);
                    if (!request.IsIdempotent || attempt >= _options.MaxAttempts) throw failure;
                    await DelayBeforeRetry(attempt, null, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private HttpRequestMessage BuildSignedMessage(ApiRequest request, AliCredential credential, ApiCallTrace trace)
        {
            var endpoint = request.Endpoint;
            // HttpClient sends Host without the default port; sign exactly what goes on the wire.
            var host = endpoint.IsDefaultPort ? endpoint.Host : endpoint.Host + ":" + endpoint.Port.ToString(CultureInfo.InvariantCulture);
            var headers = new List<KeyValuePair<string, string>>
            {
                new KeyValuePair<string, string>("host", host),
                new KeyValuePair<string, string>("x-acs-action", request.Action),
                new KeyValuePair<string, string>("x-acs-version", request.Product.Version),
                new KeyValuePair<string, string>("x-acs-date", AcsV3Signer.FormatDate(_options.Time.GetUtcNow())),
                new KeyValuePair<string, string>("x-acs-signature-nonce", _options.NonceFactory()),
                new KeyValuePair<string, string>("x-acs-content-sha256", AcsV3Signer.EmptyPayloadHash),
            };
            if (credential.SecurityToken != null)
            {
                headers.Add(new KeyValuePair<string, string>("x-acs-security-token", credential.SecurityToken));
                headers.Add(new KeyValuePair<string, string>("x-acs-accesskey-id", credential.AccessKeyId));
            }

            var signature = AcsV3Signer.Sign("POST", "/", request.Parameters, headers, AcsV3Signer.EmptyPayloadHash,
                credential.AccessKeyId, credential.AccessKeySecret);
            trace.CanonicalRequest = credential.SecurityToken == null
                ? signature.CanonicalRequest
                : signature.CanonicalRequest.Replace(credential.SecurityToken, "***");

            var uri = new Uri(endpoint, signature.CanonicalQueryString.Length == 0 ? "/" : "/?" + signature.CanonicalQueryString);
            var message = new HttpRequestMessage(Post, uri);
            message.Headers.Host = host;
            foreach (var header in headers)
                if (header.Key != "host") message.Headers.TryAddWithoutValidation(header.Key, header.Value);
            message.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
            message.Headers.TryAddWithoutValidation("Accept", "application/json");
            message.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
            return message;
        }

        private static JsonDocument? ParseJson(byte[] body)
        {
            if (body.Length == 0) return null;
            try
            {
                return JsonDocument.Parse(body);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static AliBackupApiException ToApiException(ApiRequest request, HttpResponseMessage response, byte[] body)
        {
            TimeSpan? retryAfter = null;
            if (response.Headers.TryGetValues("x-acs-retry-after", out var hint) &&
                double.TryParse(hint.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                // The gateway's hint is in seconds (openapi-core treats values over 1e4 as milliseconds).
                retryAfter = seconds > 10000 ? TimeSpan.FromMilliseconds(seconds) : TimeSpan.FromSeconds(seconds);
            }
            else if (response.Headers.RetryAfter?.Delta is TimeSpan delta)
            {
                retryAfter = delta;
            }

            using var document = ParseJson(body);
            if (document == null || document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new AliBackupApiException(request.Product.ProductId, request.Action, (int)response.StatusCode, null,
                    "HTTP " + (int)response.StatusCode + " " + response.ReasonPhrase, null, retryAfter: retryAfter);
            }
            var root = document.RootElement;
            return new AliBackupApiException(request.Product.ProductId, request.Action, (int)response.StatusCode,
                root.Str("Code", "code"), root.Str("Message", "message"), root.Str("RequestId", "requestId"),
                root.Str("HostId"), root.Str("Recommend"), retryAfter);
        }

        private Task DelayBeforeRetry(int attempt, TimeSpan? hint, CancellationToken cancellationToken)
        {
            var backoff = TimeSpan.FromTicks(Math.Min(_options.MaxRetryDelay.Ticks, _options.RetryBaseDelay.Ticks * (1L << Math.Min(attempt - 1, 16))));
            double jitter;
            lock (_jitter) jitter = 0.5 + _jitter.NextDouble() / 2;
            var delay = TimeSpan.FromTicks((long)(backoff.Ticks * jitter));
            if (hint.HasValue && hint.Value > delay) delay = hint.Value;
            return _options.Time.Delay(delay, cancellationToken);
        }

        private void Observe(ApiCallTrace trace) => _options.Observer?.OnCallCompleted(trace);
    }
}
