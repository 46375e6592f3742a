<#
    Save-AliBackup as users type it, in real pwsh against the emulator's backup files: end to end from Start-AliBackup,
    resume after a cut, an expired URL, per-item errors, shards in parallel with a bound, -WhatIf and re-runs.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'AliBackup.TestSupport.psm1') -Force
    $script:Emulator = Start-TestEmulator -StageSeconds 0.1
    Use-TestEmulator $Emulator
    Import-Module AliBackup -Force

    # Invoke-RestMethod writes a JSON array as one object: unroll it.
    function script:Get-Downloads { @(Invoke-EmulatorControl -Emulator $Emulator -Route '/_emulator/downloads' | ForEach-Object { $_ }) }
    function script:Get-Requests([string] $Action) { @(Invoke-EmulatorControl -Emulator $Emulator -Route '/_emulator/requests' | ForEach-Object { $_ } | Where-Object Action -EQ $Action) }
    function script:New-Folder { $path = Join-Path $TestDrive ([guid]::NewGuid().ToString('N')); New-Item -ItemType Directory $path | Out-Null; $path }
    function script:Test-BackupFile([IO.FileInfo] $File, $Backup) {
        # The emulator's files follow a fixed pattern: spot-check it, so a resumed file is proven to be the backup's bytes.
        $bytes = [IO.File]::ReadAllBytes($File.FullName)
        $bytes.LongLength | Should -Be $Backup.Size
        $id = [long]$Backup.BackupId
        foreach ($i in 0, 1, 70000, ($bytes.LongLength - 1)) {
            # BackupFileServer.ContentByte: (position * 131 + position / 2048 + backupId * 7) mod 256
            $bytes[$i] | Should -Be ([byte](($i * 131 + ($i -shr 11) + $id * 7) % 256)) -Because "byte $i"
        }
    }
}

AfterAll {
    $Emulator | Stop-TestEmulator
}

