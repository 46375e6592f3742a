using AliBackup.Emulator.State;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>Get-AliBackup fetches the next page while the current one is written downstream: one page ahead, never more.</summary>
public sealed class PrefetchTests : IAsyncLifetime
{
    private const string Instance = "r-prefetch0000001";
    private readonly EmulatorScope _scope = new();

    public async Task InitializeAsync()
    {
        await _scope.InitializeAsync();
        // 350 backups a minute apart: four pages of 100.
        _scope.Emulator.State.AddInstance(new EmulatedInstance { Id = Instance, Product = EmulatedProduct.Redis }, historicalBackups: 350, historyInterval: TimeSpan.FromMinutes(1));
    }

    public Task DisposeAsync() => _scope.DisposeAsync();

    private int PagesAsked() => _scope.Emulator.State.Requests.Count(r => r.Action == "DescribeBackups" && r.InstanceId == Instance);

    [Fact]
    public void The_second_page_is_asked_for_while_the_first_is_still_being_written()
    {
        // Downstream holds on to the page's second object until the emulator has seen a second DescribeBackups (at most
        // 5 s); the first object went down before the next page was asked for.
        _scope.Session.SetVariable("emulatorState", _scope.Emulator.State);
        var result = _scope.Session.Run(
            "Get-AliBackup -InstanceId " + Instance + " -StartTime (Get-Date).AddDays(-2) | ForEach-Object -Begin { $n = 0 } -Process {\n" +
            "  if ($n++ -eq 0) { \"asked before the first: $(@($emulatorState.Requests | Where-Object Action -eq 'DescribeBackups').Count)\" }\n" +
            "  if ($n -eq 2) {\n" +
            "    $until = (Get-Date).AddSeconds(5)\n" +
            "    do { $asked = @($emulatorState.Requests | Where-Object Action -eq 'DescribeBackups').Count; if ($asked -lt 2) { Start-Sleep -Milliseconds 20 } } while ($asked -lt 2 -and (Get-Date) -lt $until)\n" +
            "    \"asked while writing the second: $asked\"\n" +
            "  }\n" +
            "} -End { \"objects: $n\" }");

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal(["asked before the first: 1", "asked while writing the second: 2", "objects: 350"], result.Output.Select(o => o.ToString()));
        Assert.Equal(4, PagesAsked());
    }

    [Fact]
    public void Taking_the_first_object_asks_for_two_pages_at_most()
    {
        var result = _scope.Session.Run("Get-AliBackup -InstanceId " + Instance + " -StartTime (Get-Date).AddDays(-2) | Select-Object -First 1");

        Assert.Null(result.Terminating);
        Assert.Single(result.Output);
        Assert.InRange(PagesAsked(), 1, 2);
    }
}
