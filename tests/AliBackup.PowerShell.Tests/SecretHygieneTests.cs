using AliBackup.Emulator;
using AliBackup.Emulator.Wire;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>
/// The AccessKey secret, the security token and the request signatures never appear in any stream, in host output,
/// or in any exception text: every cmdlet is driven through success and failure with -Verbose and -Debug on.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class SecretHygieneTests : IAsyncLifetime
{
    private const string StsKeyId = "STS.NUgYrLnoC37mZZCNnAbez2";
    private const string StsSecret = "sts-secret-9cW3ZQW7B1vh2Xb4tD";
    private const string StsToken = "CAIS8gF1q6Ft5B2yfSjIr5bkJfTK1LZ7z6a7c0XQ1lQgS+secure+token+value";
    private readonly EmulatorScope _scope = new();

    public async Task InitializeAsync()
    {
        await _scope.InitializeAsync();
        _scope.Emulator.AddKey(new EmulatorKey(StsKeyId, StsSecret, StsToken));
        _scope.Emulator.State.AddInstance(new AliBackup.Emulator.State.EmulatedInstance { Id = "r-slowinstance001", Product = AliBackup.Emulator.State.EmulatedProduct.Redis, StageDuration = TimeSpan.FromHours(1) });
    }

    public Task DisposeAsync() => _scope.DisposeAsync();

    [Fact]
    public void No_secret_token_or_signature_shows_anywhere()
    {
        var session = _scope.Session;
        session.SetVariable("AliBackupTestCredential", null);
        session.Run("$PSDefaultParameterValues.Remove('*-AliBackup*:Credential')");
        // Temporary credentials come from the environment provider here, so the token takes part in every call.
        session.SetVariable("sts", PowerShellSession.Credential(StsKeyId, StsSecret));
        session.SetVariable("wrong", PowerShellSession.Credential(StsKeyId, "wrong-" + StsSecret));
        var redis = EmulatorServer.DemoRedisInstance;

        var scripts = new[]
        {
            $"Get-AliBackupTask {redis}",
            $"Get-AliBackupTask r-doesnotexist001",
            $"Get-AliBackup {redis}",
            $"Get-AliBackup r-doesnotexist001",
            $"Start-AliBackup {redis} | Wait-AliBackupTask -Timeout 30 -PollInterval 0.1",
            $"Start-AliBackup r-doesnotexist001",
            $"Start-AliBackup r-slowinstance001 | Wait-AliBackupTask -Timeout 0.3 -PollInterval 0.1",
            $"Wait-AliBackupTask r-doesnotexist001 -BackupJobId 1 -Timeout 1 -PollInterval 0.1",
            $"Get-AliBackupTask {redis} -Credential $wrong",
            $"Start-AliBackup {redis} -Credential $wrong",
            // A rejection is statement-terminating; with $ErrorActionPreference = 'Stop' it ends the script.
            $"& {{ $ErrorActionPreference = 'Stop'; Get-AliBackup {redis} -Credential $wrong }}",
        };

        var results = new List<ScriptResult>();
        using (new EnvironmentVariables(new()
        {
            ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = StsKeyId,
            ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = StsSecret,
            ["ALIBABA_CLOUD_SECURITY_TOKEN"] = StsToken,
        }))
        {
            foreach (var script in scripts)
            {
                results.Add(session.Run(script, ps => ps.AddParameter("Verbose").AddParameter("Debug")));
                results.Add(session.Run("$VerbosePreference = $DebugPreference = $InformationPreference = 'Continue'; " + script + " | Out-Default; " +
                                        "$VerbosePreference = $DebugPreference = $InformationPreference = 'SilentlyContinue'"));
            }
        }

        // The runs really exercised success, failure and tracing.
        Assert.Contains(results, r => r.OfTypeName("AliBackup.Backup").Count > 0);
        Assert.Contains(results, r => r.Errors.Any(e => e.FullyQualifiedErrorId.StartsWith("AliBackup.Api.SignatureDoesNotMatch")) ||
                                      (r.Terminating as System.Management.Automation.IContainsErrorRecord)?.ErrorRecord.FullyQualifiedErrorId.StartsWith("AliBackup.Api.SignatureDoesNotMatch") == true);
        Assert.Contains(results, r => r.Errors.Any(e => e.FullyQualifiedErrorId.StartsWith("AliBackup.WaitTimeout")));
        Assert.Contains(results, r => r.Terminating != null);
        Assert.Contains(results, r => r.Debug.Any(d => d.Message.Contains("x-acs-security-token:***")));
        Assert.Contains(results, r => r.Verbose.Any(v => v.Message.Contains("RequestId=")));

        var signatures = _scope.Emulator.State.Requests.Select(r => r.Signature).Where(s => s != null).Distinct().ToList();
        Assert.True(signatures.Count > 10);
        var forbidden = new[] { StsSecret, StsToken, "wrong-" + StsSecret }.Concat(signatures!).ToList();
        foreach (var text in results.SelectMany(r => r.AllVisibleText()))
            foreach (var secret in forbidden)
                Assert.False(text.Contains(secret!, StringComparison.Ordinal), "A secret value leaked into: " + text);
    }
}

