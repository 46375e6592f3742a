<#
    Faults as a user meets them in the shell: a lost CreateBackup answer, a throttle with a retry-after hint in
    milliseconds, an unreadable answer among good ones, and a wait through faults. The emulator runs in its own process.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'AliBackup.TestSupport.psm1') -Force
    $script:Emulator = Start-TestEmulator -StageSeconds 0.2
    Use-TestEmulator $Emulator
    $env:ALIBACKUP_RETRY_BASE_DELAY_MS = '10'
    Import-Module AliBackup -Force
    function script:Add-Fault([hashtable] $Body) { Invoke-EmulatorControl $Emulator -Route '/_emulator/faults' -Body $Body | Out-Null }
}

AfterAll {
    Remove-Item env:ALIBACKUP_RETRY_BASE_DELAY_MS -ErrorAction SilentlyContinue
    $Emulator | Stop-TestEmulator
}

Describe 'Start-AliBackup when CreateBackup''s answer is lost' {
    It 'writes the task the backup started and starts no second one (<Kind>, <Id>)' -ForEach @(
        @{ Kind = 'reset-after-execute'; Id = 'r-pesterlost00001'; Product = 'Redis' }
        @{ Kind = 'truncated'; Id = 'dds-pesterlost0001'; Product = 'MongoDB' }
    ) {
        Add-EmulatedInstance $Emulator -Id $Id -Product $Product
        Add-Fault @{ action = 'CreateBackup'; instanceId = $Id; kind = $Kind; count = -1 }

        $all = @(Start-AliBackup -InstanceId $Id -Verbose 4>&1)
        $task = @($all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

        $jobs = @((Invoke-EmulatorControl $Emulator -Route '/_emulator/jobs') | ForEach-Object { $_ } | Where-Object { $_.instanceId -eq $Id })
        $jobs.Count | Should -Be 1 -Because ($verbose -join "`n")
        $task.Count | Should -Be 1 -Because ($verbose -join "`n")
        $task[0].BackupJobId | Should -Be $jobs[0].jobIds[0]
        ($verbose -like '*was lost*') | Should -Not -BeNullOrEmpty
        $task[0] | Wait-AliBackupTask -Timeout 30 -PollInterval 0.2 | Should -Not -BeNullOrEmpty
    }
}

Describe 'A throttle with x-acs-retry-after' {
    It 'waits the hinted milliseconds and says so in -Verbose' {
        Add-EmulatedInstance $Emulator -Id 'r-pesterthrottle1'
        Add-Fault @{ action = 'DescribeBackupTasks'; instanceId = 'r-pesterthrottle1'; code = 'Throttling.User'; retryAfterMs = 1500 }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        $verbose = Get-AliBackupTask -InstanceId r-pesterthrottle1 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }

        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1.4
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        ($verbose.Message -match 'Throttling\.User .*retrying in 1\.5 s \(attempt 2 of \d+\)') | Should -Not -BeNullOrEmpty
    }
}

Describe 'An unreadable answer among good ones' {
    It 'is one AliBackup.InvalidResponse error for its instance, naming the action and RequestId; the others come out' {
        1..3 | ForEach-Object { Add-EmulatedInstance $Emulator -Id "r-pesterbadtext0$_" -HistoricalBackups 2 }
        $env:ALIBACKUP_RETRY_MAX_ATTEMPTS = '1'
        try {
            Add-Fault @{ action = 'DescribeBackups'; instanceId = 'r-pesterbadtext02'; kind = 'invalid-utf8'; count = -1 }
            $backups = Get-AliBackup -InstanceId r-pesterbadtext01, r-pesterbadtext02, r-pesterbadtext03 -ErrorVariable failures -ErrorAction SilentlyContinue
        }
        finally {
            Remove-Item env:ALIBACKUP_RETRY_MAX_ATTEMPTS
        }

        @($backups).Count | Should -Be 4
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'AliBackup.InvalidResponse,*'
        $failures[0].TargetObject | Should -Be 'r-pesterbadtext02'
        $failures[0].Exception.Message | Should -Match 'DescribeBackups .*not valid text.*RequestId [0-9A-F-]{36}'
    }
}
