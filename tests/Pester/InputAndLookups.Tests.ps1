<#
    What a user types that is wrong, odd or old, in the shell users run: IDs that no list knows, backups older than the
    default week, per-shard jobs and PolarDB backups piped back in, credentials that do not work, limits that are not
    numbers a TimeSpan can hold, and input that must never reach a host name, a header or a query string. Each of these
    misbehaved before (a wait sat out its whole -Timeout, a lookup came back empty without a word, a raw .NET exception,
    a signed request sent to another host).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'AliBackup.TestSupport.psm1') -Force
    $script:Emulator = Start-TestEmulator -StageSeconds 0.2
    Use-TestEmulator $Emulator
    Import-Module AliBackup -Force

    # Backups from 1 to 12 days ago; their jobs left the task list long ago.
    Add-EmulatedInstance $Emulator -Id r-history0000001 -HistoricalBackups 12
    Add-EmulatedInstance $Emulator -Id pc-history000001 -Product PolarDB -HistoricalBackups 3
    Add-EmulatedInstance $Emulator -Id r-shards00000001 -Shards 3 -PerShardJobs
    Add-EmulatedInstance $Emulator -Id d-shardnode00001 -Product MongoDB -StageSeconds 3600
    Add-EmulatedInstance $Emulator -Id r-quick000000001
    Add-EmulatedInstance $Emulator -Id r-slowpolls00001 -StageSeconds 0.3

    $script:Good = [pscredential]::new($env:ALIBABA_CLOUD_ACCESS_KEY_ID, (ConvertTo-SecureString $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET -AsPlainText -Force))
    $script:WrongSecret = [pscredential]::new($env:ALIBABA_CLOUD_ACCESS_KEY_ID, (ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force))

    function script:Get-Requests {
        param([string] $InstanceId, [string] $Action)
        # Invoke-RestMethod writes a JSON array as one object: foreach takes it apart.
        $all = Invoke-EmulatorControl $Emulator -Route '/_emulator/requests'
        @(foreach ($request in $all) {
                if ((-not $InstanceId -or $request.InstanceId -eq $InstanceId) -and (-not $Action -or $request.Action -eq $Action)) { $request }
            })
    }
}

AfterAll {
    Disconnect-AliBackup
    $Emulator | Stop-TestEmulator
}

Describe 'A wait on a job that no list knows' {
    It 'is ObjectNotFound at once, not after -Timeout, and says to check the ID' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $out = Wait-AliBackupTask -InstanceId r-history0000001 -BackupJobId 999999 -Timeout 60 -PollInterval 1 -ErrorVariable failed -ErrorAction SilentlyContinue
        $clock.Stop()

        $out | Should -BeNullOrEmpty
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'AliBackup.BackupJobNotFound,*'
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failed[0].Exception.Message | Should -Not -Match 'goes on in the service'
        $failed[0].ErrorDetails.RecommendedAction | Should -BeLike '*Get-AliBackupTask -InstanceId r-history0000001*'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 15
    }

    It 'refuses a job ID that is not a number while binding, naming -BackupJobId' {
        { Wait-AliBackupTask -InstanceId r-history0000001 -BackupJobId 'abc' -Timeout 60 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*parameter 'BackupJobId'*job IDs are numbers*-BackupJobId 710001*"
    }

    It 'returns the backup of a finished job older than a week' {
        $old = Get-AliBackup -InstanceId r-history0000001 -StartTime (Get-Date).AddDays(-30) | Sort-Object StartTime | Select-Object -First 1
        $old.StartTime | Should -BeLessThan ([DateTimeOffset]::UtcNow.AddDays(-10))

        $backup = Wait-AliBackupTask -InstanceId r-history0000001 -BackupJobId $old.BackupJobId -Timeout 30 -ErrorAction Stop

        @($backup).Count | Should -Be 1
        $backup.BackupId | Should -Be $old.BackupId
    }
}

