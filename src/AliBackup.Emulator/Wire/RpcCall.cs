using System.Text;

namespace AliBackup.Emulator.Wire;

/// <summary>One incoming RPC request, decoded: its action, version, business parameters and how it was signed.</summary>
public sealed class RpcCall
{
    public required string Method { get; init; }

    public required string Path { get; init; }

    /// <summary>Query parameters, percent-decoded, in arrival order.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Query { get; init; }

    /// <summary>Form-body parameters (application/x-www-form-urlencoded), percent-decoded.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Form { get; init; }

    /// <summary>Request headers with lower-case names; repeated headers keep every value.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }

    public required byte[] Body { get; init; }

    public string? Header(string lowerName) => Headers.Where(h => h.Key == lowerName).Select(h => h.Value).FirstOrDefault();

    /// <summary>True for a V3 (ACS3-*) signed request; false for V1 or anonymous.</summary>
    public bool IsV3 => Header("authorization")?.StartsWith("ACS3-", StringComparison.Ordinal) == true;

    public string? Action => IsV3 ? Header("x-acs-action") : Param("Action");

    public string? Version => IsV3 ? Header("x-acs-version") : Param("Version");

    /// <summary>A business parameter from the query or the form body.</summary>
    public string? Param(string name)
    {
        foreach (var p in Query) if (p.Key == name) return p.Value;
        foreach (var p in Form) if (p.Key == name) return p.Value;
        return null;
    }

    /// <summary>Every parameter (query then form), without the V1 signature.</summary>
    public IReadOnlyDictionary<string, string> AllParameters()
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in Query.Concat(Form)) all[p.Key] = p.Value;
        return all;
    }

    /// <summary>Splits a raw query or form string into decoded pairs. '+' stays '+': the signers encode it as %2B.</summary>
    public static List<KeyValuePair<string, string>> ParsePairs(string? raw, bool plusIsSpace = false)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(raw)) return pairs;
        if (raw[0] == '?') raw = raw[1..];
        foreach (var part in raw.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var name = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : part[(eq + 1)..];
            if (plusIsSpace)
            {
                name = name.Replace('+', ' ');
                value = value.Replace('+', ' ');
            }
            pairs.Add(new(Uri.UnescapeDataString(name), Uri.UnescapeDataString(value)));
        }
        return pairs;
    }

    public static async Task<RpcCall> ReadAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var h in request.Headers)
            foreach (var v in h.Value)
                headers.Add(new(h.Key.ToLowerInvariant(), v ?? ""));
        var form = request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true
            ? ParsePairs(Encoding.UTF8.GetString(body), plusIsSpace: true)
            : [];
        return new RpcCall
        {
            Method = request.Method.ToUpperInvariant(),
            Path = string.IsNullOrEmpty(request.Path.Value) ? "/" : request.Path.Value!,
            Query = ParsePairs(request.QueryString.Value),
            Form = form,
            Headers = headers,
            Body = body,
        };
    }
}
