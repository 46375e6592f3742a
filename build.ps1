#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and packages AliBackup: the one developer entry point, and what CI runs.
.DESCRIPTION
    Tasks run in the order given (default: Build):

      Clean     Removes out/ and every project's bin/ and obj/.
      Build     Builds the solution; its staging step lays the module out under out/AliBackup/, which is checked
                with Test-ModuleManifest.
      Test      Build, then every test: xunit (service layer, runspace tests of the staged module, the official
                Node SDKs against the emulator) and the Pester suite in tests/Pester, run in a child pwsh against
                out/AliBackup. Results land in out/TestResults/ (TRX and NUnit XML); the last line printed sums them.
      Package   Build, then the module's .nupkg: Publish-PSResource into a local file repository, out/repo/.

    pwsh is the pinned dotnet tool (.config/dotnet-tools.json), so on a machine with only the .NET SDK:
        dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1
    Import-Module ./out/AliBackup
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Test -PesterPath tests/Pester/Pipeline.Tests.ps1 -SkipXunit
.EXAMPLE
    ./build.ps1 -Task Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Clean', 'Build', 'Test', 'Package')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug',

    # Same as -Task Test (kept for the old command line).
    [switch] $Test,

    # Pester files or folders to run instead of all of tests/Pester.
    [string[]] $PesterPath,

    # Run only the Pester suite (for a quick loop on the shell tests).
    [switch] $SkipXunit,

    # Run only xunit.
    [switch] $SkipPester
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# Pester is pinned exactly: 6.2.0 is the newest stable served, runs on pwsh 7.4+ (we need 7.6 anyway), and
# discovers per file. The tests use the classic Should syntax, which 6.x keeps, so they would also run on 5.7.1.
$PesterVersion = '6.2.0'
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ResultsDirectory = Join-Path $Out 'TestResults'
$Solution = Join-Path $Root 'AliBackup.PowerShell.sln'

if ($Test -and $Task -notcontains 'Test') { $Task += 'Test' }

function Invoke-Native {
    # Runs a native command (first argument) with the rest as its arguments, and stops the build when it fails.
    # Plain $args, not parameters: a parameter would swallow the command's own switches (-c for -Command).
    # Out-Host: what the command prints is shown, never returned into the caller's value (Get-PesterManifest).
    $command, $arguments = $args
    & $command @arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "$command $($arguments -join ' ') failed with exit code $LASTEXITCODE." }
}

function Get-PwshCommandLine {
    # The pwsh running this script, as a command line for a child: 'dotnet pwsh' runs pwsh.dll under dotnet.
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { return @($process, (Join-Path $PSHOME 'pwsh.dll')) }
    return @($process)
}

function Invoke-Clean {
    if (Test-Path $Out) { Remove-Item $Out -Recurse -Force }
    Get-ChildItem $Root -Directory -Recurse -Include bin, obj |
        Where-Object { $_.FullName -notmatch '[\\/]node_modules[\\/]' } |
        Remove-Item -Recurse -Force
}

function Invoke-Build {
    Invoke-Native dotnet build $Solution -c $Configuration --nologo
    $manifest = Join-Path $Out 'AliBackup/AliBackup.psd1'
    if (-not (Test-Path $manifest)) { throw "The build did not stage $manifest." }
    $module = Test-ModuleManifest $manifest
    Write-Host "AliBackup $($module.Version) staged in $(Split-Path $manifest) ($($module.ExportedCmdlets.Count) cmdlets). Import it with: Import-Module ./out/AliBackup"
}

function Get-PesterManifest {
    # Restored from NuGet (PSGallery is not reachable everywhere): the package keeps the module under tools/.
    Invoke-Native dotnet restore (Join-Path $Root 'build/PesterModule/PesterModule.csproj') "-p:PesterVersion=$PesterVersion" --nologo -v q
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $manifest = Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) { throw "Pester $PesterVersion was restored, but $manifest is not there." }
    return $manifest
}

function Invoke-XunitTests {
    Invoke-Native dotnet test $Solution -c $Configuration --no-build --nologo --logger trx --results-directory (Join-Path $ResultsDirectory 'xunit')
}