Describe 'Get-AliBackup by ID' {
    It 'finds a backup older than the default week, also when piped back in' {
        $old = Get-AliBackup -InstanceId r-history0000001 -StartTime (Get-Date).AddDays(-30) | Sort-Object StartTime | Select-Object -First 1

        @(Get-AliBackup -InstanceId r-history0000001 -BackupId $old.BackupId).BackupId | Should -Be @($old.BackupId)
        @(Get-AliBackup -InstanceId r-history0000001 -BackupJobId $old.BackupJobId).BackupId | Should -Be @($old.BackupId)
        @($old | Get-AliBackup).BackupId | Should -Be @($old.BackupId)
    }

    It 'writes ObjectNotFound for an ID that matches nothing' {
        $out = Get-AliBackup -InstanceId r-history0000001 -BackupId 12345 -ErrorVariable failed -ErrorAction SilentlyContinue

        $out | Should -BeNullOrEmpty
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'AliBackup.BackupNotFound,*'
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failed[0].Exception.Message | Should -BeLike '*BackupId 12345*'
    }

    It 'returns each shard''s backup for a Redis cluster task with one job per shard' {
        $task = Start-AliBackup -InstanceId r-shards00000001
        $task.BackupJobId | Should -Match '^\d+,\d+,\d+$'
        $task | Wait-AliBackupTask -PollInterval 1 -Timeout 60 -ErrorAction Stop | Out-Null

        $backups = @($task | Get-AliBackup -ErrorAction Stop)

        $backups.Count | Should -Be 3
        @($backups.NodeInstanceId | Sort-Object -Unique).Count | Should -Be 3
        @($backups.BackupJobId | Sort-Object) | Should -Be @($task.BackupJobId -split ',' | Sort-Object)
    }
}

Describe 'Backups piped into Wait-AliBackupTask' {
    It 'come back as they are for PolarDB, whose backups name no job' {
        $backups = @(Get-AliBackup -InstanceId pc-history000001 | Select-Object -First 2)
        $backups.Count | Should -Be 2
        $backups[0].BackupJobId | Should -BeNullOrEmpty

        $back = @($backups | Wait-AliBackupTask -Timeout 30 -ErrorVariable failed)

        $failed.Count | Should -Be 0
        $back.BackupId | Should -Be $backups.BackupId
    }

    It 'give one clear error for an object with neither a job nor a backup ID, and the others go on' {
        $redis = Get-AliBackup -InstanceId r-history0000001 | Select-Object -First 1
        $items = @([pscustomobject]@{ InstanceId = 'pc-history000001'; BackupJobId = $null }, $redis)

        $out = @($items | Wait-AliBackupTask -PollInterval 1 -Timeout 60 -ErrorVariable failed -ErrorAction SilentlyContinue)

        $out.BackupId | Should -Be @($redis.BackupId)
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'AliBackup.InvalidArgument.BackupJobId,*'
        $failed[0].Exception.Message | Should -BeLike '*-BackupId*-Latest*'
    }
}

Describe 'The command to wait again' {
    It 'names -Engine for an ID without a product prefix, so it works when pasted' {
        $null = Start-AliBackup -InstanceId d-shardnode00001 -Engine MongoDB
        $null = Wait-AliBackupTask -InstanceId d-shardnode00001 -Engine MongoDB -Latest -Timeout 0.5 -PollInterval 1 -ErrorVariable timedOut -ErrorAction SilentlyContinue
        $timedOut[0].FullyQualifiedErrorId | Should -BeLike 'AliBackup.WaitTimeout,*'
        $command = $timedOut[0].Exception.ReattachCommand
        $command | Should -BeLike '*-Engine MongoDB*'

        $null = Invoke-Expression "$command -Timeout 0.5 -PollInterval 1 -ErrorVariable again -ErrorAction SilentlyContinue"
        $again[0].FullyQualifiedErrorId | Should -BeLike 'AliBackup.WaitTimeout,*'

        # The same builder makes the recommendation of a refused second backup.
        $null = Start-AliBackup -InstanceId d-shardnode00001 -Engine MongoDB -IfRunning Fail -ErrorVariable busy -ErrorAction SilentlyContinue
        $busy[0].ErrorDetails.RecommendedAction | Should -BeLike '*Wait-AliBackupTask -InstanceId d-shardnode00001 *-Engine MongoDB*'
    }
}

