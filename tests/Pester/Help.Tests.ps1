<#
    The help as users read it in pwsh: every example Get-Help -Examples prints is code a user can paste, and it runs
    against the emulator. All examples run in one fresh pwsh, in order, each followed by Disconnect-AliBackup.
#>

BeforeDiscovery {
    Import-Module AliBackup -Force
    $script:Examples = foreach ($command in Get-Command -Module AliBackup -CommandType Cmdlet | Sort-Object Name) {
        $number = 0
        foreach ($example in @((Get-Help $command.Name -Examples).examples.example)) {
            $number++
            @{
                Key     = "$($command.Name)#$number"
                Name    = $command.Name
                Title   = $example.title -replace '^[-\s]+|[-\s]+$'
                Code    = [string]$example.code
                Remarks = (@($example.remarks | ForEach-Object Text) -join "`n")
            }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'AliBackup.TestSupport.psm1') -Force
    # Backups finish as soon as they start: the examples' waits end at their first poll.
    $script:Emulator = Start-TestEmulator -StageSeconds 0
    Use-TestEmulator $Emulator
    # The examples name an aliyun CLI profile 'ops'; a home folder of the test's own holds it.
    $script:FakeHome = Join-Path ([IO.Path]::GetTempPath()) ('alibackup-help-' + [guid]::NewGuid().ToString('N'))
    foreach ($folder in '.aliyun', '.config', '.local/share', '.cache') { New-Item -ItemType Directory -Force (Join-Path $FakeHome $folder) | Out-Null }
    @{
        current  = 'default'
        profiles = @(
            @{ name = 'default'; mode = 'AK'; region_id = 'cn-hangzhou'; access_key_id = $env:ALIBABA_CLOUD_ACCESS_KEY_ID; access_key_secret = $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET }
            @{ name = 'ops'; mode = 'AK'; region_id = 'cn-shanghai'; access_key_id = $env:ALIBABA_CLOUD_ACCESS_KEY_ID; access_key_secret = $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET }
        )
    } | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $FakeHome '.aliyun/config.json')
    $examplesFile = Join-Path $FakeHome 'examples.json'
    ConvertTo-Json -InputObject @($Examples | ForEach-Object { @{ Key = $_.Key; Code = $_.Code } }) -Depth 3 | Set-Content $examplesFile

    $script:Run = Invoke-IsolatedPwsh -TimeoutSeconds 240 -Environment @{ HOME = $FakeHome; ALIBACKUP_EXAMPLES = $examplesFile } -Script @'
$ErrorActionPreference = 'Continue'
$ProgressPreference = 'SilentlyContinue'
Import-Module AliBackup -ErrorAction Stop
# Get-Credential would prompt for the secret of the key an example names; this answers with the emulator's pair.
function Get-Credential {
    param([string] $UserName, [string] $Message)
    [pscredential]::new($env:ALIBABA_CLOUD_ACCESS_KEY_ID, (ConvertTo-SecureString $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET -AsPlainText -Force))
}
foreach ($example in Get-Content $env:ALIBACKUP_EXAMPLES -Raw | ConvertFrom-Json) {
    $Error.Clear()
    $terminating = $null
    $clock = [Diagnostics.Stopwatch]::StartNew()
    try { $null = & ([scriptblock]::Create($example.Code)) *>&1 | Out-String }
    catch { $terminating = $_.FullyQualifiedErrorId + ': ' + $_.Exception.Message }
    $errors = @($Error | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] + ': ' + $_.Exception.Message })
    Disconnect-AliBackup
    'RESULT ' + (@{ Key = $example.Key; Errors = $errors; Terminating = $terminating; Seconds = [int]$clock.Elapsed.TotalSeconds } | ConvertTo-Json -Compress)
}
'end'
'@
    $script:Results = @{}
    foreach ($line in $Run.Output | Where-Object { $_ -like 'RESULT *' }) {
        $result = $line.Substring(7) | ConvertFrom-Json
        $Results[$result.Key] = $result
    }
}

AfterAll {
    $Emulator | Stop-TestEmulator
    Remove-Item $FakeHome -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The help examples' {
    It 'all ran to the end in one pwsh' {
        $Run.TimedOut | Should -BeFalse -Because ($Run.Output -join ' | ')
        $Run.Output | Should -Contain 'end' -Because $Run.Error
    }
}

Describe '<Name> example "<Title>"' -ForEach $Examples {
    It 'is only code, and runs against the emulator writing no error its remarks do not name' {
        $Code | Should -Not -Match '(?m)^(VERBOSE:|WARNING:|What if:|-{4,})'
        $result = $Results[$Key]
        $result | Should -Not -BeNullOrEmpty -Because 'the example should have run'
        $result.Terminating | Should -BeNullOrEmpty
        foreach ($errorText in @($result.Errors)) {
            $id = $errorText.Split(':')[0]
            $id | Should -BeLike 'AliBackup.*' -Because "the example wrote $errorText"
            $Remarks | Should -Match ([regex]::Escape($id)) -Because "the example wrote $errorText, which its remarks do not explain"
        }
    }
}

Describe 'Parameter help' {
    It 'shows the aliases of -InstanceId in Get-Help' {
        Import-Module AliBackup -Force
        (Get-Help Start-AliBackup -Parameter InstanceId).aliases | Should -Be 'DBClusterId, DBInstanceId'
        (Get-Help Wait-AliBackupTask -Full | Out-String -Width 120) | Should -Match '(?m)^\s+Aliases\s+DBClusterId, DBInstanceId\s*$'
    }

    It 'gives every cmdlet an online version that Get-Help -Online would open' {
        Import-Module AliBackup -Force
        foreach ($command in Get-Command -Module AliBackup -CommandType Cmdlet) {
            $uri = @((Get-Help $command.Name).relatedLinks.navigationLink)[0].uri
            $uri | Should -Match '^https://' -Because "$($command.Name) has no online version"
            $command.HelpUri | Should -Be $uri
        }
    }
}
