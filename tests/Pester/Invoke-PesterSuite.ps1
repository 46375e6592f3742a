<#
.SYNOPSIS
    Runs the Pester suite against the staged module. build.ps1 starts this in a child pwsh (-Task Test).
.DESCRIPTION
    The child gets the staged out/ folder first on PSModulePath and module autoloading off, as PSScriptAnalyzer's
    and platyPS's builds do: the tests can reach AliBackup only by importing it from out/, and nothing else is loaded
    behind their back. Results are written as NUnit XML; the exit code is the number of failed tests.
#>
# The test files or folders come last, as many as given (build.ps1 passes each resolved path as its own argument).
[CmdletBinding(PositionalBinding = $false)]
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    # The folder that holds the staged AliBackup/ module (out/).
    [Parameter(Mandatory)] [string] $ModuleRoot,
    # The emulator the tests start (src/AliBackup.Emulator/bin/<Configuration>/net10.0/AliBackup.Emulator.dll).
    [Parameter(Mandatory)] [string] $EmulatorPath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [Parameter(ValueFromRemainingArguments)] [string[]] $Path = $PSScriptRoot
)

$ErrorActionPreference = 'Stop'
# Failure messages quote captured output; escape sequences are not valid XML and would cut the NUnit report short.
$PSStyle.OutputRendering = 'PlainText'
$env:PSModulePath = $ModuleRoot + [IO.Path]::PathSeparator + $env:PSModulePath
$env:ALIBACKUP_TEST_EMULATOR = $EmulatorPath
$global:PSModuleAutoloadingPreference = 'None'
# With autoloading off, even PowerShell's own modules load only when asked.
Import-Module Microsoft.PowerShell.Utility, Microsoft.PowerShell.Management, Microsoft.PowerShell.Security
Import-Module $PesterManifest -Force

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.Exit = $true
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = $ResultPath
$configuration.Output.Verbosity = 'Normal'
$configuration.Output.CIFormat = 'Auto'
Invoke-Pester -Configuration $configuration
