<#
    The pipeline contract in the shell users run: every cmdlet that writes output, over multi-page data, under the
    idioms that stop a pipeline early. Each cmdlet's idioms run in one fresh pwsh under a hard timeout; a hang kills
    that pwsh and fails the idioms it had not reached, instead of hanging the suite.
#>

BeforeDiscovery {
    $script:Commands = @(
        @{ Name = 'Get-AliBackupTask'; Line = 'Get-AliBackupTask -InstanceId r-manytasks000001' }
        @{ Name = 'Get-AliBackup'; Line = 'Get-AliBackup -InstanceId r-manybackups0001 -StartTime (Get-Date).AddDays(-400)' }
        @{ Name = 'Start-AliBackup'; Line = 'Start-AliBackup -InstanceId r-start00000000001, r-start00000000002, r-start00000000003' }
        @{ Name = 'Wait-AliBackupTask'; Line = 'Start-AliBackup -InstanceId r-start00000000001, r-start00000000002, r-start00000000003 | Wait-AliBackupTask -PollInterval 0.2 -Timeout 120' }
        @{ Name = 'Get-AliBackupContext'; Line = 'Get-AliBackupContext' }
        @{ Name = 'Connect-AliBackup'; Line = 'Connect-AliBackup -Credential $credential -PassThru' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'AliBackup.TestSupport.psm1') -Force
    $script:Emulator = Start-TestEmulator -StageSeconds 1
    Use-TestEmulator $Emulator
    # 250 daily backups: three pages of 100. Five tasks that run for an hour. Three quick instances to back up.
    Add-EmulatedInstance $Emulator -Id r-manybackups0001 -HistoricalBackups 250
    Add-EmulatedInstance $Emulator -Id r-manytasks000001 -StageSeconds 3600
    Invoke-EmulatorControl $Emulator -Route '/_emulator/instances/r-manytasks000001/jobs' -Body @{ count = 5; mode = 'Automated' } | Out-Null
    1..3 | ForEach-Object { Add-EmulatedInstance $Emulator -Id "r-start0000000000$_" -StageSeconds (0.1 * $_) }
}

AfterAll {
    $Emulator | Stop-TestEmulator
}

Describe '<Name> when downstream stops the pipeline' -ForEach $Commands {
    BeforeAll {
        # Each idiom prints one line "<idiom>=<what happened>"; the script reaching its end prints "end".
        $script = @"
`$ErrorActionPreference = 'Continue'
Import-Module AliBackup -ErrorAction Stop
`$credential = [pscredential]::new(`$env:ALIBABA_CLOUD_ACCESS_KEY_ID, (ConvertTo-SecureString `$env:ALIBABA_CLOUD_ACCESS_KEY_SECRET -AsPlainText -Force))
`$Error.Clear()
`$first = @($Line -ErrorVariable ev | Select-Object -First 1)
"first=`$(`$first.Count) ev=`$(`$ev.Count) errors=`$(`$Error.Count)"
try { $Line | ForEach-Object { throw 'downstream failed' } } catch { "throw=`$(`$_.Exception.Message)" }
`$seen = foreach (`$round in 1..2) { $Line | ForEach-Object { 'one'; break } }
"break=`$(@(`$seen).Count)"
try {
    `$ErrorActionPreference = 'Stop'
    $Line | ForEach-Object { Invoke-WebRequest -Uri 'http://127.0.0.1:9/' -TimeoutSec 5 | Out-Null }
    'stop=not caught'
} catch { "stop=caught `$(`$_.Exception.GetType().Name)" } finally { `$ErrorActionPreference = 'Continue' }
`$Error.Clear()
`$null = @($Line | Select-Object -First 1)
"errors-after=`$(`$Error.Count)"
'end'
"@
        $script:Run = Invoke-IsolatedPwsh -Script $script -TimeoutSeconds 90
        $script:Lines = $Run.Output
    }

    It 'ends, without hanging' {
        $Run.TimedOut | Should -BeFalse -Because "the script hung; it printed: $($Lines -join ' | ') $($Run.Error)"
        $Lines | Should -Contain 'end'
    }

    It 'gives Select-Object -First 1 exactly one object, with nothing in $Error or -ErrorVariable' {
        $Lines | Should -Contain 'first=1 ev=0 errors=0'
    }

    It 'lets a downstream throw reach the caller''s catch unchanged' {
        $Lines | Should -Contain 'throw=downstream failed'
    }

    It 'lets break in a downstream ForEach-Object leave the loop' {
        $Lines | Should -Contain 'break=1'
    }

    It 'lets a failing Invoke-WebRequest downstream under -ErrorAction Stop reach catch' {
        ($Lines | Where-Object { $_ -like 'stop=*' }) | Should -BeLike 'stop=caught *'
    }

    It 'leaves no record in $Error after Select-Object -First 1' {
        $Lines | Should -Contain 'errors-after=0'
    }
}