Describe 'Save-AliBackup' {
    It 'saves the backup Start-AliBackup rm-… | Wait-AliBackupTask made, as a FileInfo named by instance, backup ID and extension' {
        $folder = New-Folder
        $file = Start-AliBackup rm-bp1demo000000001 | Wait-AliBackupTask -PollInterval 0.2 -Timeout 60 | Tee-Object -Variable backup | Save-AliBackup -Path $folder

        $file | Should -BeOfType [IO.FileInfo]
        $backup.Engine | Should -Be 'RDS'
        $file.Name | Should -Be "rm-bp1demo000000001_$($backup.BackupId).xb"
        $file.DirectoryName | Should -Be $folder
        Test-BackupFile $file $backup
        Get-ChildItem $folder -Filter *.partial | Should -BeNullOrEmpty
    }

    It 'resumes a download cut off half way with a Range request and ends with the right size' {
        Add-EmulatedInstance -Emulator $Emulator -Id r-savecut0000001 -HistoricalBackups 1 -BackupSizeBytes 4000000
        $backup = Get-AliBackup r-savecut0000001
        Invoke-EmulatorControl -Emulator $Emulator -Route '/_emulator/downloads/cut' -Body @{ backupId = $backup.BackupId; afterFraction = 0.5 } | Out-Null

        $file = $backup | Save-AliBackup -Path (New-Folder) -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [IO.FileInfo] }

        Test-BackupFile $file $backup
        $mine = Get-Downloads | Where-Object backupId -EQ $backup.BackupId
        $mine.Count | Should -Be 2
        $mine[0].cut | Should -BeTrue
        $mine[1].range | Should -Match '^bytes=\d+-$'
        $mine[1].httpStatus | Should -Be 206
        ($all | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'resumed 1 time with a Range request'
    }

    It 'replaces an expired download URL through DescribeBackups and goes on' {
        Add-EmulatedInstance -Emulator $Emulator -Id dds-saveexpiry01 -Product MongoDB -HistoricalBackups 1 -BackupSizeBytes 300000
        Invoke-EmulatorControl -Emulator $Emulator -Route '/_emulator/downloads' -Body @{ urlLifetimeSeconds = 2 } | Out-Null
        try {
            $backup = Get-AliBackup dds-saveexpiry01
            Start-Sleep -Seconds 3
            $before = (Get-Requests DescribeBackups).Count

            $file = $backup | Save-AliBackup -Path (New-Folder)
        }
        finally {
            Invoke-EmulatorControl -Emulator $Emulator -Route '/_emulator/downloads' -Body @{ urlLifetimeSeconds = 3600 } | Out-Null
        }

        Test-BackupFile $file $backup
        (Get-Requests DescribeBackups).Count | Should -Be ($before + 1)
        (Get-Downloads | Where-Object backupId -EQ $backup.BackupId).httpStatus | Should -Be 200
    }

    It 'reports a Failed backup and a PolarDB backup as clear per-item errors while the others are saved' {
        Add-EmulatedInstance -Emulator $Emulator -Id r-savefailed0001 -StageSeconds 0.02 -BackupSizeBytes 100000
        Invoke-EmulatorControl -Emulator $Emulator -Route '/_emulator/instances/r-savefailed0001/fail-next-backup' -Body @{} | Out-Null
        Invoke-EmulatorControl -Emulator $Emulator -Route '/_emulator/instances/r-savefailed0001/jobs' -Body @{ mode = 'Automated' } | Out-Null
        Start-Sleep -Milliseconds 300
        $failed = Get-AliBackup r-savefailed0001 | Where-Object Status -EQ Failed
        $failed | Should -Not -BeNullOrEmpty
        $polar = Get-AliBackup pc-2zedemo000000001 | Select-Object -First 1
        $good = Get-AliBackup dds-bp1demo00000001 | Select-Object -First 1

        $files = $failed, $polar, $good | Save-AliBackup -Path (New-Folder) -ErrorVariable problems -ErrorAction SilentlyContinue

        @($files).Count | Should -Be 1
        $files.Name | Should -BeLike "dds-bp1demo00000001_$($good.BackupId).*"
        $problems.Count | Should -Be 2
        $problems | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'AliBackup.NotDownloadable,*' }
        $problems[0].TargetObject.BackupId | Should -Be $failed.BackupId
        $problems[0].Exception.Message | Should -Match 'status is Failed'
        $problems[1].TargetObject.BackupId | Should -Be $polar.BackupId
        $problems[1].Exception.Message | Should -Match 'PolarDB data backups .* no download URL'
        $problems[1].ErrorDetails.RecommendedAction | Should -Match 'DBS advanced download'
    }

    It 'saves each shard of a cluster backup to its own file, several at once but never more than -ThrottleLimit' {
        Add-EmulatedInstance -Emulator $Emulator -Id r-saveshards0001 -Shards 3 -HistoricalBackups 1 -BackupSizeBytes 400000
        $shards = Get-AliBackup r-saveshards0001
        $shards.Count | Should -Be 3
        Invoke-EmulatorControl -Emulator $Emulator -Route '/_emulator/downloads' -Body @{ bytesPerSecond = 800000 } | Out-Null
        try {
            $parallel = $shards | Save-AliBackup -Path (New-Folder) -ThrottleLimit 3
            $together = Get-Downloads | Where-Object instanceId -EQ r-saveshards0001
            $serial = $shards | Save-AliBackup -Path (New-Folder) -ThrottleLimit 1
            $oneByOne = Get-Downloads | Where-Object instanceId -EQ r-saveshards0001 | Select-Object -Skip 3
        }
        finally {
            Invoke-EmulatorControl -Emulator $Emulator -Route '/_emulator/downloads' -Body @{ bytesPerSecond = $null } | Out-Null
        }

        @($parallel.Name | Sort-Object) | Should -Be @($shards | Sort-Object NodeInstanceId | ForEach-Object { 'r-saveshards0001_' + $_.NodeInstanceId.Substring(17) + '_' + $_.BackupId + '.rdb' })
        foreach ($shard in $shards) { Test-BackupFile ($parallel | Where-Object Name -Like "*_$($shard.BackupId).rdb") $shard }
        # All three were being sent at the same time with -ThrottleLimit 3 ...
        $lastStart = ($together | ForEach-Object { [DateTimeOffset]$_.startedAt } | Measure-Object -Maximum).Maximum
        $firstEnd = ($together | ForEach-Object { [DateTimeOffset]$_.endedAt } | Measure-Object -Minimum).Minimum
        $lastStart | Should -BeLessThan $firstEnd
        # ... and one after the other with -ThrottleLimit 1.
        @($serial).Count | Should -Be 3
        $ordered = @($oneByOne | Sort-Object { [DateTimeOffset]$_.startedAt })
        foreach ($i in 1..2) { [DateTimeOffset]$ordered[$i].startedAt | Should -BeGreaterOrEqual ([DateTimeOffset]$ordered[$i - 1].endedAt).AddMilliseconds(-50) }
    }

    It 'skips a complete file with a verbose note, and -WhatIf downloads nothing' {
        $folder = New-Folder
        $backup = Get-AliBackup r-bp1demo000000001 | Select-Object -First 1
        $backup | Save-AliBackup -Path $folder -WhatIf
        Get-ChildItem $folder | Should -BeNullOrEmpty
        (Get-Downloads | Where-Object backupId -EQ $backup.BackupId) | Should -BeNullOrEmpty

        $first = $backup | Save-AliBackup -Path $folder
        $again = $backup | Save-AliBackup -Path $folder -Verbose 4>&1
        ($again | Where-Object { $_ -is [IO.FileInfo] }).FullName | Should -Be $first.FullName
        ($again | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'already .* complete file'
        @(Get-Downloads | Where-Object backupId -EQ $backup.BackupId).Count | Should -Be 1
    }

    It 'saves a backup that crossed a job boundary (deserialized), through the intranet URL with -Intranet' {
        $backup = Get-AliBackup dds-bp1demo00000001 | Select-Object -Last 1
        $copy = [Management.Automation.PSSerializer]::Deserialize([Management.Automation.PSSerializer]::Serialize($backup))
        $copy.PSObject.TypeNames[0] | Should -Be 'Deserialized.AliBackup.Backup'

        $file = $copy | Save-AliBackup -Path (New-Folder) -Intranet

        Test-BackupFile $file $backup
        $mine = @(Get-Downloads | Where-Object backupId -EQ $backup.BackupId)
        $mine.Count | Should -Be 1
        $mine[0].intranet | Should -BeTrue
    }

    It 'writes a heartbeat line instead of progress bars in CI' {
        $run = Invoke-IsolatedPwsh -TimeoutSeconds 60 -Environment @{ GITHUB_ACTIONS = 'true' } -Script @"
Import-Module AliBackup -ErrorAction Stop
`$folder = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('N'))
Get-AliBackup dds-bp1demo00000001 | Select-Object -First 2 | Save-AliBackup -Path `$folder | Out-Null
Remove-Item `$folder -Recurse -Force
"@
        $run.ExitCode | Should -Be 0 -Because $run.Error
        $run.Output | Where-Object { $_ -like 'AliBackup: saving 2 backup files, 0 done*' } | Should -Not -BeNullOrEmpty
    }

    It 'stops at once under Select-Object -First 1, leaving no error behind' {
        $run = Invoke-IsolatedPwsh -TimeoutSeconds 60 -Script @"
Import-Module AliBackup -ErrorAction Stop
`$folder = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('N'))
`$Error.Clear()
`$first = Get-AliBackup r-bp1cluster000001 | Save-AliBackup -Path `$folder -ThrottleLimit 2 -ErrorVariable ev | Select-Object -First 1
`$first.GetType().Name
`$ev.Count
`$Error.Count
Remove-Item `$folder -Recurse -Force
"@
        $run.TimedOut | Should -BeFalse
        $run.ExitCode | Should -Be 0 -Because $run.Error
        $run.Output[-3..-1] | Should -Be @('FileInfo', '0', '0')
    }
}
