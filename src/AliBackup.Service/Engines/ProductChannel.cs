using System;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Endpoints;
using AliBackup.Service.OpenApi;

namespace AliBackup.Service.Engines
{
    /// <summary>An <see cref="OpenApiClient"/> bound to one product at one endpoint: what an engine sends its calls through.</summary>
    public sealed class ProductChannel
    {
        private readonly OpenApiClient _client;

        public ProductChannel(OpenApiClient client, ApiProduct product, ApiTarget target)
        {
            _client = client;
            Product = product;
            Target = target;
            Endpoint = EndpointResolver.Resolve(product, target.Region, target.Endpoint);
        }

        public ApiProduct Product { get; }

        public ApiTarget Target { get; }

        public Uri Endpoint { get; }

        /// <summary>Starts a request for <paramref name="action"/>; add parameters with <see cref="ApiRequest.With"/>.</summary>
        public ApiRequest Request(string action, bool isIdempotent = true) => new ApiRequest(Product, action, Endpoint, Target.Region, isIdempotent);

        public Task<JsonDocument> CallAsync(ApiRequest request, CancellationToken cancellationToken) => _client.CallAsync(request, cancellationToken);

        /// <summary>
        /// Sends the call and reads its answer with <paramref name="read"/>. Whatever the reader trips over in the
        /// answer (a missing list, a field of the wrong kind, text that is not text, nesting too deep) becomes one
        /// <see cref="AliBackupInvalidResponseException"/> naming the action and the RequestId; corrections the reader
        /// made are passed to the observer as warnings.
        /// </summary>
        public async Task<T> ReadAsync<T>(ApiRequest request, Func<JsonElement, AnswerContext, T> read, CancellationToken cancellationToken)
        {
            using var document = await _client.CallAsync(request, cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            // The client read it already: the body's RequestId, else the x-acs-request-id header.
            var requestId = request.AnsweredRequestId;
            var context = new AnswerContext(Product.ProductId, request.Action, requestId);
            T result;
            try
            {
                if (root.ValueKind != JsonValueKind.Object) throw new ResponseShapeException("the answer is " + JsonFields.Describe(root) + ", not a JSON object");
                result = read(root, context);
            }
            catch (Exception ex) when (ex is ResponseShapeException || ex is InvalidOperationException || ex is FormatException ||
                                       ex is OverflowException || ex is ArgumentException || ex is JsonException)
            {
                throw new AliBackupInvalidResponseException(Product.ProductId, request.Action, 200, requestId, ex.Message, ex);
            }
            if (context.Notices.Count > 0 && _client.Options.Observer is IServiceNoticeObserver observer)
                foreach (var notice in context.Notices) observer.OnNotice(notice);
            return result;
        }

        /// <summary>Stamps where an object was read from, so a piped cmdlet talks to the same place.</summary>
        public BackupTask Stamp(BackupTask task)
        {
            task.Region = Target.Region;
            task.Endpoint = Target.Endpoint;
            return task;
        }

        public Backup Stamp(Backup backup)
        {
            backup.Region = Target.Region;
            backup.Endpoint = Target.Endpoint;
            return backup;
        }
    }

    /// <summary>Where calls go: a region (which picks the host) and/or an explicit endpoint that overrides it.</summary>
    public sealed class ApiTarget : IEquatable<ApiTarget>
    {
        public ApiTarget(string? region, string? endpoint)
        {
            Region = string.IsNullOrWhiteSpace(region) ? null : region!.Trim();
            Endpoint = string.IsNullOrWhiteSpace(endpoint) ? null : endpoint!.Trim();
        }

        public string? Region { get; }

        public string? Endpoint { get; }

        public bool Equals(ApiTarget? other) =>
            other != null && string.Equals(Region, other.Region, StringComparison.OrdinalIgnoreCase) && string.Equals(Endpoint, other.Endpoint, StringComparison.OrdinalIgnoreCase);

        public override bool Equals(object? obj) => Equals(obj as ApiTarget);

        public override int GetHashCode() =>
            (Region == null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Region)) * 31 + (Endpoint == null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Endpoint));

        public override string ToString() => Endpoint ?? Region ?? "(no region)";
    }
}
