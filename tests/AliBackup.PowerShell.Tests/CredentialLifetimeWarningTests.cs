using AliBackup.Emulator.Sts;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>A wait that would outlive credentials that cannot be refreshed says so before it starts.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class CredentialLifetimeWarningTests : IAsyncLifetime
{
    private const string Wait = "Start-AliBackup " + CredentialSandbox.Instance + " | Wait-AliBackupTask -PollInterval 1 -Timeout ";
    private CredentialSandbox _box = null!;

    public async Task InitializeAsync() => _box = await CredentialSandbox.StartAsync(stage: TimeSpan.FromMilliseconds(50));

    public async Task DisposeAsync() => await _box.DisposeAsync();

    [Fact]
    public void A_token_from_the_environment_warns_on_a_long_wait_and_the_wait_still_runs()
    {
        var issued = _box.Emulator.TemporaryKeys.Issue(TimeSpan.FromMinutes(30), new CallerIdentity("1", "arn", "AssumedRoleUser", "p"));
        _box.Set("ALIBABA_CLOUD_ACCESS_KEY_ID", issued.AccessKeyId);
        _box.Set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", issued.AccessKeySecret);
        _box.Set("ALIBABA_CLOUD_SECURITY_TOKEN", issued.SecurityToken);
        var session = _box.NewSession();

        var result = session.Run(Wait + "3600");

        var warning = Assert.Single(result.Warnings).Message;
        Assert.Contains("default/env carry no expiry time", warning);
        Assert.Single(result.OfTypeName("AliBackup.Backup"));
        Assert.Empty(session.Run(Wait + "600").Warnings); // a wait no longer than the shortest STS session
    }

    [Fact]
    public void A_StsToken_profile_warns_when_it_expires_before_the_timeout_and_not_otherwise()
    {
        var issued = _box.Emulator.TemporaryKeys.Issue(TimeSpan.FromMinutes(20), new CallerIdentity("1", "arn", "AssumedRoleUser", "p"));
        _box.WriteCliConfig("p", new Dictionary<string, object>
        {
            ["name"] = "p", ["mode"] = "StsToken", ["access_key_id"] = issued.AccessKeyId, ["access_key_secret"] = issued.AccessKeySecret,
            ["sts_token"] = issued.SecurityToken!, ["sts_expiration"] = issued.Expiration!.Value.ToUnixTimeSeconds(),
        });
        var session = _box.NewSession();

        var longWait = session.Run(Wait + "3600");
        Assert.Contains("expire at", Assert.Single(longWait.Warnings).Message);
        Assert.Empty(session.Run(Wait + "600").Warnings);
        Assert.All(longWait.AllVisibleText(), text => Assert.DoesNotContain(issued.SecurityToken!, text));
    }

    [Fact]
    public void A_refreshing_source_needs_no_warning()
    {
        _box.WriteCliConfig("assume", _box.RamRoleArnProfile());
        var result = _box.NewSession().Run(Wait + "36000");
        Assert.Empty(result.Warnings);
        Assert.Single(result.OfTypeName("AliBackup.Backup"));
    }
}
