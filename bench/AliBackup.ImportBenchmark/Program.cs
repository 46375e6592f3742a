using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

// Cold import: every measurement is a fresh process with a fresh runspace, so nothing the module loads (assemblies,
// JIT, format data) is warm from an earlier measurement. The runspace is opened before the clock starts; only
// Import-Module is timed. The two modules alternate so drift on the machine hits both alike.
//
//   dotnet run -c Release --project bench/AliBackup.ImportBenchmark [-- --rounds 10]

if (args.Length == 2 && args[0] == "--measure") return MeasureOnce(args[1]);

var rounds = 10;
for (var i = 0; i < args.Length; i++)
    if (args[i] == "--rounds") rounds = int.Parse(args[++i]);

var manifest = typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ModuleManifestPath").Value!;
var reference = WriteReferenceModule();
Console.WriteLine("Cold Import-Module, " + rounds + " rounds, a fresh process each:");
Console.WriteLine("  AliBackup : " + manifest);
Console.WriteLine("  reference : " + reference + " (a bare script module: one function)");

// One unmeasured pair first, so the OS file cache holds both modules' files (disk reads are not what this measures).
Measure(manifest);
Measure(reference);
var module = new List<double>();
var bare = new List<double>();
for (var round = 0; round < rounds; round++)
{
    module.Add(Measure(manifest));
    bare.Add(Measure(reference));
}

Console.WriteLine();
Console.WriteLine($"  AliBackup  median {Median(module),7:0.0} ms   min {module.Min(),7:0.0}   max {module.Max(),7:0.0}");
Console.WriteLine($"  reference  median {Median(bare),7:0.0} ms   min {bare.Min(),7:0.0}   max {bare.Max(),7:0.0}");
Console.WriteLine($"  ratio (AliBackup / reference, medians): {Median(module) / Median(bare):0.00}x");
Directory.Delete(Path.GetDirectoryName(reference)!, recursive: true);
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static double Measure(string manifest)
{
    var self = Environment.ProcessPath!;
    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(Program).Assembly.Location);
    start.ArgumentList.Add("--measure");
    start.ArgumentList.Add(manifest);
    using var child = Process.Start(start)!;
    var output = child.StandardOutput.ReadToEnd();
    var error = child.StandardError.ReadToEnd();
    child.WaitForExit();
    if (child.ExitCode != 0) throw new InvalidOperationException("Measuring " + manifest + " failed: " + error + output);
    return double.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
}

static int MeasureOnce(string manifest)
{
    using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
    runspace.Open();
    using var ps = PowerShell.Create(runspace);
    ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("ErrorAction", "Stop");
    var clock = Stopwatch.StartNew();
    ps.Invoke();
    clock.Stop();
    if (ps.HadErrors) return 1;
    Console.WriteLine(clock.Elapsed.TotalMilliseconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}

static string WriteReferenceModule()
{
    var folder = Path.Combine(Path.GetTempPath(), "AliBackupImportReference-" + Guid.NewGuid().ToString("N"), "ReferenceModule");
    Directory.CreateDirectory(folder);
    File.WriteAllText(Path.Combine(folder, "ReferenceModule.psm1"), "function Get-Reference { 'reference' }\n");
    File.WriteAllText(Path.Combine(folder, "ReferenceModule.psd1"),
        "@{ RootModule = 'ReferenceModule.psm1'; ModuleVersion = '1.0.0'; GUID = '" + Guid.NewGuid() + "'; FunctionsToExport = @('Get-Reference'); CmdletsToExport = @(); VariablesToExport = @(); AliasesToExport = @() }\n");
    return Path.Combine(folder, "ReferenceModule.psd1");
}
