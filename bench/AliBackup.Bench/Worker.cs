using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using AliBackup.Service;
using AliBackup.Service.Credentials;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Waiting;

namespace AliBackup.Bench;

/// <summary>
/// This program as a child process measuring the service layer in-process (no PowerShell): each figure in a process of
/// its own, so nothing one measures (JIT, peak working set) leaks into another.
/// </summary>
internal static class Worker
{
    public static async Task<int> RunAsync(string[] args)
    {
        var endpoint = Environment.GetEnvironmentVariable("BENCH_ENDPOINT_URL") ?? throw new InvalidOperationException("BENCH_ENDPOINT_URL is not set");
        switch (args[0])
        {
            case "service": await ServeAsync(endpoint); return 0;
            case "wait": await WaitAsync(endpoint, args[1], args[2]); return 0;
            case "floor": await FloorAsync(endpoint); return 0;
            default: throw new ArgumentException("Unknown worker " + args[0]);
        }
    }

    private static BackupService NewService(bool retryThrottling) => new(new BackupServiceOptions
    {
        Credential = new AliCredential(EmulatorProcess.KeyId, EmulatorProcess.Secret),
        Environment = new EnvironmentReader(_ => null, Path.GetTempPath()),
        Client = new OpenApiClientOptions { RetryThrottling = retryThrottling },
    });

    private static void Answer(JsonObject value)
    {
        Console.Out.WriteLine("@@" + value.ToJsonString());
        Console.Out.Flush();
    }

    /// <summary>The service layer alone: one BackupService, DescribeBackupTasks in a loop (CPU, wall, bytes allocated per call).</summary>
    private static async Task ServeAsync(string endpoint)
    {
        var service = NewService(retryThrottling: true);
        var target = new ApiTarget(null, endpoint);
        while (Console.In.ReadLine() is { } line)
        {
            var command = JsonNode.Parse(line)!.AsObject();
            var n = (int)command["n"]!;
            var query = new TaskQuery((string)command["instance"]!);
            var a0 = GC.GetTotalAllocatedBytes(precise: true);
            var c0 = Environment.CpuUsage.TotalTime;
            var t0 = Stopwatch.GetTimestamp();
            for (var i = 0; i < n; i++) await service.GetTasksAsync(target, query, null, CancellationToken.None);
            var wall = Stopwatch.GetElapsedTime(t0);
            var cpu = Environment.CpuUsage.TotalTime - c0;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - a0;
            Answer(new JsonObject { ["wallUs"] = wall.TotalMicroseconds / n, ["cpuUs"] = cpu.TotalMicroseconds / n, ["allocBytes"] = (double)allocated / n });
        }
    }

    /// <summary>The same process doing one DescribeBackupTasks: the working set any waiter starts from.</summary>
    private static async Task FloorAsync(string endpoint)
    {
        var service = NewService(retryThrottling: false);
        await service.GetTasksAsync(new ApiTarget(null, endpoint), new TaskQuery(Environment.GetEnvironmentVariable("BENCH_FLOOR_INSTANCE")!), null, CancellationToken.None);
        Answer(new JsonObject { ["peakWorkingSetMb"] = Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0, ["makeup"] = MemoryMakeup() });
    }

