#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds AliBackup and lays the module out under out/AliBackup/.
.DESCRIPTION
    The layout is produced by the solution's own build (an MSBuild step in src/AliBackup/Staging.targets), so this
    script and a plain `dotnet build AliBackup.PowerShell.sln` give the same tree.
.EXAMPLE
    ./build.ps1
    Import-Module ./out/AliBackup
.EXAMPLE
    ./build.ps1 -Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Also run every test (the same command CI runs).
    [switch] $Test
)

$ErrorActionPreference = 'Stop'
Push-Location $PSScriptRoot
try {
    dotnet build AliBackup.PowerShell.sln -c $Configuration
    if ($LASTEXITCODE -ne 0) { throw "dotnet build failed ($LASTEXITCODE)." }

    $manifest = Join-Path $PSScriptRoot 'out/AliBackup/AliBackup.psd1'
    if (-not (Test-Path $manifest)) { throw "The build did not stage $manifest." }
    Test-ModuleManifest $manifest | Format-List Name, Version, ExportedCmdlets
    Write-Host "Module staged in $(Split-Path $manifest). Import it with: Import-Module ./out/AliBackup"

    if ($Test) {
        dotnet test AliBackup.PowerShell.sln -c $Configuration
        if ($LASTEXITCODE -ne 0) { throw "Tests failed ($LASTEXITCODE)." }
    }
}
finally {
    Pop-Location
}
