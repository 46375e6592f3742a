using System.Reflection;

namespace AliBackup.Host;

/// <summary>Where the build staged the module (out/AliBackup/AliBackup.psd1), recorded at build time.</summary>
public static class ModuleLayout
{
    public static string ManifestPath { get; } =
        typeof(ModuleLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "ModuleManifestPath").Value!;

    public static string ModuleDirectory => Path.GetDirectoryName(ManifestPath)!;
}
