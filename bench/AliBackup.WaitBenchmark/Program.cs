using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using AliBackup;
using AliBackup.Service;
using AliBackup.Service.Credentials;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Waiting;

// dotnet run -c Release --project bench/AliBackup.WaitBenchmark [-- --instances 200 --tasks-per-instance 5 --poll 2]
var instances = 200;
var tasksPerInstance = 5;
var poll = TimeSpan.FromSeconds(2);
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--instances": instances = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--tasks-per-instance": tasksPerInstance = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--poll": poll = TimeSpan.FromSeconds(double.Parse(args[++i], CultureInfo.InvariantCulture)); break;
    }
}

using var emulator = EmulatorProcess.Start();
var http = new HttpClient { BaseAddress = new Uri(emulator.BaseUrl) };
var service = new BackupService(new BackupServiceOptions
{
    Credential = new AliCredential(EmulatorProcess.KeyId, EmulatorProcess.Secret),
    Environment = new EnvironmentReader(_ => null, Path.GetTempPath()),
    Client = BackupWaiter.ClientOptions(),
});
var target = new ApiTarget(null, emulator.BaseUrl);
Console.WriteLine($"Waiting on {instances * tasksPerInstance} tasks over {instances} instances; -PollInterval {poll.TotalSeconds} s; emulator {emulator.BaseUrl}");
Console.WriteLine();

var instancesPolled = 0;
var batched = await Measure("AliBackup waiter (batched per instance)", "b", async (tasks, written) =>
{
    var waiter = new BackupWaiter(service);
    await foreach (var e in waiter.WaitAsync(tasks, new WaitOptions { PollInterval = poll, FirstPollInterval = poll, Timeout = TimeSpan.FromMinutes(10) }, CancellationToken.None))
        if (e.Kind == WaitEventKind.Completed) written(e.Task);
    instancesPolled = waiter.Rounds.Sum(r => r.InstancesPolled);
    return waiter.Rounds.Count;
});
var batchedTaskCalls = await CountCalls("DescribeBackupTasks", "r-b");

var perTask = await Measure("Per-task polling (one call per task per round)", "p", async (tasks, written) =>
{
    // The pattern of scripts built on the CLI's --waiter: each task polled on its own until Finished, then its backup looked up.
    var pending = tasks.ToList();
    var rounds = 0;
    while (pending.Count > 0)
    {
        rounds++;
        var done = new System.Collections.Concurrent.ConcurrentBag<BackupTask>();
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (task, ct) =>
        {
            var listed = await service.GetTasksAsync(target, new TaskQuery(task.InstanceId, task.BackupJobId), BackupEngine.Redis, ct);
            if (listed.Count == 0 || listed[0].Status != BackupTaskStatus.Finished) return;
            var backups = await service.GetAllBackupsAsync(target, new BackupQuery(task.InstanceId, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(2)) { BackupJobId = task.BackupJobId }, BackupEngine.Redis, ct);
            if (backups.Count > 0) done.Add(task);
        });
        foreach (var task in done)
        {
            written(task);
            pending.Remove(task);
        }
        if (pending.Count > 0) await Task.Delay(poll);
    }
    return rounds;
});

Console.WriteLine();
Console.WriteLine("| | batched (AliBackup) | per-task polling | ratio |");
Console.WriteLine("|---|---|---|---|");
Row("API calls in all", batched.Calls, perTask.Calls);
Row("API calls per round, mean", batched.CallsPerRound, perTask.CallsPerRound);
Row("Finish → written, median s", batched.MedianLatency, perTask.MedianLatency);
Row("Finish → written, p95 s", batched.P95Latency, perTask.P95Latency);
Row("Peak working set MB (process, after the phase)", batched.PeakWorkingSetMb, perTask.PeakWorkingSetMb);
Console.WriteLine();
Console.WriteLine($"Batched: DescribeBackupTasks calls counted by the emulator = {batchedTaskCalls}; " +
                  $"sum over rounds of instances still holding unfinished tasks = {instancesPolled} ({(batchedTaskCalls == instancesPolled ? "equal" : "DIFFERENT")}).");
return 0;

