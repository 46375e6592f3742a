using AliBackup.Emulator.State;
using AliBackup.Emulator.Sts;
using AliBackup.Service.Credentials;
using AliBackup.Service.Tests.Support;

namespace AliBackup.Service.Tests;

/// <summary>
/// Every credential source against the emulated STS and metadata services, ending with a backup call that the emulator
/// accepts only when it is signed with the resolved keys and carries their token.
/// </summary>
public sealed class CredentialSourceTests : IAsyncLifetime
{
    private CredentialWorld _world = null!;

    public async Task InitializeAsync() => _world = await CredentialWorld.StartAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private object RamRoleArnProfile(string name = "assume", string? roleArn = null, string? secret = null, int? seconds = null) => new Dictionary<string, object?>
    {
        ["name"] = name,
        ["mode"] = "RamRoleArn",
        ["access_key_id"] = _world.KeyId,
        ["access_key_secret"] = secret ?? _world.Secret,
        ["ram_role_arn"] = roleArn ?? CredentialWorld.RoleArn,
        ["ram_session_name"] = "nightly-backup",
        ["expired_seconds"] = seconds ?? 1800,
        ["region_id"] = "cn-hangzhou",
    };

    private EmulatorKeyAssert LastIssued => new(_world.Server.TemporaryKeys.Issued.Last());

    [Fact]
    public async Task A_RamRoleArn_profile_assumes_the_role_with_a_V1_signed_call_and_signs_the_backup_call_with_the_session()
    {
        _world.WriteCliConfig("assume", RamRoleArnProfile());
        var service = _world.Service();

        var call = await _world.CallBackupApiAsync(service);

        var assume = Assert.Single(_world.Requests("STS"));
        Assert.Equal(("AssumeRole", 200), (assume.Action, assume.HttpStatus));
        Assert.Equal(_world.KeyId, assume.AccessKeyId);
        Assert.Equal("HMAC-SHA1", assume.Parameters["SignatureMethod"]);
        Assert.Equal("nightly-backup", assume.Parameters["RoleSessionName"]);
        Assert.Equal("1800", assume.Parameters["DurationSeconds"]);
        Assert.False(assume.Parameters.ContainsKey("SecurityToken"));
        Assert.Equal(200, call.HttpStatus);
        LastIssued.SignedThe(call);
        var credential = await service.Credentials.GetCredentialAsync(CancellationToken.None);
        Assert.Equal("default/cli_profile:assume/ram_role_arn", credential.ProviderName);
        Assert.True(credential.IsTemporary);
    }

    [Fact]
    public async Task A_ChainableRamRoleArn_profile_assumes_the_second_role_with_the_first_session_token_included()
    {
        _world.WriteCliConfig("chained", RamRoleArnProfile("first"), new Dictionary<string, object>
        {
            ["name"] = "chained",
            ["mode"] = "ChainableRamRoleArn",
            ["source_profile"] = "first",
            ["ram_role_arn"] = CredentialWorld.SecondRoleArn,
            ["ram_session_name"] = "audit",
        });

        var call = await _world.CallBackupApiAsync(_world.Service());

        var sts = _world.Requests("STS");
        Assert.Equal(2, sts.Count);
        var first = _world.Server.TemporaryKeys.Issued[0];
        Assert.Equal(CredentialWorld.SecondRoleArn, sts[1].Parameters["RoleArn"]);
        Assert.Equal(first.AccessKeyId, sts[1].AccessKeyId);
        Assert.Equal(first.SecurityToken, sts[1].Parameters["SecurityToken"]);
        LastIssued.SignedThe(call);
    }

