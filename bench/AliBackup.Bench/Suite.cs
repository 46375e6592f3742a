using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace AliBackup.Bench;

/// <summary>
/// Runs the figures group by group. Within a group, each round measures ours and then the reference back to back
/// (ABAB), so drift on a shared machine hits both alike; ratios are taken per round, then their median.
/// </summary>
internal sealed class Suite(Settings settings, BenchPaths paths)
{
    private const string TasksInstance = "r-benchtasks00001";
    private const string List10k = "r-bench10k0000001";
    private const string List100k = "r-bench100k000001";
    private const string IdleInstance = "r-benchidle000001";
    private const string SaveInstance = "r-benchsave000001";
    private const string SaveLargeInstance = "r-benchsavebig001";

    /// <summary>
    /// The gen0 budget of a typical machine (a 20 MB L3 cache gives about 16 MB). The .NET GC sizes gen0 from the L3
    /// cache: on a host that reports a huge one (this VM: 260 MB) a process may allocate ~200 MB before its first
    /// collection, so its peak working set is its floor plus what it allocated. Memory rows are measured both ways.
    /// </summary>
    private const string TypicalGen0 = "0x1000000";

    private readonly List<string> _notes = [];
    private EmulatorProcess _emulator = null!;
    private string _pwshDll = "";

    public async Task<List<Row>> RunAsync()
    {
        CheckStagedModuleIsRelease();
        EnsureNodeModules();
        _pwshDll = FindPwsh();
        var rows = new List<Row>();
        using (_emulator = EmulatorProcess.Start(paths.EmulatorDll, TimeSpan.Zero))
        {
            Log("emulator " + _emulator.BaseUrl + " (pid " + _emulator.ProcessId + "); pwsh " + _pwshDll);
            await SeedAsync();
            using var idle = settings.Groups.Contains("idle") ? await StartIdleAsync() : null;
            async Task Between()
            {
                if (idle != null) await idle.OpenAsync(wait: false);
            }
            if (settings.Groups.Contains("steady")) rows.AddRange(Steady());
            await Between();
            if (settings.Groups.Contains("cold")) rows.AddRange(Cold());
            await Between();
            if (settings.Groups.Contains("list")) rows.AddRange(Listing());
            await Between();
            if (settings.Groups.Contains("save")) rows.AddRange(await SaveAsync());
            await Between();
            if (settings.Groups.Contains("wait")) rows.AddRange(await WaitAsync());
            if (idle != null) rows.Add(await idle.CloseAsync(TimeSpan.FromSeconds(settings.IdleWindowSeconds)));
        }
        return rows;
    }

    public string Footnote()
    {
        var lines = new List<string>
        {
            "Ratios are ours / reference (lower is better, but for throughput), the median of per-round ratios; n = rounds.",
            "Machine: " + Environment.ProcessorCount + " cores, load average at the end " + LoadAverage() + "; " +
            "pwsh " + System.Text.RegularExpressions.Regex.Match(_pwshDll, @"powershell[/\\]([^/\\]+)").Groups[1].Value + ", node " + NodeVersion() + ".",
        };
        lines.AddRange(_notes);
        return string.Join(Environment.NewLine, lines);
    }

    // ---- setup -------------------------------------------------------------------------------------------------------

    /// <summary>A test build restages out/AliBackup in Debug (unoptimized): measuring that would measure nothing.</summary>
    private void CheckStagedModuleIsRelease()
    {
        var dll = Path.Combine(Path.GetDirectoryName(paths.ModuleManifest)!, "AliBackup.Service.dll");
        var probe = new System.Runtime.Loader.AssemblyLoadContext("staged-module-probe", isCollectible: true);
        try
        {
            var configuration = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyConfigurationAttribute>(probe.LoadFromAssemblyPath(dll))?.Configuration;
            if (configuration != "Release")
                throw new InvalidOperationException("The staged module (" + dll + ") is a " + configuration + " build: run with -c Release, after any test build.");
        }
        finally
        {
            probe.Unload();
        }
    }

    private void EnsureNodeModules()
    {
        if (Directory.Exists(Path.Combine(paths.OracleDirectory, "node_modules", "@alicloud", "r-kvstore20150101"))) return;
        Log("npm ci in " + paths.OracleDirectory);
        var npm = new ProcessStartInfo("npm") { WorkingDirectory = paths.OracleDirectory, UseShellExecute = false };
        foreach (var a in new[] { "ci", "--no-audit", "--no-fund" }) npm.ArgumentList.Add(a);
        using var process = Process.Start(npm)!;
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException("npm ci failed in " + paths.OracleDirectory);
    }

