using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Sts;

namespace AliBackup.Emulator;

/// <summary>
/// Unsigned control routes under <c>/_emulator/</c> for tests and runbook rehearsals: add instances, inject faults,
/// make the next backup fail, read request counts, download (fake) backup files, add STS roles and attach a RAM role
/// to the emulated ECS instance.
/// </summary>
internal static class EmulatorControl
{
    private static readonly Dictionary<string, FaultKind> FaultKinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["error"] = FaultKind.Error,
        ["html"] = FaultKind.Html,
        ["reset-before-read"] = FaultKind.ResetBeforeRead,
        ["reset-after-execute"] = FaultKind.ResetAfterExecute,
        ["slow"] = FaultKind.Slow,
        ["truncated"] = FaultKind.Truncated,
        ["malformed"] = FaultKind.Malformed,
        ["invalid-utf8"] = FaultKind.InvalidUtf8,
        ["lone-surrogate"] = FaultKind.LoneSurrogate,
        ["empty-200"] = FaultKind.Empty200,
        ["wrong-types"] = FaultKind.WrongTypes,
        ["delete-instance"] = FaultKind.DeleteInstance,
    };

    public static void Map(WebApplication app, EmulatorServer server)
    {
        var state = server.State;

        app.MapGet("/_emulator/instances", () => Results.Json(state.Instances.Select(i => new
        {
            i.Id,
            Product = i.Product.ToString(),
            i.Region,
            i.Shards,
            i.PerShardJobs,
        })));

        app.MapPost("/_emulator/instances", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            var product = Enum.Parse<EmulatedProduct>((string?)body["product"] ?? "Redis", ignoreCase: true);
            var instance = state.AddInstance(new EmulatedInstance
            {
                Id = (string?)body["id"] ?? throw new BadHttpRequestException("id is required"),
                Product = product,
                Shards = (int?)body["shards"] ?? 1,
                PerShardJobs = (bool?)body["perShardJobs"] ?? false,
                StageDuration = body["stageSeconds"] is { } seconds ? TimeSpan.FromSeconds((double)seconds) : null,
                ListingLag = body["listingLagSeconds"] is { } lag ? TimeSpan.FromSeconds((double)lag) : TimeSpan.Zero,
                ManualBackupLimit = (int?)body["manualBackupLimit"],
                BackupSizeBytes = (long?)body["backupSizeBytes"] ?? 52_428_800,
            }, historicalBackups: (int?)body["historicalBackups"] ?? 0,
               historyInterval: body["historyIntervalSeconds"] is { } interval ? TimeSpan.FromSeconds((double)interval) : null);
            return Results.Json(new { instance.Id, Product = instance.Product.ToString() });
        });

        // A fault by action and instance, by count or probability. Compatible with the first version of the route: a body
        // of { action, instanceId, httpStatus, code, message, count } still injects that error once per count;
        // "retryAfterSeconds" is still taken (and sent as milliseconds, which is what x-acs-retry-after is).
        app.MapPost("/_emulator/faults", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            var kindText = (string?)body["kind"] ?? "error";
            var instanceId = (string?)body["instanceId"];
            // Not a per-request fault: it sets the instance's listing lag.
            if (string.Equals(kindText, "listing-lag", StringComparison.OrdinalIgnoreCase))
            {
                var lagged = state.Instances.FirstOrDefault(i => i.Id == instanceId);
                if (lagged == null) return Results.BadRequest(new { error = "listing-lag needs the instanceId of an existing instance." });
                lagged.ListingLag = TimeSpan.FromMilliseconds((double?)body["lagMs"] ?? 60_000);
                return Results.Ok();
            }
            if (!FaultKinds.TryGetValue(kindText, out var kind))
                return Results.BadRequest(new { error = "Unknown fault kind '" + kindText + "'. Known: " + string.Join(", ", FaultKinds.Keys) + ", listing-lag." });
            var probability = (double?)body["probability"];
            int? retryAfterMs = (int?)body["retryAfterMs"];
            if (retryAfterMs == null && body["retryAfterSeconds"] is { } seconds) retryAfterMs = (int)((double)seconds * 1000);
            state.AddFault(new FaultRule
            {
                Action = (string?)body["action"],
                InstanceId = instanceId,
                Kind = kind,
                HttpStatus = (int?)body["httpStatus"] ?? (kind == FaultKind.Html ? 502 : 400),
                Code = (string?)body["code"] ?? "Throttling.User",
                Message = (string?)body["message"] ?? "Request was denied due to user flow control.",
                RetryAfterMs = retryAfterMs,
                RetryAfterHeader = body["retryAfterHeader"] is { } header ? header.ToString() : null,
                DelayMs = (int?)body["delayMs"] ?? 2000,
                Probability = probability,
                // With a probability and no count the fault never runs out; otherwise it is used count times (default 1).
                Remaining = (int?)body["count"] ?? (probability != null ? -1 : 1),
            });
            return Results.Ok();
        });

        app.MapDelete("/_emulator/faults", () =>
        {
            state.ClearFaults();
            return Results.Ok();
        });

        // Every backup job, as the emulator counts them: how many CreateBackup calls were carried out, per instance.
        app.MapGet("/_emulator/jobs", () => Results.Json(state.Jobs.Select(j => new
        {
            InstanceId = j.Instance.Id,
            JobIds = j.JobIds.Select(x => x.ToString(CultureInfo.InvariantCulture)).ToList(),
            j.Mode,
            j.CreatedAt,
            j.FinishedAt,
        })));

        app.MapPost("/_emulator/canned", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            state.AddCannedAnswer(new CannedAnswer
            {
                Action = (string?)body["action"],
                InstanceId = (string?)body["instanceId"],
                HttpStatus = (int?)body["httpStatus"] ?? 200,
                Body = (string?)body["body"] ?? (body["bodyBase64"] != null ? "" : throw new BadHttpRequestException("body or bodyBase64 is required")),
                BodyBytes = body["bodyBase64"] is { } base64 ? Convert.FromBase64String((string)base64!) : null,
                Remaining = (int?)body["count"] ?? 1,
            });
            return Results.Ok();
        });

        // Starts backup jobs directly (e.g. automatic ones, which the API cannot start), bypassing the one-manual-backup rule.
        app.MapPost("/_emulator/instances/{id}/jobs", async (string id, HttpContext http) =>
        {
            var instance = state.Instances.FirstOrDefault(i => i.Id == id);
            if (instance == null) return Results.NotFound();
            var body = http.Request.ContentLength > 0 ? await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [] : [];
            var count = (int?)body["count"] ?? 1;
            var mode = (string?)body["mode"] ?? "Automated";
            var jobs = Enumerable.Range(0, count).Select(_ => state.CreateJob(instance, mode)).ToList();
            return Results.Json(jobs.Select(j => new { JobIds = j.JobIds.Select(x => x.ToString(CultureInfo.InvariantCulture)).ToList(), j.CreatedAt, j.FinishedAt, j.Mode }));
        });

        app.MapPost("/_emulator/instances/{id}/fail-next-backup", (string id) =>
        {
            var instance = state.Instances.FirstOrDefault(i => i.Id == id);
            if (instance == null) return Results.NotFound();
            instance.FailNextBackup = true;
            return Results.Ok();
        });

        app.MapGet("/_emulator/requests", () => Results.Json(state.Requests.Select(r => new
        {
            r.ReceivedAt,
            r.Product,
            r.Action,
            r.InstanceId,
            r.HttpStatus,
            r.ErrorCode,
        })));

        app.MapPost("/_emulator/sts/roles", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            var role = new EmulatedRole
            {
                Arn = (string?)body["arn"] ?? throw new BadHttpRequestException("arn is required"),
                MaxSessionDurationSeconds = (int?)body["maxSessionDurationSeconds"] ?? 3600,
                SessionLifetime = body["sessionLifetimeSeconds"] is { } seconds ? TimeSpan.FromSeconds((double)seconds) : null,
                ExternalId = (string?)body["externalId"],
                OidcProviderArn = (string?)body["oidcProviderArn"],
                OidcIssuer = (string?)body["oidcIssuer"],
            };
            lock (server.Roles) server.Roles.Add(role);
            return Results.Json(new { role.Arn });
        });

        app.MapPost("/_emulator/ecs", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            server.Metadata.RoleName = (string?)body["roleName"];
            if (body["credentialLifetimeSeconds"] is { } seconds) server.Metadata.CredentialLifetime = TimeSpan.FromSeconds((double)seconds);
            if (body["requireToken"] is { } required) server.Metadata.RequireToken = (bool)required;
            return Results.Ok();
        });

        // Backup files: how long their URLs last, downloads to cut short, and what was requested (with its Range).
        Downloads.BackupFileServer.Map(app, server);

        app.MapPost("/_emulator/downloads", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            if (body["urlLifetimeSeconds"] is { } seconds) state.Downloads.UrlLifetime = TimeSpan.FromSeconds((double)seconds);
            if (body.ContainsKey("bytesPerSecond")) state.Downloads.BytesPerSecond = (long?)body["bytesPerSecond"];
            return Results.Ok();
        });

        app.MapPost("/_emulator/downloads/cut", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            state.Downloads.AddCut(new DownloadCut
            {
                InstanceId = (string?)body["instanceId"],
                BackupId = (string?)body["backupId"],
                AfterBytes = (long?)body["afterBytes"] ?? 0,
                AfterFraction = (double?)body["afterFraction"],
                Expire = (bool?)body["expire"] ?? false,
                Remaining = (int?)body["count"] ?? 1,
            });
            return Results.Ok();
        });

        app.MapGet("/_emulator/downloads", () => Results.Json(state.Downloads.Log));

        app.MapPost("/_emulator/instances/{id}/size", async (string id, HttpContext http) =>
        {
            var instance = state.Instances.FirstOrDefault(i => i.Id == id);
            if (instance == null) return Results.NotFound();
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            instance.BackupSizeBytes = (long?)body["backupSizeBytes"] ?? instance.BackupSizeBytes;
            return Results.Ok();
        });

        app.MapGet("/_emulator/instances/{id}/policy", (string id) =>
        {
            var instance = state.Instances.FirstOrDefault(i => i.Id == id);
            return instance == null ? Results.NotFound() : Results.Json(instance.Policy);
        });
    }
}
