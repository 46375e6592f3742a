using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using AliBackup;
using AliBackup.Service;
using AliBackup.Service.Credentials;
using AliBackup.Service.Downloads;
using AliBackup.Service.Engines;

// dotnet run -c Release --project bench/AliBackup.SaveBenchmark [-- --small-mib 64 --large-mib 1024]
// Each measurement runs in a child process of this program (--child), so each peak working set is that download's own.
const string KeyId = "bench-access-key-id";
const string Secret = "bench-access-key-secret";

if (args.Length > 0 && args[0] == "--child") return await Child(args[1], args[2], args[3]);

long smallMib = 64, largeMib = 1024;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--small-mib") smallMib = long.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--large-mib") largeMib = long.Parse(args[++i], CultureInfo.InvariantCulture);
}

using var emulator = EmulatorProcess.Start(KeyId, Secret);
using var control = new HttpClient { BaseAddress = new Uri(emulator.BaseUrl) };
foreach (var (id, mib) in new[] { ("r-benchsmall00001", smallMib), ("r-benchlarge00001", largeMib) })
{
    // The emulator's history makes each day's backup a MiB smaller than the instance's size: ask for one more.
    var body = JsonSerializer.Serialize(new { id, product = "Redis", historicalBackups = 1, backupSizeBytes = (mib + 1) * 1024 * 1024 });
    (await control.PostAsync("/_emulator/instances", new StringContent(body, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
}

var folder = Path.Combine(Path.GetTempPath(), "alibackup-savebench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(folder);
try
{
    Console.WriteLine($"Save-AliBackup's downloader, each run in a fresh process; emulator {emulator.BaseUrl}");
    Console.WriteLine();
    var runs = new List<Run>
    {
        Measure("streamed", "r-benchsmall00001", emulator.BaseUrl, folder),
        Measure("streamed", "r-benchlarge00001", emulator.BaseUrl, folder),
        Measure("buffered (for contrast)", "r-benchsmall00001", emulator.BaseUrl, folder),
    };
    Console.WriteLine($"{"download",-26} {"file",10} {"seconds",8} {"MiB/s",8} {"peak working set",17}");
    foreach (var r in runs)
        Console.WriteLine($"{r.Mode,-26} {Mib(r.Bytes),10} {r.Seconds,8:0.00} {r.Bytes / 1048576.0 / r.Seconds,8:0} {Mib(r.PeakWorkingSet),17}");
    Console.WriteLine();
    var ratio = (double)runs[1].PeakWorkingSet / runs[0].PeakWorkingSet;
    Console.WriteLine($"Peak working set, {Mib(runs[1].Bytes)} vs {Mib(runs[0].Bytes)} streamed: {ratio:0.00}x for a {(double)runs[1].Bytes / runs[0].Bytes:0}x larger file.");
    return 0;
}
finally
{
    Directory.Delete(folder, recursive: true);
}

static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

static Run Measure(string mode, string instanceId, string baseUrl, string folder)
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { typeof(Run).Assembly.Location, "--child", mode.StartsWith("buffered") ? "buffered" : "streamed", instanceId, baseUrl + "|" + folder })
        start.ArgumentList.Add(a);
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEnd();
    var error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException("The " + mode + " run failed: " + output + error);
    var result = JsonSerializer.Deserialize<Run>(output.Trim().Split('\n').Last())!;
    return result with { Mode = mode };
}

static async Task<int> Child(string mode, string instanceId, string where)
{
    var (baseUrl, folder) = (where.Split('|')[0], where.Split('|')[1]);
    var service = new BackupService(new BackupServiceOptions
    {
        Credential = new AliCredential(KeyId, Secret),
        Environment = new EnvironmentReader(_ => null, Path.GetTempPath()),
    });
    var target = new ApiTarget(null, baseUrl);
    var now = DateTimeOffset.UtcNow;
    var backup = (await service.GetAllBackupsAsync(target, new BackupQuery(instanceId, now.AddDays(-2), now), null, CancellationToken.None)).Single();
    var clock = Stopwatch.StartNew();
    if (mode == "buffered")
    {
        // What a download that holds the body in memory costs (HttpClient's default completion option).
        using var http = new HttpClient();
        var bytes = await http.GetByteArrayAsync(backup.DownloadUrl);
        await File.WriteAllBytesAsync(Path.Combine(folder, "buffered.bin"), bytes);
    }
    else
    {
        using var downloader = new BackupDownloader(service, new DownloadOptions { Directory = folder, Force = true });
        var result = await downloader.DownloadAsync(backup, null, CancellationToken.None);
        if (new FileInfo(result.Path).Length != backup.Size) throw new InvalidOperationException("wrong size");
        File.Delete(result.Path);
    }
    var seconds = clock.Elapsed.TotalSeconds;
    Process.GetCurrentProcess().Refresh();
    Console.WriteLine(JsonSerializer.Serialize(new Run("", backup.Size, seconds, Process.GetCurrentProcess().PeakWorkingSet64)));
    return 0;
}

internal sealed record Run(string Mode, long Bytes, double Seconds, long PeakWorkingSet);

internal sealed class EmulatorProcess : IDisposable
{
    private readonly Process _process;

    private EmulatorProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public static EmulatorProcess Start(string keyId, string secret)
    {
        var dll = typeof(EmulatorProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "EmulatorAssembly").Value!;
        using var probe = new TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var url = "http://127.0.0.1:" + port;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, "--urls", url, "--no-seed", "--access-key-id", keyId, "--access-key-secret", secret }) start.ArgumentList.Add(a);
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
