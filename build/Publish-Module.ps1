<#
.SYNOPSIS
    Publishes a staged module folder into a local file repository as its .nupkg, with Publish-PSResource.
.DESCRIPTION
    PSResourceGet publishes only to a registered repository, so the folder is registered under a name of its own for
    the length of the publish and unregistered again: the caller's repository list ends as it began. build.ps1 -Task
    Package runs this in a child pwsh (so no module file is held open by the build's pwsh), and so does the Pester test
    that installs the package.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Repository
)
$ErrorActionPreference = 'Stop'
New-Item -ItemType Directory -Force $Repository | Out-Null
$name = 'AliBackupBuild-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
Register-PSResourceRepository -Name $name -Uri (Resolve-Path $Repository).Path -Trusted
try { Publish-PSResource -Path $ModulePath -Repository $name }
finally { Unregister-PSResourceRepository -Name $name }
