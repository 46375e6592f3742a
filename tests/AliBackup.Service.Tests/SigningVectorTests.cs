using System.Text.Json;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Tests.Support;

namespace AliBackup.Service.Tests;

/// <summary>
/// The V3 signer against the vectors produced by the official SDK cores (openapi-core 1.0.8 and openapi-util 0.3.3):
/// every intermediate must match byte for byte.
/// </summary>
public class SigningVectorTests
{
    public static TheoryData<string> V3VectorNames()
    {
        using var doc = Fixtures.Json("api/signing-vectors.json");
        var names = new TheoryData<string>();
        foreach (var v in doc.RootElement.GetProperty("v3").EnumerateArray()) names.Add(v.GetProperty("name").GetString()!);
        return names;
    }

    [Fact]
    public void The_fixture_holds_every_vector_the_signing_doc_lists()
    {
        Assert.Equal(9, V3VectorNames().Count);
    }

    [Theory]
    [MemberData(nameof(V3VectorNames))]
    public void Reproduces_the_official_signature(string name)
    {
        using var doc = Fixtures.Json("api/signing-vectors.json");
        var vector = doc.RootElement.GetProperty("v3").EnumerateArray().Single(v => v.GetProperty("name").GetString() == name);
        var input = vector.GetProperty("input");
        var expected = vector.GetProperty("expected");

        var query = input.GetProperty("query").EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!)).ToList();
        var headers = input.GetProperty("headers").EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!)).ToList();
        var body = input.GetProperty("body").GetString() ?? "";
        var payloadHash = AcsV3Signer.HashPayload(System.Text.Encoding.UTF8.GetBytes(body));

        var signature = AcsV3Signer.Sign(input.GetProperty("method").GetString()!, input.GetProperty("path").GetString()!, query, headers,
            payloadHash, input.GetProperty("accessKeyId").GetString()!, input.GetProperty("accessKeySecret").GetString()!);

        Assert.Equal(expected.GetProperty("hashedPayload").GetString(), payloadHash);
        Assert.Equal(expected.GetProperty("canonicalQueryString").GetString(), signature.CanonicalQueryString);
        Assert.Equal(expected.GetProperty("canonicalHeaders").GetString(), signature.CanonicalHeaders);
        Assert.Equal(expected.GetProperty("signedHeaders").GetString(), signature.SignedHeaders);
        Assert.Equal(expected.GetProperty("canonicalRequest").GetString(), signature.CanonicalRequest);
        Assert.Equal(expected.GetProperty("hashedCanonicalRequest").GetString(), signature.HashedCanonicalRequest);
        Assert.Equal(expected.GetProperty("stringToSign").GetString(), signature.StringToSign);
        Assert.Equal(expected.GetProperty("signature").GetString(), signature.Signature);
        Assert.Equal(expected.GetProperty("authorization").GetString(), signature.Authorization);
        if (expected.TryGetProperty("capturedAuthorization", out var captured) || input.TryGetProperty("capturedAuthorization", out captured))
            Assert.Equal(captured.GetString(), signature.Authorization);
    }

    [Fact]
    public void The_vectors_in_the_repository_are_the_shared_ones()
    {
        var shared = Fixtures.SharedFolder();
        if (shared == null) return; // a checkout without ../shared has only the repository copy to test against
        Assert.Equal(File.ReadAllText(Path.Combine(shared, "api", "signing-vectors.json")), Fixtures.Text("api/signing-vectors.json"));
    }

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("*", "%2A")]
    [InlineData("~", "~")]
    [InlineData("!'()", "%21%27%28%29")]
    [InlineData("é", "%C3%A9")]
    [InlineData("2024-03-15T08:30Z", "2024-03-15T08%3A30Z")]
    [InlineData("a/b+c", "a%2Fb%2Bc")]
    public void Percent_encodes_as_RFC_3986_with_uppercase_hex(string raw, string encoded)
    {
        Assert.Equal(encoded, PercentEncoding.Encode(raw));
    }

    public static TheoryData<string> V1VectorNames()
    {
        using var doc = Fixtures.Json("api/signing-vectors.json");
        var names = new TheoryData<string>();
        foreach (var v in doc.RootElement.GetProperty("v1").EnumerateArray()) names.Add(v.GetProperty("name").GetString()!);
        return names;
    }

    [Fact]
    public void The_fixture_holds_both_V1_vectors()
    {
        Assert.Equal(2, V1VectorNames().Count);
    }

    [Theory]
    [MemberData(nameof(V1VectorNames))]
    public void The_V1_signer_reproduces_the_official_signature(string name)
    {
        using var doc = Fixtures.Json("api/signing-vectors.json");
        var vector = doc.RootElement.GetProperty("v1").EnumerateArray().Single(v => v.GetProperty("name").GetString() == name);
        var input = vector.GetProperty("input");
        var expected = vector.GetProperty("expected");
        var parameters = input.GetProperty("params").EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!)).ToList();

        var signature = AcsV1Signer.Sign(input.GetProperty("method").GetString()!, parameters, input.GetProperty("accessKeySecret").GetString()!);

        Assert.Equal(expected.GetProperty("canonicalizedQueryString").GetString(), signature.CanonicalizedQueryString);
        Assert.Equal(expected.GetProperty("stringToSign").GetString(), signature.StringToSign);
        Assert.Equal(expected.GetProperty("signature").GetString(), signature.Signature);
        Assert.DoesNotContain(signature.Signature, signature.ToString());
    }

    [Fact]
    public void The_V1_signature_covers_every_parameter_and_ignores_a_Signature_parameter()
    {
        var parameters = new List<KeyValuePair<string, string>> { new("Action", "AssumeRole"), new("RoleSessionName", "a b") };
        var baseline = AcsV1Signer.Sign("POST", parameters, "secret").Signature;
        Assert.Equal(baseline, AcsV1Signer.Sign("POST", [.. parameters, new("Signature", "ignored")], "secret").Signature);
        Assert.NotEqual(baseline, AcsV1Signer.Sign("POST", [.. parameters, new("SecurityToken", "t")], "secret").Signature);
        Assert.NotEqual(baseline, AcsV1Signer.Sign("GET", parameters, "secret").Signature);
        Assert.Contains("RoleSessionName%3Da%2520b", AcsV1Signer.Sign("POST", parameters, "secret").StringToSign);
    }

    [Fact]
    public void Signature_objects_do_not_print_their_signature()
    {
        var signature = AcsV3Signer.Sign("POST", "/", [], [new("host", "h"), new("x-acs-date", "d")], AcsV3Signer.EmptyPayloadHash, "id", "secret");
        Assert.DoesNotContain(signature.Signature, signature.ToString());
    }
}
