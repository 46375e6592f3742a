using System;
using System.Text.RegularExpressions;
using AliBackup.Service;

namespace AliBackup
{
    /// <summary>Base of every error the AliBackup service layer raises on purpose.</summary>
    public abstract class AliBackupException : Exception
    {
        protected AliBackupException(string message, Exception? inner = null) : base(message, inner) { }

        /// <summary>A short, stable identifier for the kind of failure (becomes the ErrorId suffix).</summary>
        public abstract string ErrorKind { get; }

        /// <summary>What the user can do about it.</summary>
        public virtual string? RecommendedAction => null;
    }

    /// <summary>Bad input or settings (endpoint, region, engine), detected before anything is sent.</summary>
    public sealed class AliBackupConfigurationException : AliBackupException
    {
        public AliBackupConfigurationException(string message, string? parameterName = null, Exception? inner = null)
            : base(message, inner)
        {
            ParameterName = parameterName;
        }

        /// <summary>The cmdlet parameter the problem is about, if any.</summary>
        public string? ParameterName { get; }

        public override string ErrorKind => "InvalidConfiguration";
    }

    /// <summary>No usable credentials could be found or obtained.</summary>
    public sealed class AliBackupCredentialException : AliBackupException
    {
        public AliBackupCredentialException(string message, Exception? inner = null) : base(message, inner) { }

        public override string ErrorKind => "CredentialUnavailable";

        public override string RecommendedAction =>
            "Pass -Credential or -Profile, or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET. See Get-Help about_AliBackup.";
    }

    /// <summary>The request never got an answer from the service (DNS, TLS, connection, timeout).</summary>
    public sealed class AliBackupTransportException : AliBackupException
    {
        public AliBackupTransportException(string message, Exception? inner = null, bool requestMayHaveArrived = true) : base(message, inner)
        {
            RequestMayHaveArrived = requestMayHaveArrived;
        }

        /// <summary>
        /// False only when the request certainly never left (connection refused, host not found): a write that failed so
        /// was not carried out. True for a dropped connection or a timeout, after which the service may have acted on it.
        /// </summary>
        public bool RequestMayHaveArrived { get; }

        public override string ErrorKind => "TransportError";

        public override string RecommendedAction => "Check the network path to the endpoint and retry.";
    }

    /// <summary>
    /// The service answered, but the answer cannot be read (not JSON, cut short, empty, invalid UTF-8, a field of the
    /// wrong shape, a list that never ends). Keeps the action and the RequestId, as an API error does.
    /// </summary>
    public sealed class AliBackupInvalidResponseException : AliBackupException
    {
        public AliBackupInvalidResponseException(string product, string action, int httpStatus, string? requestId, string reason, Exception? inner = null)
            : base(action + " (" + product + ") answered with a response that cannot be read: " + reason +
                   (string.IsNullOrEmpty(requestId) ? " (no RequestId)" : " (RequestId " + requestId + ")"), inner)
        {
            Product = product;
            Action = action;
            HttpStatus = httpStatus;
            RequestId = requestId;
            Reason = reason;
        }

        public string Product { get; }

        public string Action { get; }

        public int HttpStatus { get; }

        /// <summary>The RequestId from the body or the <c>x-acs-request-id</c> header, when there was one.</summary>
        public string? RequestId { get; }

        /// <summary>What was wrong with the answer.</summary>
        public string Reason { get; }

        public override string ErrorKind => "InvalidResponse";

        public override string RecommendedAction =>
            "Retry the command; if it keeps happening, a proxy or gateway may be altering the answers. Quote the RequestId to Alibaba Cloud support.";
    }