function Invoke-PesterTests {
    $pester = Get-PesterManifest
    $emulator = Join-Path $Root "src/AliBackup.Emulator/bin/$Configuration/net10.0/AliBackup.Emulator.dll"
    $runner = Join-Path $Root 'tests/Pester/Invoke-PesterSuite.ps1'
    # From bash, '-PesterPath a,b' arrives as the one string 'a,b'; a wildcard may name several files.
    $paths = if ($PesterPath) { $PesterPath -split ',' | ForEach-Object { (Resolve-Path $_).Path } } else { @(Join-Path $Root 'tests/Pester') }
    $pwsh = @(Get-PwshCommandLine)
    $arguments = @($pwsh | Select-Object -Skip 1) + @(
        '-NoProfile', '-NonInteractive', '-File', $runner,
        '-PesterManifest', $pester,
        '-ModuleRoot', $Out,
        '-EmulatorPath', $emulator,
        '-ResultPath', (Join-Path $ResultsDirectory 'pester.xml')) + $paths
    # A child process: the module's DLLs load there, never into this pwsh, so the next build can overwrite them.
    & $pwsh[0] @arguments | Out-Host
    return $LASTEXITCODE
}

function Get-TestCounts {
    # Totals over every result file: TRX (xunit) and NUnit XML (Pester).
    $passed = 0; $failed = 0
    foreach ($trx in Get-ChildItem (Join-Path $ResultsDirectory 'xunit') -Filter *.trx -ErrorAction SilentlyContinue) {
        $counters = ([xml](Get-Content $trx.FullName -Raw)).TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed
        $failed += [int]$counters.failed
    }
    $nunit = Join-Path $ResultsDirectory 'pester.xml'
    if (Test-Path $nunit) {
        try {
            $cases = ([xml](Get-Content $nunit -Raw)).SelectNodes('//test-case')
            $passed += @($cases | Where-Object result -EQ 'Success').Count
            $failed += @($cases | Where-Object result -In 'Failure', 'Error').Count
        }
        catch {
            # A report cut short is a failed run, not a smaller one.
            Write-Warning "The Pester report $nunit could not be read: $($_.Exception.Message)"
            $failed += 1
        }
    }
    [pscustomobject]@{ Passed = $passed; Failed = $failed }
}

function Invoke-Tests {
    if (Test-Path $ResultsDirectory) { Remove-Item $ResultsDirectory -Recurse -Force }
    New-Item -ItemType Directory $ResultsDirectory | Out-Null
    $failures = @()
    if (-not $SkipXunit) {
        try { Invoke-XunitTests } catch { $failures += $_.Exception.Message }
    }
    if (-not $SkipPester) {
        $pesterExit = Invoke-PesterTests
        if ($pesterExit -ne 0) { $failures += "Pester exited with $pesterExit." }
    }
    $counts = Get-TestCounts
    Write-Host ("AliBackup tests: {0} passed, {1} failed (xunit and Pester; results in {2})" -f $counts.Passed, $counts.Failed, $ResultsDirectory)
    if ($failures) { throw ($failures -join ' ') }
}

function Invoke-Package {
    # A child pwsh runs build/Publish-Module.ps1 (shared with the Pester test that installs the package), so no
    # module file is held open by this one; it leaves the developer's repository list as it found it.
    $repo = Join-Path $Out 'repo'
    New-Item -ItemType Directory -Force $repo | Out-Null
    Get-ChildItem $repo -Filter 'AliBackup.*.nupkg' | Remove-Item
    $pwsh = @(Get-PwshCommandLine)
    Invoke-Native @pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'build/Publish-Module.ps1') -ModulePath (Join-Path $Out 'AliBackup') -Repository $repo
    $package = Get-ChildItem $repo -Filter 'AliBackup.*.nupkg' | Select-Object -First 1
    if (-not $package) { throw "Publish-PSResource made no AliBackup .nupkg in $repo." }
    Write-Host "Packaged $($package.FullName)"
}

Push-Location $Root
try {
    $built = $false
    foreach ($step in $Task) {
        switch ($step) {
            'Clean' { Invoke-Clean; $built = $false }
            'Build' { Invoke-Build; $built = $true }
            'Test' { if (-not $built) { Invoke-Build; $built = $true }; Invoke-Tests }
            'Package' { if (-not $built) { Invoke-Build; $built = $true }; Invoke-Package }
        }
    }
}
finally {
    Pop-Location
}
