using AliBackup.Service.Endpoints;
using AliBackup.Service.Engines;

namespace AliBackup.Service.Tests;

public class EndpointTests
{
    [Theory]
    [InlineData("cn-hangzhou", "r-kvstore.aliyuncs.com")]
    [InlineData("cn-shanghai", "r-kvstore.aliyuncs.com")]
    [InlineData("cn-shenzhen", "r-kvstore.cn-shenzhen.aliyuncs.com")]
    [InlineData("ap-southeast-1", "r-kvstore.ap-southeast-1.aliyuncs.com")]
    [InlineData("xx-future-9", "r-kvstore.xx-future-9.aliyuncs.com")]
    public void Redis_regions_map_to_the_central_or_regional_host(string region, string host)
    {
        Assert.Equal(new Uri("https://" + host + "/"), EndpointResolver.Resolve(RedisBackupEngine.ApiProduct, region, null));
    }

    [Theory]
    [InlineData("127.0.0.1:8080", "http://127.0.0.1:8080/")]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/")]
    [InlineData("http://localhost:9000/", "http://localhost:9000/")]
    [InlineData("https://r-kvstore-vpc.cn-hangzhou.aliyuncs.com", "https://r-kvstore-vpc.cn-hangzhou.aliyuncs.com/")]
    [InlineData("r-kvstore.cn-hangzhou.aliyuncs.com", "https://r-kvstore.cn-hangzhou.aliyuncs.com/")]
    public void An_explicit_endpoint_overrides_the_region(string endpoint, string expected)
    {
        Assert.Equal(new Uri(expected), EndpointResolver.Resolve(RedisBackupEngine.ApiProduct, "cn-shenzhen", endpoint));
    }

    [Theory]
    [InlineData("http://r-kvstore.aliyuncs.com", "plain http")]
    [InlineData("ftp://127.0.0.1", "only https")]
    [InlineData("https://r-kvstore.aliyuncs.com/some/path", "path")]
    public void Unsafe_or_malformed_endpoints_are_refused_naming_the_parameter(string endpoint, string why)
    {
        var error = Assert.Throws<AliBackupConfigurationException>(() => EndpointResolver.Resolve(RedisBackupEngine.ApiProduct, null, endpoint));
        Assert.Equal("Endpoint", error.ParameterName);
        Assert.Contains(why, error.Message);
        Assert.Contains("-Endpoint", error.Message);
    }

    [Fact]
    public void Without_region_or_endpoint_the_error_says_how_to_set_a_region()
    {
        var error = Assert.Throws<AliBackupConfigurationException>(() => EndpointResolver.Resolve(RedisBackupEngine.ApiProduct, null, null));
        Assert.Equal("Region", error.ParameterName);
        Assert.Contains("-Region", error.Message);
        Assert.Contains("ALIBABA_CLOUD_REGION_ID", error.Message);
        Assert.Contains("Connect-AliBackup -Region", error.Message);
    }

    [Fact]
    public void An_unknown_id_prefix_is_an_error_about_InstanceId_that_names_Engine_and_the_known_prefixes()
    {
        var error = Assert.Throws<AliBackupConfigurationException>(() => EngineCatalog.Resolve("x-123", null));
        Assert.Equal("InstanceId", error.ParameterName);
        Assert.Contains("-Engine", error.Message);
        Assert.Contains("r-", error.Message);
    }
}