    /// <summary>
    /// CreateBackup failed in a way that leaves its outcome open (the connection dropped after the request was sent, no
    /// answer in time, a 5xx, an unreadable answer), and no backup it could have started was found. It is not sent again
    /// blindly: a second backup is worse than an error.
    /// </summary>
    public sealed class BackupOutcomeUnknownException : AliBackupException
    {
        public BackupOutcomeUnknownException(string instanceId, AliBackupException cause, Exception? lookupFailure)
            : base("CreateBackup for " + instanceId + " may or may not have started a backup: " + cause.Message +
                   (lookupFailure == null
                       ? " No manual backup task started since the request was found."
                       : " Looking for the backup it may have started failed too: " + lookupFailure.Message), cause)
        {
            InstanceId = instanceId;
            Cause = cause;
        }

        public string InstanceId { get; }

        /// <summary>The failure that left the outcome open.</summary>
        public AliBackupException Cause { get; }

        public override string ErrorKind => "BackupOutcomeUnknown";

        public override string RecommendedAction =>
            "Before starting another backup, check whether this one started: Get-AliBackupTask -InstanceId " + InstanceId +
            " -JobMode Manual (a finished one is listed by Get-AliBackup -InstanceId " + InstanceId + ").";
    }

    /// <summary>The service answered with an error: keeps its HTTP status, Code, Message and RequestId.</summary>
    public sealed class AliBackupApiException : AliBackupException
    {
        // The gateway's SignatureDoesNotMatch message echoes the string it signed; it carries request data, so
        // it is cut off before the message is shown anywhere.
        private static readonly Regex EchoedStringToSign = new Regex(@"\s*server string to sign is:.*$", RegexOptions.Singleline | RegexOptions.IgnoreCase);

        public AliBackupApiException(string product, string action, int httpStatus, string? code, string? serviceMessage,
            string? requestId, string? hostId = null, string? recommend = null, TimeSpan? retryAfter = null)
            : base(Compose(product, action, httpStatus, code, Redact(serviceMessage), requestId))
        {
            Product = product;
            Action = action;
            HttpStatus = httpStatus;
            Code = string.IsNullOrEmpty(code) ? "HttpStatus" + httpStatus : code!;
            ServiceMessage = Redact(serviceMessage);
            RequestId = requestId;
            HostId = hostId;
            Recommend = recommend;
            RetryAfter = retryAfter;
        }

        /// <summary>The product code (<c>r-kvstore</c>, <c>polardb</c>, <c>dds</c>).</summary>
        public string Product { get; }

        /// <summary>The API action that failed.</summary>
        public string Action { get; }

        /// <summary>The HTTP status the service answered with.</summary>
        public int HttpStatus { get; }

        /// <summary>The service's error code, e.g. <c>InvalidInstanceId.NotFound</c>.</summary>
        public string Code { get; }

        /// <summary>The service's error message (with any echoed string-to-sign removed).</summary>
        public string? ServiceMessage { get; }

        /// <summary>The service's request ID: quote it to Alibaba Cloud support.</summary>
        public string? RequestId { get; }

        /// <summary>The host that answered, as the service reports it.</summary>
        public string? HostId { get; }

        /// <summary>The service's troubleshooting link, if any.</summary>
        public string? Recommend { get; }

        /// <summary>How long the service asked us to wait before retrying (from <c>x-acs-retry-after</c>).</summary>
        public TimeSpan? RetryAfter { get; }

        /// <summary>
        /// Rate-limited: a <c>Throttling*</c> code, HTTP 429, or any 4xx/5xx carrying a positive <c>x-acs-retry-after</c>
        /// (what the official clients treat as throttling since 2026, whatever the code).
        /// </summary>
        public bool IsThrottling =>
            Code.IndexOf("Throttling", StringComparison.OrdinalIgnoreCase) >= 0 || HttpStatus == 429 ||
            HttpStatus >= 400 && RetryAfter.HasValue && RetryAfter.Value > TimeSpan.Zero;

