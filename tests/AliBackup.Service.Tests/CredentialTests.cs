using AliBackup.Service.Credentials;
using AliBackup.Service.Tests.Support;

namespace AliBackup.Service.Tests;

public sealed class CredentialTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "alibackup-home-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_home)) Directory.Delete(_home, recursive: true);
    }

    private EnvironmentReader Env(Dictionary<string, string>? vars = null) => EmulatorHarness.EmptyEnvironment(vars, _home);

    private void WriteConfig(string json)
    {
        Directory.CreateDirectory(Path.Combine(_home, ".aliyun"));
        File.WriteAllText(Path.Combine(_home, ".aliyun", "config.json"), json);
    }

    [Fact]
    public async Task Environment_variables_give_keys_and_an_optional_token()
    {
        var env = Env(new()
        {
            ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "LTAIenvkey",
            ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "env-secret",
            ["ALIBABA_CLOUD_SECURITY_TOKEN"] = "env-token",
        });
        var credential = await new EnvironmentCredentialProvider(env).GetCredentialAsync(CancellationToken.None);
        Assert.Equal("LTAIenvkey", credential.AccessKeyId);
        Assert.Equal("env-secret", credential.AccessKeySecret);
        Assert.Equal("env-token", credential.SecurityToken);
        Assert.True(credential.IsTemporary);
        Assert.Equal("env", credential.ProviderName);
    }

    [Fact]
    public async Task A_half_set_environment_names_the_missing_variable()
    {
        var env = Env(new() { ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "LTAIenvkey" });
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => new EnvironmentCredentialProvider(env).GetCredentialAsync(CancellationToken.None));
        Assert.Contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set", error.Message);
    }

    [Fact]
    public async Task The_CLI_config_current_profile_is_used_and_StsToken_carries_its_token()
    {
        WriteConfig("""
        { "current": "sts", "profiles": [
          { "name": "default", "mode": "AK", "access_key_id": "LTAIdefault", "access_key_secret": "default-secret", "region_id": "cn-hangzhou" },
          { "name": "sts", "mode": "StsToken", "access_key_id": "STS.key", "access_key_secret": "sts-secret", "sts_token": "sts-token", "region_id": "cn-shenzhen" } ] }
        """);
        var credential = await new CliProfileCredentialProvider(new CliProfileStore(Env()), null).GetCredentialAsync(CancellationToken.None);
        Assert.Equal("STS.key", credential.AccessKeyId);
        Assert.Equal("sts-token", credential.SecurityToken);
        Assert.Equal("cli_profile:sts", credential.ProviderName);

        var named = await new CliProfileCredentialProvider(new CliProfileStore(Env()), "default").GetCredentialAsync(CancellationToken.None);
        Assert.Equal("LTAIdefault", named.AccessKeyId);
        Assert.Null(named.SecurityToken);

        var byVariable = await new CliProfileCredentialProvider(new CliProfileStore(Env(new() { ["ALIBABA_CLOUD_PROFILE"] = "default" })), null).GetCredentialAsync(CancellationToken.None);
        Assert.Equal("LTAIdefault", byVariable.AccessKeyId);
    }

    [Fact]
    public async Task A_missing_profile_lists_the_profiles_the_file_has()
    {
        WriteConfig("""{ "current": "default", "profiles": [ { "name": "default", "mode": "AK", "access_key_id": "a", "access_key_secret": "b" }, { "name": "prod", "mode": "AK" } ] }""");
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() =>
            new CliProfileCredentialProvider(new CliProfileStore(Env()), "staging").GetCredentialAsync(CancellationToken.None));
        Assert.Contains("no profile named 'staging'", error.Message);
        Assert.Contains("default, prod", error.Message);
    }

    [Fact]
    public async Task Broken_JSON_is_reported_without_quoting_the_file()
    {
        WriteConfig("""{ "profiles": [ { "name": "default", "access_key_secret": "leaky-secret-value" """);
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() =>
            new CliProfileCredentialProvider(new CliProfileStore(Env()), null).GetCredentialAsync(CancellationToken.None));
        Assert.Contains("not valid JSON", error.Message);
        Assert.DoesNotContain("leaky-secret-value", error.ToString());
    }

    [Fact]
    public async Task When_every_source_fails_one_error_lists_what_each_said()
    {
        var chain = CredentialChain.CreateDefault(Env(new() { ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true" }));
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => chain.GetCredentialAsync(CancellationToken.None));
        Assert.Contains("env: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set", error.Message);
        Assert.Contains("cli_profile: The aliyun CLI config file", error.Message);
    }

    [Fact]
    public async Task The_chain_sticks_to_the_first_source_that_answered()
    {
        var vars = new Dictionary<string, string> { ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "LTAIenv", ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "s" };
        WriteConfig("""{ "current": "default", "profiles": [ { "name": "default", "mode": "AK", "access_key_id": "LTAIfile", "access_key_secret": "f" } ] }""");
        var chain = CredentialChain.CreateDefault(Env(vars));
        Assert.Equal("LTAIenv", (await chain.GetCredentialAsync(CancellationToken.None)).AccessKeyId);
        Assert.Equal("default/env", chain.Name);
    }

    [Fact]
    public void A_credential_prints_neither_secret_nor_token()
    {
        var credential = new AliCredential("LTAI5tExampleKeyId", "the-secret", "the-token", providerName: "env");
        Assert.DoesNotContain("the-secret", credential.ToString());
        Assert.DoesNotContain("the-token", credential.ToString());
        Assert.Contains("LTAI", credential.ToString());
        Assert.DoesNotContain("ExampleKey", credential.ToString());
    }

    [Fact]
    public async Task An_unsupported_profile_mode_is_named()
    {
        WriteConfig("""{ "current": "sso", "profiles": [ { "name": "sso", "mode": "CloudSSO" } ] }""");
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() =>
            new CliProfileCredentialProvider(new CliProfileStore(Env()), null).GetCredentialAsync(CancellationToken.None));
        Assert.Contains("'CloudSSO'", error.Message);
    }

    [Fact]
    public void The_region_falls_back_from_parameter_to_variables_to_the_profile()
    {
        WriteConfig("""{ "current": "default", "profiles": [ { "name": "default", "mode": "AK", "access_key_id": "a", "access_key_secret": "b", "region_id": "cn-beijing" } ] }""");
        BackupService Service(Dictionary<string, string>? vars) => new(new BackupServiceOptions { Environment = Env(vars) });

        Assert.Equal("ap-south-1", Service(new() { ["ALIBABA_CLOUD_REGION_ID"] = "cn-qingdao" }).ResolveTarget("ap-south-1", null).Region);
        Assert.Equal("cn-qingdao", Service(new() { ["ALIBABA_CLOUD_REGION_ID"] = "cn-qingdao" }).ResolveTarget(null, null).Region);
        Assert.Equal("cn-beijing", Service(null).ResolveTarget(null, null).Region);
        Assert.Equal("http://127.0.0.1:1", Service(new() { ["ALIBACKUP_ENDPOINT"] = "http://127.0.0.1:1" }).ResolveTarget(null, null).Endpoint);
    }

    [Fact]
    public void Each_region_and_endpoint_says_where_it_came_from()
    {
        WriteConfig("""{ "current": "prod", "profiles": [ { "name": "prod", "mode": "AK", "access_key_id": "a", "access_key_secret": "b", "region_id": "cn-beijing" } ] }""");
        BackupService Service(Dictionary<string, string>? vars, string? sessionRegion = null, string? sessionEndpoint = null) => new(new BackupServiceOptions
        {
            Environment = Env(vars), DefaultRegion = sessionRegion, DefaultEndpoint = sessionEndpoint, DefaultsSource = "Connect-AliBackup",
        });
        (string?, string) Region(BackupService s, string? parameter) => (s.ResolveRegion(parameter).Value, s.ResolveRegion(parameter).Source);

        var vars = new Dictionary<string, string> { ["ALIBABA_CLOUD_REGION_ID"] = "cn-qingdao", ["ALIBABA_CLOUD_REGION"] = "cn-chengdu", ["ALIBACKUP_ENDPOINT"] = "http://127.0.0.1:7" };
        Assert.Equal(("ap-south-1", "-Region"), Region(Service(vars, "eu-west-1"), "ap-south-1"));
        Assert.Equal(("eu-west-1", "Connect-AliBackup"), Region(Service(vars, "eu-west-1"), null));
        Assert.Equal(("cn-qingdao", "ALIBABA_CLOUD_REGION_ID"), Region(Service(vars), null));
        vars.Remove("ALIBABA_CLOUD_REGION_ID");
        Assert.Equal(("cn-chengdu", "ALIBABA_CLOUD_REGION"), Region(Service(vars), null));
        vars.Remove("ALIBABA_CLOUD_REGION");
        Assert.Equal(("cn-beijing", "aliyun CLI profile 'prod'"), Region(Service(vars), null));
        File.Delete(Path.Combine(_home, ".aliyun", "config.json"));
        Assert.Equal((null, "none"), Region(Service(vars), null));

        Assert.Equal("ALIBACKUP_ENDPOINT", Service(vars).ResolveEndpointOverride(null).Source);
        Assert.Equal(("http://127.0.0.1:9", "Connect-AliBackup"), (Service(vars, sessionEndpoint: "http://127.0.0.1:9").ResolveEndpointOverride(null).Value, Service(vars, sessionEndpoint: "http://127.0.0.1:9").ResolveEndpointOverride(null).Source));
        Assert.Equal("-Endpoint", Service(vars, sessionEndpoint: "http://127.0.0.1:9").ResolveEndpointOverride("http://127.0.0.1:8").Source);
        Assert.Equal("cn-beijing", Service(null, "cn-beijing").ResolveTarget(null, null).Region);
    }

    [Fact]
    public async Task The_context_shows_source_masked_key_region_and_product_hosts_but_no_secret()
    {
        var service = new BackupService(new BackupServiceOptions
        {
            Environment = Env(new() { ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "LTAI5tContextKeyId99", ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "context-secret", ["ALIBABA_CLOUD_SECURITY_TOKEN"] = "context-token" }),
        });

        var context = await service.GetContextAsync("cn-shenzhen", null, null, CancellationToken.None);

        Assert.Equal(("default/env", "LTAI************Id99", true), (context.CredentialSource, context.AccessKeyId, context.IsTemporary));
        Assert.Equal(("cn-shenzhen", "-Region", null, "region"), (context.Region, context.RegionSource, context.Endpoint, context.EndpointSource));
        Assert.Equal(["Redis https://r-kvstore.cn-shenzhen.aliyuncs.com", "PolarDB https://polardb.cn-shenzhen.aliyuncs.com", "MongoDB https://mongodb.aliyuncs.com", "RDS https://rds.aliyuncs.com"], context.ProductEndpoints);
        var text = System.Text.Json.JsonSerializer.Serialize(context) + context;
        Assert.DoesNotContain("context-secret", text);
        Assert.DoesNotContain("context-token", text);
        Assert.DoesNotContain("ContextKey", text);

        var pinned = await service.GetContextAsync(null, "127.0.0.1:8080", BackupEngine.PolarDB, CancellationToken.None);
        Assert.Equal(("http://127.0.0.1:8080", "-Endpoint"), (pinned.Endpoint, pinned.EndpointSource));
        Assert.Equal(["PolarDB http://127.0.0.1:8080"], pinned.ProductEndpoints);
    }
}
