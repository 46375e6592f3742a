<#
    What PowerShell users type around the cmdlets, in the shell they type it in: jobs and parallel runspaces, CSV and
    JSON round trips, $PSDefaultParameterValues, -ErrorAction Stop, strict mode, -Debug, tab completion, and the
    default views at 80 columns. One emulator for the file; each idiom uses instances of its own.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'AliBackup.TestSupport.psm1') -Force
    Import-Module AliBackup -Force
    # Backups finish as soon as they start, so each wait ends at its first poll: these tests are about the shell.
    $script:Emulator = Start-TestEmulator -StageSeconds 0
    Use-TestEmulator $Emulator
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('alibackup-idioms-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory $Work | Out-Null
    foreach ($id in 'r-idiomjob000001', 'r-idiompar000001', 'r-idiompar000002', 'r-idiomcsv000001', 'r-idiomjson00001', 'r-idiomdefault01', 'r-idiomview00001') {
        Add-EmulatedInstance $Emulator -Id $id -HistoricalBackups 3
    }
    Add-EmulatedInstance $Emulator -Id pc-idiomcsv00001 -Product PolarDB -HistoricalBackups 3
    Add-EmulatedInstance $Emulator -Id dds-idiomview001 -Product MongoDB -HistoricalBackups 3
}

AfterAll {
    $Emulator | Stop-TestEmulator
    Remove-Item $Work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Tasks from other runspaces' {
    It 'Start-Job: the module loads in the job, and the deserialized task it returns pipes into Wait-AliBackupTask here' {
        $job = Start-Job { Import-Module AliBackup -ErrorAction Stop; Start-AliBackup r-idiomjob000001 }
        try {
            Wait-Job $job -Timeout 60 | Should -Not -BeNullOrEmpty -Because 'the job should end'
            $task = Receive-Job $job -ErrorAction Stop
        }
        finally {
            Remove-Job $job -Force
        }
        $task.PSObject.TypeNames[0] | Should -Be 'Deserialized.AliBackup.BackupTask'
        $backup = $task | Wait-AliBackupTask -PollInterval 0.2 -Timeout 60 -ErrorAction Stop
        @($backup).Count | Should -Be 1
        $backup.BackupJobId | Should -Be $task.BackupJobId
        $backup.Size | Should -BeGreaterThan 0
    }

    It 'ForEach-Object -Parallel: each runspace loads the module, and the tasks pipe into one wait here' {
        $tasks = 'r-idiompar000001', 'r-idiompar000002' | ForEach-Object -Parallel {
            Import-Module AliBackup -ErrorAction Stop
            Start-AliBackup $_
        } -ThrottleLimit 2
        @($tasks).Count | Should -Be 2
        $backups = $tasks | Wait-AliBackupTask -PollInterval 0.2 -Timeout 60 -ErrorAction Stop
        @($backups.InstanceId | Sort-Object) | Should -Be @('r-idiompar000001', 'r-idiompar000002')
    }
}

Describe 'Round trips through files' {
    It 'Export-Csv/Import-Csv: task rows bind by property name into Wait-AliBackupTask' {
        $csv = Join-Path $Work 'tasks.csv'
        Start-AliBackup r-idiomcsv000001, pc-idiomcsv00001 | Export-Csv $csv
        $backups = Import-Csv $csv | Wait-AliBackupTask -PollInterval 0.2 -Timeout 60 -ErrorAction Stop
        @($backups.InstanceId | Sort-Object) | Should -Be @('pc-idiomcsv00001', 'r-idiomcsv000001')
    }

    It 'Export-Csv/Import-Csv: a column named as the product names it (DBClusterId, InstanceId) binds -InstanceId' {
        $csv = Join-Path $Work 'clusters.csv'
        [pscustomobject]@{ DBClusterId = 'pc-idiomcsv00001' }, [pscustomobject]@{ DBClusterId = 'r-idiomcsv000001' } | Export-Csv $csv
        @(Import-Csv $csv | Get-AliBackup -StartTime (Get-Date).AddDays(-30) -ErrorAction Stop).Count | Should -BeGreaterOrEqual 6
        $backups = Join-Path $Work 'backups.csv'
        Get-AliBackup r-idiomcsv000001 | Export-Csv $backups
        $tasks = @(Import-Csv $backups | Where-Object Mode -EQ Manual | Get-AliBackupTask -ErrorAction Stop)
        $tasks.Count | Should -Be 1
        $tasks[0].InstanceId | Should -Be 'r-idiomcsv000001'
    }

    It 'ConvertTo-Json: Size is a number of bytes and times are ISO 8601' {
        $backup = Start-AliBackup r-idiomjson00001 | Wait-AliBackupTask -PollInterval 0.2 -Timeout 60 -ErrorAction Stop
        $json = $backup | ConvertTo-Json
        $json | Should -Match ('"Size":\s*' + $backup.Size + '\s*,')
        $json | Should -Match '"EndTime":\s*"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"'
        $json | Should -Match '"StartTime":\s*"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"'
        ($json | ConvertFrom-Json).Size | Should -BeOfType [long]
        $task = Get-AliBackupTask r-idiomjson00001 | ConvertTo-Json -Depth 2 | ConvertFrom-Json
        $task.Progress | Should -Be 100
    }
}