    /// <summary>The pinned pwsh (.config/dotnet-tools.json), run as dotnet pwsh.dll so no tool-manifest lookup is timed.</summary>
    private string FindPwsh()
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = paths.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", "$PSHOME" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var home = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        var dll = Path.Combine(home, "pwsh.dll");
        if (process.ExitCode != 0 || !File.Exists(dll)) throw new InvalidOperationException("pwsh not found: run `dotnet tool restore` in " + paths.RepoRoot);
        return dll;
    }

    private async Task SeedAsync()
    {
        await _emulator.AddInstanceAsync(new JsonObject { ["id"] = TasksInstance, ["product"] = "Redis", ["stageSeconds"] = 0.001 });
        await _emulator.StartJobsAsync(TasksInstance, 3, "Automated");
        if (settings.Groups.Contains("list"))
        {
            await _emulator.AddInstanceAsync(new JsonObject { ["id"] = List10k, ["product"] = "Redis", ["historicalBackups"] = 10_000, ["historyIntervalSeconds"] = 30 });
            await _emulator.AddInstanceAsync(new JsonObject { ["id"] = List100k, ["product"] = "Redis", ["historicalBackups"] = 100_000, ["historyIntervalSeconds"] = 5 });
        }
    }

    private Dictionary<string, string> Environment_(string endpointUrl) => new()
    {
        // As the README tells users to point AliBackup at an endpoint and give it keys.
        ["ALIBACKUP_ENDPOINT"] = endpointUrl,
        ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = EmulatorProcess.KeyId,
        ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = EmulatorProcess.Secret,
        ["POWERSHELL_TELEMETRY_OPTOUT"] = "1",
        ["POWERSHELL_UPDATECHECK"] = "Off",
        ["BENCH_ENDPOINT"] = new Uri(endpointUrl).Authority,
        ["BENCH_ENDPOINT_URL"] = endpointUrl,
        ["BENCH_KEY_ID"] = EmulatorProcess.KeyId,
        ["BENCH_KEY_SECRET"] = EmulatorProcess.Secret,
        ["ORACLE_DIR"] = paths.OracleDirectory,
    };

    private Command Pwsh() => new("dotnet", [_pwshDll, "-NoProfile", "-NonInteractive"], Environment_(_emulator.BaseUrl));

    private Command CmdletWorker(string mode, string? instance = null, string? manifest = null) =>
        Pwsh().With(["-File", Path.Combine(paths.Workers, "cmdlet.ps1"), "-Manifest", manifest ?? paths.ModuleManifest, "-Mode", mode, .. instance == null ? Array.Empty<string>() : ["-Instance", instance]]);

    private Command Node(params string[] args) => new("node", [Path.Combine(paths.Workers, "sdk.mjs"), .. args], Environment_(_emulator.BaseUrl));

    private static Command Self(string endpointUrl, Dictionary<string, string> environment, params string[] args)
    {
        var self = Environment.ProcessPath!;
        var prefix = Path.GetFileNameWithoutExtension(self) == "dotnet" ? new[] { typeof(Suite).Assembly.Location } : [];
        return new Command(self, [.. prefix, "--worker", .. args], environment);
    }

    // ---- steady state: one call after another in warm processes -------------------------------------------------------

    private IEnumerable<Row> Steady()
    {
        Log("steady: " + settings.SteadyRounds + " rounds of " + settings.CallsPerRound + " DescribeBackupTasks calls each (cmdlet, Node SDK, service layer)");
        using var cmdlet = new LineWorker("pwsh", CmdletWorker("serve"));
        // The same pwsh with the thread pool's spin-waiting off, which only a process's start-up settings can do: it
        // shows how much of a call's CPU is idle workers spinning after each socket event (not something a module can change).
        using var cmdletNoSpin = new LineWorker("pwsh, no spin", NoSpin(CmdletWorker("serve")));
        using var node = new LineWorker("node", Node("serve"));
        using var service = new LineWorker("service worker", Self(_emulator.BaseUrl, Environment_(_emulator.BaseUrl), "service"));
        var command = new JsonObject { ["op"] = "calls", ["n"] = settings.CallsPerRound, ["instance"] = TasksInstance };
        // Warm until the JIT has settled: pwsh goes on compiling for about ten thousand calls (tier-1 promotions of its
        // own and the framework's ReadyToRun code, and the expression trees it compiles), in bursts of 100-400 methods a
        // round between quiet ones, and a round that compiles hundreds of methods measures the compiler, not the call.
        // Settled is three quiet rounds in a row (fewer than 20 methods each), after at most 40 rounds.
        var quiet = 0;
        for (var i = 0; i < 40 && quiet < 3; i++)
        {
            var warm = cmdlet.Ask(command);
            cmdletNoSpin.Ask(command);
            node.Ask(command);
            service.Ask(command);
            quiet = (int)warm["jitted"]! < 20 ? quiet + 1 : 0;
        }
        List<double> noSpinCpu = [];
        List<double> oursCpu = [], oursWall = [], oursAlloc = [], nodeCpu = [], nodeWall = [], svcCpu = [], svcWall = [], svcAlloc = [], settledO = [], settledN = [];
        for (var round = 0; round < settings.SteadyRounds; round++)
        {
            var a = cmdlet.Ask(command);
            noSpinCpu.Add((double)cmdletNoSpin.Ask(command)["cpuUs"]!);
            var b = node.Ask(command);
            var c = service.Ask(command);
            oursCpu.Add((double)a["cpuUs"]!); oursWall.Add((double)a["wallUs"]!); oursAlloc.Add((double)a["allocBytes"]! / 1024);
            if ((int)a["jitted"]! < 20)
            {
                settledO.Add((double)a["cpuUs"]!);
                settledN.Add((double)b["cpuUs"]!);
            }
            nodeCpu.Add((double)b["cpuUs"]!); nodeWall.Add((double)b["wallUs"]!);
            svcCpu.Add((double)c["cpuUs"]!); svcWall.Add((double)c["wallUs"]!); svcAlloc.Add((double)c["allocBytes"]! / 1024);
            Log($"  round {round + 1}: CPU per call cmdlet {oursCpu[^1]:0} µs, node {nodeCpu[^1]:0} µs, service {svcCpu[^1]:0} µs; wall {oursWall[^1]:0} / {nodeWall[^1]:0} / {svcWall[^1]:0} µs; methods JIT-compiled in pwsh this round {a["jitted"]}");
        }
        yield return new Row("client CPU per DescribeBackupTasks through the cmdlet, steady", "µs", oursCpu, nodeCpu, Goal.RatioAtMost(0.8));
        // The same, only the rounds in which pwsh compiled fewer than 20 methods (it goes on promoting its own methods to
        // tier 1 long after warm-up; V8's background compilation on the Node side is not filtered out).
        yield return settledO.Count > 0
            ? new Row("client CPU per call through the cmdlet, rounds where pwsh JIT-compiled < 20 methods", "µs", settledO, settledN)
            : Row.Skipped("client CPU per call through the cmdlet, rounds where pwsh JIT-compiled < 20 methods", "no such round");
        yield return new Row("client CPU per call through the cmdlet, pwsh with the thread pool's spin-wait off (DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0)", "µs", noSpinCpu, nodeCpu);
        yield return new Row("wall per call through the cmdlet, steady", "µs", oursWall, nodeWall);
        yield return new Row("service layer alone (C#), CPU per call", "µs", svcCpu, nodeCpu, Goal.RatioAtMost(0.5));
        yield return new Row("service layer alone (C#), wall per call", "µs", svcWall, nodeWall);
        yield return new Row("allocated per call through the cmdlet", "KB", oursAlloc, null);
        yield return new Row("allocated per call, service layer alone", "KB", svcAlloc, null, Goal.OursAtMost(8, "KB"));
    }

    // ---- cold: fresh processes -------------------------------------------------------------------------------------------

    private IEnumerable<Row> Cold()
    {
        Log("cold: " + settings.ColdRounds + " rounds of fresh processes (first call, first result, bare start, Import-Module)");
        var reference = WriteReferenceModule();
        var freshOurs = Pwsh().With("-Command", "Import-Module '" + paths.ModuleManifest + "'; Get-AliBackupTask -InstanceId " + TasksInstance);
        List<double> firstOurs = [], firstNode = [], firstHttp = [], freshO = [], freshN = [], bareO = [], bareN = [], importO = [], importR = [];
        // One unmeasured pass so the OS file cache holds every file both sides load (disk reads are not what this measures).
        OneShot.Run(CmdletWorker("first", TasksInstance));
        OneShot.Run(Node("first", TasksInstance));
        for (var round = 0; round < settings.ColdRounds; round++)
        {
            firstOurs.Add((double)OneShot.Run(CmdletWorker("first", TasksInstance)).Answer!["ms"]!);
            firstNode.Add((double)OneShot.Run(Node("first", TasksInstance)).Answer!["ms"]!);
            firstHttp.Add((double)OneShot.Run(CmdletWorker("first-http")).Answer!["ms"]!);
            freshO.Add(OneShot.Run(freshOurs).WallMs);
            freshN.Add(OneShot.Run(Node("fresh", TasksInstance)).WallMs);
            bareO.Add(OneShot.Run(Pwsh().With("-Command", "$null")).WallMs);
            bareN.Add(OneShot.Run(new Command("node", ["-e", "0"], new Dictionary<string, string>())).WallMs);
            importO.Add((double)OneShot.Run(CmdletWorker("import")).Answer!["ms"]!);
            importR.Add((double)OneShot.Run(CmdletWorker("import", manifest: reference)).Answer!["ms"]!);
            Log($"  round {round + 1}: first call {firstOurs[^1]:0} / {firstNode[^1]:0} ms, first result {freshO[^1]:0} / {freshN[^1]:0} ms");
        }
        Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(reference))!, recursive: true);
        yield return new Row("first call after loading (in-process; Node: new client + call)", "ms", firstOurs, firstNode, Goal.RatioAtMost(3));
        yield return new Row("first HTTP request of a fresh pwsh, no module (HttpClient POST; vs Node's first call): the first call's floor", "ms", firstHttp, firstNode);
        yield return new Row("fresh process to first result (pwsh -c 'Import-Module; Get-AliBackupTask' vs node)", "ms", freshO, freshN, Goal.RatioAtMost(1.2));
        yield return new Row("fresh process doing nothing (pwsh -c '$null' vs node -e 0): the floor", "ms", bareO, bareN);
        yield return new Row("Import-Module in a fresh pwsh (vs a bare one-function script module)", "ms", importO, importR);
    }

    private static string WriteReferenceModule()
    {
        var folder = Path.Combine(Path.GetTempPath(), "AliBackupBenchReference-" + Guid.NewGuid().ToString("N"), "ReferenceModule");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "ReferenceModule.psm1"), "function Get-Reference { 'reference' }\n");
        File.WriteAllText(Path.Combine(folder, "ReferenceModule.psd1"),
            "@{ RootModule = 'ReferenceModule.psm1'; ModuleVersion = '1.0.0'; GUID = '" + Guid.NewGuid() + "'; FunctionsToExport = @('Get-Reference'); CmdletsToExport = @(); VariablesToExport = @(); AliasesToExport = @() }\n");
        return Path.Combine(folder, "ReferenceModule.psd1");
    }

    // ---- listing: Get-AliBackup vs paging with the SDK ------------------------------------------------------------------

    private IEnumerable<Row> Listing()
    {
        Log("list: " + settings.ListRounds + " rounds of 10,000 backups, " + settings.BigListRounds + " of 100,000, peak memory in fresh processes");
        List<double> wallO = [], wallN = [], cpuO = [], cpuN = [], firstO = [], firstN = [], bigO = [], bigN = [];
        using (var cmdlet = new LineWorker("pwsh", CmdletWorker("serve")))
        using (var node = new LineWorker("node", Node("serve")))
        {
            JsonObject List(string id) => new() { ["op"] = "list", ["instance"] = id };
            Check(cmdlet.Ask(List(List10k)), 10_000);
            Check(node.Ask(List(List10k)), 10_000);
            cmdlet.Ask(new JsonObject { ["op"] = "first-object", ["instance"] = List10k });
            for (var round = 0; round < settings.ListRounds; round++)
            {
                var a = Check(cmdlet.Ask(List(List10k)), 10_000);
                var first = cmdlet.Ask(new JsonObject { ["op"] = "first-object", ["instance"] = List10k });
                var b = Check(node.Ask(List(List10k)), 10_000);
                wallO.Add((double)a["wallMs"]!); cpuO.Add((double)a["cpuMs"]!); firstO.Add((double)first["ms"]!);
                wallN.Add((double)b["wallMs"]!); cpuN.Add((double)b["cpuMs"]!); firstN.Add((double)b["firstMs"]!);
                Log($"  10k round {round + 1}: wall {wallO[^1]:0} / {wallN[^1]:0} ms, first object {firstO[^1]:0.0} / {firstN[^1]:0.0} ms");
            }
            for (var round = 0; round < settings.BigListRounds; round++)
            {
                bigO.Add((double)Check(cmdlet.Ask(List(List100k)), 100_000)["wallMs"]!);
                bigN.Add((double)Check(node.Ask(List(List100k)), 100_000)["wallMs"]!);
                Log($"  100k round {round + 1}: wall {bigO[^1]:0} / {bigN[^1]:0} ms");
            }
        }
        List<double> peak10O = [], peak10N = [], peak100O = [], peak100N = [], growthO = [], growthN = [];
        for (var round = 0; round < settings.BigListRounds; round++)
        {
            peak10O.Add((double)Check(OneShot.Run(CmdletWorker("list-peak", List10k)).Answer!, 10_000)["peakMb"]!);
            peak10N.Add((double)Check(OneShot.Run(Node("list-peak", List10k)).Answer!, 10_000)["peakMb"]!);
            peak100O.Add((double)Check(OneShot.Run(CmdletWorker("list-peak", List100k)).Answer!, 100_000)["peakMb"]!);
            peak100N.Add((double)Check(OneShot.Run(Node("list-peak", List100k)).Answer!, 100_000)["peakMb"]!);
            growthO.Add(peak100O[^1] / peak10O[^1]);
            growthN.Add(peak100N[^1] / peak10N[^1]);
            Log($"  peak round {round + 1}: 10k {peak10O[^1]:0} / {peak10N[^1]:0} MB, 100k {peak100O[^1]:0} / {peak100N[^1]:0} MB");
        }
        List<double> typical10 = [], typical100 = [], typicalGrowth = [];
        for (var round = 0; round < settings.BigListRounds; round++)
        {
            var ten = (double)Check(OneShot.Run(Typical(CmdletWorker("list-peak", List10k))).Answer!, 10_000)["peakMb"]!;
            var hundred = (double)Check(OneShot.Run(Typical(CmdletWorker("list-peak", List100k))).Answer!, 100_000)["peakMb"]!;
            typical10.Add(ten);
            typical100.Add(hundred);
            typicalGrowth.Add(hundred / ten);
            Log($"  peak round {round + 1}, gen0 budget 16 MB: 10k {ten:0} MB, 100k {hundred:0} MB");
        }
        yield return new Row("Get-AliBackup 10,000 backups vs Node paging: wall", "ms", wallO, wallN);
        yield return new Row("Get-AliBackup 10,000 backups vs Node paging: CPU", "ms", cpuO, cpuN);
        yield return new Row("Get-AliBackup time to first object (Select-Object -First 1) vs Node's first page", "ms", firstO, firstN, Goal.RatioAtMost(1.5));
        yield return new Row("Get-AliBackup 100,000 backups vs Node paging: wall (emulator-bound)", "ms", bigO, bigN);
        yield return new Row("peak working set listing 10,000 (fresh process)", "MB", peak10O, peak10N);
        yield return new Row("peak working set listing 100,000 (fresh process)", "MB", peak100O, peak100N);
        yield return new Row("peak working set growth 10,000 → 100,000 (flat = 1)", "×", growthO, growthN, Goal.OursAtMost(1.1, "×"));
        yield return new Row("peak working set listing 10,000 → 100,000, pwsh with a gen0 budget of 16 MB: growth", "×", typicalGrowth, null, Goal.OursAtMost(1.1, "×"),
            note: "10k " + Row.Format(Row.Median(typical10), "MB") + ", 100k " + Row.Format(Row.Median(typical100), "MB"));
    }

    private static Command NoSpin(Command command) =>
        command with { Environment = new Dictionary<string, string>(command.Environment) { ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0" } };

    private static Command Typical(Command command) =>
        command with { Environment = new Dictionary<string, string>(command.Environment) { ["DOTNET_GCgen0size"] = TypicalGen0 } };

    private static JsonObject Check(JsonObject answer, int expected)
    {
        if ((int)answer["count"]! != expected) throw new InvalidOperationException("Listed " + answer["count"] + " backups, expected " + expected + ".");
        return answer;
    }

    // ---- the waiter: 1,000 tasks over 200 instances, each phase in its own process, against a delayed emulator ---------

    private async Task<IEnumerable<Row>> WaitAsync()
    {
        var delay = TimeSpan.FromMilliseconds(settings.RequestDelayMs);
        var total = settings.WaitInstances * settings.WaitTasksPerInstance;
        Log($"wait: {total} tasks over {settings.WaitInstances} instances, poll {settings.WaitPollSeconds} s, every API call answered after {delay.TotalMilliseconds} ms; {settings.WaitRounds} round(s)");
        List<double> callsB = [], callsP = [], medB = [], medP = [], p95B = [], p95P = [], wsB = [], wsP = [], cpuB = [], cpuP = [];
        using var emulator = EmulatorProcess.Start(paths.EmulatorDll, delay);
        var environment = Environment_(emulator.BaseUrl);
        for (var round = 0; round < settings.WaitRounds; round++)
        {
            foreach (var strategy in new[] { "batched", "pertask" })
            {
                var prefix = "r-" + strategy[0] + round.ToString(CultureInfo.InvariantCulture) + "w";
                var file = await WriteTasksAsync(emulator, prefix);
                var before = await emulator.CountCallsAsync();
                var tasksBefore = await emulator.CountCallsAsync("DescribeBackupTasks", prefix);
                var answer = OneShot.Run(Self(emulator.BaseUrl, environment, "wait", strategy, file), TimeSpan.FromMinutes(20)).Answer!;
                File.Delete(file);
                var calls = await emulator.CountCallsAsync() - before;
                if ((int)answer["written"]! != total) throw new InvalidOperationException(strategy + " wrote " + answer["written"] + " of " + total + " backups.");
                var (c, m, p, w, u) = strategy == "batched" ? (callsB, medB, p95B, wsB, cpuB) : (callsP, medP, p95P, wsP, cpuP);
                c.Add(calls); m.Add((double)answer["latencyMedianS"]!); p.Add((double)answer["latencyP95S"]!); w.Add((double)answer["peakWorkingSetMb"]!); u.Add((double)answer["cpuMs"]!);
                if (strategy == "batched")
                {
                    var taskCalls = await emulator.CountCallsAsync("DescribeBackupTasks", prefix) - tasksBefore;
                    var polled = (int)answer["instancesPolled"]!;
                    _notes.Add($"Waiter round {round + 1}: DescribeBackupTasks calls {taskCalls}, instances with unfinished tasks summed over rounds {polled} " +
                               (taskCalls == polled ? "(equal: one call per instance per round)." : "(DIFFERENT)."));
                }
                Log($"  {strategy}: {calls} calls, {answer["rounds"]} rounds, median latency {m[^1]:0.00} s, peak {w[^1]:0.0} MB, {(double)answer["wallS"]!:0.0} s; allocated {(double)answer["allocatedMb"]!:0.0} MB, {answer["gen0Collections"]} gen0 GCs; at the end {answer["makeup"]}");
            }
        }
        // The same phases with a typical machine's gen0 budget, and the floor: the worker process after one call.
        List<double> wsTypicalB = [], wsTypicalP = [], floor = [];
        var typical = new Dictionary<string, string>(environment) { ["DOTNET_GCgen0size"] = TypicalGen0 };
        await emulator.AddInstanceAsync(new JsonObject { ["id"] = "r-floor0000000001", ["product"] = "Redis" });
        for (var round = 0; round < settings.WaitRounds; round++)
        {
            foreach (var strategy in new[] { "batched", "pertask" })
            {
                var file = await WriteTasksAsync(emulator, "r-" + strategy[0] + round.ToString(CultureInfo.InvariantCulture) + "g");
                var answer = OneShot.Run(Self(emulator.BaseUrl, typical, "wait", strategy, file), TimeSpan.FromMinutes(20)).Answer!;
                File.Delete(file);
                (strategy == "batched" ? wsTypicalB : wsTypicalP).Add((double)answer["peakWorkingSetMb"]!);
                Log($"  {strategy} (gen0 budget 16 MB): peak {(double)answer["peakWorkingSetMb"]!:0.0} MB, {answer["gen0Collections"]} gen0 GCs");
            }
            var floorAnswer = OneShot.Run(Self(emulator.BaseUrl, new Dictionary<string, string>(environment) { ["BENCH_FLOOR_INSTANCE"] = "r-floor0000000001" }, "floor")).Answer!;
            floor.Add((double)floorAnswer["peakWorkingSetMb"]!);
            Log($"  floor (one call): peak {floor[^1]:0.0} MB; {floorAnswer["makeup"]}");
        }
        var label = $"waiter, {total:N0} tasks over {settings.WaitInstances} instances, {delay.TotalMilliseconds:0} ms per call, vs per-task polling";
        return
        [
            new Row(label + ": API calls", "", callsB, callsP),
            new Row(label + ": finish → written, median", "s", medB, medP),
            new Row(label + ": finish → written, p95", "s", p95B, p95P),
            new Row(label + ": CPU", "ms", cpuB, cpuP),
            new Row(label + ": peak working set, own process", "MB", wsB, wsP, Goal.OursAtMost(64, "MB")),
            new Row(label + ": peak working set, own process, gen0 budget 16 MB", "MB", wsTypicalB, wsTypicalP, Goal.OursAtMost(64, "MB")),
            new Row("the same worker process after one call (the floor of the rows above)", "MB", floor, null),
        ];
    }

    /// <summary>Fresh instances for one phase, stage durations spread over 0.5–2.5 s so tasks finish at different times.</summary>
    private async Task<string> WriteTasksAsync(EmulatorProcess emulator, string prefix)
    {
        var tasks = new JsonArray();
        for (var i = 0; i < settings.WaitInstances; i++)
        {
            var id = prefix + i.ToString("D8", CultureInfo.InvariantCulture);
            var stage = 0.5 + 2.0 * i / Math.Max(1, settings.WaitInstances - 1);
            await emulator.AddInstanceAsync(new JsonObject { ["id"] = id, ["product"] = "Redis", ["stageSeconds"] = stage });
            foreach (var (jobId, finishedAt) in await emulator.StartJobsAsync(id, settings.WaitTasksPerInstance, "Automated"))
                tasks.Add(new JsonObject { ["instanceId"] = id, ["jobId"] = jobId, ["finishedAt"] = finishedAt });
        }
        var file = Path.Combine(Path.GetTempPath(), "alibackup-bench-tasks-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, new JsonObject { ["pollSeconds"] = settings.WaitPollSeconds, ["tasks"] = tasks }.ToJsonString());
        return file;
    }

    // ---- idle: a wait with nothing to do, side by side with a Start-Sleep loop ---------------------------------------------

    /// <summary>
    /// Starts Wait-AliBackupTask -PollInterval 30 on a task that will not finish, and a Start-Sleep loop, both in pwsh. They
    /// idle while the other groups run (a poll every 30 s costs those nothing to speak of); the window opens once the
    /// waiter's schedule has backed off to -PollInterval (2, 3, 4.5 … s: about 65 s in) and closes at the end of the run.
    /// </summary>
    private sealed class IdlePair : IDisposable
    {
        private static readonly TimeSpan Settle = TimeSpan.FromSeconds(65);
        private readonly Process _ours;
        private readonly Process _reference;
        private readonly Stopwatch _since = Stopwatch.StartNew();

        public IdlePair(Command ours, Command reference)
        {
            _ours = Process.Start(ours.StartInfo(redirectInput: false))!;
            _reference = Process.Start(reference.StartInfo(redirectInput: false))!;
            foreach (var p in new[] { _ours, _reference })
            {
                _ = p.StandardOutput.ReadToEndAsync();
                _ = p.StandardError.ReadToEndAsync();
            }
        }

        private (double Ours, double Reference, double At)? _opened;

        /// <summary>Opens the window if the schedule has settled (call between groups; waits only if <paramref name="wait"/>).</summary>
        public async Task OpenAsync(bool wait)
        {
            if (_opened != null) return;
            var left = Settle - _since.Elapsed;
            if (left > TimeSpan.Zero)
            {
                if (!wait) return;
                await Task.Delay(left);
            }
            _opened = (ProcStat.CpuMs(_ours.Id), ProcStat.CpuMs(_reference.Id), _since.Elapsed.TotalMilliseconds);
        }

        public async Task<Row> CloseAsync(TimeSpan minimumWindow)
        {
            await OpenAsync(wait: true);
            var opened = _opened!.Value;
            var left = TimeSpan.FromMilliseconds(opened.At) + minimumWindow - _since.Elapsed;
            if (left > TimeSpan.Zero) await Task.Delay(left);
            if (_ours.HasExited) throw new InvalidOperationException("The waiting pwsh ended early (exit " + _ours.ExitCode + ").");
            var window = _since.Elapsed.TotalMilliseconds - opened.At;
            var ours = (ProcStat.CpuMs(_ours.Id) - opened.Ours) * 100 / window;
            var reference = (ProcStat.CpuMs(_reference.Id) - opened.Reference) * 100 / window;
            return new Row("idle wait at -PollInterval 30 vs a Start-Sleep loop, both in pwsh, at the same time", "% of a core", [ours], [reference],
                note: (window / 1000).ToString("0", CultureInfo.InvariantCulture) + " s window; CPU ticks of 10 ms");
        }

        public void Dispose()
        {
            foreach (var p in new[] { _ours, _reference })
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.Dispose();
            }
        }
    }

    private async Task<IdlePair> StartIdleAsync()
    {
        await _emulator.AddInstanceAsync(new JsonObject { ["id"] = IdleInstance, ["product"] = "Redis", ["stageSeconds"] = 86_400 });
        var job = (await _emulator.StartJobsAsync(IdleInstance, 1, "Manual"))[0].JobId;
        Log("idle: Wait-AliBackupTask -PollInterval 30 and a Start-Sleep loop started; measured from 65 s on until the end of the run");
        return new IdlePair(
            Pwsh().With("-Command", "Import-Module '" + paths.ModuleManifest + "'; Wait-AliBackupTask -InstanceId " + IdleInstance +
                                    " -BackupJobId " + job + " -PollInterval 30 -Timeout 7200 | Out-Null"),
            Pwsh().With("-Command", "while ($true) { Start-Sleep -Seconds 30 }"));
    }

    // ---- Save-AliBackup vs curl (once issue 12 lands) ----------------------------------------------------------------------

    private async Task<IEnumerable<Row>> SaveAsync()
    {
        var figure = $"Save-AliBackup throughput vs curl, same emulated file ({settings.SaveLargeBytes >> 20} MiB)";
        using var cmdlet = new LineWorker("pwsh", CmdletWorker("serve"));
        if (!(bool)cmdlet.Ask(new JsonObject { ["op"] = "has", ["name"] = "Save-AliBackup" })["found"]!)
            return [Row.Skipped(figure, "Save-AliBackup is not in this build (issue 12)")];
        await _emulator.AddInstanceAsync(new JsonObject { ["id"] = SaveInstance, ["product"] = "Redis", ["historicalBackups"] = 1, ["backupSizeBytes"] = settings.SaveBytes });
        await _emulator.AddInstanceAsync(new JsonObject { ["id"] = SaveLargeInstance, ["product"] = "Redis", ["historicalBackups"] = 1, ["backupSizeBytes"] = settings.SaveLargeBytes });
        var folder = Path.Combine(Path.GetTempPath(), "alibackup-bench-save-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        List<double> ours = [], curl = [];
        try
        {
            for (var round = 0; round < settings.SaveRounds; round++)
            {
                var a = cmdlet.Ask(new JsonObject { ["op"] = "save", ["instance"] = SaveLargeInstance, ["path"] = folder });
                var bytes = (double)a["bytes"]!;
                if (bytes != (double)a["expected"]!)
                    return [Row.Skipped(figure, "the emulator served " + bytes + " bytes for a backup of " + a["expected"] + " (no backup-sized files yet)")];
                var target = Path.Combine(folder, "curl.bin");
                var (wall, _) = OneShot.Run(new Command("curl", ["-s", "-f", "-o", target, (string)a["url"]!], new Dictionary<string, string>()));
                var curlBytes = new FileInfo(target).Length;
                File.Delete(target);
                ours.Add(bytes / 1024 / 1024 / ((double)a["wallMs"]! / 1000));
                curl.Add(curlBytes / 1024.0 / 1024 / (wall / 1000));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        // Memory flat whatever the size: a fresh pwsh saves the small file, another the large one.
        List<double> small = [], large = [], growth = [];
        for (var round = 0; round < settings.SaveRounds; round++)
        {
            small.Add((double)OneShot.Run(CmdletWorker("save-peak", SaveInstance)).Answer!["peakMb"]!);
            large.Add((double)OneShot.Run(CmdletWorker("save-peak", SaveLargeInstance), TimeSpan.FromMinutes(10)).Answer!["peakMb"]!);
            growth.Add(large[^1] / small[^1]);
            Log($"  save peak round {round + 1}: {settings.SaveBytes >> 20} MiB {small[^1]:0} MB, {settings.SaveLargeBytes >> 20} MiB {large[^1]:0} MB");
        }
        return
        [
            new Row(figure, "MB/s", ours, curl, Goal.RatioAtLeast(0.9)),
            new Row($"Save-AliBackup peak working set, {settings.SaveBytes >> 20} MiB → {settings.SaveLargeBytes >> 20} MiB file, fresh pwsh each: growth", "×", growth, null,
                Goal.OursAtMost(1.1, "×"), note: Row.Format(Row.Median(small), "MB") + " → " + Row.Format(Row.Median(large), "MB")),
        ];
    }

    // ---- helpers -------------------------------------------------------------------------------------------------------

    private static void Log(string message) => Console.WriteLine(DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " " + message);

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string NodeVersion()
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("--version");
        using var process = Process.Start(start)!;
        var version = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return version;
    }
}
