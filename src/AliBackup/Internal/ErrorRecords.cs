using System;
using System.Management.Automation;
using AliBackup.Service.Waiting;

namespace AliBackup.PowerShell.Internal
{
    /// <summary>
    /// The one place service exceptions become ErrorRecords: a stable dotted ErrorId, a real category, the target
    /// object and a recommended action.
    /// </summary>
    internal static class ErrorRecords
    {
        public static ErrorRecord From(Exception exception, object? target)
        {
            var record = new ErrorRecord(exception, ErrorIdOf(exception), CategoryOf(exception), target);
            var recommended = (exception as AliBackupException)?.RecommendedAction;
            if (recommended != null) record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = recommended };
            return record;
        }

        /// <summary>A parameter problem found by the cmdlet itself.</summary>
        public static ErrorRecord InvalidArgument(string message, string parameterName, object? target) =>
            From(new AliBackupConfigurationException(message, parameterName), target);

        private static string ErrorIdOf(Exception exception)
        {
            switch (exception)
            {
                case AliBackupApiException api: return "AliBackup.Api." + api.Code;
                case AliBackupConfigurationException config: return "AliBackup.InvalidArgument" + (config.ParameterName == null ? "" : "." + config.ParameterName);
                case AliBackupException known: return "AliBackup." + known.ErrorKind;
                default: return "AliBackup.UnexpectedError";
            }
        }

        private static ErrorCategory CategoryOf(Exception exception)
        {
            switch (exception)
            {
                case WaitTimeoutException _: return ErrorCategory.OperationTimeout;
                case BackupFailedException _: return ErrorCategory.InvalidResult;
                case BackupAlreadyRunningException _: return ErrorCategory.ResourceBusy;
                case NoBackupTaskException _: return ErrorCategory.ObjectNotFound;
                case BackupNotListedException _: return ErrorCategory.ObjectNotFound;
                case AliBackupInvalidResponseException _: return ErrorCategory.ProtocolError;
                case BackupOutcomeUnknownException _: return ErrorCategory.ConnectionError;
                case BackupNotDownloadableException _: return ErrorCategory.InvalidOperation;
                case DownloadTargetExistsException _: return ErrorCategory.ResourceExists;
                case DownloadFailedException _: return ErrorCategory.ReadError;
                case BackupNotFoundException _: return ErrorCategory.ObjectNotFound;
                case BackupJobNotFoundException _: return ErrorCategory.ObjectNotFound;
                case AliBackupConfigurationException _: return ErrorCategory.InvalidArgument;
                case AliBackupCredentialException _: return ErrorCategory.AuthenticationError;
                case AliBackupTransportException _: return ErrorCategory.ConnectionError;
                case AliBackupApiException api: return CategoryOf(api);
                default: return ErrorCategory.NotSpecified;
            }
        }

        private static ErrorCategory CategoryOf(AliBackupApiException api)
        {
            var code = api.Code;
            if (api.IsThrottling || api.IsBackupLimitReached) return ErrorCategory.LimitsExceeded;
            if (api.IsNotFound && !code.StartsWith("InvalidAccessKeyId", StringComparison.Ordinal)) return ErrorCategory.ObjectNotFound;
            if (code == "SignatureDoesNotMatch" || code.StartsWith("InvalidAccessKeyId", StringComparison.Ordinal) ||
                code.StartsWith("InvalidSecurityToken", StringComparison.Ordinal) || code == "IncompleteSignature" ||
                code.StartsWith("InvalidTimeStamp", StringComparison.Ordinal) || code == "SignatureNonceUsed")
                return ErrorCategory.AuthenticationError;
            if (code.StartsWith("Forbidden", StringComparison.Ordinal) || api.HttpStatus == 403 && code.StartsWith("NoPermission", StringComparison.Ordinal))
                return ErrorCategory.PermissionDenied;
            if (api.IsBackupRunning) return ErrorCategory.ResourceBusy;
            if (code.EndsWith(".Malformed", StringComparison.Ordinal) || code.StartsWith("Missing", StringComparison.Ordinal) ||
                code.StartsWith("InvalidParameter", StringComparison.Ordinal) || code.EndsWith("ValueNotSupport", StringComparison.Ordinal))
                return ErrorCategory.InvalidArgument;
            if (api.HttpStatus == 403) return ErrorCategory.PermissionDenied;
            if (api.HttpStatus >= 500) return ErrorCategory.ResourceUnavailable;
            return ErrorCategory.InvalidOperation;
        }
    }
}
