using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace AliBackup.Bench;

/// <summary>The emulator (the Release build next to this program's configuration) as a child process on a free loopback port.</summary>
internal sealed class EmulatorProcess : IDisposable
{
    public const string KeyId = "LTAIbenchmark0000key";
    public const string Secret = "bench-access-key-secret";
    private readonly Process _process;
    private readonly HttpClient _http;

    private EmulatorProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        _http = new HttpClient { BaseAddress = new Uri(baseUrl) };
    }

    public string BaseUrl { get; }

    /// <summary>host:port, as the Node SDK takes its endpoint.</summary>
    public string Authority => new Uri(BaseUrl).Authority;

    public int ProcessId => _process.Id;

    public static EmulatorProcess Start(string emulatorDll, TimeSpan requestDelay)
    {
        if (!File.Exists(emulatorDll)) throw new InvalidOperationException("The emulator is not built: " + emulatorDll);
        using var probe = new TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var url = "http://127.0.0.1:" + port;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { emulatorDll, "--urls", url, "--no-seed", "--access-key-id", KeyId, "--access-key-secret", Secret,
                     "--request-delay-ms", requestDelay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        var line = process.StandardOutput.ReadLine();
        if (line == null || !line.Contains(url)) throw new InvalidOperationException("The emulator did not start: " + line + process.StandardError.ReadToEnd());
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return new EmulatorProcess(process, url);
    }

    public async Task AddInstanceAsync(JsonObject body) => await PostAsync("/_emulator/instances", body);

    /// <summary>Starts jobs on an instance; answers (job ID, finished at) per job.</summary>
    public async Task<List<(string JobId, DateTimeOffset FinishedAt)>> StartJobsAsync(string instanceId, int count, string mode)
    {
        var answer = JsonNode.Parse(await PostAsync("/_emulator/instances/" + instanceId + "/jobs", new JsonObject { ["count"] = count, ["mode"] = mode }))!.AsArray();
        return answer.Select(j => (j!["jobIds"]![0]!.GetValue<string>(), j["finishedAt"]!.GetValue<DateTimeOffset>())).ToList();
    }

    /// <summary>Product API calls the emulator received, optionally of one action about instances with an ID prefix.</summary>
    public async Task<int> CountCallsAsync(string? action = null, string? instancePrefix = null) =>
        JsonNode.Parse(await _http.GetStringAsync("/_emulator/requests"))!.AsArray().Count(r =>
            r!["product"] != null && r["action"]?.GetValue<string>() is string a && a != "" &&
            (action == null || a == action) &&
            (instancePrefix == null || r["instanceId"]?.GetValue<string>()?.StartsWith(instancePrefix, StringComparison.Ordinal) == true));

    private async Task<string> PostAsync(string path, JsonObject body)
    {
        using var response = await _http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        _http.Dispose();
    }
}

/// <summary>How a child is started: a program and its arguments, plus environment additions.</summary>
internal sealed record Command(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment)
{
    public ProcessStartInfo StartInfo(bool redirectInput)
    {
        var start = new ProcessStartInfo(FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (var a in Arguments) start.ArgumentList.Add(a);
        foreach (var (name, value) in Environment) start.Environment[name] = value;
        return start;
    }

    public Command With(params string[] more) => this with { Arguments = [.. Arguments, .. more] };
}

/// <summary>A long-lived child that answers one '@@{json}' line per JSON command line (the warm, steady-state figures).</summary>
internal sealed class LineWorker : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private readonly string _name;

    public LineWorker(string name, Command command)
    {
        _name = name;
        _process = Process.Start(command.StartInfo(redirectInput: true))!;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null) lock (_errors) _errors.AppendLine(e.Data);
        };
        _process.BeginErrorReadLine();
    }

    public JsonObject Ask(JsonObject command)
    {
        _process.StandardInput.WriteLine(command.ToJsonString());
        _process.StandardInput.Flush();
        while (true)
        {
            var line = _process.StandardOutput.ReadLine();
            if (line == null)
            {
                string errors;
                lock (_errors) errors = _errors.ToString();
                throw new InvalidOperationException(_name + " ended without answering " + command.ToJsonString() + ": " + errors);
            }
            if (!line.StartsWith("@@", StringComparison.Ordinal)) continue;
            var answer = JsonNode.Parse(line[2..])!.AsObject();
            if (answer["error"] != null) throw new InvalidOperationException(_name + ": " + answer["error"]);
            return answer;
        }
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000)) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}

/// <summary>A child run once: its wall time from start to exit, and its '@@{json}' answer if it printed one.</summary>
internal static class OneShot
{
    public static (double WallMs, JsonObject? Answer) Run(Command command, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(command.StartInfo(redirectInput: false))!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(command.FileName + " " + string.Join(' ', command.Arguments) + " did not end in time.");
        }
        clock.Stop();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(command.FileName + " " + string.Join(' ', command.Arguments) + " failed (" + process.ExitCode + "): " + errors.Result + output);
        var line = output.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith("@@", StringComparison.Ordinal));
        return (clock.Elapsed.TotalMilliseconds, line == null ? null : JsonNode.Parse(line[2..])!.AsObject());
    }
}

/// <summary>CPU time of another process from /proc (user + system, all threads, those that ended included).</summary>
internal static class ProcStat
{
    private static readonly double TicksPerSecond = 100;

    public static double CpuMs(int pid)
    {
        var stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
        // Fields after the command name (which may hold spaces) start after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = double.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = double.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) * 1000 / TicksPerSecond;
    }
}
