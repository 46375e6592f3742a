<#
    The module as users get it: the .nupkg that ./build.ps1 -Task Package publishes, installed with Install-PSResource
    into a scope of the test's own, and the README's flagship line run from that install in a fresh pwsh.

    Isolation: the installing pwsh gets a home folder of its own, and on Linux and macOS both the CurrentUser module
    folder (~/.local/share/powershell/Modules) and PSResourceGet's repository list live under it, so nothing of the
    user's is touched. Windows keeps both elsewhere, so there the package is installed with Save-PSResource -Path into
    a folder put first on PSModulePath, and the temporary repository is unregistered in a finally block.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'AliBackup.TestSupport.psm1') -Force
    $script:Emulator = Start-TestEmulator -StageSeconds 0.2
    Use-TestEmulator $Emulator

    $out = Split-Path (Get-Module AliBackup -ListAvailable | Select-Object -First 1).ModuleBase
    $staged = Join-Path $out 'AliBackup'
    $script:Version = (Import-PowerShellDataFile (Join-Path $staged 'AliBackup.psd1')).ModuleVersion
    $script:Sandbox = Join-Path ([IO.Path]::GetTempPath()) ('alibackup-package-' + [guid]::NewGuid().ToString('N'))
    $script:FakeHome = Join-Path $Sandbox 'home'
    # .NET names no ApplicationData folder for a home without .config, and NuGet (under PSResourceGet) would then
    # write its NuGet.Config relative to the current folder: the folders a real home has come first.
    foreach ($folder in '.config', '.local/share', '.cache') { New-Item -ItemType Directory -Force (Join-Path $FakeHome $folder) | Out-Null }
    $isolated = @{ HOME = $FakeHome; PSModulePath = $null; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; XDG_CACHE_HOME = $null }

    # The package ./build.ps1 -Task Package made, unless it is missing or older than the staged module: then it is
    # made here the same way (build/Publish-Module.ps1).
    $repo = Join-Path $out 'repo'
    $script:Package = Join-Path $repo "AliBackup.$Version.nupkg"
    $stagedAt = (Get-Item (Join-Path $staged 'AliBackup.dll')).LastWriteTimeUtc
    if (-not (Test-Path $Package) -or (Get-Item $Package).LastWriteTimeUtc -lt $stagedAt) {
        Remove-Item $Package -ErrorAction SilentlyContinue
        $publish = Join-Path $PSScriptRoot '../../build/Publish-Module.ps1'
        $script:Published = Invoke-IsolatedPwsh -TimeoutSeconds 120 -Environment $isolated -Script "& '$publish' -ModulePath '$staged' -Repository '$repo'"
    }

    $script:Run = Invoke-IsolatedPwsh -TimeoutSeconds 180 -Environment $isolated -Script @"
`$ErrorActionPreference = 'Stop'
`$repository = 'AliBackupTest-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
Register-PSResourceRepository -Name `$repository -Uri '$repo' -Trusted
try {
    if (`$IsWindows) {
        `$modules = Join-Path '$Sandbox' 'Modules'
        New-Item -ItemType Directory -Force `$modules | Out-Null
        Save-PSResource -Name AliBackup -Version '$Version' -Repository `$repository -Path `$modules -TrustRepository
        `$env:PSModulePath = `$modules + [IO.Path]::PathSeparator + `$env:PSModulePath
    }
    else {
        Install-PSResource -Name AliBackup -Version '$Version' -Repository `$repository -Scope CurrentUser -TrustRepository
    }
    'installed=' + ((Get-InstalledPSResource -Name AliBackup -ErrorAction SilentlyContinue | Select-Object -First 1).Version)
}
finally {
    Unregister-PSResourceRepository -Name `$repository
}
'repositories=' + ((Get-PSResourceRepository | ForEach-Object Name) -join ',')
Import-Module AliBackup
'base=' + (Get-Module AliBackup).ModuleBase
Start-AliBackup -InstanceId r-bp1xxxx | Wait-AliBackupTask -Timeout 3600 | Select-Object BackupId, Size, DownloadUrl | ForEach-Object { 'backup=' + `$_.BackupId + ' ' + `$_.Size + ' ' + `$_.DownloadUrl }
'end'
"@
}

AfterAll {
    $Emulator | Stop-TestEmulator
    Remove-Item $Sandbox -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The packaged module' {
    It 'is the .nupkg of the staged version' {
        Test-Path $Package | Should -BeTrue -Because "$(if (Get-Variable Published -Scope Script -ErrorAction SilentlyContinue) { $Published.Output -join ' ' ; $Published.Error })"
    }

    It 'installs with PSResourceGet into a scope of its own and leaves no repository registered' {
        $Run.TimedOut | Should -BeFalse -Because ($Run.Output -join ' | ')
        $Run.Output | Should -Contain 'end' -Because (($Run.Output -join ' | ') + ' ' + $Run.Error)
        if (-not $IsWindows) { $Run.Output | Should -Contain "installed=$Version" }
        $Run.Output | Where-Object { $_ -like 'repositories=*' } | Should -Not -Match 'AliBackupTest-'
        $base = ($Run.Output | Where-Object { $_ -like 'base=*' }).Substring(5)
        $base | Should -BeLike "$Sandbox*"
        $base | Should -Match ([regex]::Escape("AliBackup$([IO.Path]::DirectorySeparatorChar)$Version") + '$')
    }

    It 'runs the README''s flagship line from the install' {
        $line = $Run.Output | Where-Object { $_ -like 'backup=*' }
        @($line).Count | Should -Be 1
        $line | Should -Match ('^backup=\d+ [1-9]\d* ' + [regex]::Escape($Emulator.BaseUrl) + '/_emulator/download/r-bp1xxxx/\d+\.rdb\?Expires=\d+&\S+$')
    }
}
