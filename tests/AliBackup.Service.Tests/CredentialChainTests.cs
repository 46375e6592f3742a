using AliBackup.Service.Credentials;
using AliBackup.Service.Tests.Support;

namespace AliBackup.Service.Tests;

/// <summary>The default chain's order, its switches, and the one error that says what every source said.</summary>
public sealed class CredentialChainTests : IAsyncLifetime
{
    private CredentialWorld _world = null!;

    public async Task InitializeAsync() => _world = await CredentialWorld.StartAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    /// <summary>Configures every source the chain knows, each with keys of its own.</summary>
    private void ConfigureEverySource()
    {
        _world.Variables["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "LTAIfromenvironment";
        _world.Variables["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "env-secret";
        _world.Variables["ALIBABA_CLOUD_ROLE_ARN"] = CredentialWorld.RoleArn;
        _world.Variables["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"] = CredentialWorld.OidcProviderArn;
        _world.Variables["ALIBABA_CLOUD_OIDC_TOKEN_FILE"] = _world.WriteOidcToken();
        _world.WriteCliConfig("default", new Dictionary<string, object> { ["name"] = "default", ["mode"] = "AK", ["access_key_id"] = "LTAIfromcliconfig", ["access_key_secret"] = "cli-secret" });
        _world.WriteIni("[default]\ntype = access_key\naccess_key_id = LTAIfrominifile\naccess_key_secret = ini-secret\n");
        _world.Server.Metadata.RoleName = CredentialWorld.EcsRole;
        _world.Variables["ALIBABA_CLOUD_CREDENTIALS_URI"] = _world.Server.BaseUrl + "/_emulator/credentials-uri";
    }

    private async Task<string> WinnerAsync() =>
        (await CredentialChain.CreateDefault(_world.Context()).GetCredentialAsync(CancellationToken.None)).ProviderName;

    [Fact]
    public async Task With_every_source_set_each_wins_in_the_SDK_order_as_the_ones_before_it_are_removed()
    {
        ConfigureEverySource();
        var winners = new List<string> { await WinnerAsync() };

        _world.Variables.Remove("ALIBABA_CLOUD_ACCESS_KEY_ID");
        winners.Add(await WinnerAsync());
        _world.Variables.Remove("ALIBABA_CLOUD_OIDC_TOKEN_FILE");
        winners.Add(await WinnerAsync());
        File.Delete(Path.Combine(_world.Home, ".aliyun", "config.json"));
        winners.Add(await WinnerAsync());
        File.Delete(Path.Combine(_world.Home, ".alibabacloud", "credentials"));
        winners.Add(await WinnerAsync());
        _world.Server.Metadata.RoleName = null;
        winners.Add(await WinnerAsync());

        Assert.Equal(["default/env", "default/oidc_role_arn", "default/cli_profile:default", "default/profile:default", "default/ecs_ram_role", "default/credential_uri"], winners);
    }

    [Fact]
    public async Task The_DISABLED_switches_skip_the_CLI_config_and_the_metadata_service()
    {
        ConfigureEverySource();
        foreach (var name in new[] { "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_OIDC_TOKEN_FILE" }) _world.Variables.Remove(name);
        _world.Variables["ALIBABA_CLOUD_CLI_PROFILE_DISABLED"] = "TRUE";
        Assert.Equal("default/profile:default", await WinnerAsync());

        File.Delete(Path.Combine(_world.Home, ".alibabacloud", "credentials"));
        _world.Variables["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true";
        Assert.Equal("default/credential_uri", await WinnerAsync());
        Assert.DoesNotContain(_world.Server.State.Requests, r => r.Product == "ECS-Metadata");
    }

    [Fact]
    public async Task ALIBABA_CLOUD_PROFILE_picks_the_CLI_profile_and_the_INI_section()
    {
        _world.WriteCliConfig("default",
            new Dictionary<string, object> { ["name"] = "default", ["mode"] = "AK", ["access_key_id"] = "LTAIclidefault", ["access_key_secret"] = "s" },
            new Dictionary<string, object> { ["name"] = "ci", ["mode"] = "AK", ["access_key_id"] = "LTAIclici", ["access_key_secret"] = "s" });
        _world.Variables["ALIBABA_CLOUD_PROFILE"] = "ci";
        Assert.Equal("LTAIclici", (await CredentialChain.CreateDefault(_world.Context()).GetCredentialAsync(CancellationToken.None)).AccessKeyId);

        File.Delete(Path.Combine(_world.Home, ".aliyun", "config.json"));
        _world.WriteIni("[default]\ntype = access_key\naccess_key_id = LTAIinidefault\naccess_key_secret = s\n[ci]\ntype = access_key\naccess_key_id = LTAIinici\naccess_key_secret = s\n");
        Assert.Equal("LTAIinici", (await CredentialChain.CreateDefault(_world.Context()).GetCredentialAsync(CancellationToken.None)).AccessKeyId);
    }

    [Fact]
    public async Task When_every_source_fails_one_error_lists_all_six_in_order_with_what_each_said()
    {
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => CredentialChain.CreateDefault(_world.Context()).GetCredentialAsync(CancellationToken.None));

        var lines = error.Message.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("- ")).ToList();
        Assert.Equal(["env", "oidc_role_arn", "cli_profile", "profile", "ecs_ram_role", "credential_uri"], lines.Select(l => l[2..l.IndexOf(':')]));
        Assert.Contains("skipped: set ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE", lines[1]);
        Assert.Contains("config.json does not exist", lines[2]);
        Assert.Contains("credentials does not exist", lines[3]);
        Assert.Contains("No RAM role is attached", lines[4]);
        Assert.Contains("skipped: ALIBABA_CLOUD_CREDENTIALS_URI is not set", lines[5]);
    }

    [Fact]
    public async Task A_half_configured_OIDC_link_names_the_missing_variable()
    {
        _world.Variables["ALIBABA_CLOUD_ROLE_ARN"] = CredentialWorld.RoleArn;
        _world.Variables["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"] = CredentialWorld.OidcProviderArn;
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => CredentialChain.CreateDefault(_world.Context()).GetCredentialAsync(CancellationToken.None));
        Assert.Contains("oidc_role_arn: skipped: ALIBABA_CLOUD_OIDC_TOKEN_FILE is not set.", error.Message);
    }