    [Fact]
    public async Task A_ChainableRamRoleArn_cycle_is_an_error_naming_the_profile()
    {
        _world.WriteCliConfig("a",
            new Dictionary<string, object> { ["name"] = "a", ["mode"] = "ChainableRamRoleArn", ["source_profile"] = "b", ["ram_role_arn"] = CredentialWorld.RoleArn },
            new Dictionary<string, object> { ["name"] = "b", ["mode"] = "ChainableRamRoleArn", ["source_profile"] = "a", ["ram_role_arn"] = CredentialWorld.RoleArn });
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => new CliProfileCredentialProvider(_world.Context(), "a").GetCredentialAsync(CancellationToken.None));
        Assert.Contains("chains back to itself", error.Message);
        Assert.Empty(_world.Requests("STS"));
    }

    [Fact]
    public async Task OIDC_variables_assume_the_role_anonymously_with_the_token_file_read_again_on_refresh()
    {
        var tokenFile = _world.WriteOidcToken();
        _world.Variables["ALIBABA_CLOUD_ROLE_ARN"] = CredentialWorld.RoleArn;
        _world.Variables["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"] = CredentialWorld.OidcProviderArn;
        _world.Variables["ALIBABA_CLOUD_OIDC_TOKEN_FILE"] = tokenFile;
        _world.Variables["ALIBABA_CLOUD_ROLE_SESSION_NAME"] = "gha-run-42";
        var service = _world.Service();

        var call = await _world.CallBackupApiAsync(service);

        var oidc = Assert.Single(_world.Requests("STS"));
        Assert.Equal("AssumeRoleWithOIDC", oidc.Action);
        Assert.Null(oidc.AccessKeyId);
        Assert.Null(oidc.Signature);
        Assert.Equal(File.ReadAllText(tokenFile), oidc.Parameters["OIDCToken"]);
        Assert.Equal("gha-run-42", oidc.Parameters["RoleSessionName"]);
        LastIssued.SignedThe(call);
        Assert.Equal("default/oidc_role_arn", (await service.Credentials.GetCredentialAsync(CancellationToken.None)).ProviderName);

        // The platform rotates the token file; a new session (another command) sends the new token.
        File.WriteAllText(tokenFile, CredentialWorld.Jwt(CredentialWorld.OidcIssuer, DateTimeOffset.UtcNow.AddHours(2)));
        await _world.CallBackupApiAsync(_world.Service());
        Assert.Equal(File.ReadAllText(tokenFile), _world.Requests("STS").Last().Parameters["OIDCToken"]);
    }

    [Fact]
    public async Task An_OIDC_profile_assumes_the_role_with_its_session_length()
    {
        _world.WriteCliConfig("gha", new Dictionary<string, object>
        {
            ["name"] = "gha",
            ["mode"] = "OIDC",
            ["oidc_provider_arn"] = CredentialWorld.OidcProviderArn,
            ["oidc_token_file"] = _world.WriteOidcToken(),
            ["ram_role_arn"] = CredentialWorld.RoleArn,
            ["ram_session_name"] = "cli-oidc",
            ["expired_seconds"] = 7200,
        });

        var call = await _world.CallBackupApiAsync(_world.Service());

        var oidc = Assert.Single(_world.Requests("STS"));
        Assert.Equal(("AssumeRoleWithOIDC", "7200", "cli-oidc"), (oidc.Action, oidc.Parameters["DurationSeconds"], oidc.Parameters["RoleSessionName"]));
        LastIssued.SignedThe(call);
    }

    [Fact]
    public async Task An_expired_OIDC_token_is_the_STS_error_without_the_token()
    {
        var tokenFile = _world.WriteOidcToken(expires: DateTimeOffset.UtcNow.AddMinutes(-5));
        var provider = new OidcRoleArnCredentialProvider(_world.Context(), CredentialWorld.OidcProviderArn, tokenFile,
            new RoleSessionRequest(CredentialWorld.RoleArn, "s1", 3600), null);

        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => provider.GetCredentialAsync(CancellationToken.None));

        Assert.Contains("AuthenticationFail.OIDCToken.Expired", error.Message);
        Assert.Contains("RequestId", error.Message);
        var token = File.ReadAllText(tokenFile);
        Assert.DoesNotContain(token, error.ToString());
        Assert.DoesNotContain(token.Split('.')[1], error.ToString());
    }

    [Fact]
    public async Task A_missing_OIDC_token_file_names_the_file()
    {
        var missing = Path.Combine(_world.Home, "no-such-token");
        var provider = new OidcRoleArnCredentialProvider(_world.Context(), CredentialWorld.OidcProviderArn, missing, new RoleSessionRequest(CredentialWorld.RoleArn, "s1", 3600), null);
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => provider.GetCredentialAsync(CancellationToken.None));
        Assert.Contains(missing, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public async Task An_EcsRamRole_profile_takes_the_token_step_first_and_sends_the_token()
    {
        _world.Server.Metadata.RoleName = CredentialWorld.EcsRole;
        _world.Server.Metadata.RequireToken = true;
        _world.WriteCliConfig("ecs", new Dictionary<string, object> { ["name"] = "ecs", ["mode"] = "EcsRamRole" });

        var call = await _world.CallBackupApiAsync(_world.Service());

        var metadata = _world.Requests("ECS-Metadata");
        Assert.Equal(["PUT /latest/api/token", "GET /latest/meta-data/ram/security-credentials/", "GET /latest/meta-data/ram/security-credentials/" + CredentialWorld.EcsRole],
            metadata.Select(r => r.Action));
        Assert.All(metadata.Skip(1), r => Assert.Equal("sent", r.Parameters["MetadataToken"]));
        Assert.All(metadata, r => Assert.Equal(200, r.HttpStatus));
        LastIssued.SignedThe(call);
    }

    [Fact]
    public async Task Without_the_token_step_the_metadata_service_is_asked_without_a_token_unless_IMDSv1_is_disabled()
    {
        _world.Server.Metadata.RoleName = CredentialWorld.EcsRole;
        _world.Server.Metadata.TokenStepAvailable = false;
        var provider = new EcsRamRoleCredentialProvider(_world.Context(), CredentialWorld.EcsRole);

        var credential = await provider.GetCredentialAsync(CancellationToken.None);

        Assert.Equal(_world.Server.TemporaryKeys.Issued.Last().AccessKeyId, credential.AccessKeyId);
        Assert.Equal("absent", _world.Requests("ECS-Metadata").Last().Parameters["MetadataToken"]);

        _world.Variables["ALIBABA_CLOUD_IMDSV1_DISABLED"] = "true";
        var hardened = new EcsRamRoleCredentialProvider(_world.Context(), CredentialWorld.EcsRole);
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => hardened.GetCredentialAsync(CancellationToken.None));
        Assert.Contains("metadata token", error.Message);
    }

    [Fact]
    public async Task A_metadata_service_that_does_not_answer_fails_within_the_one_second_timeouts()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start(); // accepts connections (the backlog does) but never answers
        _world.Variables[EcsMetadataClient.EndpointVariable] = "http://127.0.0.1:" + ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var provider = new EcsRamRoleCredentialProvider(_world.Context(), null);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => provider.GetCredentialAsync(CancellationToken.None));

        Assert.Contains("did not answer", error.Message);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task The_credentials_URI_gives_temporary_keys()
    {
        _world.Variables["ALIBABA_CLOUD_CREDENTIALS_URI"] = _world.Server.BaseUrl + "/_emulator/credentials-uri?token=do-not-show";
        _world.Variables["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true";
        var service = _world.Service();

        var call = await _world.CallBackupApiAsync(service);

        LastIssued.SignedThe(call);
        Assert.Equal("default/credential_uri", (await service.Credentials.GetCredentialAsync(CancellationToken.None)).ProviderName);
    }

    [Fact]
    public async Task A_CredentialsURI_profile_reads_its_URI_and_a_failing_URI_is_named_without_its_query()
    {
        _world.WriteCliConfig("uri", new Dictionary<string, object> { ["name"] = "uri", ["mode"] = "CredentialsURI", ["credentials_uri"] = _world.Server.BaseUrl + "/_emulator/credentials-uri" });
        LastIssuedAfter(await _world.CallBackupApiAsync(_world.Service()));

        var provider = new CredentialsUriProvider(_world.Context(), _world.Server.BaseUrl + "/nothing-here?token=do-not-show");
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => provider.GetCredentialAsync(CancellationToken.None));
        Assert.Contains("answered HTTP 404", error.Message);
        Assert.DoesNotContain("do-not-show", error.Message);
    }

    private void LastIssuedAfter(RequestRecord call) => LastIssued.SignedThe(call);

    [Fact]
    public async Task INI_sections_of_every_type_resolve()
    {
        _world.Server.Metadata.RoleName = CredentialWorld.EcsRole;
        _world.WriteIni($"""
            ; AliBackup test file
            [default]
            type = access_key            ; or ecs_ram_role, ram_role_arn
            access_key_id = {_world.KeyId}
            access_key_secret = "{_world.Secret}"

            [ecs]
            type = ecs_ram_role
            role_name = {CredentialWorld.EcsRole}

            [assume]
            type = ram_role_arn
            access_key_id = {_world.KeyId}
            access_key_secret = {_world.Secret}
            role_arn = {CredentialWorld.RoleArn}
            role_session_name = ini-session
            policy = {"{"}"Version":"1","Statement":[{"{"}"Effect":"Allow","Action":"kvstore:*","Resource":"*"{"}"}]{"}"}
            """);

        var plain = await new IniProfileCredentialProvider(_world.Context()).GetCredentialAsync(CancellationToken.None);
        Assert.Equal((_world.KeyId, _world.Secret, "profile:default"), (plain.AccessKeyId, plain.AccessKeySecret, plain.ProviderName));

        var ecs = await new IniProfileCredentialProvider(_world.Context(), "ecs").GetCredentialAsync(CancellationToken.None);
        Assert.Equal(_world.Server.TemporaryKeys.Issued.Last().AccessKeyId, ecs.AccessKeyId);

        _world.Variables["ALIBABA_CLOUD_PROFILE"] = "assume";
        var assumed = await new IniProfileCredentialProvider(_world.Context()).GetCredentialAsync(CancellationToken.None);
        var request = _world.Requests("STS").Last();
        Assert.Equal(("ini-session", """{"Version":"1","Statement":[{"Effect":"Allow","Action":"kvstore:*","Resource":"*"}]}"""),
            (request.Parameters["RoleSessionName"], request.Parameters["Policy"]));
        Assert.Equal("profile:assume/ram_role_arn", assumed.ProviderName);
    }

    [Theory]
    [InlineData("[default]\ntype = rsa_key_pair\n", "type 'rsa_key_pair'")]
    [InlineData("[other]\ntype = access_key\n", "no section [default] (it has: other)")]
    [InlineData("[default]\naccess_key_id = a\n", "has no type")]
    [InlineData("[default]\ntype = access_key\naccess_key_secret leaked-secret-value\n", "not valid INI (line 3)")]
    public async Task A_bad_INI_file_is_an_error_that_quotes_none_of_it(string content, string expected)
    {
        _world.WriteIni(content);
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => new IniProfileCredentialProvider(_world.Context()).GetCredentialAsync(CancellationToken.None));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("leaked-secret-value", error.ToString());
    }

    [Fact]
    public async Task ALIBABA_CLOUD_CREDENTIALS_FILE_points_at_another_INI_file()
    {
        var file = Path.Combine(_world.Home, "elsewhere.ini");
        File.WriteAllText(file, "[default]\ntype = access_key\naccess_key_id = LTAIelsewhere\naccess_key_secret = s\n");
        _world.Variables["ALIBABA_CLOUD_CREDENTIALS_FILE"] = file;
        Assert.Equal("LTAIelsewhere", (await new IniProfileCredentialProvider(_world.Context()).GetCredentialAsync(CancellationToken.None)).AccessKeyId);
    }

    [Fact]
    public async Task A_wrong_secret_on_AssumeRole_says_the_secret_is_invalid_without_echoing_the_string_to_sign()
    {
        _world.WriteCliConfig("assume", RamRoleArnProfile(secret: "wrong-secret"));
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => _world.CallBackupApiAsync(_world.Service()));
        Assert.Contains("AccessKey secret is invalid", error.Message);
        Assert.DoesNotContain("string to sign", error.ToString());
        Assert.DoesNotContain("SignatureNonce", error.ToString());
    }

    [Fact]
    public async Task A_chained_AssumeRole_whose_signature_fails_does_not_show_the_source_token()
    {
        // The source is a StsToken profile whose secret is wrong: the gateway's V1 echo would contain its SecurityToken.
        var source = _world.Server.TemporaryKeys.Issue(TimeSpan.FromHours(1), new Emulator.Sts.CallerIdentity("1", "arn", "AssumedRoleUser", "p"));
        _world.WriteCliConfig("chained",
            new Dictionary<string, object> { ["name"] = "sts", ["mode"] = "StsToken", ["access_key_id"] = source.AccessKeyId, ["access_key_secret"] = "not-" + source.AccessKeySecret, ["sts_token"] = source.SecurityToken! },
            new Dictionary<string, object> { ["name"] = "chained", ["mode"] = "ChainableRamRoleArn", ["source_profile"] = "sts", ["ram_role_arn"] = CredentialWorld.SecondRoleArn });

        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => _world.CallBackupApiAsync(_world.Service()));

        Assert.Equal("SignatureDoesNotMatch", _world.Requests("STS").Single().ErrorCode);
        Assert.DoesNotContain(source.SecurityToken!, error.ToString());
        Assert.DoesNotContain(Uri.EscapeDataString(source.SecurityToken!), error.ToString());
        Assert.DoesNotContain(source.AccessKeySecret, error.ToString());
    }

    [Fact]
    public async Task An_unknown_role_is_the_STS_error_with_its_code_and_request_id()
    {
        _world.WriteCliConfig("default", RamRoleArnProfile(roleArn: "acs:ram::" + CredentialWorld.AccountId + ":role/nobody"));
        // -Profile: this profile and nothing else, so the error is its own (not the chain's summary).
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => _world.CallBackupApiAsync(_world.Service(profile: "assume")));
        Assert.Contains("EntityNotExist.Role", error.Message);
        Assert.Contains("RequestId", error.Message);
        var api = Assert.IsType<AliBackupApiException>(error.InnerException);
        Assert.Equal("sts", api.Product);
    }

    [Fact]
    public async Task A_session_shorter_than_STS_allows_is_refused_before_anything_is_sent()
    {
        _world.WriteCliConfig("assume", RamRoleArnProfile(seconds: 600));
        var error = await Assert.ThrowsAsync<AliBackupCredentialException>(() => _world.CallBackupApiAsync(_world.Service()));
        Assert.Contains("at least 900 seconds", error.Message);
        Assert.Empty(_world.Requests("STS"));
    }

    [Theory]
    [InlineData(CredentialWorld.SecondRoleArn, "x", 3600, null, "InvalidParameter.RoleSessionName")]
    [InlineData(CredentialWorld.SecondRoleArn, "ok-name", 7200, null, "InvalidParameter.DurationSeconds")]
    [InlineData("acs:ram::1:user/not-a-role", "ok-name", 3600, null, "InvalidParameter.RoleArn")]
    [InlineData("acs:ram::1234567890123456:role/external", "ok-name", 3600, null, "AuthenticationFail.NoPermission")]
    [InlineData("acs:ram::1234567890123456:role/external", "ok-name", 3600, "wrong-external", "AuthenticationFail.NoPermission")]
    public async Task The_emulated_STS_applies_the_AssumeRole_rules(string roleArn, string session, int seconds, string? externalId, string code)
    {
        lock (_world.Server.Roles) _world.Server.Roles.Add(new EmulatedRole { Arn = "acs:ram::1234567890123456:role/external", ExternalId = "the-external-id" });
        var sts = new StsClient(_world.Context(), new Uri(_world.Server.BaseUrl + "/"));
        var request = new RoleSessionRequest(roleArn, session, seconds) { ExternalId = externalId };

        var error = await Assert.ThrowsAsync<AliBackupApiException>(() => sts.AssumeRoleAsync(new AliCredential(_world.KeyId, _world.Secret), request, "x", CancellationToken.None));

        Assert.Equal(code, error.Code);
        Assert.Empty(_world.Server.TemporaryKeys.Issued);
        var granted = await sts.AssumeRoleAsync(new AliCredential(_world.KeyId, _world.Secret),
            new RoleSessionRequest("acs:ram::1234567890123456:role/external", "ok-name", 900) { ExternalId = "the-external-id" }, "x", CancellationToken.None);
        Assert.StartsWith("STS.", granted.AccessKeyId);
    }

    [Theory]
    [InlineData(CredentialWorld.OidcProviderArn, CredentialWorld.RoleArn, "abc", "InvalidParameter.OIDCToken")]
    [InlineData(CredentialWorld.OidcProviderArn, CredentialWorld.RoleArn, "abcd.efgh", "AuthenticationFail.OIDCToken.Invalid")]
    [InlineData(CredentialWorld.OidcProviderArn, CredentialWorld.RoleArn, "wrong-issuer", "AuthenticationFail.OIDCToken.IssuerNotMatch")]
    [InlineData("acs:ram::1234567890123456:oidc-provider/unknown", CredentialWorld.RoleArn, "valid", "AuthenticationFail.NoPermission")]
    [InlineData(CredentialWorld.OidcProviderArn, CredentialWorld.SecondRoleArn, "valid", "AuthenticationFail.NoPermission")]
    public async Task The_emulated_STS_checks_OIDC_tokens_against_the_role_it_trusts(string providerArn, string roleArn, string token, string code)
    {
        var sts = new StsClient(_world.Context(), new Uri(_world.Server.BaseUrl + "/"));
        var jwt = token switch
        {
            "valid" => CredentialWorld.Jwt(CredentialWorld.OidcIssuer, DateTimeOffset.UtcNow.AddHours(1)),
            "wrong-issuer" => CredentialWorld.Jwt("https://elsewhere.example", DateTimeOffset.UtcNow.AddHours(1)),
            _ => token,
        };

        var error = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            sts.AssumeRoleWithOidcAsync(providerArn, jwt, new RoleSessionRequest(roleArn, "oidc-session", 3600), "x", CancellationToken.None));

        Assert.Equal(code, error.Code);
        Assert.DoesNotContain(jwt, error.ToString());
    }

    /// <summary>Asserts about one key pair the emulator issued.</summary>
    private sealed class EmulatorKeyAssert(Emulator.Wire.EmulatorKey key)
    {
        /// <summary>The backup call succeeded and was signed with this temporary key (the emulator checked its token).</summary>
        public void SignedThe(RequestRecord call)
        {
            Assert.Equal(200, call.HttpStatus);
            Assert.StartsWith("STS.", key.AccessKeyId);
            Assert.Equal(key.AccessKeyId, call.AccessKeyId);
        }
    }
}
