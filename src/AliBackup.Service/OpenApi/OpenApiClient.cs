using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Sockets;
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
        internal OpenApiClientOptions Copy() => (OpenApiClientOptions)MemberwiseClone();

        /// <summary>
        /// Attempts per call, counting the first (transient failures only are retried). Eight attempts with exponential
        /// backoff ride out a throttling storm of half a minute or so; <see cref="RetryBudget"/> bounds them in time.
        /// </summary>
        public int MaxAttempts { get; set; } = 8;

        /// <summary>The backoff's first step; the step doubles per attempt up to <see cref="MaxRetryDelay"/>, and each delay is drawn from 0 to the step (full jitter).</summary>
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(20);

        /// <summary>No retry starts once this much time has passed since the first attempt (or would pass during its delay).</summary>
        public TimeSpan RetryBudget { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>The longest <c>x-acs-retry-after</c> hint honoured (aliyun-cli caps it at 60 s too).</summary>
        public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>How long one HTTP exchange may take, answer body included.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>The largest answer body read; a bigger one is an invalid response, not an out-of-memory.</summary>
        public int MaxResponseBytes { get; set; } = 32 * 1024 * 1024;

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

        [ThreadStatic] private static byte[]? _nonceBytes;

        private static string NewNonce()
        {
            var bytes = _nonceBytes ??= new byte[16];
            Random.GetBytes(bytes);
            return AcsV3Signer.ToHex(bytes);
        }
    }

    /// <summary>
    /// The RPC-style OpenAPI client: signs each call with V3 (ACS3-HMAC-SHA256), sends the business parameters in
    /// the query string of an empty-bodied POST to <c>/</c> (as the official clients do), turns error bodies into
    /// <see cref="AliBackupApiException"/> and unreadable ones into <see cref="AliBackupInvalidResponseException"/>,
    /// and retries transient failures, each attempt freshly signed (new nonce and date) and traced.
    /// </summary>
    /// <remarks>
    /// Retries: throttling (a <c>Throttling*</c> code, 429, or a positive <c>x-acs-retry-after</c>, in milliseconds) waits
    /// as long as the service asks (at most <see cref="OpenApiClientOptions.MaxRetryAfter"/>), anything else transient
    /// (5xx, no answer, an unreadable answer) waits an exponential backoff with full jitter; all within
    /// <see cref="OpenApiClientOptions.MaxAttempts"/> and <see cref="OpenApiClientOptions.RetryBudget"/>. A write is
    /// resent only when it certainly was not carried out (throttled with a 4xx, or the connection was refused), unless it
    /// is idempotent (it carries a token the service deduplicates on).
    /// </remarks>
    public sealed class OpenApiClient
    {
        private static readonly HttpMethod Post = HttpMethod.Post;
        private static readonly string[] SuccessCodes = { "200", "0", "OK", "Success", "success", "ok" };
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
            var firstStarted = _options.Time.GetTimestamp();
            for (var attempt = 1; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var credential = await _credentials.GetCredentialAsync(cancellationToken).ConfigureAwait(false);
                var trace = new ApiCallTrace
                {
                    Product = request.Product.ProductId,
                    Action = request.Action,
                    Region = request.Region,
                    Endpoint = EndpointOf(request).Origin,
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
                    // HttpClient would first copy the body into a buffer of its own; ReadBodyAsync reads it once, with its limit.
                    using var response = await (_http is HttpClient client
                        ? client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                        : _http.SendAsync(message, timeout.Token)).ConfigureAwait(false);
                    trace.HttpStatus = (int)response.StatusCode;
                    var headerRequestId = Header(response, "x-acs-request-id");
                    using var body = await ReadBodyAsync(response, timeout.Token).ConfigureAwait(false);
                    trace.Duration = _options.Time.GetElapsedTime(started);

                    if (body.TooLarge)
                    {
                        // An invalid answer, not an unreachable endpoint: it arrived, and it was not read to the end.
                        failure = new AliBackupInvalidResponseException(request.Product.ProductId, request.Action, (int)response.StatusCode, headerRequestId,
                            "HTTP " + (int)response.StatusCode + " with a body larger than " + _options.MaxResponseBytes.ToString(CultureInfo.InvariantCulture) + " bytes (the most read)");
                    }
                    else if (response.IsSuccessStatusCode)
                    {
                        var document = ParseJson(body, out var parseProblem);
                        if (document != null)
                        {
                            var carried = ErrorCarriedIn(request, response, document, headerRequestId);
                            if (carried == null)
                            {
                                trace.RequestId = NullIfBlank(SafeStr(document.RootElement, "RequestId", "requestId")) ?? headerRequestId;
                                request.AnsweredRequestId = trace.RequestId;
                                Observe(trace);
                                return document;
                            }
                            document.Dispose();
                            failure = carried;
                        }
                        else
                        {
                            failure = new AliBackupInvalidResponseException(request.Product.ProductId, request.Action, (int)response.StatusCode, headerRequestId,
                                Describe(body, response, parseProblem));
                        }
                    }
                    else
                    {
                        var error = ToApiException(request, response, body, headerRequestId);
                        failure = error;
                        // The service says the token expired though its source did not say so (no Expiration, or the clocks
                        // disagree): fetch new credentials and send again, once.
                        if (error.Code == "InvalidSecurityToken.Expired" && !refreshedAfterExpiry && credential.IsTemporary &&
                            _credentials is IRefreshableCredentialProvider refreshable && refreshable.Invalidate(credential))
                        {
                            refreshedAfterExpiry = true;
                            trace.RequestId = error.RequestId;
                            trace.ErrorCode = error.Code;
                            trace.Retry = "fetching new credentials and sending again";
                            Observe(trace);
                            continue;
                        }
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    trace.Duration = _options.Time.GetElapsedTime(started);
                    trace.ErrorCode = "Timeout";
                    failure = new AliBackupTransportException(request.Action + " (" + request.Product.ProductId + ") got no answer from " +
                                                              trace.Endpoint + " within " + _options.RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s.");
                }
                catch (Exception ex) when (ex is HttpRequestException || ex is IOException)
                {
                    trace.Duration = _options.Time.GetElapsedTime(started);
                    trace.ErrorCode = "ConnectionFailed";
                    var reason = Innermost(ex).Message;
                    trace.Detail = reason;
                    failure = new AliBackupTransportException(request.Action + " (" + request.Product.ProductId + ") could not reach " +
                                                              trace.Endpoint + ": " + reason, ex, requestMayHaveArrived: !NeverConnected(ex));
                }

                switch (failure)
                {
                    case AliBackupApiException api:
                        trace.RequestId ??= api.RequestId;
                        trace.ErrorCode ??= api.Code;
                        api.Attempts = attempt;
                        break;
                    case AliBackupInvalidResponseException invalid:
                        trace.RequestId ??= invalid.RequestId;
                        trace.ErrorCode ??= "InvalidResponse";
                        trace.Detail ??= invalid.Reason;
                        break;
                }

                var delay = RetryDelay(request, failure, attempt);
                if (delay.HasValue && _options.Time.GetElapsedTime(firstStarted) + delay.Value > _options.RetryBudget) delay = null;
                if (delay == null)
                {
                    Observe(trace);
                    throw failure;
                }
                trace.Retry = "retrying in " + FormatDelay(delay.Value) + " (attempt " + (attempt + 1) + " of " + _options.MaxAttempts + ")";
                Observe(trace);
                await _options.Time.Delay(delay.Value, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>How long to wait before the next attempt, or null when this failure is not retried.</summary>
        private TimeSpan? RetryDelay(ApiRequest request, AliBackupException failure, int attempt)
        {
            if (attempt >= _options.MaxAttempts) return null;
            switch (failure)
            {
                case AliBackupApiException api when api.IsThrottling:
                    // A throttled 4xx was refused before it was carried out; a 5xx with a hint may have been.
                    if (!_options.RetryThrottling || !(request.IsIdempotent || api.HttpStatus < 500)) return null;
                    return api.RetryAfter.HasValue && api.RetryAfter.Value > TimeSpan.Zero ? Min(api.RetryAfter.Value, _options.MaxRetryAfter) : Backoff(attempt);
                case AliBackupApiException api when api.Code == "SignatureNonceUsed":
                    // A replay was refused: a read goes again with a fresh nonce; a write may have been carried out the first time.
                    return request.IsIdempotent ? Backoff(attempt) : (TimeSpan?)null;
                case AliBackupApiException api:
                    return api.IsTransient && request.IsIdempotent ? Backoff(attempt) : (TimeSpan?)null;
                case AliBackupTransportException transport:
                    return request.IsIdempotent || !transport.RequestMayHaveArrived ? Backoff(attempt) : (TimeSpan?)null;
                case AliBackupInvalidResponseException _:
                    return request.IsIdempotent ? Backoff(attempt) : (TimeSpan?)null;
                default:
                    return null;
            }
        }

        /// <summary>Exponential backoff with full jitter: uniform in [0, min(cap, base·2^(attempt-1))].</summary>
        private TimeSpan Backoff(int attempt)
        {
            var step = Math.Min(_options.MaxRetryDelay.Ticks, _options.RetryBaseDelay.Ticks * (1L << Math.Min(attempt - 1, 30)));
            double fraction;
            lock (_jitter) fraction = _jitter.NextDouble();
            return TimeSpan.FromTicks((long)(step * fraction));
        }

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

        private static string FormatDelay(TimeSpan delay) =>
            delay.TotalSeconds >= 1 ? delay.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : (int)delay.TotalMilliseconds + " ms";

        /// <summary>
        /// A 2xx whose body carries an error Code (some gateways answer errors with 200) is an error, not an empty result.
        /// </summary>
        private AliBackupApiException? ErrorCarriedIn(ApiRequest request, HttpResponseMessage response, JsonDocument document, string? headerRequestId)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            var code = SafeStr(root, "Code", "code");
            if (string.IsNullOrWhiteSpace(code) || Array.IndexOf(SuccessCodes, code!.Trim()) >= 0) return null;
            return FromErrorBody(request, response, root, code,
                SafeStr(root, "Message", "message") ?? "The service answered HTTP " + (int)response.StatusCode + " with an error code.", headerRequestId);
        }

        /// <summary>The service's error as the body states it: Code, Message, RequestId (else the header's), HostId, Recommend.</summary>
        private AliBackupApiException FromErrorBody(ApiRequest request, HttpResponseMessage response, JsonElement root, string? code, string? message, string? headerRequestId) =>
            new AliBackupApiException(request.Product.ProductId, request.Action, (int)response.StatusCode, code, message,
                NullIfBlank(SafeStr(root, "RequestId", "requestId")) ?? headerRequestId, SafeStr(root, "HostId"), SafeStr(root, "Recommend"),
                RetryAfterOf(response, _options.MaxRetryAfter));

        // The endpoint last called, as its texts: a client calls one or two endpoints (its channels keep their Uri), and
        // every call needs them.
        private EndpointText? _lastEndpoint;

        private EndpointText EndpointOf(ApiRequest request)
        {
            var last = _lastEndpoint;
            if (last != null && ReferenceEquals(last.Uri, request.Endpoint)) return last;
            return _lastEndpoint = new EndpointText(request.Endpoint);
        }

        private sealed class EndpointText
        {
            public EndpointText(Uri uri)
            {
                Uri = uri;
                Origin = uri.GetLeftPart(UriPartial.Authority);
                // HttpClient sends Host without the default port; sign exactly what goes on the wire.
                Host = uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
            }

            public Uri Uri { get; }

            /// <summary>Scheme and authority, e.g. https://r-kvstore.aliyuncs.com (traces; the request URL starts with it).</summary>
            public string Origin { get; }

            /// <summary>The Host header as sent and signed.</summary>
            public string Host { get; }
        }

        // The URL last sent to, parsed: a runbook asks the same thing of the same instance over and over (the nonce and
        // date are headers), and a Uri costs more than the text it is parsed from. A Uri never changes, so requests share it.
        private SentUri? _lastUri;

        private Uri RequestUri(EndpointText endpoint, string pathAndQuery)
        {
            var last = _lastUri;
            if (last != null && ReferenceEquals(last.Endpoint, endpoint) && string.Equals(last.PathAndQuery, pathAndQuery, StringComparison.Ordinal)) return last.Uri;
            var uri = new Uri(endpoint.Origin + pathAndQuery);
            _lastUri = new SentUri(endpoint, pathAndQuery, uri);
            return uri;
        }

        private sealed class SentUri
        {
            public SentUri(EndpointText endpoint, string pathAndQuery, Uri uri)
            {
                Endpoint = endpoint;
                PathAndQuery = pathAndQuery;
                Uri = uri;
            }

            public EndpointText Endpoint { get; }

            public string PathAndQuery { get; }

            public Uri Uri { get; }
        }

        // The headers of the request being built (signing never awaits, so one list per thread is enough).
        [ThreadStatic] private static List<KeyValuePair<string, string>>? _headers;

        private HttpRequestMessage BuildSignedMessage(ApiRequest request, AliCredential credential, ApiCallTrace trace)
        {
            var endpoint = EndpointOf(request);
            var host = endpoint.Host;
            var headers = _headers ??= new List<KeyValuePair<string, string>>(8);
            headers.Clear();
            headers.Add(new KeyValuePair<string, string>("host", host));
            headers.Add(new KeyValuePair<string, string>("x-acs-action", request.Action));
            headers.Add(new KeyValuePair<string, string>("x-acs-version", request.Product.Version));
            headers.Add(new KeyValuePair<string, string>("x-acs-date", AcsV3Signer.FormatDate(_options.Time.GetUtcNow())));
            headers.Add(new KeyValuePair<string, string>("x-acs-signature-nonce", _options.NonceFactory()));
            headers.Add(new KeyValuePair<string, string>("x-acs-content-sha256", AcsV3Signer.EmptyPayloadHash));
            if (credential.SecurityToken != null)
            {
                headers.Add(new KeyValuePair<string, string>("x-acs-security-token", credential.SecurityToken));
                headers.Add(new KeyValuePair<string, string>("x-acs-accesskey-id", credential.AccessKeyId));
            }

            var observer = _options.Observer;
            var showsCanonicalRequest = observer != null && (!(observer is ICanonicalRequestObserver shows) || shows.ShowsCanonicalRequest);
            var signature = AcsV3Signer.SignForSending("POST", "/", request.Parameters, headers, AcsV3Signer.EmptyPayloadHash,
                credential.AccessKeyId, credential.AccessKeySecret, showsCanonicalRequest);
            if (signature.CanonicalRequest != null)
            {
                trace.CanonicalRequest = credential.SecurityToken == null
                    ? signature.CanonicalRequest
                    : signature.CanonicalRequest.Replace(credential.SecurityToken, "***");
            }

            var uri = RequestUri(endpoint, signature.PathAndQuery);
            var message = new HttpRequestMessage(Post, uri)
            {
                // An empty body, sent as Content-Length: 0 just like no body. It is there for one reason: .NET resends a
                // body-less request by itself, up to three times, when the connection closes before an answer. That
                // replay is invisible here, carries the same nonce (so the gateway refuses it as SignatureNonceUsed), and
                // for CreateBackup can start a second backup. With a body it never resends; every attempt is ours.
                Content = new ByteArrayContent(Array.Empty<byte>()),
            };
            message.Headers.Host = host;
            foreach (var header in headers)
                if (header.Key != "host") message.Headers.TryAddWithoutValidation(header.Key, header.Value);
            headers.Clear();
            message.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
            message.Headers.TryAddWithoutValidation("Accept", "application/json");
            message.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
            return message;
        }

        /// <summary>The answer body, in a rented buffer; <see cref="ResponseBody.TooLarge"/> when it is larger than MaxResponseBytes (reading stops there).</summary>
        private async Task<ResponseBody> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            if (response.Content == null) return ResponseBody.None;
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            // The buffer starts at the declared length, capped (a declaration is not a promise), and grows by doubling.
            var declared = response.Content.Headers.ContentLength;
            var buffer = ArrayPool<byte>.Shared.Rent(declared is long length && length > 0 ? (int)Math.Min(length + 1, Math.Min(_options.MaxResponseBytes + 1L, 1 << 20)) : 4096);
            var count = 0;
            try
            {
                while (true)
                {
                    if (count == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        Buffer.BlockCopy(buffer, 0, larger, 0, count);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    var read = await stream.ReadAsync(buffer, count, buffer.Length - count, cancellationToken).ConfigureAwait(false);
                    if (read == 0) break;
                    count += read;
                    if (count > _options.MaxResponseBytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return ResponseBody.TooLargeToRead;
                    }
                }
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
            return new ResponseBody(buffer, count);
        }

        /// <summary>
        /// An answer body in a buffer rented for the attempt, given back when it ends: a parsed document holds a copy
        /// of its own (also rented, and given back when the document is disposed), so no body costs an array per call.
        /// </summary>
        private readonly struct ResponseBody : IDisposable
        {
            private readonly byte[]? _buffer;

            public ResponseBody(byte[] buffer, int length)
            {
                _buffer = buffer;
                Length = length;
                TooLarge = false;
            }

            private ResponseBody(bool tooLarge)
            {
                _buffer = null;
                Length = 0;
                TooLarge = tooLarge;
            }

            /// <summary>No body at all (an answer without content): empty, and nothing to give back.</summary>
            public static ResponseBody None => new ResponseBody(tooLarge: false);

            /// <summary>Reading stopped at MaxResponseBytes; the buffer has been given back already.</summary>
            public static ResponseBody TooLargeToRead => new ResponseBody(tooLarge: true);

            public int Length { get; }

            /// <summary>Reading stopped at MaxResponseBytes: there is no body to parse.</summary>
            public bool TooLarge { get; }

            public Stream Open() => new MemoryStream(_buffer ?? Array.Empty<byte>(), 0, Length, writable: false);

            public void Dispose()
            {
                if (_buffer != null) ArrayPool<byte>.Shared.Return(_buffer);
            }
        }

        private static JsonDocument? ParseJson(ResponseBody body, out string? problem)
        {
            problem = null;
            if (body.Length == 0) return null;
            try
            {
                using var stream = body.Open();
                return JsonDocument.Parse(stream);
            }
            catch (JsonException ex)
            {
                problem = ex.Message;
                return null;
            }
            catch (ArgumentException ex)
            {
                // Invalid UTF-8 outside a string (e.g. a bad byte-order mark).
                problem = ex.Message;
                return null;
            }
        }

        /// <summary>Why a 2xx body is not an answer, in words.</summary>
        private static string Describe(ResponseBody body, HttpResponseMessage response, string? problem)
        {
            if (body.Length == 0) return "HTTP " + (int)response.StatusCode + " with an empty body";
            var type = response.Content?.Headers.ContentType?.MediaType;
            if (type != null && type.IndexOf("json", StringComparison.OrdinalIgnoreCase) < 0)
                return "HTTP " + (int)response.StatusCode + " with a " + type + " body, not JSON (a proxy's page?)";
            return "HTTP " + (int)response.StatusCode + " with a body that is not complete JSON (" + body.Length + " bytes" +
                   (problem == null ? "" : ": " + FirstSentence(problem)) + ")";
        }

        private static string FirstSentence(string text)
        {
            var end = text.IndexOf(". ", StringComparison.Ordinal);
            return end > 0 ? text.Substring(0, end) : text.TrimEnd('.');
        }

        /// <summary>A string field, or null when it is absent or not text (error bodies must never fail to become errors).</summary>
        private static string? SafeStr(JsonElement element, string name, string? otherName = null)
        {
            try
            {
                return element.Str(name) ?? (otherName == null ? null : element.Str(otherName));
            }
            catch (Exception ex) when (ex is ResponseShapeException || ex is InvalidOperationException)
            {
                return null;
            }
        }

        private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

        private static string? Header(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

        /// <summary>
        /// The service's hint: <c>x-acs-retry-after</c> is in milliseconds (as every official client reads it); 0, negative,
        /// empty or non-numeric means no hint. A standard <c>Retry-After</c> (seconds) counts too. Capped at <paramref name="cap"/>.
        /// </summary>
        internal static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeSpan cap)
        {
            TimeSpan? hint = null;
            if (response.Headers.TryGetValues("x-acs-retry-after", out var values) &&
                double.TryParse(values.FirstOrDefault()?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) &&
                milliseconds > 0 && !double.IsInfinity(milliseconds) && !double.IsNaN(milliseconds))
            {
                hint = milliseconds >= cap.TotalMilliseconds ? cap : TimeSpan.FromMilliseconds(milliseconds);
            }
            else if (response.Headers.RetryAfter?.Delta is TimeSpan delta && delta > TimeSpan.Zero)
            {
                hint = delta > cap ? cap : delta;
            }
            return hint;
        }

        private AliBackupApiException ToApiException(ApiRequest request, HttpResponseMessage response, ResponseBody body, string? headerRequestId)
        {
            using var document = ParseJson(body, out _);
            if (document == null || document.RootElement.ValueKind != JsonValueKind.Object)
            {
                var type = response.Content?.Headers.ContentType?.MediaType;
                return new AliBackupApiException(request.Product.ProductId, request.Action, (int)response.StatusCode, null,
                    "HTTP " + (int)response.StatusCode + " " + response.ReasonPhrase + (type != null && type.IndexOf("json", StringComparison.OrdinalIgnoreCase) < 0 ? " (a " + type + " page, not the service's answer)" : ""),
                    headerRequestId, retryAfter: RetryAfterOf(response, _options.MaxRetryAfter));
            }
            var root = document.RootElement;
            return FromErrorBody(request, response, root, SafeStr(root, "Code", "code"), SafeStr(root, "Message", "message"), headerRequestId);
        }

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException != null) ex = ex.InnerException;
            return ex;
        }

        /// <summary>True when the connection itself could not be made: the request never left, so nothing was carried out.</summary>
        private static bool NeverConnected(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
            {
                if (e is SocketException socket)
                {
                    switch (socket.SocketErrorCode)
                    {
                        case SocketError.ConnectionRefused:
                        case SocketError.HostNotFound:
                        case SocketError.HostUnreachable:
                        case SocketError.NetworkUnreachable:
                        case SocketError.TryAgain:
                        case SocketError.NoData:
                        case SocketError.AddressNotAvailable:
                            return true;
                    }
                }
            }
            return false;
        }

        private void Observe(ApiCallTrace trace) => _options.Observer?.OnCallCompleted(trace);
    }
}