    [Fact]
    public async Task A_plain_http_STS_override_that_is_not_loopback_fails_its_link_and_is_reported()
    {
        _world.Variables["ALIBABA_CLOUD_ROLE_ARN"] = CredentialWorld.RoleArn;
        _world.Variables["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"] = CredentialWorld.OidcProviderArn;
        _world.Variables["ALIBABA_CLOUD_OIDC_TOKEN_FILE"] = _world.WriteOidcToken();
        _world.Variables[StsClient.EndpointVariable] = "http://sts.example.com";
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => CredentialChain.CreateDefault(_world.Context()).GetCredentialAsync(CancellationToken.None));
        Assert.Contains("oidc_role_arn: ALIBACKUP_STS_ENDPOINT 'http://sts.example.com' cannot be used: plain http is allowed only for loopback", error.Message);
        Assert.Empty(_world.Requests("STS"));
    }

    [Theory]
    [InlineData(null, null, null, "https://sts.aliyuncs.com/")]
    [InlineData("cn-shanghai", null, null, "https://sts.cn-shanghai.aliyuncs.com/")]
    [InlineData(null, "cn-beijing", null, "https://sts.cn-beijing.aliyuncs.com/")]
    [InlineData("cn-shanghai", "cn-beijing", null, "https://sts.cn-shanghai.aliyuncs.com/")]
    [InlineData(null, "cn-beijing", "true", "https://sts-vpc.cn-beijing.aliyuncs.com/")]
    [InlineData(null, null, "true", "https://sts.aliyuncs.com/")]
    public void The_STS_host_follows_the_profile_region_then_the_variables(string? profileRegion, string? stsRegion, string? vpc, string expected)
    {
        var vars = new Dictionary<string, string>();
        if (stsRegion != null) vars["ALIBABA_CLOUD_STS_REGION"] = stsRegion;
        if (vpc != null) vars["ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"] = vpc;
        Assert.Equal(new Uri(expected), StsClient.ResolveEndpoint(EmulatorHarness.EmptyEnvironment(vars), profileRegion));
    }

    [Fact]
    public void Test_endpoint_overrides_accept_https_or_loopback_http_only()
    {
        EnvironmentReader With(string name, string value) => EmulatorHarness.EmptyEnvironment(new() { [name] = value });
        Assert.Equal(new Uri("http://127.0.0.1:9/"), StsClient.ResolveEndpoint(With(StsClient.EndpointVariable, "http://127.0.0.1:9"), "cn-hangzhou"));
        Assert.Equal(new Uri("https://sts.internal.example/"), StsClient.ResolveEndpoint(With(StsClient.EndpointVariable, "sts.internal.example"), null));
        Assert.Equal(new Uri("http://[::1]:8/"), EcsMetadataClient.ResolveEndpoint(With(EcsMetadataClient.EndpointVariable, "http://[::1]:8")));
        Assert.Equal(EcsMetadataClient.DefaultEndpoint, EcsMetadataClient.ResolveEndpoint(EmulatorHarness.EmptyEnvironment()));
        var error = Assert.Throws<AliBackupConfigurationException>(() => EcsMetadataClient.ResolveEndpoint(With(EcsMetadataClient.EndpointVariable, "http://169.254.1.1")));
        Assert.Contains(EcsMetadataClient.EndpointVariable, error.Message);
    }
}