        /// <summary>
        /// The instance is busy with another backup. The products disagree on the code (RDS and MongoDB BackupJobExists,
        /// MongoDB OperationDenied.BackupJobExists, Redis TaskExists/TaskHasExist on other operations, and
        /// IncorrectDBInstanceState), at HTTP 400 or 403; all of them mean "a backup is running".
        /// </summary>
        public bool IsBackupRunning =>
            HttpStatus >= 400 && HttpStatus < 500 &&
            (Code.EndsWith("BackupJobExists", StringComparison.Ordinal) || Code == "TaskExists" || Code == "TaskHasExist" ||
             Code == "Task.Conflict" || Code == "IncorrectDBInstanceState");

        /// <summary>The product's manual-backup limit is reached (PolarDB 403 BackupTimesExceeded; RDS Exceeded.BackupTimes).</summary>
        public bool IsBackupLimitReached => Code == "BackupTimesExceeded" || Code == "Exceeded.BackupTimes";

        public bool IsNotFound => Code.EndsWith("NotFound", StringComparison.OrdinalIgnoreCase) || Code == "DBInstanceNotFound";

        /// <summary>
        /// The service refuses who is calling or how the request was signed (unknown or disabled key, wrong secret, bad or
        /// expired token, a clock far off): every other call fails the same way, so nothing is gained by going on.
        /// </summary>
        public bool RejectsCaller =>
            Code.StartsWith("InvalidAccessKeyId", StringComparison.Ordinal) || Code == "SignatureDoesNotMatch" ||
            Code.StartsWith("InvalidSecurityToken", StringComparison.Ordinal) || Code == "IncompleteSignature" ||
            Code.StartsWith("InvalidTimeStamp", StringComparison.Ordinal) || Code == "Forbidden.AccessKeyDisabled";

        /// <summary>Worth retrying: throttling, 5xx, ServiceUnavailable/InternalError/InternalFailure.</summary>
        public bool IsTransient =>
            IsThrottling || HttpStatus >= 500 || Code == "ServiceUnavailable" || Code == "InternalError" || Code == "InternalFailure";

        /// <summary>How many attempts the client made before giving up with this error (1 when it was not retried).</summary>
        public int Attempts { get; internal set; } = 1;

        public override string ErrorKind => "ApiError";

        public override string? RecommendedAction
        {
            get
            {
                if (IsThrottling)
                    return "The service is rate-limiting requests" + (Attempts > 1 ? " (still after " + Attempts + " attempts)" : "") +
                           "; retry later or lower the request rate.";
                if (IsBackupLimitReached)
                    return "The instance has reached its limit of manual backups (PolarDB allows at most 3 per cluster); " +
                           "wait for the limit to reset or delete an older manual backup in the console. Retrying now fails the same way.";
                if (IsBackupRunning) return "A backup is already running on the instance; wait on it, or start one after it finishes.";
                if (Code == "SignatureDoesNotMatch") return "Check the AccessKey secret (and that the system clock is correct).";
                if (Code.StartsWith("InvalidAccessKeyId", StringComparison.Ordinal)) return "Check the AccessKey ID; temporary (STS) keys may have expired.";
                if (Code.StartsWith("InvalidSecurityToken", StringComparison.Ordinal)) return "The security token is invalid or expired; obtain fresh temporary credentials.";
                if (Code == "InvalidTimeStamp.Expired") return "The system clock is more than 15 minutes off; correct it.";
                if (Code.StartsWith("Forbidden", StringComparison.Ordinal)) return "Grant the RAM policy the action " + Action + " for this product.";
                if (IsNotFound) return "Check the instance ID and the region (-Region) it lives in.";
                return Recommend;
            }
        }

        internal static string? Redact(string? message) => message == null ? null : EchoedStringToSign.Replace(message, "");

        private static string Compose(string product, string action, int status, string? code, string? message, string? requestId)
        {
            var text = action + " (" + product + ") failed: " + (string.IsNullOrEmpty(code) ? "HTTP " + status : code) +
                       (string.IsNullOrEmpty(message) ? "" : ": " + message!.TrimEnd());
            if (!string.IsNullOrEmpty(requestId)) text += " (RequestId " + requestId + ")";
            return text;
        }
    }
}

