using System.Management.Automation;
using AliBackup.Emulator.State;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>
/// The documented order with several sources set, Connect-/Disconnect-AliBackup, per-runspace session state, and
/// temporary credentials that expire in the middle of a wait.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class CredentialSessionTests
{
    private static PSObject Context(ScriptResult result)
    {
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        return Assert.Single(result.Output, o => o.IsA("AliBackup.AliBackupContext"));
    }

    [Fact]
    public async Task With_several_sources_set_the_documented_winner_is_used_and_the_context_says_which()
    {
        await using var box = await CredentialSandbox.StartAsync();
        box.Set("ALIBABA_CLOUD_ACCESS_KEY_ID", box.KeyId);
        box.Set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", box.Secret);
        box.Set("ALIBABA_CLOUD_REGION_ID", "cn-qingdao");
        box.WriteCliConfig("p", new Dictionary<string, object> { ["name"] = "p", ["mode"] = "AK", ["access_key_id"] = "LTAIclikey0000001", ["access_key_secret"] = "cli-secret", ["region_id"] = "cn-beijing" },
            box.RamRoleArnProfile());
        box.WriteIni("[default]\ntype = access_key\naccess_key_id = LTAIinikey0000001\naccess_key_secret = ini-secret\n");
        var session = box.NewSession();
        session.SetVariable("c", PowerShellSession.Credential(box.KeyId, box.Secret));
        string Source(string script) => Context(session.Run(script)).Text("CredentialSource")!;
        (string?, string?) Region(string script) { var c = Context(session.Run(script)); return (c.Text("Region"), c.Text("RegionSource")); }

        Assert.Equal("default/env", Source("Get-AliBackupContext"));
        Assert.Equal(("cn-qingdao", "ALIBABA_CLOUD_REGION_ID"), Region("Get-AliBackupContext"));
        Assert.Equal(("ap-south-1", "-Region"), Region("Get-AliBackupContext -Region ap-south-1"));
        Assert.Equal("cli_profile:assume/ram_role_arn", Source("Get-AliBackupContext -Profile assume"));
        Assert.Equal("parameter", Source("Get-AliBackupContext -Credential $c -Profile assume"));

        session.Run("Connect-AliBackup -Profile assume -Region eu-west-1");
        Assert.Equal("cli_profile:assume/ram_role_arn", Source("Get-AliBackupContext"));
        Assert.Equal(("eu-west-1", "Connect-AliBackup"), Region("Get-AliBackupContext"));
        Assert.Equal(("us-east-1", "-Region"), Region("Get-AliBackupContext -Region us-east-1"));
        Assert.Equal("parameter", Source("Get-AliBackupContext -Credential $c"));
        Assert.Equal("cli_profile:p", Source("Get-AliBackupContext -Profile p"));

        session.Run("Disconnect-AliBackup");
        Assert.Equal("default/env", Source("Get-AliBackupContext"));
        box.Set("ALIBABA_CLOUD_ACCESS_KEY_ID", null);
        Assert.Equal("default/cli_profile:p", Source("Get-AliBackupContext"));
        box.Set("ALIBABA_CLOUD_REGION_ID", null);
        Assert.Equal(("cn-beijing", "aliyun CLI profile 'p'"), Region("Get-AliBackupContext"));
        box.Set("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true");
        Assert.Equal("default/profile:default", Source("Get-AliBackupContext"));
    }

    [Fact]
    public async Task Connect_settings_belong_to_one_runspace_and_a_failed_Connect_keeps_the_previous_ones()
    {
        await using var box = await CredentialSandbox.StartAsync();
        box.WriteCliConfig("assume", box.RamRoleArnProfile());
        var first = box.NewSession();
        var second = box.NewSession();

        var connected = first.Run("Connect-AliBackup -Profile assume -Region cn-shenzhen -PassThru");
        Assert.Equal("cli_profile:assume/ram_role_arn", Context(connected).Text("CredentialSource"));
        // Kept in the module's session state, not among the user's variables.
        Assert.Equal("True", first.Run("$null -eq $ExecutionContext.SessionState.PSVariable.Get('AliBackupSession')").Output.Single().ToString());

        Assert.Equal(("cn-shenzhen", "Connect-AliBackup"), (Context(first.Run("Get-AliBackupContext")).Text("Region"), Context(first.Run("Get-AliBackupContext")).Text("RegionSource")));
        Assert.Equal("cn-hangzhou", Context(second.Run("Get-AliBackupContext")).Text("Region")); // the profile's region_id, not the other runspace's Connect

        var failed = first.Run("Connect-AliBackup -Profile nosuchprofile -Region eu-west-1");
        var error = Assert.Single(failed.Errors);
        Assert.StartsWith("AliBackup.CredentialUnavailable", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains("no profile named 'nosuchprofile'", error.Exception.Message);
        Assert.Equal("cn-shenzhen", Context(first.Run("Get-AliBackupContext")).Text("Region"));

        var badEndpoint = first.Run("Connect-AliBackup -Endpoint http://sts.example.com");
        Assert.Equal("Endpoint", Assert.IsAssignableFrom<ParameterBindingException>(Assert.Single(badEndpoint.Errors).Exception).ParameterName);

        // Each runspace shares one role session between its commands (and not with the other runspace).
        Assert.Equal(2, box.Requests("STS").Count(r => r.Action == "AssumeRole" && r.HttpStatus == 200));
    }

    [Fact]
    public async Task When_every_source_fails_one_terminating_error_lists_what_each_said()
    {
        await using var box = await CredentialSandbox.StartAsync();
        var result = box.NewSession().Run("Get-AliBackupTask " + CredentialSandbox.Instance);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("AliBackup.CredentialUnavailable", error.FullyQualifiedErrorId);
        var message = error.Exception.Message;
        foreach (var source in new[] { "env:", "oidc_role_arn: skipped", "cli_profile:", "profile:", "ecs_ram_role:", "credential_uri: skipped" })
            Assert.Contains(source, message);
        Assert.True(message.IndexOf("env:", StringComparison.Ordinal) < message.IndexOf("credential_uri:", StringComparison.Ordinal));
        Assert.Contains("-Credential", error.ErrorDetails.RecommendedAction);
        Assert.Empty(box.Requests("Redis"));
    }

    [Fact]
    public async Task An_unsupported_profile_mode_is_a_clear_error_naming_it()
    {
        await using var box = await CredentialSandbox.StartAsync();
        box.WriteCliConfig("sso", new Dictionary<string, object> { ["name"] = "sso", ["mode"] = "CloudSSO" });
        var result = box.NewSession().Run("Get-AliBackupContext -Profile sso");
        var error = Assert.Single(result.Errors);
        Assert.Contains("uses mode 'CloudSSO', which AliBackup does not support. Supported modes: AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn, CredentialsURI.", error.Exception.Message);
    }

    [Fact]
    public async Task A_token_expiring_mid_wait_is_refreshed_and_the_wait_completes()
    {
        // Role sessions last 3 seconds; the backup takes about 5 (five stages of one second).
        await using var box = await CredentialSandbox.StartAsync(sessionLifetime: TimeSpan.FromSeconds(3), stage: TimeSpan.FromSeconds(1));
        box.Emulator.State.AddInstance(new EmulatedInstance { Id = "r-shortsessions01", Product = EmulatedProduct.Redis });
        box.WriteCliConfig("assume", box.RamRoleArnProfile());

        var result = box.NewSession().Run("Start-AliBackup r-shortsessions01 | Wait-AliBackupTask -PollInterval 0.4 -Timeout 60 -Verbose");

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Single(result.OfTypeName("AliBackup.Backup"));
        var calls = box.Requests("Redis");
        Assert.All(calls, c => Assert.Equal(200, c.HttpStatus));
        var sessions = box.Requests("STS").Where(r => r.Action == "AssumeRole" && r.HttpStatus == 200).ToList();
        Assert.True(sessions.Count >= 3, sessions.Count + " AssumeRole calls");
        Assert.True(calls.Select(c => c.AccessKeyId).Distinct().Count() >= 3);
        Assert.Contains(result.Verbose, v => v.Message.StartsWith("Obtained temporary credentials") && v.Message.Contains("cli_profile:assume/ram_role_arn"));
        Assert.Contains(result.Verbose, v => v.Message.StartsWith("sts AssumeRole"));
    }
}
