using System;
using System.Text.RegularExpressions;

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
        public AliBackupTransportException(string message, Exception? inner = null) : base(message, inner) { }

        public override string ErrorKind => "TransportError";

        public override string RecommendedAction => "Check the network path to the endpoint and retry.";
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

        public bool IsThrottling => Code.IndexOf("Throttling", StringComparison.OrdinalIgnoreCase) >= 0 || HttpStatus == 429;

        /// <summary>The instance is busy with another backup (MongoDB's BackupJobExists; Redis answers IncorrectDBInstanceState).</summary>
        public bool IsBackupRunning => Code.EndsWith("BackupJobExists", StringComparison.Ordinal) || Code == "IncorrectDBInstanceState";

        public bool IsNotFound => Code.EndsWith("NotFound", StringComparison.OrdinalIgnoreCase) || Code == "DBInstanceNotFound";

        /// <summary>
        /// The service refused the credentials themselves (wrong secret, unknown or disabled key, bad or expired token,
        /// a clock too far off): every further request with them fails the same way, so a command stops at the first.
        /// </summary>
        public bool IsCredentialRejection =>
            Code == "SignatureDoesNotMatch" || Code == "IncompleteSignature" ||
            Code.StartsWith("InvalidAccessKeyId", StringComparison.Ordinal) || Code.StartsWith("InvalidSecurityToken", StringComparison.Ordinal) ||
            Code.StartsWith("InvalidTimeStamp", StringComparison.Ordinal);

        /// <summary>Worth retrying: throttling, 5xx, ServiceUnavailable/InternalError.</summary>
        public bool IsTransient => IsThrottling || HttpStatus >= 500 || Code == "ServiceUnavailable" || Code == "InternalError";

        public override string ErrorKind => "ApiError";

        public override string? RecommendedAction
        {
            get
            {
                if (IsThrottling) return "The service is rate-limiting requests; retry later or lower the request rate.";
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
            : base("No backup of " + instanceId + " has " + what + " (searched backups that started between " + Format(searchedFrom) + " and " + Format(searchedTo) + ").")
        {
            InstanceId = instanceId;
        }

        public string InstanceId { get; }

        public override string ErrorKind => "BackupNotFound";

        public override string RecommendedAction => "Check the ID and the instance; list the instance's backups with Get-AliBackup -InstanceId " + InstanceId + " -StartTime (Get-Date).AddDays(-30).";

        internal static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>No task list and no backup knows a job that was asked to be waited on (a typo, or another instance's job).</summary>
    public sealed class BackupJobNotFoundException : AliBackupException
    {
        public BackupJobNotFoundException(BackupTask task, System.Collections.Generic.IReadOnlyList<string> missingJobIds, DateTimeOffset searchedFrom)
            : base("No backup task or backup of " + task.InstanceId + " has job " + string.Join(", ", missingJobIds) +
                   ": DescribeBackupTasks does not list it and DescribeBackups has no backup of it since " + BackupNotFoundException.Format(searchedFrom) + ".")
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
