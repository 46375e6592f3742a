# The cmdlet side of the benchmark, in real pwsh. Started by AliBackup.Bench with the emulator's endpoint and a key
# pair in the environment (ALIBACKUP_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET), as a user would set them.
#   -Mode serve       : reads one JSON command a line from stdin, answers one '@@{json}' line per command (warm process)
#   -Mode first       : Import-Module, then the first Get-AliBackupTask, timed in-process
#   -Mode import      : Import-Module alone, timed in-process (-Manifest may be any module)
#   -Mode first-http  : no module: the process's first HttpClient request (a POST to the endpoint), timed in-process
#   -Mode list-peak   : Get-AliBackup of a whole window into Measure-Object, then the process's peak working set
#   -Mode save-peak   : Save-AliBackup of the instance's newest backup, then the process's peak working set
param(
    [Parameter(Mandatory)] [string] $Manifest,
    [string] $Mode = 'serve',
    [string] $Instance
)
$ErrorActionPreference = 'Stop'

function Now { [System.Diagnostics.Stopwatch]::GetTimestamp() }
function Ms([long] $from, [long] $to) { ($to - $from) * 1000.0 / [System.Diagnostics.Stopwatch]::Frequency }
function Cpu { [System.Environment]::CpuUsage.TotalTime.TotalMilliseconds }
function Answer($value) { [Console]::Out.WriteLine('@@' + ($value | ConvertTo-Json -Compress)); [Console]::Out.Flush() }

if ($Mode -eq 'first-http') {
    # The framework's own first use of HTTP, which every first call pays and no module can warm without a connection.
    $t0 = Now
    $client = [System.Net.Http.HttpClient]::new()
    $content = [System.Net.Http.ByteArrayContent]::new([byte[]]::new(0))
    $null = $client.PostAsync($env:ALIBACKUP_ENDPOINT + '/', $content).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult()
    Answer @{ ms = (Ms $t0 (Now)) }
    return
}

if ($Mode -eq 'import') {
    $t0 = Now
    Import-Module $Manifest
    Answer @{ ms = (Ms $t0 (Now)) }
    return
}

Import-Module $Manifest

if ($Mode -eq 'first') {
    $t0 = Now
    $null = Get-AliBackupTask -InstanceId $Instance
    Answer @{ ms = (Ms $t0 (Now)) }
    return
}

if ($Mode -eq 'save-peak') {
    $ProgressPreference = 'SilentlyContinue'
    $folder = Join-Path ([IO.Path]::GetTempPath()) ('alibackup-bench-savepeak-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $folder | Out-Null
    try {
        $file = Get-AliBackup -InstanceId $Instance -StartTime ([datetime]::UtcNow.AddDays(-7)) -EndTime ([datetime]::UtcNow.AddHours(1)) | Select-Object -First 1 |
            Save-AliBackup -Path $folder -Force -Confirm:$false
        Answer @{ bytes = $file.Length; peakMb = [System.Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB }
    }
    finally { Remove-Item -LiteralPath $folder -Recurse -Force }
    return
}

if ($Mode -eq 'list-peak') {
    $count = (Get-AliBackup -InstanceId $Instance -StartTime ([datetime]::UtcNow.AddDays(-7)) -EndTime ([datetime]::UtcNow.AddHours(1)) | Measure-Object).Count
    Answer @{ count = $count; peakMb = [System.Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB }
    return
}

$stdin = [Console]::In
while ($null -ne ($line = $stdin.ReadLine())) {
    $command = $line | ConvertFrom-Json
    $id = $command.instance
    switch ($command.op) {
        'calls' {
            $n = [int] $command.n
            $j0 = [System.Runtime.JitInfo]::GetCompiledMethodCount($false); $a0 = [GC]::GetTotalAllocatedBytes($true); $c0 = Cpu; $t0 = Now
            for ($i = 0; $i -lt $n; $i++) { $null = Get-AliBackupTask -InstanceId $id }
            $t1 = Now; $c1 = Cpu; $a1 = [GC]::GetTotalAllocatedBytes($true); $j1 = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
            Answer @{ wallUs = (Ms $t0 $t1) * 1000 / $n; cpuUs = ($c1 - $c0) * 1000 / $n; allocBytes = ($a1 - $a0) / $n; jitted = $j1 - $j0 }
        }
        'list' {
            $c0 = Cpu; $t0 = Now
            $count = (Get-AliBackup -InstanceId $id -StartTime ([datetime]::UtcNow.AddDays(-7)) -EndTime ([datetime]::UtcNow.AddHours(1)) | Measure-Object).Count
            $t1 = Now; $c1 = Cpu
            Answer @{ count = $count; wallMs = (Ms $t0 $t1); cpuMs = ($c1 - $c0) }
        }
        'first-object' {
            $t0 = Now
            $first = Get-AliBackup -InstanceId $id -StartTime ([datetime]::UtcNow.AddDays(-7)) -EndTime ([datetime]::UtcNow.AddHours(1)) | Select-Object -First 1
            $t1 = Now
            Answer @{ ms = (Ms $t0 $t1); got = ($null -ne $first) }
        }
        'has' {
            Answer @{ found = ($null -ne (Get-Command -Name $command.name -Module AliBackup -ErrorAction SilentlyContinue)) }
        }
        'save' {
            $backup = Get-AliBackup -InstanceId $id -StartTime ([datetime]::UtcNow.AddDays(-7)) -EndTime ([datetime]::UtcNow.AddHours(1)) | Select-Object -First 1
            $folder = $command.path
            # curl runs with -s (no progress meter): no progress bars here either.
            $ProgressPreference = 'SilentlyContinue'
            $c0 = Cpu; $t0 = Now
            $file = $backup | Save-AliBackup -Path $folder -Force -Confirm:$false
            $t1 = Now; $c1 = Cpu
            $length = (Get-Item -LiteralPath $file.FullName).Length
            Remove-Item -LiteralPath $file.FullName
            Answer @{ bytes = $length; expected = $backup.Size; wallMs = (Ms $t0 $t1); cpuMs = ($c1 - $c0); url = $backup.DownloadUrl }
        }
        default { Answer @{ error = "unknown op $($command.op)" } }
    }
}
