namespace AliBackup.Emulator.Sts;

/// <summary>
/// A RAM role the emulated STS lets callers assume: by AccessKey (AssumeRole) and, when it trusts an OIDC provider,
/// by an OIDC token from that provider's issuer (AssumeRoleWithOIDC).
/// </summary>
public sealed class EmulatedRole
{
    /// <summary><c>acs:ram::&lt;account&gt;:role/&lt;name&gt;</c>.</summary>
    public required string Arn { get; init; }

    /// <summary>The longest DurationSeconds the role allows (STS default 3600).</summary>
    public int MaxSessionDurationSeconds { get; init; } = 3600;

    /// <summary>
    /// When set, every session of this role lasts this long whatever DurationSeconds asked for, so tests can make
    /// 15-minute (or 3-second) tokens expire in the middle of a wait.
    /// </summary>
    public TimeSpan? SessionLifetime { get; init; }

    /// <summary>The ExternalId the trust policy requires for AssumeRole, if any.</summary>
    public string? ExternalId { get; init; }

    /// <summary>The OIDC provider the role trusts (<c>acs:ram::&lt;account&gt;:oidc-provider/&lt;name&gt;</c>); null: no OIDC.</summary>
    public string? OidcProviderArn { get; init; }

    /// <summary>The <c>iss</c> claim that provider's tokens carry.</summary>
    public string? OidcIssuer { get; init; }

    /// <summary>The account ID inside the ARN.</summary>
    public string AccountId => Arn.Split(':') is { Length: >= 5 } parts ? parts[3] : "";

    /// <summary>The role name inside the ARN.</summary>
    public string Name => Arn[(Arn.IndexOf("role/", StringComparison.Ordinal) + "role/".Length)..];
}
