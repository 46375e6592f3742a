using System.Diagnostics;
using System.Management.Automation;
using AliBackup.Emulator.State;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>
/// The pipeline contract, for every cmdlet that writes output: whatever downstream does — takes the first object,
/// quits a pager, breaks out of a loop, throws — or Ctrl+C, the command ends at once, rethrows exactly what was thrown,
/// and leaves nothing in $Error or -ErrorVariable. Every script runs under a hard timeout, so a hang fails the test
/// instead of the whole run.
/// </summary>
public sealed class PipelineContractTests : IAsyncLifetime
{
    private const string ManyBackups = "r-manybackups0001";
    private const string ManyTasks = "r-manytasks000001";
    private const string ManyFiles = "r-manyfiles000001";
    private static readonly TimeSpan HardTimeout = TimeSpan.FromSeconds(30);

    private readonly EmulatorScope _scope = new() { Stage = TimeSpan.FromSeconds(2) };

    /// <summary>Each command writes several objects, over several pages where the API pages.</summary>
    public static TheoryData<string> OutputCommands => new()
    {
        "Get-AliBackupTask -InstanceId " + ManyTasks,
        "Get-AliBackup -InstanceId " + ManyBackups + " -StartTime (Get-Date).AddDays(-400)",
        "Start-AliBackup -InstanceId r-start00000000001, r-start00000000002, r-start00000000003",
        "Start-AliBackup -InstanceId r-start00000000001, r-start00000000002, r-start00000000003 | Wait-AliBackupTask -PollInterval 0.2 -Timeout 120",
        "Get-AliBackupContext",
        "Connect-AliBackup -Credential $AliBackupTestCredential -PassThru",
        "Get-AliBackup -InstanceId " + ManyFiles + " | Save-AliBackup -Path (Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('N'))) -ThrottleLimit 2",
        "Get-AliBackupPolicy -InstanceId r-start00000000001, r-start00000000002, r-start00000000003",
    };

    public async Task InitializeAsync()
    {
        await _scope.InitializeAsync();
        var state = _scope.Emulator.State;
        // 250 daily backups: three pages of 100.
        state.AddInstance(new EmulatedInstance { Id = ManyBackups, Product = EmulatedProduct.Redis }, historicalBackups: 250);
        var tasks = state.AddInstance(new EmulatedInstance { Id = ManyTasks, Product = EmulatedProduct.Redis, StageDuration = TimeSpan.FromHours(1) });
        for (var i = 0; i < 5; i++) state.CreateJob(tasks, "Automated");
        state.AddInstance(new EmulatedInstance { Id = ManyFiles, Product = EmulatedProduct.Redis, BackupSizeBytes = 300_000 }, historicalBackups: 6);
        for (var i = 1; i <= 3; i++)
            state.AddInstance(new EmulatedInstance { Id = "r-start0000000000" + i, Product = EmulatedProduct.Redis, StageDuration = TimeSpan.FromMilliseconds(100 * i) });
    }

    public Task DisposeAsync() => _scope.DisposeAsync();

    [Theory]
    [MemberData(nameof(OutputCommands))]
    public void Select_Object_First_1_returns_one_object_and_no_error(string command)
    {
        var result = RunBounded("$Error.Clear(); " + command + " -ErrorVariable ev | Select-Object -First 1; $ev.Count; $Error.Count");

        AssertCleanEnd(result);
        Assert.Equal(3, result.Output.Count);
        Assert.Equal("0", result.Output[1].ToString());
        Assert.Equal("0", result.Output[2].ToString());
    }

    [Theory]
    [MemberData(nameof(OutputCommands))]
    public void A_downstream_throw_reaches_the_callers_catch_unchanged(string command)
    {
        var result = RunBounded("try { " + command + " | ForEach-Object { throw 'downstream failed' } } catch { 'caught: ' + $_.Exception.Message }");

        AssertCleanEnd(result);
        Assert.Equal("caught: downstream failed", Assert.Single(result.Output).ToString());
    }

