using System.Diagnostics;
using System.Management.Automation;
using AliBackup.Emulator;
using AliBackup.Emulator.State;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>Start and Wait that never lie: failures, timeouts, re-attach, progress and Ctrl+C, in a real runspace.</summary>
public sealed class WaitBehaviourTests : IAsyncLifetime
{
    private readonly EmulatorScope _scope = new();

    public Task InitializeAsync() => _scope.InitializeAsync();

    public Task DisposeAsync() => _scope.DisposeAsync();

    private EmulatedInstance Instance(string id, TimeSpan? stage = null, bool fail = false) =>
        _scope.Emulator.State.AddInstance(new EmulatedInstance { Id = id, Product = EmulatedProduct.Redis, StageDuration = stage, FailNextBackup = fail });

    [Fact]
    public void Starting_while_a_manual_backup_runs_attaches_by_default_and_fails_with_IfRunning_Fail()
    {
        Instance("r-busyinstance01", TimeSpan.FromHours(1));
        var first = _scope.Session.Run("Start-AliBackup r-busyinstance01");
        var attached = _scope.Session.Run("Start-AliBackup r-busyinstance01 -Verbose");
        var failed = _scope.Session.Run("Start-AliBackup r-busyinstance01 -IfRunning Fail");

        var jobId = Assert.Single(_scope.Emulator.State.Jobs).JobIds[0].ToString();
        Assert.Equal(jobId, Assert.Single(first.Output).Text("BackupJobId"));
        Assert.Equal(jobId, Assert.Single(attached.Output).Text("BackupJobId"));
        Assert.Contains(attached.Verbose, v => v.Message.Contains("already running") && v.Message.Contains(jobId));
        Assert.Empty(failed.Output);
        var error = Assert.Single(failed.Errors);
        Assert.StartsWith("AliBackup.BackupRunning,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceBusy, error.CategoryInfo.Category);
        Assert.Contains("-BackupJobId '" + jobId + "'", error.ErrorDetails.RecommendedAction);
        Assert.Equal(0, _scope.Emulator.State.Requests.Count(r => r.Action == "CreateBackup" && r.HttpStatus != 200));
    }

    [Fact]
    public void A_failed_backup_is_an_error_at_once_while_the_other_tasks_complete()
    {
        Instance("r-failing000001", fail: true);
        Instance("r-fine000000001");

        var result = _scope.Session.Run("'r-failing000001', 'r-fine000000001' | Start-AliBackup | Wait-AliBackupTask -PollInterval 0.1 -Timeout 60");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("AliBackup.BackupFailed,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidResult, error.CategoryInfo.Category);
        Assert.Equal("r-failing000001", error.TargetObject.Text("InstanceId"));
        Assert.Equal("Failed", error.TargetObject.Text("Status"));
        Assert.Equal("r-fine000000001", Assert.Single(result.OfTypeName("AliBackup.Backup")).Text("InstanceId"));
    }

    [Fact]
    public void When_time_runs_out_finished_tasks_are_written_and_each_unfinished_one_is_a_timeout_error()
    {
        for (var i = 0; i < 5; i++) Instance($"r-mixed{i:D9}", i < 3 ? null : TimeSpan.FromHours(1));
        const string Pipeline = "0..4 | ForEach-Object { 'r-mixed{0:D9}' -f $_ } | Start-AliBackup | Wait-AliBackupTask -PollInterval 0.1 -Timeout 3";

        var result = _scope.Session.Run(Pipeline);

        Assert.Equal(["r-mixed000000000", "r-mixed000000001", "r-mixed000000002"], result.OfTypeName("AliBackup.Backup").Select(b => b.Text("InstanceId")));
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e =>
        {
            Assert.StartsWith("AliBackup.WaitTimeout,", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.OperationTimeout, e.CategoryInfo.Category);
            Assert.Contains("Wait-AliBackupTask -InstanceId " + e.TargetObject.Text("InstanceId") + " -BackupJobId '" + e.TargetObject.Text("BackupJobId") + "'", e.Exception.Message);
        });
        Assert.Equal(["r-mixed000000003", "r-mixed000000004"], result.Errors.Select(e => e.TargetObject.Text("InstanceId")));

        var stopping = _scope.Session.Run(Pipeline.Replace("-Timeout 3", "-Timeout 1 -ErrorAction Stop") + "; 'the script went on'");
        Assert.NotNull(stopping.Terminating);
        Assert.DoesNotContain(stopping.Output, o => o.ToString() == "the script went on");
    }

    [Fact]
    public void Latest_reattaches_to_the_newest_manual_task()
    {
        Instance("r-reattach00001", TimeSpan.FromMilliseconds(300));
        var started = _scope.Session.Run("Start-AliBackup r-reattach00001 | Wait-AliBackupTask -Timeout 0.2 -PollInterval 0.1 -ErrorAction SilentlyContinue");
        Assert.Empty(started.OfTypeName("AliBackup.Backup"));

        var reattached = _scope.Session.Run("Wait-AliBackupTask -InstanceId r-reattach00001 -Latest -PollInterval 0.1 -Timeout 30");

        Assert.Empty(reattached.Errors);
        var backup = Assert.Single(reattached.OfTypeName("AliBackup.Backup"));
        Assert.Equal(Assert.Single(_scope.Emulator.State.Jobs).JobIds[0].ToString(), backup.Text("BackupJobId"));

        var none = _scope.Session.Run("Wait-AliBackupTask -InstanceId " + EmulatorServer.DemoRedisInstance + " -Latest -Timeout 5");
        var error = Assert.Single(none.Errors);
        Assert.StartsWith("AliBackup.NoBackupTask,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
    }

    [Fact]
    public void A_per_shard_cluster_task_waits_for_every_shard_and_writes_each_shards_backup()
    {
        var result = _scope.Session.Run("Start-AliBackup " + EmulatorServer.DemoRedisCluster + " | Wait-AliBackupTask -PollInterval 0.1 -Timeout 60");

        Assert.Empty(result.Errors);
        var backups = result.OfTypeName("AliBackup.Backup");
        Assert.Equal(new[] { 0, 1, 2 }.Select(i => EmulatorServer.DemoRedisCluster + "-db-" + i), backups.Select(b => b.Text("NodeInstanceId")).Order());
        Assert.Equal(Assert.Single(_scope.Emulator.State.Jobs).JobIds.Select(j => j.ToString()).Order(), backups.Select(b => b.Text("BackupJobId")).Order());
    }

    [Fact]
    public void Progress_has_a_parent_and_a_child_per_task_and_is_silent_when_asked()
    {
        Instance("r-progress00001", TimeSpan.FromMilliseconds(200));
        Instance("r-progress00002", TimeSpan.FromMilliseconds(200));

        var shown = _scope.Session.Run("'r-progress00001', 'r-progress00002' | Start-AliBackup | Wait-AliBackupTask -PollInterval 0.1 -Timeout 60");
        var parents = shown.Progress.Where(p => p.ParentActivityId == -1).ToList();
        Assert.NotEmpty(parents);
        Assert.All(parents, p => Assert.Equal(1, p.ActivityId));
        var children = shown.Progress.Where(p => p.ParentActivityId == 1).ToList();
        Assert.Equal(2, children.Select(c => c.ActivityId).Distinct().Count());
        Assert.Contains(children, c => c.Activity.StartsWith("r-progress00001 job "));
        Assert.Contains(shown.Progress, p => p.RecordType == ProgressRecordType.Completed && p.ActivityId == 1);

        var silent = _scope.Session.Run("$ProgressPreference = 'SilentlyContinue'; 'r-progress00001', 'r-progress00002' | Start-AliBackup | Wait-AliBackupTask -PollInterval 0.1 -Timeout 60; $ProgressPreference = 'Continue'");
        Assert.Equal(2, silent.OfTypeName("AliBackup.Backup").Count);
        Assert.Empty(silent.Progress);
    }

    [Fact]
    public void The_count_of_finished_tasks_is_shown_when_a_task_finishes_not_a_poll_later()
    {
        // Started last, so it is still running at the first poll and finishes at a later one.
        Instance("r-quickone00001", TimeSpan.FromMilliseconds(300));
        // Never changes state while waited on, so no poll of it would ever refresh the parent record.
        Instance("r-slowone000001", TimeSpan.FromHours(1));

        var result = _scope.Session.Run("'r-slowone000001', 'r-quickone00001' | Start-AliBackup | Wait-AliBackupTask -PollInterval 0.1 -Timeout 3");

        Assert.Single(result.OfTypeName("AliBackup.Backup"));
        var parents = result.InOrder.Where(r => r.Record is ProgressRecord { ActivityId: 1, RecordType: ProgressRecordType.Processing })
            .Select(r => ((ProgressRecord)r.Record).StatusDescription).ToList();
        Assert.StartsWith("0 of 2 finished", parents[0]);
        var afterFinish = result.InOrder.FindIndex(r => r.Record is PSObject o && o.IsA("AliBackup.Backup"));
        var timedOut = result.InOrder.FindIndex(r => r.Stream == "Error");
        Assert.Contains(result.InOrder.Take(timedOut).Where(r => r.Record is ProgressRecord { ActivityId: 1, RecordType: ProgressRecordType.Processing }),
            r => ((ProgressRecord)r.Record).StatusDescription.StartsWith("1 of 2 finished", StringComparison.Ordinal));
        Assert.True(afterFinish >= 0 && timedOut > afterFinish);
    }

    /// <summary>
    /// The emulated task spends three stages at 0% before its copy stage climbs to 100%: an estimate from the task's
    /// start time and its percent (elapsed × left ÷ done) is off by a factor of four or more; the pace seen between polls
    /// of the copy itself is not.
    /// </summary>
    [Fact]
    public void The_time_left_follows_the_pace_of_the_copy_not_the_time_since_the_task_started()
    {
        Instance("r-estimate00001", TimeSpan.FromMilliseconds(800));
        var shown = new List<(DateTimeOffset At, ProgressRecord Record)>();

        var result = _scope.Session.Run("Start-AliBackup r-estimate00001 | Wait-AliBackupTask -PollInterval 0.1 -Timeout 60",
            ps => ps.Streams.Progress.DataAdded += (sender, e) =>
            {
                var record = ((PSDataCollection<ProgressRecord>)sender!)[e.Index];
                lock (shown) shown.Add((DateTimeOffset.UtcNow, record));
            });

        Assert.Single(result.OfTypeName("AliBackup.Backup"));
        var finishedAt = Assert.Single(_scope.Emulator.State.Jobs).FinishedAt;
        var estimates = shown.Where(s => s.Record.ParentActivityId == 1 && s.Record.SecondsRemaining >= 0).ToList();
        Assert.NotEmpty(estimates);
        Assert.All(estimates, s => Assert.True(s.Record.SecondsRemaining <= (finishedAt - s.At).TotalSeconds + 1.5,
            "At " + s.Record.PercentComplete + "% the estimate was " + s.Record.SecondsRemaining + " s; the task finished " + (finishedAt - s.At).TotalSeconds.ToString("0.0") + " s later."));
    }

    [Fact]
    public void Ctrl_C_stops_within_a_second_leaves_no_background_polling_and_says_how_to_reattach()
    {
        Instance("r-stoppable0001", TimeSpan.FromHours(1));
        using var ps = System.Management.Automation.PowerShell.Create(_scope.Session.Runspace);
        ps.AddScript("Start-AliBackup r-stoppable0001 | Wait-AliBackupTask -PollInterval 0.2 -Timeout 600");
        var handle = ps.BeginInvoke();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_scope.Emulator.State.Requests.Count(r => r.Action == "DescribeBackupTasks") < 3 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.False(handle.IsCompleted);

        var watch = Stopwatch.StartNew();
        ps.Stop();
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), "Stop took " + watch.Elapsed);
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        var jobId = Assert.Single(_scope.Emulator.State.Jobs).JobIds[0].ToString();
        var host = _scope.Session.AllHostText;
        Assert.Contains("Stopped waiting. The backups go on in the service. To wait again: Wait-AliBackupTask -InstanceId r-stoppable0001 -BackupJobId '" + jobId + "'", host);
        var callsAtStop = _scope.Emulator.State.Requests.Count;
        Thread.Sleep(700);
        Assert.Equal(callsAtStop, _scope.Emulator.State.Requests.Count);
    }
}