/// <summary>
/// The same scan over every credential source, in success and in each way it fails (bad file, bad JSON, expired
/// tokens, STS and metadata errors): no AccessKey secret, security token, OIDC token, metadata token or signature
/// shows, with -Verbose and -Debug on.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class CredentialSecretHygieneTests
{
    [Fact]
    public async Task No_secret_token_or_signature_shows_through_any_credential_source_or_failure()
    {
        await using var box = await CredentialSandbox.StartAsync();
        box.Emulator.State.AddInstance(new AliBackup.Emulator.State.EmulatedInstance { Id = "r-hygiene00000001", Product = AliBackup.Emulator.State.EmulatedProduct.Redis });
        const string FileSecret = "file-secret-Zq81bYc0Lm";
        const string FaultToken = "CAISfault+token/echoed==";
        var expired = box.Emulator.TemporaryKeys.Issue(TimeSpan.FromSeconds(-30), new AliBackup.Emulator.Sts.CallerIdentity("1", "arn", "AssumedRoleUser", "p"));
        var live = box.Emulator.TemporaryKeys.Issue(TimeSpan.FromHours(1), new AliBackup.Emulator.Sts.CallerIdentity("1", "arn", "AssumedRoleUser", "p"));
        var pipeline = "Get-AliBackupContext; Start-AliBackup r-hygiene00000001 | Wait-AliBackupTask -Timeout 30 -PollInterval 0.1";
        Dictionary<string, object> Profile(string name, string mode, params (string Key, object Value)[] fields)
        {
            var profile = new Dictionary<string, object> { ["name"] = name, ["mode"] = mode };
            foreach (var (key, value) in fields) profile[key] = value;
            return profile;
        }

        var scenarios = new List<(string Name, Action Setup, string Script)>
        {
            ("RamRoleArn", () => box.WriteCliConfig("assume", box.RamRoleArnProfile()), pipeline),
            ("ChainableRamRoleArn from an StsToken profile", () => box.WriteCliConfig("chained",
                Profile("sts", "StsToken", ("access_key_id", live.AccessKeyId), ("access_key_secret", live.AccessKeySecret), ("sts_token", live.SecurityToken!)),
                Profile("chained", "ChainableRamRoleArn", ("source_profile", "sts"), ("ram_role_arn", CredentialSandbox.SecondRoleArn))), pipeline),
            ("OIDC variables", () =>
            {
                box.Set("ALIBABA_CLOUD_ROLE_ARN", CredentialSandbox.RoleArn);
                box.Set("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", CredentialSandbox.OidcProviderArn);
                box.Set("ALIBABA_CLOUD_OIDC_TOKEN_FILE", box.WriteOidcToken());
            }, pipeline),
            ("ECS RAM role, hardened", () =>
            {
                box.Emulator.Metadata.RoleName = CredentialSandbox.EcsRole;
                box.Emulator.Metadata.RequireToken = true;
            }, pipeline),
            ("credentials URI", () => box.Set("ALIBABA_CLOUD_CREDENTIALS_URI", box.Emulator.BaseUrl + "/_emulator/credentials-uri?token=uri-query-secret"), pipeline),
            ("INI ram_role_arn", () => box.WriteIni($"[default]\ntype = ram_role_arn\naccess_key_id = {box.KeyId}\naccess_key_secret = {box.Secret}\nrole_arn = {CredentialSandbox.RoleArn}\n"), pipeline),
            ("bad JSON", () => box.WriteCliConfigText("{ \"current\": \"p\", \"profiles\": [ { \"name\": \"p\", \"access_key_secret\": \"" + FileSecret + "\" "), "Get-AliBackupContext; Get-AliBackupTask r-x -Profile p"),
            ("bad INI file", () => box.WriteIni("[default]\ntype = access_key\naccess_key_id = LTAIx\n" + FileSecret + "\n"), "Get-AliBackupContext"),
            ("missing OIDC token file", () => box.WriteCliConfig("gha", Profile("gha", "OIDC", ("oidc_provider_arn", CredentialSandbox.OidcProviderArn),
                ("oidc_token_file", Path.Combine(box.Home, "gone")), ("ram_role_arn", CredentialSandbox.RoleArn))), "Get-AliBackupContext"),
            ("expired OIDC token", () =>
            {
                box.Set("ALIBABA_CLOUD_ROLE_ARN", CredentialSandbox.RoleArn);
                box.Set("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", CredentialSandbox.OidcProviderArn);
                box.Set("ALIBABA_CLOUD_OIDC_TOKEN_FILE", box.WriteOidcToken(DateTimeOffset.UtcNow.AddMinutes(-10), "expired-token"));
                box.Set("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
            }, "Get-AliBackupTask r-x"),
            ("expired security token in variables", () =>
            {
                box.Set("ALIBABA_CLOUD_ACCESS_KEY_ID", expired.AccessKeyId);
                box.Set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", expired.AccessKeySecret);
                box.Set("ALIBABA_CLOUD_SECURITY_TOKEN", expired.SecurityToken);
            }, pipeline),
            ("expired StsToken profile as a chain source", () => box.WriteCliConfig("chained",
                Profile("sts", "StsToken", ("access_key_id", expired.AccessKeyId), ("access_key_secret", expired.AccessKeySecret), ("sts_token", expired.SecurityToken!)),
                Profile("chained", "ChainableRamRoleArn", ("source_profile", "sts"), ("ram_role_arn", CredentialSandbox.SecondRoleArn))), "Get-AliBackupTask r-x -Profile chained"),
            ("STS signature failure on a chained call", () => box.WriteCliConfig("chained",
                Profile("sts", "StsToken", ("access_key_id", live.AccessKeyId), ("access_key_secret", "wrong-" + live.AccessKeySecret), ("sts_token", live.SecurityToken!)),
                Profile("chained", "ChainableRamRoleArn", ("source_profile", "sts"), ("ram_role_arn", CredentialSandbox.SecondRoleArn))), "Get-AliBackupTask r-x -Profile chained"),
            ("STS error echoing a token", () =>
            {
                box.WriteCliConfig("assume", box.RamRoleArnProfile());
                box.Emulator.State.AddFault(new AliBackup.Emulator.State.FaultRule
                {
                    Action = "AssumeRole", HttpStatus = 400, Code = "SignatureDoesNotMatch", Remaining = 2,
                    Message = "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&SecurityToken%3D" + Uri.EscapeDataString(FaultToken) + "&" + FaultToken,
                });
            }, "Get-AliBackupTask r-x -Profile assume"),
            ("unknown role", () => box.WriteCliConfig("assume", box.RamRoleArnProfile(roleArn: "acs:ram::" + CredentialSandbox.AccountId + ":role/nobody")), "Get-AliBackupTask r-x -Profile assume"),
            ("no ECS role and no token step", () =>
            {
                box.Emulator.Metadata.TokenStepAvailable = false;
                box.Set("ALIBABA_CLOUD_IMDSV1_DISABLED", "true");
                box.WriteCliConfig("ecs", Profile("ecs", "EcsRamRole"));
            }, "Get-AliBackupContext -Profile ecs"),
            ("credentials URI failing", () => box.WriteCliConfig("uri", Profile("uri", "CredentialsURI", ("credentials_uri", box.Emulator.BaseUrl + "/nothing?token=uri-query-secret"))), "Get-AliBackupContext"),
        };

        var results = new List<(string Name, ScriptResult Result)>();
        foreach (var (name, setup, script) in scenarios)
        {
            box.ResetSources();
            setup();
            results.Add((name, box.NewSession().Run(script, ps => ps.AddParameter("Verbose").AddParameter("Debug"))));
            results.Add((name, box.NewSession().Run("$VerbosePreference = $DebugPreference = $InformationPreference = 'Continue'; " + script + " 2>&1 | Out-Default")));
        }

        // The runs really went through each success and each failure.
        ScriptResult Of(string name) => results.First(r => r.Name == name).Result;
        foreach (var name in new[] { "RamRoleArn", "ChainableRamRoleArn from an StsToken profile", "OIDC variables", "ECS RAM role, hardened", "credentials URI", "INI ram_role_arn" })
            Assert.True(Of(name).OfTypeName("AliBackup.Backup").Count == 1, name + ": " + string.Join(" | ", Of(name).Errors));
        string Errors(string name) => string.Join("\n", Of(name).Errors.Select(e => e.FullyQualifiedErrorId + " " + e.Exception.Message));
        Assert.Contains("not valid JSON", Errors("bad JSON"));
        Assert.Contains("not valid INI (line 4)", Errors("bad INI file"));
        Assert.Contains("cannot be read (it does not exist)", Errors("missing OIDC token file"));
        Assert.Contains("AuthenticationFail.OIDCToken.Expired", Errors("expired OIDC token"));
        Assert.Contains("AliBackup.Api.InvalidSecurityToken.Expired", Errors("expired security token in variables"));
        Assert.Contains("InvalidSecurityToken.Expired", Errors("expired StsToken profile as a chain source"));
        Assert.Contains("AccessKey secret is invalid", Errors("STS signature failure on a chained call"));
        Assert.Contains("SignatureDoesNotMatch", Errors("STS error echoing a token"));
        Assert.Contains("EntityNotExist.Role", Errors("unknown role"));
        Assert.Contains("refused a metadata token", Errors("no ECS role and no token step"));
        Assert.Contains("answered HTTP 404", Errors("credentials URI failing"));
        Assert.Contains(results, r => r.Result.Debug.Any(d => d.Message.Contains("SecurityToken=***")));
        Assert.Contains(results, r => r.Result.Debug.Any(d => d.Message.Contains("OIDCToken=***")));
        Assert.Contains(results, r => r.Result.Verbose.Any(v => v.Message.StartsWith("ecs-metadata PUT /latest/api/token")));

        var forbidden = box.Secrets(FileSecret, FaultToken, Uri.EscapeDataString(FaultToken), "wrong-" + live.AccessKeySecret, "uri-query-secret");
        Assert.True(forbidden.Count > 20);
        foreach (var (name, result) in results)
            foreach (var text in result.AllVisibleText())
                foreach (var secret in forbidden)
                    Assert.False(text.Contains(secret, StringComparison.Ordinal), name + ": a secret value leaked into: " + text);
    }
}

/// <summary>Sets process environment variables for a block and restores them after (tests using it do not run in parallel).</summary>
public sealed class EnvironmentVariables : IDisposable
{
    private readonly Dictionary<string, string?> _saved = new();

    public EnvironmentVariables(Dictionary<string, string?> values)
    {
        foreach (var (name, value) in values)
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
    }
}
