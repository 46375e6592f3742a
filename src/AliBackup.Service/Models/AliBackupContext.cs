using System;

namespace AliBackup
{
    /// <summary>
    /// Which credentials, region and endpoint AliBackup uses, and where each came from (Get-AliBackupContext).
    /// Holds the AccessKey ID masked and never the secret or the security token.
    /// </summary>
    public sealed class AliBackupContext
    {
        /// <summary>The source of the credentials, as the SDKs name it: <c>default/env</c>, <c>default/cli_profile:prod/ram_role_arn</c>, <c>parameter</c>…</summary>
        public string CredentialSource { get; set; } = "";

        /// <summary>The AccessKey ID with its middle masked.</summary>
        public string AccessKeyId { get; set; } = "";

        /// <summary>True for temporary (STS) credentials.</summary>
        public bool IsTemporary { get; set; }

        /// <summary>When temporary credentials expire (AliBackup obtains new ones before then, where the source allows).</summary>
        public DateTimeOffset? Expiration { get; set; }

        public string? Region { get; set; }

        /// <summary>Where the region came from: <c>-Region</c>, <c>Connect-AliBackup</c>, a variable, a CLI profile, or <c>none</c>.</summary>
        public string RegionSource { get; set; } = "";

        /// <summary>The endpoint that overrides the region's, if any.</summary>
        public string? Endpoint { get; set; }

        /// <summary>Where the endpoint came from: <c>-Endpoint</c>, <c>Connect-AliBackup</c>, <c>ALIBACKUP_ENDPOINT</c>, or <c>region</c>.</summary>
        public string EndpointSource { get; set; } = "";

        /// <summary>The host each product's calls go to (e.g. <c>Redis https://r-kvstore.aliyuncs.com</c>).</summary>
        public string[] ProductEndpoints { get; set; } = Array.Empty<string>();

        public override string ToString() => CredentialSource + " " + AccessKeyId + (Region == null ? "" : " " + Region);
    }
}
