using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>
/// Windows PowerShell 5.1 cannot run here, so these check what can be checked on PowerShell 7: the .NET Framework
/// dependencies are staged in Desktop/ and form a closed set on .NET Framework 4.7.2, the resolve handler answers only
/// for those files, and on PowerShell 7 it stays unregistered and nothing loads from Desktop/.
/// </summary>
public sealed class DesktopLayoutTests : IDisposable
{
    private static readonly string Desktop = RepoPaths.ModuleFile("Desktop");
    private readonly PowerShellSession _session = new();

    public void Dispose() => _session.Dispose();

    private static List<AssemblyName> ReferencesOf(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        return reader.AssemblyReferences.Select(h => reader.GetAssemblyReference(h).GetAssemblyName()).ToList();
    }

    private static AssemblyName? TryGetAssemblyName(string path)
    {
        try { return AssemblyName.GetAssemblyName(path); }
        catch (BadImageFormatException) { return null; } // the pack also holds native and resource-only images
    }

    private static string NetFrameworkReferenceAssemblies()
    {
        var root = typeof(DesktopLayoutTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NuGetPackageRoot").Value!;
        return Directory.GetDirectories(Path.Combine(root, "microsoft.netframework.referenceassemblies.net472"))
            .Select(v => Path.Combine(v, "build", ".NETFramework", "v4.7.2")).Single(Directory.Exists);
    }

    [Fact]
    public void Desktop_holds_NET_Framework_builds_whose_references_all_resolve_on_NET_Framework_4_7_2()
    {
        var desktopFiles = Directory.GetFiles(Desktop, "*.dll").ToDictionary(f => Path.GetFileNameWithoutExtension(f), AssemblyName.GetAssemblyName);
        Assert.Contains("System.Text.Json", desktopFiles.Keys);
        var framework = NetFrameworkReferenceAssemblies();
        var frameworkFiles = Directory.GetFiles(framework, "*.dll").Concat(Directory.GetFiles(Path.Combine(framework, "Facades"), "*.dll"))
            .Select(TryGetAssemblyName).OfType<AssemblyName>().ToDictionary(n => n.Name!);

        var unresolved = new List<string>();
        foreach (var file in Directory.GetFiles(Desktop, "*.dll").Append(RepoPaths.ModuleFile("AliBackup.Service.dll")))
        {
            var references = ReferencesOf(file);
            if (Path.GetDirectoryName(file) == Desktop)
            {
                // A .NET Framework build binds to mscorlib, never to .NET's System.Runtime or netstandard 2.1.
                Assert.Contains(references, r => r.Name == "mscorlib");
                Assert.DoesNotContain(references, r => r.Name == "System.Runtime" || r.Name == "System.Private.CoreLib" || r.Name == "netstandard" && r.Version!.Minor > 0);
            }
            foreach (var reference in references)
            {
                var found = desktopFiles.GetValueOrDefault(reference.Name!) ?? frameworkFiles.GetValueOrDefault(reference.Name!);
                if (found == null || found.Version < reference.Version)
                    unresolved.Add(Path.GetFileName(file) + " -> " + reference.FullName);
            }
        }
        Assert.Empty(unresolved);
    }

    [Fact]
    public void On_PowerShell_7_the_handler_is_not_registered_and_nothing_loads_from_Desktop()
    {
        var result = _session.Run(
            "$r = [AliBackup.PowerShell.ModuleInitializer].Assembly.GetType('AliBackup.PowerShell.Internal.DesktopDependencyResolver'); " +
            "$flags = [System.Reflection.BindingFlags]'NonPublic,Public,Static'; " +
            "$r.GetProperty('IsNetFramework', $flags).GetValue($null); $r.GetProperty('IsRegistered', $flags).GetValue($null); " +
            "Get-AliBackupTask r-bp1x -Endpoint http://127.0.0.1:9 -Credential $cred -ErrorAction SilentlyContinue; " +
            "[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic -and $_.Location -like '*" + Path.DirectorySeparatorChar + "Desktop" + Path.DirectorySeparatorChar + "*' } | ForEach-Object Location; " +
            "[System.Text.Json.JsonSerializer].Assembly.Location",
            ps => ps.Runspace.SessionStateProxy.SetVariable("cred", PowerShellSession.Credential("id", "secret")));

        Assert.Empty(result.Errors);
        Assert.Equal(["False", "False"], result.Output.Take(2).Select(o => o.ToString()));
        var jsonLocation = Assert.Single(result.Output.Skip(2)).ToString();
        Assert.Equal(Path.GetDirectoryName(typeof(object).Assembly.Location), Path.GetDirectoryName(jsonLocation));
    }

    [Theory]
    [InlineData("System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51", "System.Text.Json.dll")]
    [InlineData("System.Runtime.CompilerServices.Unsafe, Version=4.0.4.1, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a", "System.Runtime.CompilerServices.Unsafe.dll")] // older asked, newer served: the missing binding redirect
    [InlineData("Microsoft.Bcl.AsyncInterfaces", "Microsoft.Bcl.AsyncInterfaces.dll")]
    [InlineData("System.Text.Json, Version=99.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51", null)] // newer than staged: someone else's
    [InlineData("System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef", null)] // another signer
    [InlineData("Newtonsoft.Json, Version=13.0.0.0, Culture=neutral, PublicKeyToken=30ad4fe6b2a6aeed", null)] // not a module file
    [InlineData("AliBackup.Service", null)] // beside the module, not in Desktop/
    public void The_handler_answers_only_for_its_own_files(string requested, string? expectedFile)
    {
        _session.SetVariable("requested", requested);
        _session.SetVariable("folder", Desktop);
        var result = _session.Run(
            "$r = [AliBackup.PowerShell.ModuleInitializer].Assembly.GetType('AliBackup.PowerShell.Internal.DesktopDependencyResolver'); " +
            "$r.GetMethod('PathFor', [System.Reflection.BindingFlags]'NonPublic,Public,Static', $null, [type[]]@([System.Reflection.AssemblyName], [string]), $null).Invoke($null, @([System.Reflection.AssemblyName]::new($requested), $folder))");

        Assert.Empty(result.Errors);
        var answer = Assert.Single(result.Output)?.ToString();
        Assert.Equal(expectedFile == null ? null : Path.Combine(Desktop, expectedFile), string.IsNullOrEmpty(answer) ? null : answer);
    }
}
