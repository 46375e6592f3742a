@{
    # The build stamps ModuleVersion from AliBackupVersion in Directory.Build.props when it stages the module.
    RootModule             = 'AliBackup.dll'
    ModuleVersion          = '0.1.0'
    GUID                   = '6f0c2d3e-9a41-4b7e-8c55-2f1d7b8e4a90'
    Author                 = 'AliBackup contributors'
    CompanyName            = 'AliBackup'
    Copyright              = '(c) AliBackup contributors. MIT License.'
    Description            = 'Query, start, wait on and download Alibaba Cloud database backups, and set backup policies (ApsaraDB for Redis/Tair, PolarDB, ApsaraDB for MongoDB, ApsaraDB RDS), from PowerShell, with typed objects and a waiter a release pipeline can trust.'
    # One binary serves both editions. On PowerShell 7 it needs 7.4 or later (the module says so at import); on
    # Windows PowerShell it needs .NET Framework 4.7.2, the first with netstandard2.0 built in.
    PowerShellVersion      = '5.1'
    CompatiblePSEditions   = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('AliBackup.format.ps1xml')
    CmdletsToExport        = @(
        'Get-AliBackupTask'
        'Get-AliBackup'
        'Start-AliBackup'
        'Wait-AliBackupTask'
        'Connect-AliBackup'
        'Disconnect-AliBackup'
        'Get-AliBackupContext'
        'Save-AliBackup'
        'Get-AliBackupPolicy'
        'Set-AliBackupPolicy'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    # Every file the module ships (a test compares this with the staged tree).
    FileList               = @(
        'AliBackup.psd1'
        'AliBackup.dll'
        'AliBackup.Service.dll'
        'AliBackup.format.ps1xml'
        'en-US/AliBackup.dll-Help.xml'
        'en-US/about_AliBackup.help.txt'
        'Microsoft.Bcl.AsyncInterfaces.dll'
        'Microsoft.Bcl.TimeProvider.dll'
        'Desktop/Microsoft.Bcl.AsyncInterfaces.dll'
        'Desktop/Microsoft.Bcl.TimeProvider.dll'
        'Desktop/System.Buffers.dll'
        'Desktop/System.Memory.dll'
        'Desktop/System.Numerics.Vectors.dll'
        'Desktop/System.Runtime.CompilerServices.Unsafe.dll'
        'Desktop/System.Text.Encodings.Web.dll'
        'Desktop/System.Text.Json.dll'
        'Desktop/System.Threading.Tasks.Extensions.dll'
        'Desktop/System.ValueTuple.dll'
    )
    PrivateData            = @{
        PSData = @{
            Tags         = @('AlibabaCloud', 'Aliyun', 'Backup', 'Redis', 'Tair', 'PolarDB', 'MongoDB', 'RDS', 'Database', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/alibackup/AliBackup.PowerShell'
            LicenseUri   = 'https://github.com/alibackup/AliBackup.PowerShell/blob/main/LICENSE'
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