    /// <summary>
    /// One waiting phase on the tasks in <paramref name="taskFile"/> (instance, job, when it finishes): the waiter batched
    /// per instance, or per-task polling as scripts built on the CLI's waiter do. Written once every task's backup is.
    /// </summary>
    private static async Task WaitAsync(string endpoint, string strategy, string taskFile)
    {
        var spec = JsonNode.Parse(await File.ReadAllTextAsync(taskFile))!.AsObject();
        var poll = TimeSpan.FromSeconds((double)spec["pollSeconds"]!);
        var finishes = new Dictionary<string, DateTimeOffset>();
        var tasks = new List<BackupTask>();
        foreach (var t in spec["tasks"]!.AsArray())
        {
            var instanceId = (string)t!["instanceId"]!;
            var jobId = (string)t["jobId"]!;
            finishes[instanceId + "/" + jobId] = t["finishedAt"]!.GetValue<DateTimeOffset>();
            tasks.Add(new BackupTask { Engine = BackupEngine.Redis, InstanceId = instanceId, BackupJobId = jobId, Endpoint = endpoint });
        }

        // The waiter handles throttling itself, as Wait-AliBackupTask configures it.
        var service = NewService(retryThrottling: false);
        var latencies = new List<double>();
        void Written(BackupTask task)
        {
            lock (latencies) latencies.Add((DateTimeOffset.UtcNow - finishes[task.InstanceId + "/" + task.BackupJobId]).TotalSeconds);
        }

        var c0 = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        int rounds, instancesPolled = 0;
        if (strategy == "batched")
        {
            var waiter = new BackupWaiter(service);
            var options = new WaitOptions { PollInterval = poll, FirstPollInterval = poll, Timeout = TimeSpan.FromMinutes(15) };
            await foreach (var e in waiter.WaitAsync(tasks, options, CancellationToken.None))
                if (e.Kind == WaitEventKind.Completed) Written(e.Task);
            rounds = waiter.Rounds.Count;
            instancesPolled = waiter.Rounds.Sum(r => r.InstancesPolled);
        }
        else
        {
            rounds = await PollEachTaskAsync(service, new ApiTarget(null, endpoint), tasks, poll, Written);
        }
        clock.Stop();
        var cpu = Environment.CpuUsage.TotalTime - c0;
        latencies.Sort();
        Answer(new JsonObject
        {
            ["written"] = latencies.Count,
            ["rounds"] = rounds,
            ["instancesPolled"] = instancesPolled,
            ["wallS"] = clock.Elapsed.TotalSeconds,
            ["cpuMs"] = cpu.TotalMilliseconds,
            ["latencyMedianS"] = latencies.Count == 0 ? double.NaN : latencies[latencies.Count / 2],
            ["latencyP95S"] = latencies.Count == 0 ? double.NaN : latencies[(int)(latencies.Count * 0.95)],
            ["peakWorkingSetMb"] = Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0,
            ["allocatedMb"] = GC.GetTotalAllocatedBytes(precise: false) / 1024.0 / 1024.0,
            ["gen0Collections"] = GC.CollectionCount(0),
            ["makeup"] = MemoryMakeup(),
        });
    }

    /// <summary>
    /// What the working set is made of now (Linux): anonymous memory (GC heap, native heaps, stacks), pages of mapped
    /// files (the runtime's and framework's images), shared memory (JIT-compiled code, mapped twice for W^X), and the
    /// GC's committed bytes and the methods JIT-compiled so far, so a peak can be told apart from the floor.
    /// </summary>
    private static string MemoryMakeup()
    {
        static string Mb(long kb) => (kb / 1024.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        var parts = new List<string>();
        if (File.Exists("/proc/self/status"))
        {
            foreach (var line in File.ReadAllLines("/proc/self/status"))
            {
                var field = line.Split(':', 2);
                if (field.Length == 2 && field[0] is "RssAnon" or "RssFile" or "RssShmem" && long.TryParse(field[1].Trim().Split(' ')[0], out var kb))
                    parts.Add(field[0].Substring(3).ToLowerInvariant() + " " + Mb(kb) + " MB");
            }
        }
        parts.Add("GC committed " + Mb(GC.GetGCMemoryInfo().TotalCommittedBytes / 1024) + " MB");
        parts.Add(System.Runtime.JitInfo.GetCompiledMethodCount(false) + " methods JIT-compiled");
        return string.Join(", ", parts);
    }

    /// <summary>Each task polled on its own (8 at a time) until Finished, then its backup looked up; a pause between rounds.</summary>
    private static async Task<int> PollEachTaskAsync(BackupService service, ApiTarget target, List<BackupTask> tasks, TimeSpan poll, Action<BackupTask> written)
    {
        var pending = tasks.ToList();
        var rounds = 0;
        while (pending.Count > 0)
        {
            rounds++;
            var done = new ConcurrentBag<BackupTask>();
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (task, ct) =>
            {
                var listed = await service.GetTasksAsync(target, new TaskQuery(task.InstanceId, task.BackupJobId), BackupEngine.Redis, ct);
                if (listed.Count == 0 || listed[0].Status != BackupTaskStatus.Finished) return;
                var window = new BackupQuery(task.InstanceId, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(2)) { BackupJobId = task.BackupJobId };
                var backups = await service.GetAllBackupsAsync(target, window, BackupEngine.Redis, ct);
                if (backups.Count > 0)
                {
                    written(task);
                    done.Add(task);
                }
            });
            foreach (var task in done) pending.Remove(task);
            if (pending.Count > 0) await Task.Delay(poll);
        }
        return rounds;
    }
}
