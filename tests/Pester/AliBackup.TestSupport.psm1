<#
    What the Pester suite shares: an emulator in its own process, pointing this pwsh (and every child it starts) at
    it, and running a script in a fresh pwsh under a hard timeout — so a hang fails one test instead of the run.
#>

Set-StrictMode -Version Latest

function Get-PwshCommandLine {
    # The pwsh running the suite, as a command line for a child ('dotnet pwsh' runs pwsh.dll under dotnet).
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { return , @($process, (Join-Path $PSHOME 'pwsh.dll')) }
    return , @($process)
}

function Start-TestEmulator {
    <#
    .SYNOPSIS
        Starts the emulator on a free loopback port and returns its BaseUrl and Process.
    #>
    [CmdletBinding()]
    param(
        # How long each backup stage lasts (NoStart, Preparing, ... Finished takes five of them).
        [double] $StageSeconds = 0.2,
        [string[]] $ArgumentList = @()
    )
    $dll = $env:ALIBACKUP_TEST_EMULATOR
    if (-not $dll -or -not (Test-Path $dll)) { throw "ALIBACKUP_TEST_EMULATOR does not name the emulator's DLL ('$dll'); run the suite through build.ps1 -Task Test." }
    $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in @($dll, '--urls', 'http://127.0.0.1:0', '--stage-seconds', $StageSeconds.ToString([cultureinfo]::InvariantCulture)) + $ArgumentList) {
        $start.ArgumentList.Add($argument)
    }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ([DateTime]::UtcNow -lt $deadline) {
        $line = $process.StandardOutput.ReadLineAsync()
        if (-not $line.Wait([TimeSpan]::FromSeconds(30)) -or $null -eq $line.Result) { break }
        if ($line.Result -match 'listening on (http://\S+)') {
            return [pscustomobject]@{ PSTypeName = 'AliBackup.TestEmulator'; BaseUrl = $Matches[1]; Process = $process }
        }
    }
    $process.Kill($true)
    throw "The emulator did not start: $($process.StandardError.ReadToEnd())"
}

function Stop-TestEmulator {
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] $Emulator)
    process {
        if ($Emulator -and -not $Emulator.Process.HasExited) {
            $Emulator.Process.Kill($true)
            $Emulator.Process.WaitForExit(10000) | Out-Null
        }
    }
}

function Use-TestEmulator {
    <#
    .SYNOPSIS
        Points AliBackup at the emulator through the environment, as the README tells users to: this pwsh and every
        child it starts (Start-Job, a fresh pwsh) inherit it.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Emulator)
    $env:ALIBACKUP_ENDPOINT = $Emulator.BaseUrl
    $env:ALIBABA_CLOUD_ACCESS_KEY_ID = 'emulator-access-key-id'
    $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'emulator-access-key-secret'
    foreach ($name in 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALIBABA_CLOUD_PROFILE', 'ALIBABA_CLOUD_ROLE_ARN', 'ALIBABA_CLOUD_REGION_ID', 'GITHUB_ACTIONS', 'TF_BUILD') {
        Remove-Item "env:$name" -ErrorAction SilentlyContinue
    }
    $env:ALIBACKUP_STS_ENDPOINT = $Emulator.BaseUrl
}

function Invoke-EmulatorControl {
    <#
    .SYNOPSIS
        Calls one of the emulator's /_emulator/ control routes (POST with a JSON body, or GET).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Emulator,
        [Parameter(Mandatory)] [string] $Route,
        [hashtable] $Body
    )
    $uri = $Emulator.BaseUrl + $Route
    if ($PSBoundParameters.ContainsKey('Body')) {
        Invoke-RestMethod -Method Post -Uri $uri -ContentType 'application/json' -Body ($Body | ConvertTo-Json -Depth 5 -Compress)
    }
    else {
        Invoke-RestMethod -Method Get -Uri $uri
    }
}

function Add-EmulatedInstance {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Emulator,
        [Parameter(Mandatory)] [string] $Id,
        [ValidateSet('Redis', 'PolarDB', 'MongoDB', 'RDS')] [string] $Product = 'Redis',
        [int] $HistoricalBackups = 0,
        [double] $StageSeconds = -1,
        [int] $Shards = 1,
        [switch] $PerShardJobs,
        # Size of each backup file the instance's backups serve (bytes).
        [long] $BackupSizeBytes = 52428800
    )
    $body = @{ id = $Id; product = $Product; historicalBackups = $HistoricalBackups; shards = $Shards; perShardJobs = [bool]$PerShardJobs; backupSizeBytes = $BackupSizeBytes }
    if ($StageSeconds -ge 0) { $body.stageSeconds = $StageSeconds }
    Invoke-EmulatorControl -Emulator $Emulator -Route '/_emulator/instances' -Body $body | Out-Null
}

function Invoke-IsolatedPwsh {
    <#
    .SYNOPSIS
        Runs a script in a fresh pwsh (the environment of this one, so the staged module is first on PSModulePath)
        and returns its exit code and output lines. A script still running after -TimeoutSeconds is killed and
        reported with TimedOut = $true.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Script,
        [int] $TimeoutSeconds = 60,
        [hashtable] $Environment = @{}
    )
    $file = Join-Path ([IO.Path]::GetTempPath()) ('alibackup-pester-' + [guid]::NewGuid().ToString('N') + '.ps1')
    Set-Content -LiteralPath $file -Value $Script -Encoding utf8
    try {
        $pwsh = Get-PwshCommandLine
        $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $file)) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.UseShellExecute = $false
        # Plain text, as in a CI log: escape sequences in captured output would only get in the way of matching it.
        $start.Environment['NO_COLOR'] = '1'
        foreach ($name in $Environment.Keys) { $start.Environment[$name] = [string]$Environment[$name] }
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $process = [System.Diagnostics.Process]::Start($start)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $timedOut = -not $process.WaitForExit($TimeoutSeconds * 1000)
        if ($timedOut) { $process.Kill($true); $process.WaitForExit() }
        [pscustomobject]@{
            ExitCode = if ($timedOut) { $null } else { $process.ExitCode }
            TimedOut = $timedOut
            Output   = @($stdout.GetAwaiter().GetResult() -split '\r?\n' | Where-Object { $_ -ne '' })
            Error    = $stderr.GetAwaiter().GetResult()
            Elapsed  = $clock.Elapsed
        }
    }
    finally {
        Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
    }
}

Export-ModuleMember -Function Start-TestEmulator, Stop-TestEmulator, Use-TestEmulator, Invoke-EmulatorControl, Add-EmulatedInstance, Invoke-IsolatedPwsh, Get-PwshCommandLine
