using System.Net;
using System.Text;
using AliBackup.Service.Credentials;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Tests.Support;

namespace AliBackup.Service.Tests;

/// <summary>What goes on the wire to STS, as the official credentials libraries send it, and what -Debug shows of it.</summary>
public sealed class StsWireTests
{
    private const string Answer = """
        { "RequestId": "6894B13B-6D71-4EF5-88FA-F32781734A7F",
          "AssumedRoleUser": { "Arn": "acs:ram::123456789012****:role/adminrole/alice", "AssumedRoleId": "34458433936495****:alice" },
          "Credentials": { "AccessKeyId": "STS.L4aBSCSJVMuKg5U1****", "AccessKeySecret": "wyLTSmsyPGP1ohvvw8xYgB29dlGI8KMiH2pK****",
                           "SecurityToken": "CAIS+tok/en==", "Expiration": "2015-04-09T11:52:19Z" } }
        """;

    private static (StsClient Client, Capture Handler, TraceRecorder Traces) Client(string answer = Answer, HttpStatusCode status = HttpStatusCode.OK)
    {
        var handler = new Capture(answer, status);
        var traces = new TraceRecorder();
        var context = new CredentialContext(EmulatorHarness.EmptyEnvironment(), new HttpMessageInvoker(handler), TimeProvider.System, traces) { NonceFactory = () => "nonce-1" };
        return (new StsClient(context, new Uri("https://sts.aliyuncs.com/")), handler, traces);
    }