Describe 'Preferences and error handling' {
    It '$PSDefaultParameterValues supplies -Endpoint and -PollInterval to every AliBackup cmdlet' {
        $saved = $env:ALIBACKUP_ENDPOINT
        $savedDefaults = $PSDefaultParameterValues.Clone()
        try {
            Remove-Item env:ALIBACKUP_ENDPOINT
            $PSDefaultParameterValues['*-AliBackup*:Endpoint'] = $saved
            $PSDefaultParameterValues['Wait-AliBackupTask:PollInterval'] = 0.2
            $backup = Start-AliBackup r-idiomdefault01 | Wait-AliBackupTask -Timeout 60 -ErrorAction Stop
            $backup.Endpoint | Should -Be $saved
            (Get-AliBackupTask r-idiomdefault01 -ErrorAction Stop).Endpoint | Should -Be $saved
        }
        finally {
            $env:ALIBACKUP_ENDPOINT = $saved
            $PSDefaultParameterValues.Clear()
            foreach ($key in $savedDefaults.Keys) { $PSDefaultParameterValues[$key] = $savedDefaults[$key] }
        }
    }

    It '-ErrorAction Stop inside try: catch gets the AliBackup error with the service''s code, and nothing after it runs' {
        $reached = $false
        try {
            'r-idiomnosuch001', 'r-idiomdefault01' | Get-AliBackupTask -ErrorAction Stop
            $reached = $true
        }
        catch {
            $caught = $_
        }
        $reached | Should -BeFalse
        $caught.FullyQualifiedErrorId | Should -BeLike 'AliBackup.*'
        $caught.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $caught.Exception.Message | Should -Match 'InvalidInstanceId.NotFound'
        $caught.TargetObject | Should -Be 'r-idiomnosuch001'
    }
}

Describe 'Views' {
    BeforeAll {
        $script:Tasks = @(Start-AliBackup r-idiomview00001, dds-idiomview001)
        $script:Backups = @($Tasks | Wait-AliBackupTask -PollInterval 0.2 -Timeout 60 -ErrorAction Stop)
        $script:Listed = @(Get-AliBackup r-idiomview00001 -ErrorAction Stop)
        $script:Copies = foreach ($object in @($Tasks) + @($Backups)) {
            [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($object, 1))
        }
        function script:Render([object[]] $InputObject, [int] $Width = 80) { ($InputObject | Out-String -Width $Width) -split '\r?\n' | Where-Object { $_.Trim() } }
    }

    It 'the task table fits 80 columns, one line per task, and says how far each is' {
        $lines = Render $Tasks
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 -Because "'$_' is wider than 80 columns" }
        $lines[0] | Should -Match '^InstanceId\s+BackupJobId\s+Status\s+Progress\s+JobMode\s+Started \(UTC\)$'
        @($lines | Where-Object { $_ -match '^(r-idiomview00001|dds-idiomview001)\s' }).Count | Should -Be 2
        $lines | Should -Contain ($lines | Where-Object { $_ -match '^r-idiomview00001\s+\d+\s+\w+\s+\d+%\s+Manual\s+\d{4}-\d\d-\d\d \d\d:\d\d$' })
    }

    It 'the backup table fits 80 columns and shows the ID, status, size, end time and download link' {
        $lines = Render $Listed
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 -Because "'$_' is wider than 80 columns" }
        $lines[0].Trim() | Should -Be 'InstanceId: r-idiomview00001'
        $lines[1] | Should -Match '^BackupId\s+Status\s+Size\s+Ended \(UTC\)\s+DownloadUrl$'
        $rows = @($lines | Where-Object { $_ -match '^\d+\s' })
        $rows.Count | Should -Be $Listed.Count
        $rows | ForEach-Object { $_ | Should -Match '^\d+\s+Success\s+\d+(\.\d+)? [KMG]?B\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+http://' }
    }

    It 'deserialized tasks and backups render exactly like live ones' {
        (Render $Copies) -join "`n" | Should -Be ((Render (@($Tasks) + @($Backups))) -join "`n")
    }

    It 'renders the same under Set-StrictMode -Version Latest, live and deserialized, without errors' {
        $everything = @($Tasks) + @($Backups) + @($Copies)
        $plain = (Render $everything -Width 200) -join "`n"
        $plain | Should -Match '\d{4}-\d\d-\d\d \d\d:\d\d'
        $Error.Clear()
        & {
            Set-StrictMode -Version Latest
            $script:Strict = (Render $everything -Width 200) -join "`n"
            $script:StrictList = ($Copies | Format-List | Out-String -Width 80)
        }
        $Strict | Should -Be $plain
        $StrictList | Should -Match 'StartTime \(UTC\)\s+:\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d'
        $Error.Count | Should -Be 0 -Because ($Error | Out-String)
    }

    It 'Format-Wide shows backup IDs (and job IDs for tasks)' {
        $wide = ($Listed | Format-Wide | Out-String -Width 80) -split '\s+' | Where-Object { $_ }
        @($wide | Sort-Object) | Should -Be @($Listed.BackupId | Sort-Object)
        $taskWide = ($Tasks | Format-Wide | Out-String -Width 80) -split '\s+' | Where-Object { $_ }
        @($taskWide | Sort-Object) | Should -Be @($Tasks.BackupJobId | Sort-Object)
    }
}

