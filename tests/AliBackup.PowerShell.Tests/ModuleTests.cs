using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>The staged module as PowerShell sees it.</summary>
public sealed class ModuleTests : IDisposable
{
    private readonly PowerShellSession _session = new();

    public void Dispose() => _session.Dispose();

    [Fact]
    public void The_module_is_imported_from_the_staged_layout_and_exports_exactly_its_cmdlets()
    {
        var result = _session.Run("Get-Module AliBackup | ForEach-Object { $_.ModuleBase; $_.Version.ToString() }; (Get-Command -Module AliBackup | ForEach-Object Name | Sort-Object) -join ','");
        var moduleBase = result.Output[0].ToString();
        Assert.Equal(Path.GetFullPath(AliBackup.Host.ModuleLayout.ModuleDirectory).TrimEnd('/'), Path.GetFullPath(moduleBase).TrimEnd('/'));
        Assert.EndsWith(Path.Combine("out", "AliBackup"), moduleBase.TrimEnd('/'));
    }

    [Fact]
    public void Exactly_the_ten_cmdlets_are_exported()
    {
        var result = _session.Run("Get-Command -Module AliBackup | ForEach-Object { $_.Name }");
        Assert.Equal(["Connect-AliBackup", "Disconnect-AliBackup", "Get-AliBackup", "Get-AliBackupContext", "Get-AliBackupPolicy", "Get-AliBackupTask", "Save-AliBackup",
            "Set-AliBackupPolicy", "Start-AliBackup", "Wait-AliBackupTask"],
            result.Output.Select(o => o.ToString()).Order());
    }

    [Theory]
    [InlineData("Get-AliBackupTask", "AliBackup.BackupTask")]
    [InlineData("Start-AliBackup", "AliBackup.BackupTask")]
    [InlineData("Get-AliBackup", "AliBackup.Backup")]
    [InlineData("Wait-AliBackupTask", "AliBackup.Backup")]
    [InlineData("Connect-AliBackup", "AliBackup.AliBackupContext")]
    [InlineData("Get-AliBackupContext", "AliBackup.AliBackupContext")]
    public void Each_cmdlet_declares_what_it_writes(string cmdlet, string type)
    {
        var result = _session.Run("(Get-Command " + cmdlet + ").OutputType | ForEach-Object { $_.Name }");
        Assert.Equal([type], result.Output.Select(o => o.ToString()));
    }

    [Theory]
    [InlineData("Get-AliBackupTask")]
    [InlineData("Get-AliBackup")]
    [InlineData("Start-AliBackup")]
    [InlineData("Wait-AliBackupTask")]
    public void Each_cmdlet_takes_the_common_parameters_and_the_product_aliases(string cmdlet)
    {
        var result = _session.Run("$c = Get-Command " + cmdlet + "; 'Region','Endpoint','Profile','Credential' | ForEach-Object { $c.Parameters.ContainsKey($_) }; $c.Parameters['InstanceId'].Aliases -join ','");
        Assert.Equal(["True", "True", "True", "True", "DBClusterId,DBInstanceId"], result.Output.Select(o => o.ToString()));
    }

    [Theory]
    [InlineData("Connect-AliBackup -Region cn-h")]
    [InlineData("Get-AliBackup r-x -Region cn-h")]
    [InlineData("Get-AliBackupContext -Region cn-h")]
    public void Region_completes_with_the_products_regions(string line)
    {
        _session.SetVariable("line", line);
        var result = _session.Run("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText");
        Assert.Equal(["cn-hangzhou", "cn-hangzhou-finance", "cn-heyuan", "cn-heyuan-acdr-1", "cn-hongkong", "cn-huhehaote"], result.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void Connect_takes_the_session_settings_and_Disconnect_takes_none()
    {
        var result = _session.Run("$c = Get-Command Connect-AliBackup; 'Credential','Profile','Region','Endpoint','PassThru' | ForEach-Object { $c.Parameters.ContainsKey($_) }; " +
                                  "(Get-Command Disconnect-AliBackup).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters }");
        Assert.Equal(["True", "True", "True", "True", "True"], result.Output.Select(o => o.ToString()));
    }
}