/// <summary>CI runners: heartbeats instead of progress bars, and error annotations in the runner's own format.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class CiWaitTests : IAsyncLifetime
{
    private readonly EmulatorScope _scope = new();

    public Task InitializeAsync() => _scope.InitializeAsync();

    public Task DisposeAsync() => _scope.DisposeAsync();

    [Theory]
    [InlineData("GITHUB_ACTIONS", "true", "::error title=AliBackup::")]
    [InlineData("TF_BUILD", "True", "##vso[task.logissue type=error]")]
    public void In_CI_a_wait_writes_heartbeats_and_a_failure_writes_an_annotation(string variable, string value, string annotation)
    {
        _scope.Emulator.State.AddInstance(new EmulatedInstance { Id = "r-cifailing00001", Product = EmulatedProduct.Redis, FailNextBackup = true });
        _scope.Emulator.State.AddInstance(new EmulatedInstance { Id = "r-cifine0000001", Product = EmulatedProduct.Redis });
        ScriptResult result;
        using (new EnvironmentVariables(new() { [variable] = value, ["GITHUB_ACTIONS"] = variable == "GITHUB_ACTIONS" ? value : null, ["TF_BUILD"] = variable == "TF_BUILD" ? value : null }))
        {
            result = _scope.Session.Run("'r-cifailing00001', 'r-cifine0000001' | Start-AliBackup | Wait-AliBackupTask -PollInterval 0.1 -Timeout 60");
        }

        Assert.Empty(result.Progress);
        var heartbeat = Assert.Single(result.Information, i => i.Tags.Contains("Heartbeat"));
        Assert.StartsWith("AliBackup: waiting for 2 backup tasks after ", heartbeat.MessageData.ToString());
        Assert.Contains("r-cifailing00001 job ", heartbeat.MessageData.ToString());
        var line = Assert.Single(result.Information, i => i.Tags.Contains("Annotation")).MessageData.ToString()!;
        Assert.StartsWith(annotation, line);
        Assert.Contains("r-cifailing00001", line);
        Assert.DoesNotContain("\n", line);
        Assert.Contains(annotation, result.HostText); // shown by the host, as Write-Host output is, so the runner sees it
        Assert.StartsWith("AliBackup.BackupFailed,", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.Single(result.OfTypeName("AliBackup.Backup"));
    }

    /// <summary>
    /// A timeout's message says "at 0%". Each runner unescapes its own way: GitHub reads %25 as %, the Azure agent reads
    /// %AZP25 (a %25 would reach the summary as the literal text "%25").
    /// </summary>
    [Theory]
    [InlineData("GITHUB_ACTIONS", "::error title=AliBackup::", "at 0%25", "%AZP")]
    [InlineData("TF_BUILD", "##vso[task.logissue type=error]", "at 0%AZP25", "%25")]
    public void An_annotation_escapes_percent_signs_the_way_its_runner_reads_them(string variable, string prefix, string escaped, string foreign)
    {
        _scope.Emulator.State.AddInstance(new EmulatedInstance { Id = "r-cislow00000001", Product = EmulatedProduct.Redis, StageDuration = TimeSpan.FromHours(1) });
        ScriptResult result;
        using (new EnvironmentVariables(new() { ["GITHUB_ACTIONS"] = variable == "GITHUB_ACTIONS" ? "true" : null, ["TF_BUILD"] = variable == "TF_BUILD" ? "True" : null }))
        {
            result = _scope.Session.Run("Start-AliBackup r-cislow00000001 | Wait-AliBackupTask -PollInterval 0.1 -Timeout 0.5");
        }

        Assert.StartsWith("AliBackup.WaitTimeout,", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.Contains(" at 0%", result.Errors[0].Exception.Message);
        var line = Assert.Single(result.Information, i => i.Tags.Contains("Annotation")).MessageData.ToString()!;
        Assert.StartsWith(prefix, line);
        Assert.Contains(escaped, line);
        Assert.DoesNotContain(foreign, line);
    }
}
