using System.Globalization;
using System.Reflection;
using AliBackup.Bench;

// dotnet run -c Release --project bench/AliBackup.Bench [-- --quick] [--only steady,cold,list,wait,idle,save] [--rounds N]
// Every figure of issue 13, ours and the reference interleaved round by round, printed as one table. See bench/README.md.
if (args.Length > 0 && args[0] == "--worker") return await Worker.RunAsync(args[1..]);

var settings = Settings.Parse(args);
var metadata = typeof(Settings).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value!);
var paths = new BenchPaths(metadata["RepoRoot"], metadata["EmulatorAssembly"], metadata["ModuleManifestPath"]);
if (metadata["Configuration"] != "Release")
    Console.WriteLine("warning: built " + metadata["Configuration"] + ", not Release; the figures are not comparable (run with -c Release).");

var suite = new Suite(settings, paths);
var rows = await suite.RunAsync();
Console.WriteLine();
Console.WriteLine(Table.Render(rows));
Console.WriteLine(suite.Footnote());
return 0;

/// <summary>What to measure and how often; --quick keeps a run to a few minutes on a shared two-core machine.</summary>
internal sealed class Settings
{
    public HashSet<string> Groups { get; private set; } = ["steady", "cold", "list", "wait", "idle", "save"];
    public int SteadyRounds { get; private set; } = 7;
    public int CallsPerRound { get; private set; } = 300;
    public int ColdRounds { get; private set; } = 5;
    public int ListRounds { get; private set; } = 3;
    public int BigListRounds { get; private set; } = 2;
    public int WaitRounds { get; private set; } = 1;
    public int WaitInstances { get; private set; } = 200;
    public int WaitTasksPerInstance { get; private set; } = 5;
    public double WaitPollSeconds { get; private set; } = 2;
    public double RequestDelayMs { get; private set; } = 50;
    public double IdleWindowSeconds { get; private set; } = 60;
    public int SaveRounds { get; private set; } = 3;
    public long SaveBytes { get; private set; } = 64L * 1024 * 1024;
    public long SaveLargeBytes { get; private set; } = 1024L * 1024 * 1024;

    public static Settings Parse(string[] args)
    {
        var s = new Settings();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException("Missing value after " + args[i]);
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--quick":
                    s.SteadyRounds = 3; s.CallsPerRound = 100; s.ColdRounds = 3; s.ListRounds = 2; s.BigListRounds = 1;
                    s.IdleWindowSeconds = 30; s.SaveRounds = 1; s.SaveLargeBytes = 256L * 1024 * 1024;
                    break;
                case "--only": s.Groups = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]; break;
                case "--rounds": s.SteadyRounds = s.ColdRounds = s.ListRounds = Int(); break;
                case "--calls": s.CallsPerRound = Int(); break;
                case "--wait-rounds": s.WaitRounds = Int(); break;
                case "--instances": s.WaitInstances = Int(); break;
                case "--tasks-per-instance": s.WaitTasksPerInstance = Int(); break;
                case "--request-delay-ms": s.RequestDelayMs = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--idle-seconds": s.IdleWindowSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "-h":
                case "--help":
                    Console.WriteLine("AliBackup.Bench [--quick] [--only steady,cold,list,wait,idle,save] [--rounds N] [--calls N] [--wait-rounds N] " +
                                      "[--instances N] [--tasks-per-instance N] [--request-delay-ms N] [--idle-seconds N]");
                    Environment.Exit(0);
                    break;
                default: throw new ArgumentException("Unknown argument: " + args[i]);
            }
        }
        return s;
    }
}

internal sealed record BenchPaths(string RepoRoot, string EmulatorDll, string ModuleManifest)
{
    public string OracleDirectory => Path.Combine(RepoRoot, "tests", "oracle");
    public string Workers => Path.Combine(RepoRoot, "bench", "AliBackup.Bench", "workers");
}
