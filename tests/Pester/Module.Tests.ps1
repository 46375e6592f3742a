<#
    The module as users get it: the staged manifest, what it exports, and a contract every cmdlet keeps (generated
    over Get-Command -Module AliBackup, the shape of platyPS's Cmdlet.Tests.ps1).
#>

BeforeDiscovery {
    Import-Module AliBackup -Force
    $script:Cmdlets = @(Get-Command -Module AliBackup -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'AliBackup.TestSupport.psm1') -Force
    Import-Module AliBackup -Force
    $script:Module = Get-Module AliBackup
    $script:Manifest = Join-Path $Module.ModuleBase 'AliBackup.psd1'
}

Describe 'The staged module' {
    It 'is imported from out/, the staged layout, not a bin folder' {
        $Module.ModuleBase | Should -Match '[\\/]out[\\/]AliBackup$'
    }

    It 'has a manifest that Test-ModuleManifest accepts, with the version stamped from Directory.Build.props' {
        $tested = Test-ModuleManifest $Manifest
        $props = [xml](Get-Content (Join-Path $PSScriptRoot '../../Directory.Build.props') -Raw)
        $tested.Version.ToString() | Should -Be $props.Project.PropertyGroup.AliBackupVersion
    }

    It 'exports exactly the cmdlets its manifest lists, and no functions, aliases or variables' {
        $data = Import-PowerShellDataFile $Manifest
        @($Module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($data.CmdletsToExport | Sort-Object)
        $Module.ExportedFunctions.Count | Should -Be 0
        $Module.ExportedAliases.Count | Should -Be 0
        $Module.ExportedVariables.Count | Should -Be 0
    }

    It 'loads in a fresh pwsh with autoloading off, by name from PSModulePath' {
        $run = Invoke-IsolatedPwsh -TimeoutSeconds 60 -Script @'
$PSModuleAutoloadingPreference = 'None'
Import-Module AliBackup -ErrorAction Stop
(Get-Module AliBackup).ModuleBase
'@
        $run.ExitCode | Should -Be 0 -Because $run.Error
        $run.Output[-1] | Should -Be $Module.ModuleBase
    }

    It 'sends nothing when imported (its first-call warm-up answers itself in memory), and the first command then works' {
        $emulator = Start-TestEmulator
        try {
            $run = Invoke-IsolatedPwsh -TimeoutSeconds 60 -Environment @{
                ALIBACKUP_ENDPOINT = $emulator.BaseUrl; ALIBABA_CLOUD_ACCESS_KEY_ID = 'emulator-access-key-id'; ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'emulator-access-key-secret'
            } -Script @"
Import-Module AliBackup -ErrorAction Stop
Start-Sleep -Seconds 2
`$before = @(Invoke-RestMethod '$($emulator.BaseUrl)/_emulator/requests' | ForEach-Object { `$_ }).Count
`$tasks = @(Get-AliBackupTask -InstanceId r-bp1demo000000001 -ErrorAction Stop)
`$after = @(Invoke-RestMethod '$($emulator.BaseUrl)/_emulator/requests' | ForEach-Object { `$_ }).Count
"`$before `$after"
"@
            $run.ExitCode | Should -Be 0 -Because ($run.Error + $run.Output)
            $run.Output[-1] | Should -Be '0 1'
        }
        finally { $emulator | Stop-TestEmulator }
    }
}

Describe '<Name> keeps the cmdlet contract' -ForEach $Cmdlets {
    BeforeAll {
        $script:Command = Get-Command $Name
        $script:Help = Get-Help $Name -Full
        $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    }

    It 'declares what it writes ([OutputType]), unless it writes nothing' {
        if ($Name -eq 'Disconnect-AliBackup') { Set-ItResult -Skipped -Because 'it writes no output' ; return }
        $Command.OutputType.Count | Should -BeGreaterThan 0
    }

    It 'has help with a synopsis, a description and examples' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        $Help.Synopsis | Should -Not -Match "^\s*$Name\s*\["  # PowerShell's stand-in when a cmdlet has no help
        ($Help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($Help.examples.example).Count | Should -BeGreaterThan 0
    }

    It 'documents every parameter' {
        $documented = @($Help.parameters.parameter | ForEach-Object { $_.name })
        $undocumented = $Command.Parameters.Keys | Where-Object { $_ -notin $Common -and $_ -notin $documented }
        $undocumented | Should -BeNullOrEmpty
    }
}
