<#
    One service per session: commands reuse what the last one built, but never when what it was built from changed.
    Each case runs in a fresh pwsh, so the environment and HOME it changes are its own.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'AliBackup.TestSupport.psm1') -Force
    $script:Emulator = Start-TestEmulator -StageSeconds 1
    Use-TestEmulator $Emulator
}

AfterAll {
    $Emulator | Stop-TestEmulator
}

Describe 'A command after the credentials changed in the same session' {
    BeforeAll {
        $script:TestHome = Join-Path ([IO.Path]::GetTempPath()) ('alibackup-reuse-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path (Join-Path $TestHome '.aliyun') -Force | Out-Null
        # Prints one line per call: ok, or the error's id (a rejected key ends the command: it is caught here).
        $script:Probe = @'
function Probe([string] $label) {
    $failed = $null
    try { $null = Get-AliBackupTask -InstanceId r-bp1demo000000001 -ErrorAction SilentlyContinue -ErrorVariable failed }
    catch { $failed = @($_) }
    if ($failed) { "$label=" + ($failed[0].FullyQualifiedErrorId -split ',')[0] } else { "$label=ok" }
}
'@
    }

    AfterAll {
        Remove-Item -LiteralPath $TestHome -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'uses environment keys that appear after a command took its keys from the aliyun CLI profile' {
        $config = @{ current = 'default'; profiles = @(@{ name = 'default'; mode = 'AK'; access_key_id = $env:ALIBABA_CLOUD_ACCESS_KEY_ID; access_key_secret = $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET }) }
        $config | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath (Join-Path $TestHome '.aliyun/config.json')
        $run = Invoke-IsolatedPwsh -Environment @{ HOME = $TestHome; ALIBABA_CLOUD_ACCESS_KEY_ID = ''; ALIBABA_CLOUD_ACCESS_KEY_SECRET = '' } -Script ($Probe + @'
Import-Module AliBackup -ErrorAction Stop
Probe 'profile'
$env:ALIBABA_CLOUD_ACCESS_KEY_ID = 'LTAIunknownkey00001'
$env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'not-the-secret'
Probe 'environment'
'@)
        $run.Output | Should -Contain 'profile=ok'
        # The environment comes first in the chain: a fresh command reads it, so a reused one must too.
        $run.Output | Should -Contain 'environment=AliBackup.Api.InvalidAccessKeyId.NotFound'
    }

    It 'reads an aliyun CLI profile again once its file was rewritten' {
        $path = Join-Path $TestHome '.aliyun/config.json'
        $write = {
            param($id, $secret)
            @{ current = 'default'; profiles = @(@{ name = 'default'; mode = 'AK'; access_key_id = $id; access_key_secret = $secret }) } |
                ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $path
        }
        & $write 'LTAIunknownkey00002' 'not-the-secret'
        $run = Invoke-IsolatedPwsh -Environment @{ HOME = $TestHome; ALIBABA_CLOUD_ACCESS_KEY_ID = ''; ALIBABA_CLOUD_ACCESS_KEY_SECRET = ''; ALIBACKUP_TEST_CONFIG = $path; ALIBACKUP_TEST_ID = $env:ALIBABA_CLOUD_ACCESS_KEY_ID; ALIBACKUP_TEST_SECRET = $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET } -Script ($Probe + @'
Import-Module AliBackup -ErrorAction Stop
Probe 'before'
Start-Sleep -Milliseconds 20
@{ current = 'default'; profiles = @(@{ name = 'default'; mode = 'AK'; access_key_id = $env:ALIBACKUP_TEST_ID; access_key_secret = $env:ALIBACKUP_TEST_SECRET }) } |
    ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $env:ALIBACKUP_TEST_CONFIG
Probe 'after'
'@)
        $run.Output | Should -Contain 'before=AliBackup.Api.InvalidAccessKeyId.NotFound'
        $run.Output | Should -Contain 'after=ok'
    }

    It 'takes the keys of a new -Credential, and of Connect-AliBackup' {
        $run = Invoke-IsolatedPwsh -Script ($Probe + @'
Import-Module AliBackup -ErrorAction Stop
$good = [pscredential]::new($env:ALIBABA_CLOUD_ACCESS_KEY_ID, (ConvertTo-SecureString $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET -AsPlainText -Force))
$bad = [pscredential]::new('LTAIunknownkey00003', (ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force))
$PSDefaultParameterValues['Get-AliBackupTask:Credential'] = $good
Probe 'good'
$PSDefaultParameterValues['Get-AliBackupTask:Credential'] = $bad
Probe 'bad'
$PSDefaultParameterValues.Remove('Get-AliBackupTask:Credential')
Connect-AliBackup -Credential $good
$env:ALIBABA_CLOUD_ACCESS_KEY_ID = 'LTAIunknownkey00004'
Probe 'connected'
'@)
        $run.Output | Should -Contain 'good=ok'
        $run.Output | Should -Contain 'bad=AliBackup.Api.InvalidAccessKeyId.NotFound'
        # Connect-AliBackup's keys win over the environment's.
        $run.Output | Should -Contain 'connected=ok'
    }
}

Describe 'Verbose and debug lines without the switch' {
    It 'shows each request under $VerbosePreference and $DebugPreference, and nothing without them' {
        $run = Invoke-IsolatedPwsh -Script @'
Import-Module AliBackup -ErrorAction Stop
$null = Get-AliBackupTask -InstanceId r-bp1demo000000001 4>&1 5>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.InformationalRecord]) { 'quiet:' + $_.GetType().Name } }
$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'
$lines = Get-AliBackupTask -InstanceId r-bp1demo000000001 4>&1 5>&1 | Where-Object { $_ -is [System.Management.Automation.InformationalRecord] }
'verbose=' + @($lines | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'r-kvstore DescribeBackupTasks *' }).Count
'debug=' + @($lines | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -like 'Canonical request of DescribeBackupTasks*' }).Count
$VerbosePreference = 'SilentlyContinue'; $DebugPreference = 'SilentlyContinue'
$quiet = Get-AliBackupTask -InstanceId r-bp1demo000000001 -Verbose:$false 4>&1 5>&1 | Where-Object { $_ -is [System.Management.Automation.InformationalRecord] }
'quiet=' + @($quiet).Count
'@
        $run.Output | Should -Contain 'verbose=1'
        $run.Output | Should -Contain 'debug=1'
        $run.Output | Should -Contain 'quiet=0'
        $run.Output | Should -Not -Match '^quiet:'
    }
}
