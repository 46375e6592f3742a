using AliBackup.HelpCompiler;

// AliBackup.HelpCompiler --docs <folder> --out <folder> [--check]
//   Compiles docs/*.md (platyPS schema) into <out>/*-Help.xml (MAML) and <out>/about_*.help.txt.
//   --check writes nothing and exits 1 when <out> differs from what the docs compile to.
string? docs = null, output = null;
var check = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--docs": docs = args[++i]; break;
        case "--out": output = args[++i]; break;
        case "--check": check = true; break;
        default:
            Console.Error.WriteLine("Usage: AliBackup.HelpCompiler --docs <folder> --out <folder> [--check]");
            return 2;
    }
}
if (docs == null || output == null)
{
    Console.Error.WriteLine("Usage: AliBackup.HelpCompiler --docs <folder> --out <folder> [--check]");
    return 2;
}

IReadOnlyDictionary<string, string> files;
try
{
    files = HelpBuild.Generate(docs);
}
catch (HelpFormatException ex)
{
    // MSBuild picks up "file(line): error: message" as a build error pointing at the doc.
    Console.Error.WriteLine(Path.GetFullPath(Path.Combine(docs, ex.File)) + "(" + ex.Line + "): error HELP001: " + ex.Detail);
    return 1;
}

var stale = Directory.Exists(output)
    ? Directory.GetFiles(output).Select(Path.GetFileName).Where(n => HelpBuild.IsGenerated(n!) && !files.ContainsKey(n!)).ToList()
    : [];
if (check)
{
    var differing = files.Where(f => !File.Exists(Path.Combine(output, f.Key)) || File.ReadAllText(Path.Combine(output, f.Key)) != f.Value).Select(f => f.Key).Concat(stale!).ToList();
    foreach (var name in differing) Console.Error.WriteLine(Path.Combine(output, name!) + ": error HELP002: out of date with " + docs + "; build without ContinuousIntegrationBuild to regenerate it.");
    return differing.Count == 0 ? 0 : 1;
}

Directory.CreateDirectory(output);
foreach (var name in stale) File.Delete(Path.Combine(output, name!));
// Always written (same bytes when nothing changed), so the build's up-to-date check sees outputs newer than docs.
foreach (var (name, content) in files) File.WriteAllText(Path.Combine(output, name), content);
Console.WriteLine("Help: " + string.Join(", ", files.Keys) + " in " + Path.GetFullPath(output));
return 0;
