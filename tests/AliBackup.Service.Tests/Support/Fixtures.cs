using System.Text.Json;

namespace AliBackup.Service.Tests.Support;

/// <summary>Reads test data copied next to the test assembly from tests/fixtures.</summary>
public static class Fixtures
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "fixtures", relative);

    public static JsonDocument Json(string relative) => JsonDocument.Parse(File.ReadAllText(PathOf(relative)));

    public static string Text(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>The shared folder beside the repository (../shared), when this checkout has it.</summary>
    public static string? SharedFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AliBackup.PowerShell.sln")))
            {
                var shared = Path.Combine(dir.FullName, "..", "shared");
                return Directory.Exists(shared) ? Path.GetFullPath(shared) : null;
            }
        }
        return null;
    }
}