    [Theory]
    [MemberData(nameof(OutputCommands))]
    public void Break_in_a_downstream_ForEach_Object_leaves_the_loop_and_the_script_goes_on(string command)
    {
        var result = RunBounded("$Error.Clear(); foreach ($round in 1..2) { " + command + " | ForEach-Object { 'got one'; break } }; 'after the loop'; $Error.Count");

        AssertCleanEnd(result);
        Assert.Equal(["got one", "after the loop", "0"], result.Output.Select(o => o.ToString()));
    }

    [Theory]
    [MemberData(nameof(OutputCommands))]
    public void ErrorAction_Stop_downstream_stops_the_command_inside_try(string command)
    {
        var result = RunBounded("$ErrorActionPreference = 'Stop'; try { " + command +
                                " | ForEach-Object { Write-Error 'downstream error' } ; 'not reached' } catch { 'caught: ' + $_.Exception.Message }");

        AssertCleanEnd(result);
        Assert.Equal("caught: downstream error", Assert.Single(result.Output).ToString());
    }

    [Theory]
    [MemberData(nameof(OutputCommands))]
    public void Quitting_Out_Host_Paging_ends_the_command(string command)
    {
        _scope.Session.Host.KeyAnswers.Clear();
        // Page height 50 lines: the first prompt comes before everything is shown; 'q' quits there.
        for (var i = 0; i < 10; i++) _scope.Session.Host.KeyAnswers.Enqueue('q');
        var result = RunBounded(command + " | Out-Host -Paging; 'after the pager'");

        Assert.Null(result.Terminating);
        // Quitting the pager is reported the way PowerShell reports it for its own commands (`1..1000 | Out-Host
        // -Paging`): one HaltCommandException record, nothing from the module.
        Assert.All(result.Errors, e => Assert.Equal("System.Management.Automation.HaltCommandException", e.FullyQualifiedErrorId));
        Assert.True(result.Errors.Count <= 1, "Errors: " + string.Join("; ", result.Errors));
        Assert.Equal("after the pager", result.Output.Last().ToString());
    }

    [Fact]
    public void Ctrl_C_while_Get_AliBackup_is_still_writing_stops_within_a_second()
    {
        var stopTook = StopAfterFirstOutput("Get-AliBackup -InstanceId " + ManyBackups + " -StartTime (Get-Date).AddDays(-400) | ForEach-Object { Start-Sleep -Milliseconds 20; $_ }");

        Assert.True(stopTook < TimeSpan.FromSeconds(1), "Stop() took " + stopTook);
    }

    [Fact]
    public void Ctrl_C_while_Get_AliBackupTask_waits_for_an_answer_stops_within_a_second()
    {
        // Nothing has been written yet: the stop must reach the call in flight, not wait for its answer.
        _scope.Emulator.State.AddInstance(new EmulatedInstance { Id = "r-slowanswer00001", Product = EmulatedProduct.Redis });
        _scope.Emulator.State.AddFault(new FaultRule { Action = "DescribeBackupTasks", InstanceId = "r-slowanswer00001", Kind = FaultKind.Slow, DelayMs = 20_000, Remaining = -1 });
        var stopTook = StopAfterFirstOutput("Get-AliBackupTask -InstanceId r-slowanswer00001", stopAfter: TimeSpan.FromMilliseconds(500));

        Assert.True(stopTook < TimeSpan.FromSeconds(1), "Stop() took " + stopTook);
    }

    [Fact]
    public void Ctrl_C_mid_wait_stops_within_a_second()
    {
        _scope.Emulator.State.AddInstance(new EmulatedInstance { Id = "r-slowwait0000001", Product = EmulatedProduct.Redis, StageDuration = TimeSpan.FromHours(1) });
        var stopTook = StopAfterFirstOutput("Start-AliBackup -InstanceId r-slowwait0000001 | Wait-AliBackupTask -PollInterval 30",
            firstOutputFromProgress: true);

        Assert.True(stopTook < TimeSpan.FromSeconds(1), "Stop() took " + stopTook);
    }

