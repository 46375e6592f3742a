using AliBackup.Service.Credentials;
using AliBackup.Service.Endpoints;
using AliBackup.Service.Engines;
using AliBackup.Service.Tests.Support;
using AliBackup.Service.Waiting;

namespace AliBackup.Service.Tests;

/// <summary>
/// The rules every value is held to before it can reach a host name, a header or a query string, whatever its source
/// (a parameter, an environment variable, a profile), and the messages that name that source.
/// </summary>
public class InputValidationTests
{
    [Theory]
    [InlineData("cn-hangzhou", "cn-hangzhou")]
    [InlineData(" CN-Shenzhen ", "cn-shenzhen")]
    [InlineData("ap-southeast-9", "ap-southeast-9")] // not known yet, but formed like the newer regions
    [InlineData("cn-beijing-finance-1", "cn-beijing-finance-1")]
    public void Known_and_clearly_formed_regions_are_accepted(string region, string expected)
    {
        Assert.Equal(expected, InputValidation.Region(region, "-Region"));
    }

    [Theory]
    [InlineData("x@127.0.0.1:18260/#")]
    [InlineData("cn-hangzhou.evil.example/")]
    [InlineData("cn-hangzhou\r\nHost: evil")]
    [InlineData("cn hangzhou")]
    [InlineData("../cn-hangzhou")]
    public void A_region_that_could_change_the_host_is_refused_before_any_host_is_built(string region)
    {
        var error = Assert.Throws<AliBackupConfigurationException>(() => RedisBackupEngine.ApiProduct.HostFor(region));
        Assert.Equal("Region", error.ParameterName);
        Assert.Contains("-Region", error.Message);
        Assert.DoesNotContain("\n", error.Message);
        // The same from the endpoint resolver, and for the STS host.
        Assert.Throws<AliBackupConfigurationException>(() => EndpointResolver.Resolve(PolarDbBackupEngine.ApiProduct, region, null));
        Assert.Throws<AliBackupConfigurationException>(() => StsClient.ResolveEndpoint(EmulatorHarness.EmptyEnvironment(new() { ["ALIBABA_CLOUD_STS_REGION"] = region }), null));
    }

    [Fact]
    public void An_unknown_region_is_refused_with_the_region_it_resembles()
    {
        var error = Assert.Throws<AliBackupConfigurationException>(() => InputValidation.Region("cn-hangzou", "-Region"));
        Assert.Contains("not a known Alibaba Cloud region", error.Message);
        Assert.Contains("did you mean cn-hangzhou?", error.Message);
        Assert.Contains("-Endpoint", error.Message);
    }

    [Fact]
    public void A_bad_region_from_the_environment_names_the_variable_and_no_parameter()
    {
        var service = new BackupService(new BackupServiceOptions
        {
            Credential = new AliCredential("LTAIexample000001", "secret"),
            Environment = EmulatorHarness.EmptyEnvironment(new() { ["ALIBABA_CLOUD_REGION_ID"] = "cn-hangzou" }),
        });

        var error = Assert.Throws<AliBackupConfigurationException>(() => service.ResolveTarget(null, null));
        Assert.StartsWith("ALIBABA_CLOUD_REGION_ID 'cn-hangzou'", error.Message);
        Assert.Null(error.ParameterName);
        Assert.Equal("cn-hangzhou", service.ResolveTarget("cn-hangzhou", null).Region); // -Region wins, and is fine
    }

    [Fact]
    public void A_bad_ALIBACKUP_ENDPOINT_is_named_as_such_not_as_the_parameter()
    {
        var service = new BackupService(new BackupServiceOptions
        {
            Credential = new AliCredential("LTAIexample000001", "secret"),
            Environment = EmulatorHarness.EmptyEnvironment(new() { ["ALIBACKUP_ENDPOINT"] = "ftp://127.0.0.1" }),
        });

        var error = Assert.Throws<AliBackupConfigurationException>(() => service.ResolveTarget("cn-hangzhou", null));
        Assert.StartsWith("ALIBACKUP_ENDPOINT 'ftp://127.0.0.1' cannot be used", error.Message);
        Assert.Contains("Set ALIBACKUP_ENDPOINT to https://host", error.Message);
        Assert.DoesNotContain("Pass -Endpoint", error.Message);
        Assert.Null(error.ParameterName);
    }

    [Theory]
    [InlineData("http://user:pw@127.0.0.1:8080")]
    [InlineData("user:pw@127.0.0.1:8080")]
    [InlineData("https://user:pw@r-kvstore.aliyuncs.com")]
    public void An_endpoint_with_a_user_name_or_password_is_refused_and_never_shown(string endpoint)
    {
        var error = Assert.Throws<AliBackupConfigurationException>(() => EndpointResolver.ParseEndpoint(endpoint));
        Assert.Contains("user name or password", error.Message);
        Assert.Contains("***@", error.Message);
        Assert.DoesNotContain("pw", error.Message);
        Assert.DoesNotContain("user:", error.Message);
    }