static void Row(string name, double ours, double theirs) =>
    Console.WriteLine($"| {name} | {ours:0.##} | {theirs:0.##} | {(ours == 0 ? double.NaN : theirs / ours):0.##}x |");

async Task<PhaseResult> Measure(string name, string prefix, Func<IReadOnlyList<BackupTask>, Action<BackupTask>, Task<int>> wait)
{
    // Fresh instances per phase; stage durations spread over 0.5–2.5 s so tasks finish at different times.
    var finishes = new Dictionary<string, DateTimeOffset>();
    var tasks = new List<BackupTask>();
    for (var i = 0; i < instances; i++)
    {
        var id = $"r-{prefix}bench{i:D8}";
        var stage = 0.5 + 2.0 * i / Math.Max(1, instances - 1);
        await Post($"/_emulator/instances", new JsonObject { ["id"] = id, ["product"] = "Redis", ["stageSeconds"] = stage });
        var jobs = JsonNode.Parse(await Post($"/_emulator/instances/{id}/jobs", new JsonObject { ["count"] = tasksPerInstance, ["mode"] = "Automated" }))!.AsArray();
        foreach (var job in jobs)
        {
            var jobId = job!["jobIds"]![0]!.GetValue<string>();
            finishes[id + "/" + jobId] = job["finishedAt"]!.GetValue<DateTimeOffset>();
            tasks.Add(new BackupTask { Engine = BackupEngine.Redis, InstanceId = id, BackupJobId = jobId, Endpoint = emulator.BaseUrl });
        }
    }
    var callsBefore = await CountCalls();
    var latencies = new List<double>();
    var watch = Stopwatch.StartNew();
    var rounds = await wait(tasks, task => latencies.Add((DateTimeOffset.UtcNow - finishes[task.InstanceId + "/" + task.BackupJobId]).TotalSeconds));
    watch.Stop();
    var calls = await CountCalls() - callsBefore;
    latencies.Sort();
    var result = new PhaseResult(calls, rounds, latencies.Count == 0 ? double.NaN : latencies[latencies.Count / 2], latencies.Count == 0 ? double.NaN : latencies[(int)(latencies.Count * 0.95)],
        Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0);
    Console.WriteLine($"{name}: {latencies.Count} backups written in {watch.Elapsed.TotalSeconds:0.0} s, {rounds} rounds, {calls} API calls");
    return result;
}

async Task<int> CountCalls(string? action = null, string? instancePrefix = null) =>
    JsonNode.Parse(await http.GetStringAsync("/_emulator/requests"))!.AsArray().Count(r =>
        r!["action"]?.GetValue<string>() is "DescribeBackupTasks" or "DescribeBackups" &&
        (action == null || r["action"]!.GetValue<string>() == action) &&
        (instancePrefix == null || r["instanceId"]?.GetValue<string>()?.StartsWith(instancePrefix, StringComparison.Ordinal) == true));

async Task<string> Post(string path, JsonObject body)
{
    using var response = await http.PostAsync(path, new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
    response.EnsureSuccessStatusCode();
    return await response.Content.ReadAsStringAsync();
}

internal sealed record PhaseResult(int Calls, int Rounds, double MedianLatency, double P95Latency, double PeakWorkingSetMb)
{
    public double CallsPerRound => Rounds == 0 ? 0 : (double)Calls / Rounds;
}

/// <summary>The emulator as a child process on a free loopback port.</summary>
internal sealed class EmulatorProcess : IDisposable
{
    public const string KeyId = "bench-access-key-id";
    public const string Secret = "bench-access-key-secret";
    private readonly Process _process;

    private EmulatorProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public static EmulatorProcess Start()
    {
        var dll = typeof(EmulatorProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "EmulatorAssembly").Value!;
        using var probe = new TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var url = "http://127.0.0.1:" + port;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, "--urls", url, "--no-seed", "--access-key-id", KeyId, "--access-key-secret", Secret }) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        var line = process.StandardOutput.ReadLine();
        if (line == null || !line.Contains(url)) throw new InvalidOperationException("The emulator did not start: " + line + process.StandardError.ReadToEnd());
        _ = process.StandardOutput.ReadToEndAsync();
        return new EmulatorProcess(process, url);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