Describe '-Debug alone' -ForEach @(
    @{ Mode = 'interactive, answering every prompt'; Interactive = $true; InputText = ("Y`n" * 50) }
    @{ Mode = 'without a console (input at its end)'; Interactive = $true; InputText = '' }
    @{ Mode = 'in a -NonInteractive pwsh'; Interactive = $false; InputText = '' }
) {
    BeforeAll {
        $script:Run = Invoke-IsolatedPwsh -Interactive:$Interactive -InputText $InputText -TimeoutSeconds 90 -Script @'
$ErrorActionPreference = 'Continue'
Import-Module AliBackup -ErrorAction Stop
$Error.Clear()
$backups = @(Get-AliBackup r-idiomview00001 -Debug 5>&1)
$task = @(Start-AliBackup r-idiomview00001 -Debug 5>&1)
$waited = @($task | Where-Object { $_ -isnot [System.Management.Automation.DebugRecord] } | Wait-AliBackupTask -PollInterval 0.2 -Timeout 60 -Debug 5>&1)
$context = @(Get-AliBackupContext -Debug 5>&1)
$all = $backups + $task + $waited + $context
"objects=" + @($all | Where-Object { $_ -isnot [System.Management.Automation.DebugRecord] }).Count
"debug-requests=" + @($all | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -match '^r-kvstore \w+ region=' }).Count
"debug-canonical=" + @($all | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -like 'Canonical request of *' }).Count
"errors=" + $Error.Count
"error-ids=" + (($Error | ForEach-Object { $_.FullyQualifiedErrorId + ': ' + $_.Exception.Message }) -join ' || ')
'end'
'@
    }

    It "never prompts and never fails ($Mode)" {
        $Run.TimedOut | Should -BeFalse -Because ($Run.Output -join ' | ')
        $Run.Output | Should -Contain 'end' -Because (($Run.Output -join ' | ') + ' ' + $Run.Error)
        ($Run.Output -join "`n") | Should -Not -Match 'Continue with this operation'
        $Run.Output | Should -Contain 'errors=0' -Because ($Run.Output | Where-Object { $_ -like 'error-ids=*' })
        ($Run.Output | Where-Object { $_ -like 'objects=*' }) | Should -Not -Be 'objects=0'
    }

    It "shows each request and its canonical form as debug records ($Mode)" {
        $requests = [int](($Run.Output | Where-Object { $_ -like 'debug-requests=*' }) -replace '\D')
        $requests | Should -BeGreaterOrEqual 4
        $Run.Output | Should -Contain "debug-canonical=$requests"
    }
}

Describe 'Tab completion through TabExpansion2' {
    BeforeAll {
        $script:FakeHome = Join-Path $Work 'home'
        New-Item -ItemType Directory -Force (Join-Path $FakeHome '.aliyun') | Out-Null
        @{
            current  = 'default'
            profiles = @(
                @{ name = 'default'; mode = 'AK'; access_key_id = 'emulator-access-key-id'; access_key_secret = 'emulator-access-key-secret' }
                @{ name = 'ops'; mode = 'AK'; region_id = 'cn-shanghai'; access_key_id = 'emulator-access-key-id'; access_key_secret = 'emulator-access-key-secret' }
                @{ name = 'ops-readonly'; mode = 'EcsRamRole'; ram_role_name = 'reader' }
            )
        } | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $FakeHome '.aliyun/config.json')
        # A file that file-name completion would offer for 'op'.
        Set-Content (Join-Path $Work 'ops-notes.txt') 'not a profile'
        function script:Complete([string] $Line) {
            (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches | ForEach-Object CompletionText
        }
    }

    It '-Profile offers the profile names of the aliyun CLI config, not file names' {
        $savedHome = $env:HOME
        Push-Location $Work
        try {
            $env:HOME = $FakeHome
            @(Complete 'Get-AliBackup r-x -Profile ') | Should -Be @('default', 'ops', 'ops-readonly')
            @(Complete 'Connect-AliBackup -Profile op') | Should -Be @('ops', 'ops-readonly')
        }
        finally {
            $env:HOME = $savedHome
            Pop-Location
        }
    }

    It '-Region offers the known regions and -InstanceId the IDs seen in this session' {
        Complete 'Get-AliBackup -Region cn-hang' | Should -Contain 'cn-hangzhou'
        $null = Get-AliBackupTask r-idiomview00001
        Complete 'Wait-AliBackupTask -InstanceId r-idiomv' | Should -Contain 'r-idiomview00001'
    }
}