Describe 'Credentials' {
    AfterEach { Disconnect-AliBackup }

    It 'Connect-AliBackup proves them and leaves the session as it was when they are wrong' {
        Connect-AliBackup -Credential $Good -Region cn-shanghai
        { Connect-AliBackup -Credential $WrongSecret -Region eu-west-1 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*secret is invalid*'

        $context = Get-AliBackupContext
        $context.Region | Should -Be 'cn-shanghai'
        $context.RegionSource | Should -Be 'Connect-AliBackup'
        (Get-Requests -Action GetCallerIdentity).Count | Should -Be 2
        # The session still signs with the key that was proven.
        @(Get-AliBackup -InstanceId r-history0000001 -ErrorAction Stop).Count | Should -Be 7
    }

    It 'a rejection that every item would get ends the command at the first, with one request' {
        $ids = 'r-reject00000001', 'r-reject00000002', 'r-reject00000003'
        $ids | ForEach-Object { Add-EmulatedInstance $Emulator -Id $_ }

        # Continue, as a console has it (Pester's own Stop alone would end the command at the first error, rejection or not).
        $ErrorActionPreference = 'Continue'
        $caught = $null
        try { $ids | Get-AliBackupTask -Credential $WrongSecret } catch { $caught = $_ }

        $caught.FullyQualifiedErrorId | Should -BeLike 'AliBackup.Api.SignatureDoesNotMatch,*'
        $caught.TargetObject | Should -Be 'r-reject00000001'
        $requests = $ids | ForEach-Object { Get-Requests -InstanceId $_ }
        @($requests).Count | Should -Be 1
    }
}

Describe 'Limits' {
    It 'takes -Timeout -1 and [TimeSpan]::MaxValue as no limit' {
        @(Start-AliBackup r-quick000000001 | Wait-AliBackupTask -Timeout -1 -PollInterval 1 -ErrorAction Stop).Count | Should -Be 1
        @(Start-AliBackup r-quick000000001 | Wait-AliBackupTask -Timeout ([TimeSpan]::MaxValue) -PollInterval 1 -ErrorAction Stop).Count | Should -Be 1
    }

    It 'refuses a -Timeout too large for a TimeSpan with a message, not an overflow' {
        { Wait-AliBackupTask -InstanceId r-quick000000001 -BackupJobId 1 -Timeout 1e12 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*parameter 'Timeout'*-1 for no limit*"
    }

    It 'raises a -PollInterval below one second to one second, with a warning, so a wait does not flood the service' {
        # Only the wait's own polls count: Start-AliBackup asks for the running task before and after CreateBackup.
        $task = Start-AliBackup r-slowpolls00001
        $before = (Get-Requests -InstanceId r-slowpolls00001 -Action DescribeBackupTasks).Count
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $backup = $task | Wait-AliBackupTask -PollInterval 0.05 -Timeout 60 -WarningVariable warned -WarningAction SilentlyContinue
        $clock.Stop()

        @($backup).Count | Should -Be 1
        $warned.Count | Should -Be 1
        $warned[0].Message | Should -BeLike '-PollInterval 0.05 s is below the minimum of 1 s*'
        # One poll at once, then at most one a second (jitter never shortens a gap below the floor).
        $polls = (Get-Requests -InstanceId r-slowpolls00001 -Action DescribeBackupTasks).Count - $before
        $polls | Should -BeLessOrEqual ([math]::Floor($clock.Elapsed.TotalSeconds) + 1)
    }
}

Describe 'Input that names the wrong thing or must not reach the wire' {
    It 'trims IDs with spaces, as CSV cells and typing bring them' {
        $rows = "InstanceId`n r-history0000001 `n" | ConvertFrom-Csv
        @($rows | Get-AliBackup -ErrorAction Stop).Count | Should -Be 7
        Get-Requests -InstanceId ' r-history0000001 ' | Should -BeNullOrEmpty
    }

    It 'reports an ID without a product prefix against -InstanceId' {
        $null = Get-AliBackup -InstanceId bp1noprefix0001 -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'AliBackup.InvalidArgument.InstanceId,*'
        $failed[0].Exception.Message | Should -BeLike '*-Engine*'
    }

    It 'refuses an unknown -Region before anything is sent, naming the region it resembles' {
        $before = (Get-Requests).Count
        { Get-AliBackup -InstanceId r-history0000001 -Region cn-hangzou -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*parameter 'Region'*did you mean cn-hangzhou?*"
        (Get-Requests).Count | Should -Be $before
    }

    It 'names ALIBACKUP_ENDPOINT, -Profile and -StartTime when they are what is wrong' {
        $saved = $env:ALIBACKUP_ENDPOINT
        try {
            $env:ALIBACKUP_ENDPOINT = 'ftp://127.0.0.1'
            { Get-AliBackup -InstanceId r-history0000001 -ErrorAction Stop } | Should -Throw -ExpectedMessage "ALIBACKUP_ENDPOINT 'ftp://127.0.0.1' cannot be used*Set ALIBACKUP_ENDPOINT*"
        }
        finally { $env:ALIBACKUP_ENDPOINT = $saved }

        { Get-AliBackup -InstanceId r-history0000001 -Profile nosuch -ErrorAction Stop } | Should -Throw -ExpectedMessage "-Profile 'nosuch'*"
        $caught = $null
        try { Get-AliBackup -InstanceId r-history0000001 -StartTime (Get-Date).AddDays(2) -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'AliBackup.InvalidArgument.StartTime,*'
        $caught.Exception.Message | Should -BeLike '-StartTime*is in the future*'
    }

    It 'never sends a signed request to a host a -Region from the pipeline smuggles in' {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $saved = $env:ALIBACKUP_ENDPOINT
        try {
            Remove-Item env:ALIBACKUP_ENDPOINT
            $item = [pscustomobject]@{ InstanceId = 'r-history0000001'; Region = "x@127.0.0.1:$($listener.LocalEndpoint.Port)/#" }
            $null = $item | Get-AliBackup -ErrorVariable failed -ErrorAction SilentlyContinue
            Start-Sleep -Milliseconds 200
            $listener.Pending() | Should -BeFalse
            $failed[0].Exception.Message | Should -BeLike "*parameter 'Region'*is not a region ID*"
        }
        finally {
            $env:ALIBACKUP_ENDPOINT = $saved
            $listener.Stop()
        }
    }

    It 'refuses an AccessKey ID with a line break, from -Credential or the environment, before a header is built' {
        $before = (Get-Requests).Count
        $injected = [pscredential]::new("LTAI5tExample`r`nX-Injected: 1", (ConvertTo-SecureString 'x' -AsPlainText -Force))
        { Get-AliBackup -InstanceId r-history0000001 -Credential $injected -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*parameter 'Credential'*holds a line break*"

        $saved = $env:ALIBABA_CLOUD_ACCESS_KEY_ID
        try {
            $env:ALIBABA_CLOUD_ACCESS_KEY_ID = "LTAI5tExample`r`nX-Injected: 1"
            $env:ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true' # the chain moves on to the next sources; no need to wait on the metadata service
            { Get-AliBackup -InstanceId r-history0000001 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*AccessKey ID from env holds a line break*'
        }
        finally {
            $env:ALIBABA_CLOUD_ACCESS_KEY_ID = $saved
            Remove-Item env:ALIBABA_CLOUD_ECS_METADATA_DISABLED
        }
        (Get-Requests).Count | Should -Be $before
    }

    It 'refuses a user name and password in -Endpoint and never prints them' {
        $caught = $null
        try { Get-AliBackupContext -Endpoint "http://alice:hunter2@127.0.0.1:9" -ErrorAction Stop } catch { $caught = $_ }
        $caught.Exception.Message | Should -BeLike "*parameter 'Endpoint'*user name or password*"
        # (PowerShell's own position message quotes the command line as typed; what the module says never does.)
        $caught.Exception.Message | Should -Not -Match 'hunter2|alice'
        "$($caught.ErrorDetails)" | Should -Not -Match 'hunter2|alice'
    }

    It 'refuses IDs carrying &, =, / , whitespace or control characters while binding, naming the parameter' -ForEach @(
        @{ Line = 'Get-AliBackup -InstanceId "r-a&PageSize=1"'; Parameter = 'InstanceId' }
        @{ Line = 'Get-AliBackupTask -InstanceId "r-a/../b"'; Parameter = 'InstanceId' }
        @{ Line = 'Start-AliBackup -InstanceId "r-a`tb" -WhatIf'; Parameter = 'InstanceId' }
        @{ Line = 'Get-AliBackup -InstanceId r-history0000001 -BackupId "1=1"'; Parameter = 'BackupId' }
        @{ Line = 'Get-AliBackupTask -InstanceId r-history0000001 -BackupJobId "1`n2"'; Parameter = 'BackupJobId' }
        @{ Line = 'Wait-AliBackupTask -InstanceId "r-a b" -BackupJobId 1'; Parameter = 'InstanceId' }
    ) {
        $before = (Get-Requests).Count
        { Invoke-Expression "$Line -ErrorAction Stop" } | Should -Throw -ExpectedMessage "*parameter '$Parameter'*For example -$Parameter*"
        (Get-Requests).Count | Should -Be $before
    }

    It 'gives clear errors for absurd times and odd credentials, never a raw .NET exception' -ForEach @(
        @{ Line = 'Get-AliBackup -InstanceId r-history0000001 -EndTime ([datetime]::MinValue)'; Expected = "*parameter 'EndTime'*not a plausible backup time*" }
        @{ Line = 'Get-AliBackup -InstanceId r-history0000001 -StartTime ([datetime]::MaxValue)'; Expected = "*parameter 'StartTime'*not a plausible backup time*" }
        @{ Line = 'Get-AliBackup -InstanceId r-history0000001 -Credential ([pscredential]::Empty)'; Expected = "*parameter 'Credential'*AccessKey ID as the user name*" }
        @{ Line = 'Wait-AliBackupTask -InstanceId r-history0000001 -BackupJobId 1 -Timeout 5 -PollInterval ([TimeSpan]::MaxValue)'; Expected = "*parameter 'PollInterval'*at most 1 hour*" }
    ) {
        $caught = $null
        try { Invoke-Expression "$Line -ErrorAction Stop" } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.Exception.Message | Should -BeLike $Expected
        $caught.Exception | Should -BeOfType [System.Management.Automation.ParameterBindingException]
    }
}

Describe 'One bad item among 100' {
    It 'gives one error record and 99 objects' {
        $one = Get-AliBackup -InstanceId r-history0000001 | Select-Object -First 1
        $rows = 1..100 | ForEach-Object {
            [pscustomobject]@{ InstanceId = if ($_ -eq 50) { 'r-history&0000001' } else { 'r-history0000001' }; BackupId = $one.BackupId }
        } | ConvertTo-Csv | ConvertFrom-Csv

        $out = @($rows | Get-AliBackup -ErrorVariable failed -ErrorAction SilentlyContinue)

        $out.Count | Should -Be 99
        $failed.Count | Should -Be 1
        $failed[0].Exception.Message | Should -BeLike "*parameter 'InstanceId'*'r-history&0000001' is not an instance ID*"
    }
}
