using System;
using System.Collections.Generic;
using AliBackup.Service.Endpoints;

namespace AliBackup.Service.OpenApi
{
    /// <summary>One RPC call: a product action with its business parameters, sent to one endpoint.</summary>
    public sealed class ApiRequest
    {
        public ApiRequest(ApiProduct product, string action, Uri endpoint, string? region, bool isIdempotent)
        {
            Product = product;
            Action = action;
            Endpoint = endpoint;
            Region = region;
            IsIdempotent = isIdempotent;
        }

        public ApiProduct Product { get; }

        public string Action { get; }

        /// <summary>Scheme and authority; RPC calls always go to path <c>/</c>.</summary>
        public Uri Endpoint { get; }

        public string? Region { get; }

        /// <summary>
        /// Safe to send twice: reads, and writes carrying an idempotency token. Only these are retried after
        /// ambiguous failures (5xx, timeouts); other writes only after throttling, which means "not processed".
        /// </summary>
        public bool IsIdempotent { get; }

        /// <summary>The RequestId of the answer the client returned (from the body, else the x-acs-request-id header).</summary>
        public string? AnsweredRequestId { get; set; }

        /// <summary>Business parameters; sent in the query string, as the official clients do.</summary>
        public List<KeyValuePair<string, string>> Parameters { get; } = new List<KeyValuePair<string, string>>(8);

        /// <summary>Adds a parameter unless its value is null or empty.</summary>
        public ApiRequest With(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) Parameters.Add(new KeyValuePair<string, string>(name, value!));
            return this;
        }
    }

    /// <summary>What one HTTP exchange did, for -Verbose/-Debug. Holds no secret: see <see cref="CanonicalRequest"/>.</summary>
    public sealed class ApiCallTrace
    {
        public string Product { get; set; } = "";
        public string Action { get; set; } = "";
        public string? Region { get; set; }
        public string Endpoint { get; set; } = "";
        public int Attempt { get; set; }
        public int? HttpStatus { get; set; }
        public string? RequestId { get; set; }
        public string? ErrorCode { get; set; }
        public TimeSpan Duration { get; set; }
        public string CredentialSource { get; set; } = "";

        /// <summary>More about the failure (the transport's reason, what was wrong with the answer).</summary>
        public string? Detail { get; set; }

        /// <summary>What the client does next, when it tries again (delay and attempt), e.g. "retrying in 1.2 s (attempt 2 of 8)".</summary>
        public string? Retry { get; set; }

        /// <summary>
        /// The canonical request that was signed, with the security token replaced by <c>***</c>. It never holds the
        /// signature. Empty when the observer does not show it (<see cref="ICanonicalRequestObserver"/>).
        /// </summary>
        public string CanonicalRequest { get; set; } = "";

        public override string ToString()
        {
            var outcome = HttpStatus.HasValue ? "HTTP " + HttpStatus.Value : "no response";
            if (ErrorCode != null) outcome += " " + ErrorCode;
            if (Detail != null) outcome += " (" + Detail + ")";
            return Product + " " + Action + " region=" + (Region ?? "-") + " endpoint=" + Endpoint +
                   (Attempt > 1 ? " attempt=" + Attempt : "") + " -> " + outcome +
                   " RequestId=" + (RequestId ?? "-") + " in " + (int)Duration.TotalMilliseconds + " ms" +
                   (Retry == null ? "" : "; " + Retry);
        }
    }

    /// <summary>Receives a trace of every HTTP exchange (the cmdlets turn them into verbose and debug messages).</summary>
    public interface IApiCallObserver
    {
        void OnCallCompleted(ApiCallTrace trace);
    }

    /// <summary>
    /// An observer that says whether it will show canonical requests. The canonical request is a call's largest string;
    /// when no one shows it, the trace carries an empty one. Observers that do not say get it on every trace.
    /// </summary>
    public interface ICanonicalRequestObserver : IApiCallObserver
    {
        bool ShowsCanonicalRequest { get; }
    }
}

namespace AliBackup.Service.OpenApi
{
    /// <summary>Something the service layer tells the user about without failing: an odd value it corrected, an answer it recovered.</summary>
    public sealed class ServiceNotice
    {
        public ServiceNotice(string message, bool isWarning, string? key = null)
        {
            Message = message;
            IsWarning = isWarning;
            Key = key ?? message;
        }

        public string Message { get; }

        /// <summary>Warning stream when true, verbose otherwise.</summary>
        public bool IsWarning { get; }

        /// <summary>Notices with the same key say the same thing (a wait polls the same odd value every round): show one.</summary>
        public string Key { get; }
    }

    /// <summary>An <see cref="IApiCallObserver"/> that also wants <see cref="ServiceNotice"/>s (the cmdlets do).</summary>
    public interface IServiceNoticeObserver
    {
        void OnNotice(ServiceNotice notice);
    }
}
