using System;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// An AccessKey pair, optionally with an STS security token. The secret and the token are internal: nothing
    /// outside the signer reads them, and <see cref="ToString"/> shows neither.
    /// </summary>
    public sealed class AliCredential
    {
        public AliCredential(string accessKeyId, string accessKeySecret, string? securityToken = null,
            DateTimeOffset? expiration = null, string providerName = "static", bool isRefreshable = false)
        {
            if (string.IsNullOrWhiteSpace(accessKeyId)) throw new ArgumentException("AccessKeyId is empty.", nameof(accessKeyId));
            if (string.IsNullOrEmpty(accessKeySecret)) throw new ArgumentException("AccessKeySecret is empty.", nameof(accessKeySecret));
            // The ID and the token go into headers: a line break in either would start a header of its own.
            var problem = InputValidation.CredentialProblem(accessKeyId, string.IsNullOrEmpty(securityToken) ? null : securityToken, providerName);
            if (problem != null) throw new AliBackupCredentialException(problem);
            AccessKeyId = accessKeyId.Trim();
            AccessKeySecret = accessKeySecret;
            SecurityToken = string.IsNullOrEmpty(securityToken) ? null : securityToken;
            Expiration = expiration;
            ProviderName = providerName;
            IsRefreshable = isRefreshable;
        }

        public string AccessKeyId { get; }

        internal string AccessKeySecret { get; }

        internal string? SecurityToken { get; }

        /// <summary>True for temporary (STS) credentials.</summary>
        public bool IsTemporary => SecurityToken != null;

        /// <summary>When temporary credentials stop working (null for long-lived keys or when unknown).</summary>
        public DateTimeOffset? Expiration { get; }

        /// <summary>
        /// True when the source obtains new credentials by itself before these expire (STS roles, OIDC, ECS RAM role,
        /// credentials URI); false for keys and tokens given as they are (variables, StsToken profiles).
        /// </summary>
        public bool IsRefreshable { get; }

        /// <summary>Which source produced these credentials, e.g. <c>default/env</c> or <c>cli_profile:prod/ram_role_arn</c>.</summary>
        public string ProviderName { get; }

        /// <summary>The AccessKey ID with its middle masked, for display.</summary>
        public string MaskedAccessKeyId => Mask(AccessKeyId);

        /// <summary>The same keys, reported as coming from <paramref name="providerName"/> (e.g. prefixed by the chain).</summary>
        internal AliCredential WithProviderName(string providerName) =>
            new AliCredential(AccessKeyId, AccessKeySecret, SecurityToken, Expiration, providerName, IsRefreshable);

        /// <summary>The same keys, marked as coming from a source that renews them.</summary>
        internal AliCredential AsRefreshable() =>
            IsRefreshable ? this : new AliCredential(AccessKeyId, AccessKeySecret, SecurityToken, Expiration, ProviderName, isRefreshable: true);

        /// <summary>True when both carry the same key pair and token (whoever reported them).</summary>
        internal bool SameKeysAs(AliCredential other) =>
            AccessKeyId == other.AccessKeyId && AccessKeySecret == other.AccessKeySecret && SecurityToken == other.SecurityToken;

        internal static string Mask(string id) =>
            id.Length <= 8 ? new string('*', id.Length) : id.Substring(0, 4) + new string('*', id.Length - 8) + id.Substring(id.Length - 4);

        public override string ToString() => "AccessKeyId " + MaskedAccessKeyId + (IsTemporary ? " (temporary)" : "") + " from " + ProviderName;
    }
}
