using AliBackup.Emulator.Sts;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>
/// Every way of authenticating, resolved by the staged module in a real runspace against the emulated STS, metadata
/// service and credentials URI: Get-AliBackupContext names the source, and the backup call that follows is signed with
/// the resolved keys and token (the emulator checks both).
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class CredentialModeTests : IAsyncLifetime
{
    private CredentialSandbox _box = null!;

    public async Task InitializeAsync() => _box = await CredentialSandbox.StartAsync();

    public async Task DisposeAsync() => await _box.DisposeAsync();

    private Dictionary<string, object> Profile(string name, string mode, params (string Key, object Value)[] fields)
    {
        var profile = new Dictionary<string, object> { ["name"] = name, ["mode"] = mode };
        foreach (var (key, value) in fields) profile[key] = value;
        return profile;
    }

    /// <summary>Configures one source; returns the extra parameters the commands need and the source Get-AliBackupContext must name.</summary>
    private (string Setup, string Parameters, string Source) Configure(string mode, PowerShellSession session)
    {
        var issued = _box.Emulator.TemporaryKeys.Issue(TimeSpan.FromHours(1), new CallerIdentity("1", "arn", "AssumedRoleUser", "p"));
        session.SetVariable("userCredential", PowerShellSession.Credential(_box.KeyId, _box.Secret));
        switch (mode)
        {
            case "env AK":
                _box.Set("ALIBABA_CLOUD_ACCESS_KEY_ID", _box.KeyId);
                _box.Set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", _box.Secret);
                return ("", "", "default/env");
            case "env STS token":
                _box.Set("ALIBABA_CLOUD_ACCESS_KEY_ID", issued.AccessKeyId);
                _box.Set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", issued.AccessKeySecret);
                _box.Set("ALIBABA_CLOUD_SECURITY_TOKEN", issued.SecurityToken);
                return ("", "", "default/env");
            case "env OIDC":
                _box.Set("ALIBABA_CLOUD_ROLE_ARN", CredentialSandbox.RoleArn);
                _box.Set("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", CredentialSandbox.OidcProviderArn);
                _box.Set("ALIBABA_CLOUD_OIDC_TOKEN_FILE", _box.WriteOidcToken());
                return ("", "", "default/oidc_role_arn");
            case "CLI AK":
                _box.WriteCliConfig("p", Profile("p", "AK", ("access_key_id", _box.KeyId), ("access_key_secret", _box.Secret)));
                return ("", "", "default/cli_profile:p");
            case "CLI StsToken":
                _box.WriteCliConfig("p", Profile("p", "StsToken", ("access_key_id", issued.AccessKeyId), ("access_key_secret", issued.AccessKeySecret), ("sts_token", issued.SecurityToken!),
                    ("sts_expiration", issued.Expiration!.Value.ToUnixTimeSeconds())));
                return ("", "", "default/cli_profile:p");
            case "CLI RamRoleArn":
                _box.WriteCliConfig("assume", _box.RamRoleArnProfile());
                return ("", "", "default/cli_profile:assume/ram_role_arn");
            case "CLI ChainableRamRoleArn":
                _box.WriteCliConfig("chained", _box.RamRoleArnProfile("first"),
                    Profile("chained", "ChainableRamRoleArn", ("source_profile", "first"), ("ram_role_arn", CredentialSandbox.SecondRoleArn)));
                return ("", "", "default/cli_profile:chained/ram_role_arn");
            case "CLI EcsRamRole":
                _box.Emulator.Metadata.RoleName = CredentialSandbox.EcsRole;
                _box.WriteCliConfig("ecs", Profile("ecs", "EcsRamRole", ("ram_role_name", CredentialSandbox.EcsRole)));
                return ("", "", "default/cli_profile:ecs/ecs_ram_role");
            case "CLI OIDC":
                _box.WriteCliConfig("gha", Profile("gha", "OIDC", ("oidc_provider_arn", CredentialSandbox.OidcProviderArn), ("oidc_token_file", _box.WriteOidcToken()),
                    ("ram_role_arn", CredentialSandbox.RoleArn), ("ram_session_name", "gha")));
                return ("", "", "default/cli_profile:gha/oidc_role_arn");
            case "CLI CredentialsURI":
                _box.WriteCliConfig("uri", Profile("uri", "CredentialsURI", ("credentials_uri", _box.Emulator.BaseUrl + "/_emulator/credentials-uri")));
                return ("", "", "default/cli_profile:uri/credential_uri");
            case "INI access_key":
                _box.WriteIni($"[default]\ntype = access_key\naccess_key_id = {_box.KeyId}\naccess_key_secret = {_box.Secret}\n");
                return ("", "", "default/profile:default");
            case "INI ram_role_arn":
                _box.WriteIni($"[default]\ntype = ram_role_arn\naccess_key_id = {_box.KeyId}\naccess_key_secret = {_box.Secret}\nrole_arn = {CredentialSandbox.RoleArn}\nrole_session_name = ini\n");
                return ("", "", "default/profile:default/ram_role_arn");
            case "INI ecs_ram_role":
                _box.Emulator.Metadata.RoleName = CredentialSandbox.EcsRole;
                _box.WriteIni("[default]\ntype = ecs_ram_role\n");
                return ("", "", "default/profile:default/ecs_ram_role");
            case "ECS RAM role":
                _box.Emulator.Metadata.RoleName = CredentialSandbox.EcsRole;
                _box.Emulator.Metadata.RequireToken = true;
                return ("", "", "default/ecs_ram_role");
            case "credentials URI":
                _box.Set("ALIBABA_CLOUD_CREDENTIALS_URI", _box.Emulator.BaseUrl + "/_emulator/credentials-uri");
                return ("", "", "default/credential_uri");
            case "-Credential":
                return ("", "-Credential $userCredential", "parameter");
            case "-Profile":
                _box.WriteCliConfig("other", Profile("other", "AK", ("access_key_id", "LTAIunused"), ("access_key_secret", "unused")), _box.RamRoleArnProfile());
                return ("", "-Profile assume", "cli_profile:assume/ram_role_arn");
            case "Connect -Credential":
                return ("Connect-AliBackup -Credential $userCredential", "", "Connect-AliBackup");
            case "Connect -Profile":
                _box.WriteCliConfig("other", Profile("other", "AK", ("access_key_id", "LTAIunused"), ("access_key_secret", "unused")), _box.RamRoleArnProfile());
                return ("Connect-AliBackup -Profile assume", "", "cli_profile:assume/ram_role_arn");
            default:
                throw new ArgumentOutOfRangeException(nameof(mode));
        }
    }

    [Theory]
    [InlineData("env AK", false)]
    [InlineData("env STS token", true)]
    [InlineData("env OIDC", true)]
    [InlineData("CLI AK", false)]
    [InlineData("CLI StsToken", true)]
    [InlineData("CLI RamRoleArn", true)]
    [InlineData("CLI ChainableRamRoleArn", true)]
    [InlineData("CLI EcsRamRole", true)]
    [InlineData("CLI OIDC", true)]
    [InlineData("CLI CredentialsURI", true)]
    [InlineData("INI access_key", false)]
    [InlineData("INI ram_role_arn", true)]
    [InlineData("INI ecs_ram_role", true)]
    [InlineData("ECS RAM role", true)]
    [InlineData("credentials URI", true)]
    [InlineData("-Credential", false)]
    [InlineData("-Profile", true)]
    [InlineData("Connect -Credential", false)]
    [InlineData("Connect -Profile", true)]
    public void Each_mode_resolves_and_the_backup_call_is_signed_with_its_keys_and_token(string mode, bool temporary)
    {
        var session = _box.NewSession();
        var (setup, parameters, source) = Configure(mode, session);

        var result = session.Run(setup + "\n$context = Get-AliBackupContext " + parameters + "; $context\nGet-AliBackupTask " + CredentialSandbox.Instance + " " + parameters);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var context = Assert.Single(result.Output, o => o.IsA("AliBackup.AliBackupContext"));
        Assert.Equal(source, context.Text("CredentialSource"));
        Assert.Equal(temporary, (bool)context.Prop("IsTemporary")!);
        var call = _box.Requests("Redis").Last();
        Assert.Equal(200, call.HttpStatus);
        var key = temporary ? _box.Emulator.Keys.Last(k => k.AccessKeyId == call.AccessKeyId) : null;
        if (temporary)
        {
            Assert.StartsWith("STS.", call.AccessKeyId);
            Assert.NotNull(key!.SecurityToken); // the emulator accepted the call only with this token
            // Variables carry no expiry; every other temporary source says when its keys run out.
            if (mode == "env STS token") Assert.Null(context.Prop("Expiration"));
            else Assert.Equal(key.Expiration!.Value, (DateTimeOffset)context.Prop("Expiration")!, TimeSpan.FromSeconds(1));
        }
        else
        {
            Assert.Equal(_box.KeyId, call.AccessKeyId);
        }
        Assert.Equal(call.AccessKeyId![..4], context.Text("AccessKeyId")![..4]);
        Assert.Contains("****", context.Text("AccessKeyId"));
    }
}
