using System;
using AliBackup.Service.Credentials;

namespace AliBackup.Service.Waiting
{
    /// <summary>
    /// Whether credentials can last through a wait. Refreshable sources renew themselves; a security token given as it
    /// is (an environment variable, an StsToken profile) cannot, and a wait that outlives it fails with
    /// InvalidSecurityToken.Expired, so the user is told before the wait starts.
    /// </summary>
    public static class CredentialLifetime
    {
        /// <summary>The shortest STS session there is: a token of unknown expiry may end this soon.</summary>
        public static readonly TimeSpan ShortestStsSession = TimeSpan.FromMinutes(15);

        /// <summary>A warning for a wait until <paramref name="deadline"/>, or null when the credentials will last (or renew).</summary>
        public static string? WarningFor(AliCredential credential, DateTimeOffset now, DateTimeOffset deadline)
        {
            if (!credential.IsTemporary || credential.IsRefreshable) return null;
            var advice = " They cannot be refreshed, so the wait would then fail with InvalidSecurityToken.Expired. Use a source that renews " +
                         "them (OIDC, a RamRoleArn or EcsRamRole profile, the ECS RAM role, a credentials URI) or a shorter -Timeout.";
            if (credential.Expiration.HasValue)
            {
                if (credential.Expiration.Value >= deadline) return null;
                if (deadline == DateTimeOffset.MaxValue)
                    return "The temporary credentials from " + credential.ProviderName + " expire at " + Format(credential.Expiration.Value) +
                           ", and this wait has no time limit (-Timeout -1)." + advice;
                return "The temporary credentials from " + credential.ProviderName + " expire at " + Format(credential.Expiration.Value) +
                       ", before this wait's -Timeout ends at " + Format(deadline) + "." + advice;
            }
            if (deadline - now <= ShortestStsSession) return null;
            return "The temporary credentials from " + credential.ProviderName + " carry no expiry time, and STS sessions can end after 15 minutes; " +
                   (deadline == DateTimeOffset.MaxValue ? "this wait has no time limit (-Timeout -1)." : "this wait may last until " + Format(deadline) + ".") + advice;
        }

        private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
    }
}