    [Fact]
    public async Task AssumeRole_is_a_V1_signed_POST_with_the_role_in_the_form_body()
    {
        var (client, handler, _) = Client();
        var caller = new AliCredential("STS.source", "source-secret", "source/token+=", providerName: "env");
        var request = new RoleSessionRequest("acs:ram::123:role/backup", "alibackup", 1800) { Policy = "{\"Version\":\"1\"}", ExternalId = "ext-1" };

        var credential = await client.AssumeRoleAsync(caller, request, "test/ram_role_arn", CancellationToken.None);

        Assert.Equal(("STS.L4aBSCSJVMuKg5U1****", "CAIS+tok/en==", "test/ram_role_arn"), (credential.AccessKeyId, credential.SecurityToken, credential.ProviderName));
        Assert.Equal(new DateTimeOffset(2015, 4, 9, 11, 52, 19, TimeSpan.Zero), credential.Expiration);
        Assert.Equal("POST", handler.Method);
        Assert.Equal("/", handler.Uri!.AbsolutePath);
        Assert.Equal("application/x-www-form-urlencoded", handler.ContentType);
        var query = Pairs(handler.Uri.Query);
        var form = Pairs(handler.Body);
        Assert.Equal(["AccessKeyId", "Action", "Format", "SecurityToken", "Signature", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version"], query.Keys.Order());
        Assert.Equal(["DurationSeconds", "ExternalId", "Policy", "RoleArn", "RoleSessionName"], form.Keys.Order());
        Assert.Equal(("AssumeRole", "2015-04-01", "JSON", "HMAC-SHA1", "1.0", "source/token+="), (query["Action"], query["Version"], query["Format"], query["SignatureMethod"], query["SignatureVersion"], query["SecurityToken"]));
        Assert.Equal(("acs:ram::123:role/backup", "alibackup", "1800", "{\"Version\":\"1\"}"), (form["RoleArn"], form["RoleSessionName"], form["DurationSeconds"], form["Policy"]));
        var signed = query.Where(p => p.Key != "Signature").Concat(form).ToList();
        Assert.Equal(AcsV1Signer.Sign("POST", signed, "source-secret").Signature, query["Signature"]);
    }

    [Fact]
    public async Task AssumeRoleWithOIDC_is_anonymous_and_carries_the_token_only_in_the_body()
    {
        var (client, handler, traces) = Client();
        const string jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lzc3VlciJ9.c2ln";

        await client.AssumeRoleWithOidcAsync("acs:ram::123:oidc-provider/gh", jwt, new RoleSessionRequest("acs:ram::123:role/backup", "gha", 3600), "oidc_role_arn", CancellationToken.None);

        Assert.Equal(["Action", "Format", "Timestamp", "Version"], Pairs(handler.Uri!.Query).Keys.Order());
        var form = Pairs(handler.Body);
        Assert.Equal(["DurationSeconds", "OIDCProviderArn", "OIDCToken", "RoleArn", "RoleSessionName"], form.Keys.Order());
        Assert.Equal(jwt, form["OIDCToken"]);
        Assert.DoesNotContain(jwt, handler.Uri.ToString());
        var trace = Assert.Single(traces.Traces);
        Assert.Contains("OIDCToken=***", trace.CanonicalRequest);
        Assert.DoesNotContain(jwt, trace.CanonicalRequest);
        Assert.Equal("anonymous", trace.CredentialSource);
    }

    [Fact]
    public async Task The_debug_trace_of_AssumeRole_masks_the_token_and_the_signature()
    {
        var (client, handler, traces) = Client();
        await client.AssumeRoleAsync(new AliCredential("STS.source", "source-secret", "source-token-value"), new RoleSessionRequest("acs:ram::123:role/b", "s1", 900), "x", CancellationToken.None);
        var trace = Assert.Single(traces.Traces);
        var signature = Pairs(handler.Uri!.Query)["Signature"];
        Assert.Contains("SecurityToken=***", trace.CanonicalRequest);
        Assert.Contains("Signature=***", trace.CanonicalRequest);
        Assert.DoesNotContain("source-token-value", trace.ToString() + trace.CanonicalRequest);
        Assert.DoesNotContain(signature, trace.CanonicalRequest);
        Assert.Equal(("sts", "AssumeRole", 200, "6894B13B-6D71-4EF5-88FA-F32781734A7F"), (trace.Product, trace.Action, trace.HttpStatus, trace.RequestId));
    }

    [Fact]
    public async Task An_STS_error_keeps_code_and_request_id_and_drops_the_echoed_string_to_sign()
    {
        var (client, _, _) = Client("""
            {"RequestId":"R-1","HostId":"sts.aliyuncs.com","Code":"SignatureDoesNotMatch",
             "Message":"Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DSTS.x%26SecurityToken%3Dleaky-token"}
            """, HttpStatusCode.BadRequest);
        var error = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            client.AssumeRoleAsync(new AliCredential("STS.x", "s", "leaky-token"), new RoleSessionRequest("acs:ram::1:role/r", "s1", 900), "x", CancellationToken.None));
        Assert.Equal(("SignatureDoesNotMatch", "R-1", 400), (error.Code, error.RequestId, error.HttpStatus));
        Assert.DoesNotContain("leaky-token", error.ToString());
        Assert.DoesNotContain("leaky-token", error.ServiceMessage);
    }

    [Theory]
    [InlineData("""{"RequestId":"R-2"}""")]
    [InlineData("""{"Credentials":{"AccessKeyId":"STS.a","AccessKeySecret":"b","Expiration":"2030-01-01T00:00:00Z"}}""")]
    [InlineData("not json")]
    public async Task An_answer_without_complete_credentials_is_an_error(string body)
    {
        var (client, _, _) = Client(body);
        var error = await Assert.ThrowsAsync<AliBackupApiException>(() =>
            client.AssumeRoleWithOidcAsync("p", "t.t.t", new RoleSessionRequest("acs:ram::1:role/r", "s1", 900), "x", CancellationToken.None));
        Assert.Equal("InvalidResponse", error.Code);
    }

    private static Dictionary<string, string> Pairs(string raw) =>
        raw.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]));

    private sealed class Capture(string answer, HttpStatusCode status) : HttpMessageHandler
    {
        public string? Method;
        public Uri? Uri;
        public string Body = "";
        public string? ContentType;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Method = request.Method.Method;
            Uri = request.RequestUri;
            Body = request.Content == null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            ContentType = request.Content?.Headers.ContentType?.MediaType;
            return new HttpResponseMessage(status) { Content = new StringContent(answer, Encoding.UTF8, "application/json") };
        }
    }

    private sealed class TraceRecorder : IApiCallObserver
    {
        public List<ApiCallTrace> Traces { get; } = [];

        public void OnCallCompleted(ApiCallTrace trace) => Traces.Add(trace);
    }
}
