using System;
using System.Collections;
using System.Management.Automation;
using AliBackup.Service;
using AliBackup.Service.Endpoints;

namespace AliBackup.PowerShell.Internal
{
    // Binding-time declarations of the rules in AliBackup.Service.InputValidation: the cmdlets only name them, so a bad
    // value is refused while the parameter binds ("Cannot validate argument on parameter 'X'. ...", per pipeline item)
    // and the service, which checks again, never sees it.

    /// <summary>Trims text (and each string of an array): IDs from CSV cells or typing often carry spaces.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class TrimTextAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case string text: return text.Trim();
                case object[] items:
                    var trimmed = new object[items.Length];
                    for (var i = 0; i < items.Length; i++)
                    {
                        var item = items[i] is PSObject w ? w.BaseObject : items[i];
                        trimmed[i] = item is string s ? s.Trim() : items[i];
                    }
                    return trimmed;
                default: return inputData;
            }
        }
    }

    /// <summary>Base for validators of one value, or of each value of an array; null and empty are left to the parameter's own rules.</summary>
    public abstract class ValidateEachAttribute : ValidateArgumentsAttribute
    {
        protected sealed override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
            if (value is string || !(value is IEnumerable each))
            {
                Check(value);
                return;
            }
            foreach (var item in each) Check(item is PSObject w ? w.BaseObject : item);
        }

        private void Check(object? value)
        {
            if (value == null || value is string s && s.Length == 0) return;
            var problem = ProblemOf(value);
            if (problem != null) throw new ValidationMetadataException(problem);
        }

        /// <summary>Why the value cannot be used (null when it can).</summary>
        protected abstract string? ProblemOf(object value);
    }

    /// <summary>An instance, backup job or backup ID: only characters that cannot change a URL or a query string.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateIdAttribute : ValidateEachAttribute
    {
        public ValidateIdAttribute(IdKind kind, string parameterName)
        {
            Kind = kind;
            ParameterName = parameterName;
        }

        public IdKind Kind { get; }

        public string ParameterName { get; }

        protected override string? ProblemOf(object value) => InputValidation.IdProblem(Kind, value.ToString(), ParameterName, out _);
    }

    /// <summary>A region ID that is known, or formed like one (it becomes part of a host name).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateRegionAttribute : ValidateEachAttribute
    {
        protected override string? ProblemOf(object value) =>
            string.IsNullOrWhiteSpace(value.ToString()) ? null : InputValidation.RegionProblem(value.ToString(), "-Region", out _);
    }

    /// <summary>An endpoint override: https, or http to loopback; scheme, host and port only, never a user name or password.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateEndpointAttribute : ValidateEachAttribute
    {
        protected override string? ProblemOf(object value)
        {
            var text = value.ToString();
            if (string.IsNullOrWhiteSpace(text)) return null;
            try
            {
                EndpointResolver.ParseEndpoint(text, "-Endpoint");
                return null;
            }
            catch (AliBackupConfigurationException ex)
            {
                return ex.Message;
            }
        }
    }

    /// <summary>A PSCredential whose user name is an AccessKey ID (it goes into a header) and whose password is not empty.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateAccessKeyCredentialAttribute : ValidateEachAttribute
    {
        protected override string? ProblemOf(object value)
        {
            if (!(value is PSCredential credential)) return null;
            const string Shape = "-Credential needs the AccessKey ID as the user name and the AccessKey secret as the password, e.g. -Credential (Get-Credential -UserName LTAI5tExample1234)";
            if (string.IsNullOrEmpty(credential.UserName) || credential.Password == null || credential.Password.Length == 0) return Shape + ".";
            var problem = InputValidation.CredentialProblem(credential.UserName, null, "-Credential");
            return problem == null ? null : problem + " " + Shape + ".";
        }
    }

    /// <summary>-Timeout: positive, or -1 / [TimeSpan]::MaxValue for no limit.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateTimeoutAttribute : ValidateEachAttribute
    {
        protected override string? ProblemOf(object value) => value is TimeSpan span ? InputValidation.TimeoutProblem(span) : null;
    }

    /// <summary>-PollInterval: more than 0 and at most an hour (below the minimum it is raised, with a warning, when the command runs).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidatePollIntervalAttribute : ValidateEachAttribute
    {
        protected override string? ProblemOf(object value) => value is TimeSpan span ? InputValidation.PollIntervalProblem(span) : null;
    }

    /// <summary>A -StartTime/-EndTime that is not absurd on its own (before 2010, or in the year 9999).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateBackupTimeAttribute : ValidateEachAttribute
    {
        public ValidateBackupTimeAttribute(string parameterName)
        {
            ParameterName = parameterName;
        }

        public string ParameterName { get; }

        protected override string? ProblemOf(object value) => value is DateTime time ? InputValidation.BackupTimeProblem(time, ParameterName) : null;
    }
}
