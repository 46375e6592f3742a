<#
    The product in one line, exactly as the README prints it, in the shell users run.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'AliBackup.TestSupport.psm1') -Force
    $script:Emulator = Start-TestEmulator -StageSeconds 0.3
    Use-TestEmulator $Emulator
    $readme = Get-Content (Join-Path $PSScriptRoot '../../README.md') -Raw
    # The first PowerShell block of the README holds the flagship line.
    $script:Flagship = ([regex]::Match($readme, '```powershell\r?\n(?<line>[^\r\n]+)')).Groups['line'].Value
}

AfterAll {
    $Emulator | Stop-TestEmulator
}

Describe 'The README''s flagship line' {
    It 'is the line the design names' {
        $Flagship | Should -Be 'Start-AliBackup -InstanceId r-bp1xxxx | Wait-AliBackupTask -Timeout 3600 | Select-Object BackupId, Size, DownloadUrl'
    }

    It 'runs verbatim in a fresh pwsh and prints the backup it made as a table' {
        $run = Invoke-IsolatedPwsh -TimeoutSeconds 120 -Script ("Import-Module AliBackup -ErrorAction Stop`n" + $Flagship)
        $run.TimedOut | Should -BeFalse
        $run.ExitCode | Should -Be 0 -Because $run.Error
        $header = $run.Output | Where-Object { $_ -match '^\s*BackupId\s+Size\s+DownloadUrl\s*$' }
        $header | Should -Not -BeNullOrEmpty -Because ($run.Output -join "`n")
        $row = $run.Output | Where-Object { $_ -match '^\s*(?<id>\d+)\s+(?<size>\d+)\s+(?<url>http://\S+)' } | Select-Object -First 1
        $row | Should -Not -BeNullOrEmpty
        # A redirected pwsh formats 80 columns wide, so PowerShell's own table may cut the URL short with an ellipsis.
        "$($Emulator.BaseUrl)/_emulator/download/r-bp1xxxx/$($Matches.id)" | Should -BeLike ($Matches.url.TrimEnd([char]0x2026) + '*')
    }

    It 'gives objects whose BackupId, Size and DownloadUrl a script can use' {
        Import-Module AliBackup -Force
        $backup = Invoke-Expression $Flagship
        @($backup).Count | Should -Be 1
        $backup.BackupId | Should -Match '^\d+$'
        $backup.Size | Should -BeOfType [long]
        $backup.Size | Should -BeGreaterThan 0
        $backup.DownloadUrl | Should -BeLike "$($Emulator.BaseUrl)/_emulator/download/r-bp1xxxx/*"
    }
}