    [Fact]
    public void A_credentials_URI_with_a_user_name_and_password_never_shows_them()
    {
        var provider = new CredentialsUriProvider(new CredentialContext(EmulatorHarness.EmptyEnvironment()), "http://alice:hunter2@127.0.0.1:9/creds");
        Assert.Equal("http://***@127.0.0.1:9/creds", provider.DisplayUri);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/#frag")]
    [InlineData("http://127.0.0.1:8080\r\nX-Injected: 1")]
    [InlineData("http://127.0.0.1:8080/?Action=x")]
    public void An_endpoint_with_more_than_scheme_host_and_port_is_refused(string endpoint)
    {
        var error = Assert.Throws<AliBackupConfigurationException>(() => EndpointResolver.ParseEndpoint(endpoint));
        Assert.Equal("Endpoint", error.ParameterName);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Theory]
    [InlineData(IdKind.Instance, " r-bp1xxxx ", "r-bp1xxxx")]
    [InlineData(IdKind.Instance, "r-bp1zxszhcgatnx****", "r-bp1zxszhcgatnx****")] // a documentation sample, masked
    [InlineData(IdKind.Instance, "d-bp1shard0001", "d-bp1shard0001")]
    [InlineData(IdKind.BackupJob, " 710001 , 710002 ", "710001,710002")]
    [InlineData(IdKind.Backup, "340000006", "340000006")]
    public void IDs_are_trimmed_and_accepted(IdKind kind, string value, string expected)
    {
        Assert.Equal(expected, InputValidation.Id(kind, value, "X"));
    }

    [Theory]
    [InlineData(IdKind.Instance, "r-a&b=c", "InstanceId")]
    [InlineData(IdKind.Instance, "r-a/../b", "InstanceId")]
    [InlineData(IdKind.Instance, "r-a b", "InstanceId")]
    [InlineData(IdKind.Instance, "r-a\nb", "InstanceId")]
    [InlineData(IdKind.Instance, "r-a\u0000", "InstanceId")]
    [InlineData(IdKind.BackupJob, "abc", "BackupJobId")]
    [InlineData(IdKind.BackupJob, "71&BackupId=1", "BackupJobId")]
    [InlineData(IdKind.Backup, "1=1", "BackupId")]
    public void IDs_that_could_change_the_request_are_refused_naming_the_parameter_with_an_example(IdKind kind, string value, string parameter)
    {
        var error = Assert.Throws<AliBackupConfigurationException>(() => InputValidation.Id(kind, value, parameter));
        Assert.Equal(parameter, error.ParameterName);
        Assert.Contains("For example -" + parameter, error.Message);
        Assert.False(error.Message.IndexOfAny(['\n', '\r', '\0']) >= 0, error.Message);
    }

    [Theory]
    [InlineData("LTAI5t\r\nX-Injected: 1", null, "a line break")]
    [InlineData("LTAI5t example", null, "a space")]
    [InlineData("STS.example", "token\r\nX-Injected: 1", "security token")]
    public void Credentials_that_would_inject_a_header_are_refused_from_any_source(string id, string? token, string what)
    {
        var error = Assert.Throws<AliBackupCredentialException>(() => new AliCredential(id, "secret", token, providerName: "default/env"));
        Assert.Contains(what, error.Message);
        Assert.Contains("default/env", error.Message);
        Assert.DoesNotContain("secret", error.Message);
        Assert.DoesNotContain("X-Injected", error.Message);
    }

    [Fact]
    public void Seconds_take_minus_one_as_no_limit_and_refuse_what_a_TimeSpan_cannot_hold()
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, InputValidation.Seconds(-1));
        Assert.Equal(TimeSpan.FromMilliseconds(500), InputValidation.Seconds(0.5));
        var error = Assert.Throws<ArgumentException>(() => InputValidation.Seconds(1e12));
        Assert.Contains("-1 for no limit", error.Message);
        Assert.Throws<ArgumentException>(() => InputValidation.Seconds(double.NaN));
    }

    [Fact]
    public void No_limit_timeouts_give_a_wait_that_never_ends_instead_of_an_overflow()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var noLimit in new[] { TimeSpan.MaxValue, Timeout.InfiniteTimeSpan, TimeSpan.FromSeconds(-1) })
        {
            var timeout = InputValidation.Timeout(noLimit);
            Assert.Equal(DateTimeOffset.MaxValue, new WaitOptions { Timeout = timeout }.DeadlineFrom(now));
        }
        Assert.Equal(now.AddHours(1), new WaitOptions { Timeout = InputValidation.Timeout(TimeSpan.FromHours(1)) }.DeadlineFrom(now));
        var error = Assert.Throws<AliBackupConfigurationException>(() => InputValidation.Timeout(TimeSpan.FromSeconds(-5)));
        Assert.Equal("Timeout", error.ParameterName);
    }

    [Fact]
    public void A_poll_interval_below_the_minimum_is_raised_to_it_with_a_warning()
    {
        Assert.Equal(InputValidation.MinimumPollInterval, InputValidation.PollInterval(TimeSpan.FromSeconds(0.1), out var warning));
        Assert.Contains("-PollInterval 0.1 s is below the minimum of 1 s", warning);
        Assert.Equal(TimeSpan.FromSeconds(30), InputValidation.PollInterval(TimeSpan.FromSeconds(30), out var none));
        Assert.Null(none);
        Assert.Equal("PollInterval", Assert.Throws<AliBackupConfigurationException>(() => InputValidation.PollInterval(TimeSpan.Zero, out _)).ParameterName);
        Assert.Equal("PollInterval", Assert.Throws<AliBackupConfigurationException>(() => InputValidation.PollInterval(TimeSpan.MaxValue, out _)).ParameterName);
    }

    [Fact]
    public void Window_errors_name_the_time_that_is_wrong()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Equal("StartTime", Assert.Throws<AliBackupConfigurationException>(() => InputValidation.BackupWindow(now.AddDays(2), null, now)).ParameterName);
        Assert.Equal("EndTime", Assert.Throws<AliBackupConfigurationException>(() => InputValidation.BackupWindow(now.AddDays(-1), now.AddDays(-2), now)).ParameterName);
        Assert.Equal("EndTime", Assert.Throws<AliBackupConfigurationException>(() => InputValidation.BackupWindow(null, now.AddYears(5), now)).ParameterName);
        Assert.Equal("StartTime", Assert.Throws<AliBackupConfigurationException>(() => InputValidation.BackupTime(DateTime.MinValue, "StartTime")).ParameterName);
        Assert.Equal("EndTime", Assert.Throws<AliBackupConfigurationException>(() => InputValidation.BackupTime(DateTime.MaxValue, "EndTime")).ParameterName);
    }

    [Fact]
    public void A_lookup_by_ID_without_a_window_searches_every_backup_and_one_with_a_window_keeps_it()
    {
        var now = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var lookup = BackupQuery.For("r-bp1xxxx", null, null, "340000006", null, now);
        Assert.True(lookup.IsLookup);
        Assert.Equal(InputValidation.EarliestBackupTime, lookup.StartTime);
        Assert.True(lookup.EndTime > now);

        var listing = BackupQuery.For("r-bp1xxxx", null, null, null, null, now);
        Assert.False(listing.IsLookup);
        Assert.Equal(now - TimeSpan.FromDays(7), listing.StartTime);

        var windowed = BackupQuery.For("r-bp1xxxx", now.AddDays(-30), null, null, "710001", now);
        Assert.Equal(now.AddDays(-30), windowed.StartTime);
        Assert.True(windowed.IsLookup);
    }

    [Theory]
    [InlineData("d-bp1shard0001", BackupEngine.MongoDB, " -Engine MongoDB")]
    [InlineData("dds-bp1demo00000001", BackupEngine.MongoDB, "")]
    [InlineData("r-bp1xxxx", BackupEngine.Redis, "")]
    [InlineData("bp1nopfx00001", BackupEngine.PolarDB, " -Engine PolarDB")]
    public void The_command_to_wait_again_names_Engine_when_the_ID_does_not_say_it(string instanceId, BackupEngine engine, string expected)
    {
        var command = WaitOptions.DefaultReattachCommand(new BackupTask { InstanceId = instanceId, Engine = engine, BackupJobId = "710001" });
        Assert.Equal("Wait-AliBackupTask -InstanceId " + instanceId + " -BackupJobId '710001'" + expected, command);
    }

    [Theory]
    [InlineData("SignatureDoesNotMatch", true)]
    [InlineData("InvalidAccessKeyId.NotFound", true)]
    [InlineData("InvalidAccessKeyId.Inactive", true)]
    [InlineData("InvalidSecurityToken.Expired", true)]
    [InlineData("IncompleteSignature", true)]
    [InlineData("InvalidTimeStamp.Expired", true)]
    [InlineData("InvalidInstanceId.NotFound", false)]
    [InlineData("Forbidden.RAM", false)]
    [InlineData("SignatureNonceUsed", false)]
    public void Credential_rejections_are_told_apart_from_per_item_errors(string code, bool rejection)
    {
        Assert.Equal(rejection, new AliBackupApiException("r-kvstore", "DescribeBackups", 400, code, "m", "rid").RejectsCaller);
    }
}