namespace AliBackup
{
    /// <summary>A lookup by ID (Get-AliBackup -BackupId/-BackupJobId, Wait-AliBackupTask -BackupId) found no backup.</summary>
    public sealed class BackupNotFoundException : AliBackupException
    {
        public BackupNotFoundException(string instanceId, string what, DateTimeOffset searchedFrom, DateTimeOffset searchedTo)
            : base("No backup of " + instanceId + " has " + what + " (searched backups that started between " + InputValidation.Format(searchedFrom) + " and " + InputValidation.Format(searchedTo) + ").")
        {
            InstanceId = instanceId;
        }

        public string InstanceId { get; }

        public override string ErrorKind => "BackupNotFound";

        public override string RecommendedAction => "Check the ID and the instance; list the instance's backups with Get-AliBackup -InstanceId " + InstanceId + " -StartTime (Get-Date).AddDays(-30).";

    }

    /// <summary>No task list and no backup knows a job that was asked to be waited on (a typo, or another instance's job).</summary>
    public sealed class BackupJobNotFoundException : AliBackupException
    {
        public BackupJobNotFoundException(BackupTask task, System.Collections.Generic.IReadOnlyList<string> missingJobIds, DateTimeOffset searchedFrom)
            : base("No backup task or backup of " + task.InstanceId + " has job " + string.Join(", ", missingJobIds) +
                   ": DescribeBackupTasks does not list it and DescribeBackups has no backup of it since " + InputValidation.Format(searchedFrom) + ".")
        {
            Task = task;
            MissingJobIds = missingJobIds;
        }

        public BackupTask Task { get; }

        public System.Collections.Generic.IReadOnlyList<string> MissingJobIds { get; }

        public override string ErrorKind => "BackupJobNotFound";

        public override string RecommendedAction =>
            "Check the job ID and the instance: Get-AliBackupTask -InstanceId " + Task.InstanceId + " lists its tasks, Get-AliBackup -InstanceId " + Task.InstanceId +
            " its backups; Wait-AliBackupTask -InstanceId " + Task.InstanceId + " -Latest waits on its newest manual backup.";
    }

    /// <summary>What Start-AliBackup does when a manual backup is already running on the instance.</summary>
    public enum RunningBackupAction
    {
        /// <summary>Write the running task instead of starting another, so the pipeline waits on it.</summary>
        Attach,

        /// <summary>Report an error (AliBackup.BackupRunning).</summary>
        Fail,
    }

    /// <summary>A manual backup is already running on the instance (the services allow one at a time).</summary>
    public sealed class BackupAlreadyRunningException : AliBackupException
    {
        public BackupAlreadyRunningException(BackupTask running)
            : base("A manual backup of " + running.InstanceId + " is already running (job " + running.BackupJobId + ", " + running.Status +
                   "); only one runs at a time.")
        {
            Running = running;
        }

        public BackupTask Running { get; }

        public override string ErrorKind => "BackupRunning";

        public override string RecommendedAction =>
            "Wait on it with: " + AliBackup.Service.Waiting.WaitOptions.DefaultReattachCommand(Running) + ", or use -IfRunning Attach.";
    }

    /// <summary>No backup task matches (e.g. -Latest on an instance without manual backups).</summary>
    public sealed class NoBackupTaskException : AliBackupException
    {
        public NoBackupTaskException(string instanceId, bool onlyRunningListed)
            : base("No manual backup task was found for " + instanceId + "." +
                   (onlyRunningListed ? " This product lists only backups in progress; a finished one is found with Get-AliBackup." : ""))
        {
            InstanceId = instanceId;
        }

        public string InstanceId { get; }

        public override string ErrorKind => "NoBackupTask";

        public override string RecommendedAction => "Start one with Start-AliBackup -InstanceId " + InstanceId + ", or list backups with Get-AliBackup.";
    }
}