    [Fact]
    public void Ctrl_C_mid_download_stops_within_a_second_and_leaves_the_partial_file_closed_for_a_resume()
    {
        _scope.Emulator.State.AddInstance(new EmulatedInstance { Id = "r-slowfile000001", Product = EmulatedProduct.Redis, BackupSizeBytes = 20_000_000 }, historicalBackups: 1);
        _scope.Emulator.State.Downloads.BytesPerSecond = 500_000;
        var folder = Path.Combine(Path.GetTempPath(), "alibackup-stop-" + Guid.NewGuid().ToString("N"));
        try
        {
            var stopTook = StopAfterFirstOutput("Get-AliBackup -InstanceId r-slowfile000001 | Save-AliBackup -Path '" + folder + "'", firstOutputFromProgress: true);

            Assert.True(stopTook < TimeSpan.FromSeconds(1), "Stop() took " + stopTook);
            var partial = Assert.Single(Directory.GetFiles(folder));
            Assert.EndsWith(".rdb.partial", partial);
            Assert.InRange(new FileInfo(partial).Length, 0, 19_999_999);
            // Nothing holds it open any more: an exclusive open succeeds.
            using (new FileStream(partial, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
        }
        finally
        {
            _scope.Emulator.State.Downloads.BytesPerSecond = null;
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Starts the script, waits for its first output (or progress record; or only <paramref name="stopAfter"/>, for a
    /// command that writes nothing before it is stopped), presses Ctrl+C and times Stop().
    /// </summary>
    private TimeSpan StopAfterFirstOutput(string script, bool firstOutputFromProgress = false, TimeSpan? stopAfter = null)
    {
        // Not `using`: disposing a pipeline that never stopped would hang the test run; it is disposed once it has ended.
        var ps = System.Management.Automation.PowerShell.Create(_scope.Session.Runspace);
        ps.AddScript(script);
        var output = new PSDataCollection<PSObject>();
        var started = new ManualResetEventSlim();
        output.DataAdded += (_, _) => started.Set();
        ps.Streams.Progress.DataAdded += (_, _) => { if (firstOutputFromProgress) started.Set(); };
        var running = ps.BeginInvoke<PSObject, PSObject>(null, output);
        if (stopAfter is { } delay)
        {
            Thread.Sleep(delay);
            Assert.False(running.IsCompleted, "The command ended before it was stopped");
        }
        else
        {
            Assert.True(started.Wait(HardTimeout), "The command wrote nothing within " + HardTimeout);
        }
        var clock = Stopwatch.StartNew();
        var stopping = ps.BeginStop(null, null);
        if (!stopping.AsyncWaitHandle.WaitOne(HardTimeout))
        {
            _scope.AbandonSession();
            Assert.Fail("Stop() had not returned after " + HardTimeout.TotalSeconds + " s.");
        }
        var took = clock.Elapsed;
        Assert.True(running.AsyncWaitHandle.WaitOne(HardTimeout), "The command did not end after Stop()");
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        ps.Dispose();
        return took;
    }

    /// <summary>Runs a script in the session; fails (and stops it) if it has not ended within the hard timeout.</summary>
    private ScriptResult RunBounded(string script)
    {
        System.Management.Automation.PowerShell? running = null;
        var run = Task.Run(() => _scope.Session.Run(script, ps => running = ps));
        if (!run.Wait(HardTimeout))
        {
            running?.BeginStop(null, null);
            _scope.AbandonSession();
            Assert.Fail("Hung: '" + script + "' had not ended after " + HardTimeout.TotalSeconds + " s.");
        }
        return run.Result;
    }

    private static void AssertCleanEnd(ScriptResult result)
    {
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
    }
}
