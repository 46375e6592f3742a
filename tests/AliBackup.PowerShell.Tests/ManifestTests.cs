using System.Reflection;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>The staged manifest as Test-ModuleManifest and Import-Module see it.</summary>
public sealed class ManifestTests : IDisposable
{
    private readonly PowerShellSession _session = new();

    public void Dispose() => _session.Dispose();

    private static string BuildMetadata(string key) =>
        typeof(ManifestTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    [Fact]
    public void Test_ModuleManifest_is_clean_and_describes_both_editions()
    {
        _session.SetVariable("manifest", AliBackup.Host.ModuleLayout.ManifestPath);
        var result = _session.Run(
            "$m = Test-ModuleManifest $manifest -WarningVariable warnings; " +
            "$m.PowerShellVersion.ToString(); $m.CompatiblePSEditions -join ','; $m.DotNetFrameworkVersion.ToString(); " +
            "($m.ExportedCmdlets.Keys | ForEach-Object { $_ }) -join ','; $m.ExportedFunctions.Count; $m.ExportedAliases.Count; $m.ExportedVariables.Count; " +
            "$m.ExportedFormatFiles | ForEach-Object { [IO.Path]::GetFileName($_) }; $m.Tags -join ','; [string]$m.ProjectUri; [string]$m.LicenseUri; $m.ReleaseNotes; $warnings.Count");

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        var o = result.Output.Select(x => x.ToString()).ToList();
        Assert.Equal("5.1", o[0]);
        Assert.Equal("Desktop,Core", o[1]);
        Assert.Equal("4.7.2", o[2]);
        Assert.Equal("Get-AliBackupTask,Get-AliBackup,Start-AliBackup,Wait-AliBackupTask,Connect-AliBackup,Disconnect-AliBackup,Get-AliBackupContext,Save-AliBackup,Get-AliBackupPolicy,Set-AliBackupPolicy", o[3]);
        Assert.Equal(["0", "0", "0"], o[4..7]);
        Assert.Equal("AliBackup.format.ps1xml", o[7]);
        Assert.Contains("PSEdition_Desktop", o[8].Split(','));
        Assert.Contains("PSEdition_Core", o[8].Split(','));
        Assert.Contains("Backup", o[8].Split(','));
        Assert.StartsWith("https://", o[9]);
        Assert.StartsWith("https://", o[10]);
        Assert.False(string.IsNullOrWhiteSpace(o[11]));
        Assert.Equal("0", o[12]);
    }

    [Fact]
    public void The_manifest_exports_exactly_the_cmdlets_the_assembly_defines()
    {
        var result = _session.Run(
            "$declared = (Test-ModuleManifest $([AliBackup.PowerShell.ModuleInitializer].Assembly.Location -replace 'AliBackup\\.dll$', 'AliBackup.psd1')).ExportedCmdlets.Keys | ForEach-Object { $_ }; " +
            "$defined = [AliBackup.PowerShell.ModuleInitializer].Assembly.GetExportedTypes() | Where-Object { $_.IsDefined([System.Management.Automation.CmdletAttribute], $false) } | " +
            "  ForEach-Object { $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; $a.VerbName + '-' + $a.NounName }; " +
            "($declared | ForEach-Object { $_ }) -join ','; ($defined | ForEach-Object { $_ }) -join ','");

        Assert.Empty(result.Errors);
        Assert.Equal(result.Output[0].ToString().Split(',').Order(), result.Output[1].ToString().Split(',').Order());
    }

    [Fact]
    public void The_build_stamps_one_version_into_the_manifest_and_the_assemblies()
    {
        var version = BuildMetadata("AliBackupVersion");
        var result = _session.Run(
            "(Get-Module AliBackup).Version.ToString(); [AliBackup.PowerShell.ModuleInitializer].Assembly.GetName().Version.ToString(); " +
            "[AliBackup.BackupTask].Assembly.GetName().Version.ToString()");

        Assert.Equal([version, version + ".0", version + ".0"], result.Output.Select(o => o.ToString()));
        Assert.Matches(@"ModuleVersion\s*=\s*'" + System.Text.RegularExpressions.Regex.Escape(version) + "'", File.ReadAllText(AliBackup.Host.ModuleLayout.ManifestPath));
    }

    [Fact]
    public void FileList_names_exactly_the_staged_files()
    {
        _session.SetVariable("manifest", AliBackup.Host.ModuleLayout.ManifestPath);
        var listed = _session.Run("(Test-ModuleManifest $manifest).FileList | ForEach-Object { $_ }")
            .Output.Select(o => Path.GetRelativePath(AliBackup.Host.ModuleLayout.ModuleDirectory, o.ToString()).Replace('\\', '/')).Order().ToList();
        var staged = Directory.GetFiles(AliBackup.Host.ModuleLayout.ModuleDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(AliBackup.Host.ModuleLayout.ModuleDirectory, f).Replace('\\', '/')).Order().ToList();

        Assert.Equal(staged, listed);
    }
}
