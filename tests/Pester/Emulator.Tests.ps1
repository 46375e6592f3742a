<#
    The emulator as a runbook author runs it: its own process, stopped the way scripts stop servers.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'AliBackup.TestSupport.psm1') -Force
}

Describe 'The emulator process' {
    It 'stops on SIGTERM (kill), as CI scripts stop servers' -Skip:$IsWindows {
        $emulator = Start-TestEmulator
        try {
            & kill -TERM $emulator.Process.Id
            $emulator.Process.WaitForExit(10000) | Should -BeTrue
            $emulator.Process.ExitCode | Should -Be 0
        }
        finally {
            $emulator | Stop-TestEmulator
        }
    }
}
