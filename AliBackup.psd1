@{
    # The build stamps ModuleVersion from AliBackupVersion in Directory.Build.props when it stages the module.
    RootModule           = 'AliBackup.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0c2d3e-9a41-4b7e-8c55-2f1d7b8e4a90'
    Author               = 'AliBackup contributors'
    CompanyName          = 'AliBackup'
    Copyright            = '(c) AliBackup contributors. MIT License.'
    Description          = 'Query, start and wait on Alibaba Cloud database backups (ApsaraDB for Redis/Tair, PolarDB, ApsaraDB for MongoDB) from PowerShell, with typed objects and a waiter a release pipeline can trust.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('AliBackup.format.ps1xml')
    CmdletsToExport      = @(
        'Get-AliBackupTask'
        'Get-AliBackup'
        'Start-AliBackup'
        'Wait-AliBackupTask'
        'Connect-AliBackup'
        'Disconnect-AliBackup'
        'Get-AliBackupContext'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('AlibabaCloud', 'Aliyun', 'Backup', 'Redis', 'Tair', 'PolarDB', 'MongoDB', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/alibackup/AliBackup.PowerShell'
            LicenseUri   = 'https://github.com/alibackup/AliBackup.PowerShell/blob/main/LICENSE'
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
