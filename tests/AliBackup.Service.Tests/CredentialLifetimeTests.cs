using AliBackup.Service.Credentials;
using AliBackup.Service.Waiting;

namespace AliBackup.Service.Tests;

public class CredentialLifetimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_static_token_that_expires_before_the_deadline_is_warned_about()
    {
        var token = new AliCredential("STS.key", "s", "token", Now.AddMinutes(20), "default/cli_profile:p");
        var warning = CredentialLifetime.WarningFor(token, Now, Now.AddHours(1));
        Assert.Contains("expire at 2026-01-01 12:20:00Z, before this wait's -Timeout ends at 2026-01-01 13:00:00Z", warning);
        Assert.Contains("InvalidSecurityToken.Expired", warning);
        Assert.Null(CredentialLifetime.WarningFor(token, Now, Now.AddMinutes(10)));
    }

    [Fact]
    public void A_static_token_of_unknown_expiry_is_warned_about_only_for_waits_longer_than_the_shortest_session()
    {
        var token = new AliCredential("STS.key", "s", "token", providerName: "default/env");
        Assert.Contains("carry no expiry time", CredentialLifetime.WarningFor(token, Now, Now.AddMinutes(30)));
        Assert.Null(CredentialLifetime.WarningFor(token, Now, Now.AddMinutes(15)));
    }

    [Fact]
    public void Refreshable_or_long_lived_credentials_need_no_warning()
    {
        Assert.Null(CredentialLifetime.WarningFor(new AliCredential("STS.key", "s", "token", Now.AddMinutes(20), isRefreshable: true), Now, Now.AddHours(5)));
        Assert.Null(CredentialLifetime.WarningFor(new AliCredential("LTAIkey", "s"), Now, Now.AddHours(5)));
    }
}
