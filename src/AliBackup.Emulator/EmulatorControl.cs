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
                BackupSizeBytes = (long?)body["backupSizeBytes"] ?? 52_428_800,
            }, historicalBackups: (int?)body["historicalBackups"] ?? 0,
               historyInterval: body["historyIntervalSeconds"] is { } interval ? TimeSpan.FromSeconds((double)interval) : null);
            return Results.Json(new { instance.Id, Product = instance.Product.ToString() });
        });

        app.MapPost("/_emulator/faults", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            state.AddFault(new FaultRule
            {
                Action = (string?)body["action"],
                InstanceId = (string?)body["instanceId"],
                HttpStatus = (int?)body["httpStatus"] ?? 400,
                Code = (string?)body["code"] ?? "Throttling.User",
                Message = (string?)body["message"] ?? "Request was denied due to user flow control.",
                RetryAfterSeconds = (int?)body["retryAfterSeconds"],
                Remaining = (int?)body["count"] ?? 1,
            });
            return Results.Ok();
        });

        app.MapPost("/_emulator/canned", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            state.AddCannedAnswer(new CannedAnswer
            {
                Action = (string?)body["action"],
                InstanceId = (string?)body["instanceId"],
                HttpStatus = (int?)body["httpStatus"] ?? 200,
                Body = (string?)body["body"] ?? throw new BadHttpRequestException("body is required"),
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

        app.MapGet("/_emulator/download/{instanceId}/{backupId}", (string instanceId, string backupId) =>
            Results.Text("AliBackup emulator backup file for " + instanceId + ", backup " + backupId + "\n", "application/octet-stream"));
    }
}
