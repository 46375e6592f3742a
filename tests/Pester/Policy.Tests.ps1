<#
    Get-AliBackupPolicy and Set-AliBackupPolicy in real pwsh, for all four products against the emulator.
#>

BeforeDiscovery {
    $script:Products = @(
        @{ Product = 'Redis'; Id = 'r-pesterpolicy01' }
        @{ Product = 'PolarDB'; Id = 'pc-pesterpolicy1' }
        @{ Product = 'MongoDB'; Id = 'dds-pesterpolicy1' }
        @{ Product = 'RDS'; Id = 'rm-pesterpolicy01' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'AliBackup.TestSupport.psm1') -Force
    $script:Emulator = Start-TestEmulator
    Use-TestEmulator $Emulator
    Import-Module AliBackup -Force
    function script:Get-Requests([string] $Id) { @(Invoke-EmulatorControl -Emulator $Emulator -Route '/_emulator/requests' | ForEach-Object { $_ } | Where-Object InstanceId -EQ $Id) }
}

AfterAll {
    $Emulator | Stop-TestEmulator
}

Describe 'Backup policies of <Product>' -ForEach $Products {
    BeforeAll {
        Add-EmulatedInstance -Emulator $Emulator -Id $Id -Product $Product
    }

    It 'Get-AliBackupPolicy writes one AliBackup.BackupPolicy with the window, days, retention and next backup' {
        $policy = Get-AliBackupPolicy $Id

        $policy | Should -BeOfType [AliBackup.BackupPolicy]
        $policy.Engine | Should -Be $Product
        $policy.BackupWindow | Should -Be '05:00Z-06:00Z'
        $policy.BackupDays.Count | Should -Be 7
        $policy.RetentionDays | Should -Be 7
        $policy.NextBackupTime.UtcDateTime.Hour | Should -Be 5
        $policy.ProductFields['PreferredBackupTime'] | Should -Be '05:00Z-06:00Z'
        if ($Product -eq 'PolarDB') { $policy.LogBackup | Should -BeNullOrEmpty } else { $policy.LogBackup | Should -BeFalse }
    }

    It 'Set-AliBackupPolicy -WhatIf sends nothing at all' {
        $before = (Get-Requests $Id).Count
        Set-AliBackupPolicy $Id -BackupWindow '01:00Z-02:00Z' -BackupDays Tuesday, Saturday -RetentionDays 10 -WhatIf
        (Get-Requests $Id).Count | Should -Be $before
        (Invoke-EmulatorControl -Emulator $Emulator -Route "/_emulator/instances/$Id/policy").modifications | Should -Be 0
    }

    It 'Set-AliBackupPolicy changes window, days and retention and writes the policy as it stands afterwards' {
        $after = Set-AliBackupPolicy $Id -BackupWindow '01:00Z-02:00Z' -BackupDays Tuesday, Saturday -RetentionDays 10 -Confirm:$false

        $after.BackupWindow | Should -Be '01:00Z-02:00Z'
        @($after.BackupDays) | Should -Be @([DayOfWeek]::Tuesday, [DayOfWeek]::Saturday)
        $after.RetentionDays | Should -Be 10
        $after.NextBackupTime.DayOfWeek | Should -BeIn @([DayOfWeek]::Tuesday, [DayOfWeek]::Saturday)
        $stored = Invoke-EmulatorControl -Emulator $Emulator -Route "/_emulator/instances/$Id/policy"
        $stored.preferredBackupTime | Should -Be '01:00Z-02:00Z'
        $stored.preferredBackupPeriod | Should -Be 'Tuesday,Saturday'
        (Get-AliBackupPolicy $Id).RetentionDays | Should -Be 10
    }

    It 'refuses a window that is not one whole hour, naming -BackupWindow, before anything is sent' {
        $before = (Get-Requests $Id).Count
        Set-AliBackupPolicy $Id -BackupWindow '01:30Z-02:30Z' -Confirm:$false -ErrorVariable problem -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problem.FullyQualifiedErrorId | Should -BeLike 'AliBackup.InvalidArgument.BackupWindow,*'
        $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problem.Exception.Message | Should -Match "HH:mmZ-HH:mmZ"
        (Get-Requests $Id).Count | Should -Be $before
    }
}

Describe 'Set-AliBackupPolicy' {
    It 'asks before changing (ConfirmImpact High)' {
        $attribute = (Get-Command Set-AliBackupPolicy).ImplementingType.GetCustomAttributes([Management.Automation.CmdletAttribute], $false)[0]
        $attribute.ConfirmImpact | Should -Be 'High'
        $attribute.SupportsShouldProcess | Should -BeTrue
    }

    It 'turns log backup on where the product has a switch, and says PolarDB has none' {
        Add-EmulatedInstance -Emulator $Emulator -Id r-pesterlogbackup -Product Redis
        (Set-AliBackupPolicy r-pesterlogbackup -LogBackup $true -Confirm:$false).LogBackup | Should -BeTrue

        Set-AliBackupPolicy pc-2zedemo000000001 -LogBackup $true -Confirm:$false -ErrorVariable problem -ErrorAction SilentlyContinue
        $problem.FullyQualifiedErrorId | Should -BeLike 'AliBackup.InvalidArgument.LogBackup,*'
        $problem.Exception.Message | Should -Match 'ModifyLogBackupPolicy'
    }

    It 'copies one instance''s policy to others through the pipeline, one bad item not stopping the rest' {
        Add-EmulatedInstance -Emulator $Emulator -Id r-pestercopy00001 -Product Redis
        Set-AliBackupPolicy r-pesterlogbackup -BackupWindow '20:00Z-21:00Z' -BackupDays Monday, Wednesday -Confirm:$false | Out-Null

        $copied = Get-AliBackupPolicy r-pesterlogbackup | Set-AliBackupPolicy -InstanceId r-pestercopy00001, r-nosuchinstance9 -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $copied.InstanceId | Should -Be 'r-pestercopy00001'
        $copied.BackupWindow | Should -Be '20:00Z-21:00Z'
        $copied.LogBackup | Should -BeTrue
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'AliBackup.Api.InvalidInstanceId.NotFound,*'
        $problems[0].Exception.RequestId | Should -Not -BeNullOrEmpty
    }

    It 'prints policies as a table that fits 80 columns' {
        $run = Invoke-IsolatedPwsh -TimeoutSeconds 60 -Script "Import-Module AliBackup -ErrorAction Stop`n'r-bp1demo000000001', 'rm-bp1demo000000001' | Get-AliBackupPolicy"
        $run.ExitCode | Should -Be 0 -Because $run.Error
        $run.Output[0] | Should -Match '^Engine\s+InstanceId\s+Window \(UTC\)\s+Days\s+Keep\s+Log\s+Next$'
        $run.Output | Where-Object { $_ -match '^Redis\s+r-bp1demo000000001\s+05:00Z-06:00Z\s+Every day\s+7 d\s+Off\s+\w{3} 05:00$' } | Should -Not -BeNullOrEmpty
        $run.Output | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
    }
}
