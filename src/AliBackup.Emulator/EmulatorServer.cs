using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AliBackup.Emulator.Metadata;
using AliBackup.Emulator.Products;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Sts;
using AliBackup.Emulator.Wire;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AliBackup.Emulator;

/// <summary>
/// The loopback emulator: answers the backup APIs of Redis, PolarDB and MongoDB on one port (routed by API version,
/// as one endpoint override serves all products), after verifying every signature. The same port serves STS
/// (version 2015-04-01), the ECS instance metadata routes and a credentials URI, so every way of obtaining
/// credentials can be exercised end to end. Start it in-process with <see cref="StartAsync"/> or run the project.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    public const string DemoRedisInstance = "r-bp1demo000000001";
    public const string DemoRedisCluster = "r-bp1cluster000001";
    public const string DemoPolarDbCluster = "pc-2zedemo000000001";
    public const string DemoMongoInstance = "dds-bp1demo00000001";
    public const string DemoRdsInstance = "rm-bp1demo000000001";

    /// <summary>The README's placeholder ID (<c>r-bp1xxxx</c>), so the flagship line runs against the emulator as printed.</summary>
    public const string ReadmeRedisInstance = "r-bp1xxxx";

    private readonly WebApplication _app;
    private readonly IReadOnlyDictionary<string, ProductApi> _products;
    private readonly SignatureVerifier _verifier;
    private readonly List<EmulatorKey> _keys;

    private EmulatorServer(WebApplication app, EmulatorOptions options, EmulatorState state)
    {
        _app = app;
        Options = options;
        State = state;
        _keys = [.. options.Keys];
        _products = new ProductApi[] { new RedisApi(), new PolarDbApi(), new MongoDbApi(), new RdsApi() }.ToDictionary(p => p.Version);
        _verifier = new SignatureVerifier(FindKey, options.WallClock);
        TemporaryKeys = new TemporaryKeys(AddKey, options.WallClock);
        Roles = [.. options.Roles];
        _sts = new StsApi(Roles, TemporaryKeys, options.WallClock);
        Metadata = new InstanceMetadataService(options, TemporaryKeys, state);
    }

    private readonly StsApi _sts;

    /// <summary>Temporary keys handed out by STS, the metadata routes and the credentials URI.</summary>
    public TemporaryKeys TemporaryKeys { get; }

    /// <summary>The roles STS knows (add more while running, e.g. through POST /_emulator/sts/roles).</summary>
    public List<EmulatedRole> Roles { get; }

    /// <summary>The ECS metadata and credentials-URI routes (the attached role can be changed while running).</summary>
    public InstanceMetadataService Metadata { get; }

    /// <summary>Every key pair the emulator accepts now: the configured ones and every temporary one it issued.</summary>
    public IReadOnlyList<EmulatorKey> Keys
    {
        get { lock (_keys) return _keys.ToList(); }
    }

    public EmulatorOptions Options { get; }

    public EmulatorState State { get; }

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:49152</c> (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    public static async Task<EmulatorServer> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        var uri = new Uri(options.Url);
        if (!System.Net.IPAddress.TryParse(uri.Host, out var ip) || !System.Net.IPAddress.IsLoopback(ip))
            if (!string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException("The emulator listens on loopback only (e.g. http://127.0.0.1:8080).", nameof(options));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Url);
        var app = builder.Build();
        var state = new EmulatorState(options.Clock, options.StageDuration);
        var server = new EmulatorServer(app, options, state);
        if (options.SeedDemoInstances) server.SeedDemo();
        server.MapRoutes();
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/');
        return server;
    }

    /// <summary>Accepts another key pair (e.g. temporary STS credentials) from now on.</summary>
    public void AddKey(EmulatorKey key)
    {
        lock (_keys) _keys.Add(key);
    }

    private EmulatorKey? FindKey(string accessKeyId)
    {
        lock (_keys) return _keys.LastOrDefault(k => k.AccessKeyId == accessKeyId);
    }

    private void SeedDemo()
    {
        State.AddInstance(new EmulatedInstance { Id = DemoRedisInstance, Product = EmulatedProduct.Redis, EngineVersion = "7.0" }, historicalBackups: 7);
        State.AddInstance(new EmulatedInstance { Id = ReadmeRedisInstance, Product = EmulatedProduct.Redis, EngineVersion = "7.0" }, historicalBackups: 7);
        State.AddInstance(new EmulatedInstance { Id = DemoRedisCluster, Product = EmulatedProduct.Redis, Shards = 3, PerShardJobs = true, EngineVersion = "5.0" }, historicalBackups: 7);
        State.AddInstance(new EmulatedInstance { Id = DemoPolarDbCluster, Product = EmulatedProduct.PolarDB, Region = "cn-beijing", EngineVersion = "8.0", BackupSizeBytes = 4_639_948_800 }, historicalBackups: 7);
        State.AddInstance(new EmulatedInstance { Id = DemoMongoInstance, Product = EmulatedProduct.MongoDB, EngineVersion = "4.2", BackupSizeBytes = 6_168_576 }, historicalBackups: 7);
        State.AddInstance(new EmulatedInstance { Id = DemoRdsInstance, Product = EmulatedProduct.RDS, EngineVersion = "8.0", BackupSizeBytes = 2_167_808 }, historicalBackups: 7);
    }

    private void MapRoutes()
    {
        _app.MapMethods("/", ["GET", "POST"], HandleRpcAsync);
        Metadata.Map(_app);
        EmulatorControl.Map(_app, this);
    }

    private async Task HandleRpcAsync(HttpContext http)
    {
        var requestId = Guid.NewGuid().ToString("D").ToUpperInvariant();
        if (Options.RequestDelay > TimeSpan.Zero) await Task.Delay(Options.RequestDelay, http.RequestAborted);
        // The gateway names every answer in a header too, so even an unreadable body can be quoted to support.
        http.Response.Headers["x-acs-request-id"] = requestId;
        var call = await RpcCall.ReadAsync(http.Request);
        ProductApi? product = null;
        string? accessKeyId = null;
        string? instanceId = null;
        try
        {
            var action = call.Action;
            var version = call.Version;
            if (string.IsNullOrEmpty(action) || string.IsNullOrEmpty(version))
                throw new ApiErrorException(400, "MissingParameter", "The action and version of the request are required (x-acs-action/x-acs-version or Action/Version).");
            if (version == StsApi.Version)
            {
                await HandleStsAsync(http, call, action, requestId);
                return;
            }
            if (!_products.TryGetValue(version, out product))
                throw new ApiErrorException(404, "InvalidVersion", "Specified parameter Version is not valid.");
            instanceId = call.Param(product.InstanceParameter);

            accessKeyId = _verifier.Verify(call).AccessKeyId;

            var fault = State.TakeFault(action, instanceId);
            switch (fault?.Kind)
            {
                case FaultKind.Error:
                    throw new ApiErrorException(fault.HttpStatus, fault.Code, fault.Message, RetryAfterOf(fault));
                case FaultKind.ResetBeforeRead:
                    Record(call, product, instanceId, 0, "Fault.ResetBeforeRead", accessKeyId);
                    DropConnection(http);
                    return;
                case FaultKind.Html:
                    Record(call, product, instanceId, fault.HttpStatus, "Fault.Html", accessKeyId);
                    var status = fault.HttpStatus is >= 400 and < 600 ? fault.HttpStatus : 502;
                    if (RetryAfterOf(fault) is { } hint) http.Response.Headers["x-acs-retry-after"] = hint;
                    http.Response.StatusCode = status;
                    http.Response.ContentType = "text/html";
                    await http.Response.WriteAsync("<html><head><title>" + status + " Bad Gateway</title></head><body><center><h1>" + status +
                                                   " Bad Gateway</h1></center><hr><center>nginx</center></body></html>\r\n", Encoding.UTF8);
                    return;
                case FaultKind.Empty200:
                    Record(call, product, instanceId, 200, "Fault.Empty200", accessKeyId);
                    http.Response.StatusCode = 200;
                    http.Response.ContentType = "application/json;charset=utf-8";
                    http.Response.ContentLength = 0;
                    return;
                case FaultKind.DeleteInstance:
                    State.RemoveInstance(instanceId);
                    break;
            }

            var canned = State.TakeCannedAnswer(action, instanceId);
            if (canned != null)
            {
                Record(call, product, instanceId, canned.HttpStatus, null, accessKeyId);
                http.Response.StatusCode = canned.HttpStatus;
                http.Response.ContentType = "application/json;charset=utf-8";
                var bytes = canned.BodyBytes ?? Encoding.UTF8.GetBytes(canned.Body);
                http.Response.ContentLength = bytes.Length;
                await http.Response.Body.WriteAsync(bytes);
                return;
            }

            var body = product.Handle(action, call, new ApiContext(State, BaseUrl));
            var response = new JsonObject { ["RequestId"] = requestId };
            foreach (var (name, value) in body.ToList())
            {
                body.Remove(name);
                response[name] = value;
            }
            // Carried out from here on: a fault below only spoils the answer.
            Record(call, product, instanceId, 200, fault is null or { Kind: FaultKind.DeleteInstance } ? null : "Fault." + fault.Kind, accessKeyId);
            await WriteAnswerAsync(http, response, fault);
        }
        catch (ApiErrorException error)
        {
            Record(call, product, instanceId, error.HttpStatus, error.Code, accessKeyId);
            if (error.RetryAfter is { } hint) http.Response.Headers["x-acs-retry-after"] = hint;
            await WriteJsonAsync(http, error.HttpStatus, new JsonObject
            {
                ["RequestId"] = requestId,
                ["HostId"] = product?.HostId ?? http.Request.Host.Value,
                ["Code"] = error.Code,
                ["Message"] = error.ServiceMessage,
                ["Recommend"] = "https://api.aliyun.com/troubleshoot?q=" + Uri.EscapeDataString(error.Code) + "&product=" + (product?.Product.ToString() ?? ""),
            });
        }
    }

    /// <summary>
    /// Ends the connection without an answer the way a proxy or load balancer does: the socket is shut down (the client
    /// reads end-of-stream where the status line should be), then the connection is dropped.
    /// </summary>
    private static void DropConnection(HttpContext http)
    {
        try
        {
            http.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket?.Shutdown(System.Net.Sockets.SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException || ex is ObjectDisposedException)
        {
        }
        http.Abort();
    }

    /// <summary>The x-acs-retry-after a fault sends: its verbatim header, else its milliseconds.</summary>
    private static string? RetryAfterOf(FaultRule fault) =>
        fault.RetryAfterHeader ?? fault.RetryAfterMs?.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes a carried-out request's answer, spoiled as the fault says (cut short, garbled, late, never).</summary>
    private static async Task WriteAnswerAsync(HttpContext http, JsonObject response, FaultRule? fault)
    {
        if (fault?.Kind == FaultKind.WrongTypes) response = (JsonObject)SwapScalarTypes(response)!;
        var bytes = Encoding.UTF8.GetBytes(response.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        switch (fault?.Kind)
        {
            case FaultKind.ResetAfterExecute:
                DropConnection(http);
                return;
            case FaultKind.Slow:
                try
                {
                    await Task.Delay(fault.DelayMs, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                break;
            case FaultKind.Truncated:
                bytes = bytes[..(bytes.Length / 2)];
                break;
            case FaultKind.Malformed:
                bytes = Encoding.UTF8.GetBytes("{\"RequestId\":\"" + (string?)response["RequestId"] + "\",,\"Code\":}");
                break;
            case FaultKind.InvalidUtf8:
                bytes = SpoilText(bytes, [0xC3, 0x28]);
                break;
            case FaultKind.LoneSurrogate:
                bytes = SpoilText(bytes, Encoding.ASCII.GetBytes("\\ud800"));
                break;
        }
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json;charset=utf-8";
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes);
    }

    // The fields a reader cannot do without, in the order they are tried: an ID or a status word.
    private static readonly string[] SpoiledFields = ["BackupJobID", "BackupJobId", "BackupjobId", "BackupId", "BackupProgressStatus", "BackupSetStatus", "BackupStatus"];

    /// <summary>Puts <paramref name="junk"/> at the start of every string value of the first of <see cref="SpoiledFields"/> the answer has.</summary>
    private static byte[] SpoilText(byte[] json, byte[] junk)
    {
        foreach (var field in SpoiledFields)
        {
            var marker = Encoding.ASCII.GetBytes("\"" + field + "\":\"");
            var output = new List<byte>(json.Length + junk.Length * 4);
            var found = false;
            for (var i = 0; i < json.Length; i++)
            {
                output.Add(json[i]);
                if (i + 1 >= marker.Length && json.AsSpan(i + 1 - marker.Length, marker.Length).SequenceEqual(marker))
                {
                    output.AddRange(junk);
                    found = true;
                }
            }
            if (found) return [.. output];
        }
        return json;
    }

    /// <summary>Numbers become strings and numeric strings numbers (an SDK model and the wire disagreeing on types).</summary>
    private static JsonNode? SwapScalarTypes(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (name, value) in obj) copy[name] = SwapScalarTypes(value);
                return copy;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array) items.Add(SwapScalarTypes(item));
                return items;
            case JsonValue value when value.TryGetValue<long>(out var whole):
                return JsonValue.Create(whole.ToString(CultureInfo.InvariantCulture));
            case JsonValue value when value.TryGetValue<string>(out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number):
                return JsonValue.Create(number);
            case JsonValue value when value.TryGetValue<bool>(out var flag):
                return JsonValue.Create(flag ? "true" : "false");
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>STS: same wire and error shapes as the products; AssumeRoleWithOIDC is the one anonymous action.</summary>
    private async Task HandleStsAsync(HttpContext http, RpcCall call, string action, string requestId)
    {
        string? accessKeyId = null;
        try
        {
            var caller = StsApi.IsAnonymous(action) ? null : _verifier.Verify(call);
            accessKeyId = caller?.AccessKeyId;
            var fault = State.TakeFault(action, null, exactAction: true);
            if (fault != null) throw new ApiErrorException(fault.HttpStatus, fault.Code, fault.Message, RetryAfterOf(fault));
            var body = _sts.Handle(action, call, caller);
            var response = new JsonObject { ["RequestId"] = requestId };
            foreach (var (name, value) in body.ToList())
            {
                body.Remove(name);
                response[name] = value;
            }
            RecordSts(call, action, 200, null, accessKeyId);
            await WriteJsonAsync(http, 200, response);
        }
        catch (ApiErrorException error)
        {
            RecordSts(call, action, error.HttpStatus, error.Code, accessKeyId ?? call.Param("AccessKeyId"));
            if (error.RetryAfter is { } hint) http.Response.Headers["x-acs-retry-after"] = hint;
            await WriteJsonAsync(http, error.HttpStatus, new JsonObject
            {
                ["RequestId"] = requestId,
                ["HostId"] = StsApi.HostId,
                ["Code"] = error.Code,
                ["Message"] = error.ServiceMessage,
                ["Recommend"] = "https://api.aliyun.com/troubleshoot?q=" + Uri.EscapeDataString(error.Code) + "&product=Sts",
            });
        }
    }

    private void RecordSts(RpcCall call, string action, int status, string? code, string? accessKeyId) =>
        State.Record(new RequestRecord(State.Now, "STS", action, null, status, code, accessKeyId, call.AllParameters(), SignatureOf(call)));

    private void Record(RpcCall call, ProductApi? product, string? instanceId, int status, string? code, string? accessKeyId) =>
        State.Record(new RequestRecord(State.Now, product?.Product.ToString(), call.Action, instanceId, status, code, accessKeyId,
            call.AllParameters(), SignatureOf(call)));

    /// <summary>The signature the client sent (kept so tests can prove it never shows up in any output).</summary>
    private static string? SignatureOf(RpcCall call)
    {
        var authorization = call.Header("authorization");
        var at = authorization?.IndexOf("Signature=", StringComparison.Ordinal) ?? -1;
        return at >= 0 ? authorization![(at + "Signature=".Length)..].Trim() : call.Param("Signature");
    }

    internal static async Task WriteJsonAsync(HttpContext http, int status, JsonNode body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json;charset=utf-8";
        await http.Response.WriteAsync(body.ToJsonString(new JsonSerializerOptions { WriteIndented = false }), Encoding.UTF8);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
