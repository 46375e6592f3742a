using System.Management.Automation;
using AliBackup.Emulator;
using AliBackup.Emulator.State;
using AliBackup.Emulator.Wire;
using AliBackup.PowerShell.Tests.Support;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace AliBackup.PowerShell.Tests;

/// <summary>
/// The fault matrix, through the cmdlets as a user types them: every fault the emulator injects, as a blip (once) and
/// persistent, on every product, on every read path (Get-AliBackupTask, Get-AliBackup, Wait-AliBackupTask), plus
/// Start-AliBackup under every fault that can lose CreateBackup's answer. Each cell is one instance with its own fault,
/// so one command covers a whole column. Each cell must recover (the same objects as without the fault) or fail
/// clearly (one AliBackup error record for it); anything else is bad. CreateBackup must never be carried out twice.
/// All of it runs with -Verbose and -Debug under temporary credentials, and no secret, token or signature may show.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class FaultMatrixTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string StsKeyId = "STS.MatrixKey00000000001";
    private const string StsSecret = "sts-matrix-secret-7Qe2Vn9Lw";
    private const string StsToken = "CAISmatrix+token/value+for+the+fault+matrix==";
    private readonly EmulatorScope _scope = new() { Stage = TimeSpan.FromMilliseconds(80) };

    public async Task InitializeAsync()
    {
        await _scope.InitializeAsync();
        _scope.Emulator.AddKey(new EmulatorKey(StsKeyId, StsSecret, StsToken));
    }

    public Task DisposeAsync() => _scope.DisposeAsync();

    private sealed record Fault(string Name, Func<string, string?, FaultRule?> Rule, bool RejectsCaller = false);

    private static FaultRule Error(string id, string? action, int status, string code, int? retryAfterMs = null, int count = 1) =>
        new() { InstanceId = id, Action = action, HttpStatus = status, Code = code, Message = code + " injected", RetryAfterMs = retryAfterMs, Remaining = count };

    private static FaultRule Kind(string id, string? action, FaultKind kind, int count = 1, int status = 200) =>
        new() { InstanceId = id, Action = action, Kind = kind, Remaining = count, HttpStatus = status, DelayMs = 1000 };

    /// <summary>Every read fault, for a dose (1 = a blip, -1 = persistent).</summary>
    private static List<Fault> ReadFaults(int dose) =>
    [
        new("Throttling", (id, a) => Error(id, a, 400, "Throttling", count: dose)),
        new("Throttling+retry-after", (id, a) => Error(id, a, 400, "Throttling", 40, dose)),
        new("Throttling.User", (id, a) => Error(id, a, 400, "Throttling.User", count: dose)),
        new("Throttling.User+retry-after", (id, a) => Error(id, a, 400, "Throttling.User", 40, dose)),
        new("Throttling.Api 429", (id, a) => Error(id, a, 429, "Throttling.Api", count: dose)),
        new("Throttling.Api+retry-after", (id, a) => Error(id, a, 429, "Throttling.Api", 40, dose)),
        new("HTTP 500", (id, a) => Error(id, a, 500, "InternalError", count: dose)),
        new("HTTP 502", (id, a) => Error(id, a, 502, "BadGateway", count: dose)),
        new("HTTP 503", (id, a) => Error(id, a, 503, "ServiceUnavailable", count: dose)),
        new("proxy HTML page", (id, a) => Kind(id, a, FaultKind.Html, dose, 502)),
        new("reset before read", (id, a) => Kind(id, a, FaultKind.ResetBeforeRead, dose)),
        new("reset after execute", (id, a) => Kind(id, a, FaultKind.ResetAfterExecute, dose)),
        new("slower than the client timeout", (id, a) => Kind(id, a, FaultKind.Slow, dose)),
        new("truncated body", (id, a) => Kind(id, a, FaultKind.Truncated, dose)),
        new("malformed body", (id, a) => Kind(id, a, FaultKind.Malformed, dose)),
        new("empty 200", (id, a) => Kind(id, a, FaultKind.Empty200, dose)),
        new("invalid UTF-8", (id, a) => Kind(id, a, FaultKind.InvalidUtf8, dose)),
        new("lone surrogate", (id, a) => Kind(id, a, FaultKind.LoneSurrogate, dose)),
        new("wrong-typed fields", (id, a) => Kind(id, a, FaultKind.WrongTypes, dose)),
        new("instance deleted", (id, a) => Kind(id, a, FaultKind.DeleteInstance)),
        new("probability 0.5 throttling", (id, a) => new FaultRule { InstanceId = id, Action = a, Code = "Throttling.User", Probability = 0.5, Remaining = dose < 0 ? -1 : 3 }),
        new("clock skew", (id, a) => Error(id, a, 400, "InvalidTimeStamp.Expired", count: dose), RejectsCaller: true),
        new("expired token", (id, a) => Error(id, a, 400, "InvalidSecurityToken.Expired", count: dose), RejectsCaller: true),
    ];

    private static readonly (EmulatedProduct Product, string Prefix)[] Products = [(EmulatedProduct.Redis, "r-"), (EmulatedProduct.PolarDB, "pc-"), (EmulatedProduct.MongoDB, "dds-"), (EmulatedProduct.RDS, "rm-")];

    private sealed class Cell
    {
        public required string Id { get; init; }
        public required string Path { get; init; }
        public required string Fault { get; init; }
        public required EmulatedProduct Product { get; init; }
        public string[] Expected { get; set; } = [];
        public bool RejectsCaller { get; init; }
        public string Outcome { get; set; } = "";
        public string Detail { get; set; } = "";
    }

    [Fact]
    public void Every_fault_on_every_read_path_recovers_or_fails_clearly_and_nothing_leaks()
    {
        var state = _scope.Emulator.State;
        var cells = new List<Cell>();
        var n = 0;
        foreach (var dose in new[] { 1, -1 })
            foreach (var fault in ReadFaults(dose))
                foreach (var (product, prefix) in Products)
                    foreach (var path in new[] { "tasks", "backups", "wait" })
                    {
                        var id = prefix + "fm" + (n++).ToString("D6") + "x";
                        // The waits need backups that finish at once; the reads, a task that is still running (MongoDB lists only those).
                        var instance = state.AddInstance(new EmulatedInstance { Id = id, Product = product, StageDuration = path == "wait" ? null : TimeSpan.FromHours(1) }, historicalBackups: 3);
                        var job = state.CreateJob(instance, "Manual");
                        var action = path switch { "tasks" => "DescribeBackupTasks", "backups" => "DescribeBackups", _ => null };
                        var cell = new Cell { Id = id, Path = path, Fault = fault.Name + (dose == 1 ? " (once)" : " (always)"), Product = product, RejectsCaller = fault.RejectsCaller };
                        cell.Expected = path switch
                        {
                            "tasks" => [job.JobIds[0].ToString()],
                            "backups" => state.BackupsOf(instance).Select(b => b.BackupId.ToString()).ToArray(),
                            _ => job.Backups.Select(b => b.BackupId.ToString()).ToArray(),
                        };
                        cell.Detail = job.JobIds[0].ToString();
                        if (fault.Rule(id, action) is { } rule) state.AddFault(rule);
                        cells.Add(cell);
                    }
        // DescribeBackups lagging behind a finished task: only the waiter can tell.
        foreach (var (product, prefix) in Products)
        {
            var id = prefix + "fmlag" + (n++).ToString("D4") + "x";
            var instance = state.AddInstance(new EmulatedInstance { Id = id, Product = product, ListingLag = TimeSpan.FromSeconds(1) });
            var job = state.CreateJob(instance, "Manual");
            cells.Add(new Cell { Id = id, Path = "wait", Fault = "DescribeBackups lag", Product = product, Expected = job.Backups.Select(b => b.BackupId.ToString()).ToArray(), Detail = job.JobIds[0].ToString() });
        }

        var results = new List<ScriptResult>();
        var started = DateTime.UtcNow;
        using (Environment())
        {
            var session = Session();
            foreach (var group in cells.GroupBy(c => (c.Path, c.RejectsCaller)))
            {
                // A fault that rejects the caller may end the whole command (that is its point): those cells run one by one.
                var batches = group.Key.RejectsCaller ? group.Select(c => new[] { c }) : [group.ToArray()];
                foreach (var batch in batches)
                {
                    session.SetVariable("ids", batch.Select(c => c.Id).ToArray());
                    session.SetVariable("tasks", batch.Select(c => PSObjectOf(c)).ToArray());
                    var script = group.Key.Path switch
                    {
                        "tasks" => "Get-AliBackupTask -InstanceId $ids -Verbose -Debug",
                        "backups" => "Get-AliBackup -InstanceId $ids -StartTime (Get-Date).AddDays(-30) -EndTime (Get-Date).AddDays(1) -Verbose -Debug",
                        _ => "$tasks | Wait-AliBackupTask -Timeout 3 -PollInterval 0.1 -Verbose -Debug",
                    };
                    var result = session.Run("$DebugPreference = 'Continue'; $ProgressPreference = 'SilentlyContinue'; " + script);
                    results.Add(result);
                    foreach (var cell in batch) Classify(cell, result);
                }
            }
        }
        var elapsed = DateTime.UtcNow - started;

        Report("Read paths", cells, elapsed);
        ScanForSecrets(results);
        Assert.Empty(cells.Where(c => c.Outcome == "bad").Select(c => c.Fault + " / " + c.Product + " / " + c.Path + ": " + c.Detail));
        // The matrix really exercised both sides.
        Assert.True(cells.Count(c => c.Outcome == "recovered") > 100);
        Assert.True(cells.Count(c => c.Outcome == "failed clearly") > 50);
    }

    [Fact]
    public void CreateBackup_is_never_carried_out_twice_under_any_ambiguous_failure_and_the_created_task_is_reported()
    {
        var state = _scope.Emulator.State;
        var faults = new List<(string Name, Func<string, FaultRule> Rule)>
        {
            ("HTTP 500", id => Error(id, "CreateBackup", 500, "InternalError", count: -1)),
            ("HTTP 503", id => Error(id, "CreateBackup", 503, "ServiceUnavailable", count: -1)),
            ("HTTP 503 + retry-after", id => Error(id, "CreateBackup", 503, "ServiceUnavailable", 20, -1)),
            ("proxy HTML page", id => Kind(id, "CreateBackup", FaultKind.Html, -1, 502)),
            ("reset before read", id => Kind(id, "CreateBackup", FaultKind.ResetBeforeRead, -1)),
            ("reset after execute", id => Kind(id, "CreateBackup", FaultKind.ResetAfterExecute, -1)),
            ("slower than the client timeout", id => Kind(id, "CreateBackup", FaultKind.Slow, -1)),
            ("truncated body", id => Kind(id, "CreateBackup", FaultKind.Truncated, -1)),
            ("malformed body", id => Kind(id, "CreateBackup", FaultKind.Malformed, -1)),
            ("empty 200", id => Kind(id, "CreateBackup", FaultKind.Empty200, -1)),
            ("invalid UTF-8", id => Kind(id, "CreateBackup", FaultKind.InvalidUtf8, -1)),
            ("Throttling.User once", id => Error(id, "CreateBackup", 400, "Throttling.User")),
            ("busy BackupJobExists", id => Error(id, "CreateBackup", 400, "BackupJobExists")),
            ("busy OperationDenied.BackupJobExists", id => Error(id, "CreateBackup", 403, "OperationDenied.BackupJobExists")),
            ("busy TaskExists", id => Error(id, "CreateBackup", 400, "TaskExists")),
            ("busy TaskHasExist", id => Error(id, "CreateBackup", 400, "TaskHasExist")),
            ("busy IncorrectDBInstanceState", id => Error(id, "CreateBackup", 403, "IncorrectDBInstanceState")),
            ("BackupTimesExceeded", id => Error(id, "CreateBackup", 403, "BackupTimesExceeded", count: -1)),
        };
        var cells = new List<Cell>();
        var n = 0;
        foreach (var (name, rule) in faults)
            foreach (var (product, prefix) in Products)
            {
                var id = prefix + "fmstart" + (n++).ToString("D4") + "x";
                state.AddInstance(new EmulatedInstance { Id = id, Product = product });
                state.AddFault(rule(id));
                cells.Add(new Cell { Id = id, Path = "start", Fault = name, Product = product });
            }

        ScriptResult result;
        var started = DateTime.UtcNow;
        using (Environment())
        {
            var session = Session();
            session.SetVariable("ids", cells.Select(c => c.Id).ToArray());
            result = session.Run("$DebugPreference = 'Continue'; Start-AliBackup -InstanceId $ids -Verbose -Debug");
        }
        var elapsed = DateTime.UtcNow - started;

        var duplicates = new List<string>();
        foreach (var cell in cells)
        {
            var jobs = state.Jobs.Where(j => j.Instance.Id == cell.Id).ToList();
            if (jobs.Count > 1) duplicates.Add(cell.Fault + " / " + cell.Product + ": " + jobs.Count + " jobs");
            cell.Expected = jobs.Select(j => string.Join(",", j.JobIds)).ToArray();
            Classify(cell, result);
        }

        Report("CreateBackup", cells, elapsed);
        output.WriteLine("duplicate CreateBackup (emulator-counted): " + duplicates.Count);
        ScanForSecrets([result]);
        Assert.Null(result.Terminating);
        Assert.Empty(duplicates);
        Assert.Empty(cells.Where(c => c.Outcome == "bad").Select(c => c.Fault + " / " + c.Product + ": " + c.Detail));
        // Where the backup was started but its answer lost, the task written is that backup's.
        foreach (var name in new[] { "reset after execute", "slower than the client timeout", "truncated body", "malformed body", "invalid UTF-8", "Throttling.User once" })
            Assert.All(cells.Where(c => c.Fault == name), c => Assert.True(c.Outcome == "recovered", name + " / " + c.Product + ": " + c.Detail));
        Assert.All(cells.Where(c => c.Fault is "HTTP 500" or "reset before read" or "empty 200"),
            c => Assert.Contains("AliBackup.BackupOutcomeUnknown", c.Detail));
        Assert.All(cells.Where(c => c.Fault == "BackupTimesExceeded"), c => Assert.Contains("AliBackup.Api.BackupTimesExceeded", c.Detail));
    }

    /// <summary>One of the module's typed errors (this project does not reference the module, so by its base type's name).</summary>
    private static bool IsAliBackupError(Exception exception)
    {
        for (var type = exception.GetType(); type != null; type = type.BaseType)
            if (type.FullName == "AliBackup.AliBackupException") return true;
        return false;
    }

    private static PSObject PSObjectOf(Cell cell)
    {
        var o = new PSObject();
        o.Properties.Add(new PSNoteProperty("InstanceId", cell.Id));
        o.Properties.Add(new PSNoteProperty("BackupJobId", cell.Detail));
        return o;
    }

    private IDisposable Environment() => new EnvironmentVariables(new()
    {
        ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = StsKeyId,
        ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = StsSecret,
        ["ALIBABA_CLOUD_SECURITY_TOKEN"] = StsToken,
        // Short retry steps and a short client timeout, so the matrix runs in seconds.
        ["ALIBACKUP_RETRY_BASE_DELAY_MS"] = "5",
        ["ALIBACKUP_RETRY_MAX_ATTEMPTS"] = "3",
        ["ALIBACKUP_REQUEST_TIMEOUT_SECONDS"] = "0.3",
    });

    private PowerShellSession Session()
    {
        var session = _scope.Session;
        session.SetVariable("AliBackupTestCredential", null);
        session.Run("$PSDefaultParameterValues.Remove('*-AliBackup*:Credential')");
        return session;
    }

    private static string? InstanceOf(object? target) => target switch
    {
        string s => s,
        PSObject p => p.Properties["InstanceId"]?.Value?.ToString() ?? p.BaseObject?.ToString(),
        null => null,
        _ => target.GetType().GetProperty("InstanceId")?.GetValue(target)?.ToString() ?? target.ToString(),
    };

    private static void Classify(Cell cell, ScriptResult result)
    {
        var objects = result.Output.Where(o => o.Properties["InstanceId"]?.Value?.ToString() == cell.Id).ToList();
        // A cell that rejects the caller ran alone: an error that ends the whole command names no item.
        var errors = result.Errors.Where(e => InstanceOf(e.TargetObject) == cell.Id || cell.RejectsCaller && e.TargetObject == null).ToList();
        var ids = objects.Select(o => (cell.Path is "tasks" or "start" ? o.Properties["BackupJobId"] : o.Properties["BackupId"])?.Value?.ToString() ?? "").Order().ToArray();
        var terminating = result.Terminating is IContainsErrorRecord t ? t.ErrorRecord : null;
        cell.Detail = string.Join(" | ", errors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)) +
                      (terminating != null ? " | terminating " + terminating.FullyQualifiedErrorId + ": " + terminating.Exception.Message : "") +
                      " | objects " + string.Join(",", ids) + " expected " + string.Join(",", cell.Expected.Order());
        static bool Clear(ErrorRecord e) =>
            e.FullyQualifiedErrorId.StartsWith("AliBackup.", StringComparison.Ordinal) && !e.FullyQualifiedErrorId.StartsWith("AliBackup.UnexpectedError") &&
            IsAliBackupError(e.Exception) && e.Exception.Message.Length > 20 &&
            // An answer that came back names its RequestId; a lost one cannot.
            (e.Exception.GetType().Name is not ("AliBackupApiException" or "AliBackupInvalidResponseException") || e.Exception.Message.Contains("RequestId"));

        if (cell.RejectsCaller && (errors.Count == 1 && Clear(errors[0]) || errors.Count == 0 && terminating != null && Clear(terminating)))
            cell.Outcome = "failed clearly";
        else if (result.Terminating != null)
            cell.Outcome = "bad";
        else if (errors.Count == 0 && ids.SequenceEqual(cell.Expected.Order()))
            cell.Outcome = "recovered";
        else if (errors.Count == 1 && Clear(errors[0]) && ids.All(cell.Expected.Contains))
            cell.Outcome = "failed clearly";
        else
            cell.Outcome = "bad";
    }

    private void Report(string title, List<Cell> cells, TimeSpan elapsed)
    {
        var faults = cells.Select(c => c.Fault).Distinct().Count();
        var paths = cells.Select(c => c.Path).Distinct().Count();
        output.WriteLine($"{title}: {cells.Count} cells ({faults} faults x {Products.Length} products x {paths} paths) in {elapsed.TotalSeconds:0.0} s: " +
                         $"recovered {cells.Count(c => c.Outcome == "recovered")}, failed clearly {cells.Count(c => c.Outcome == "failed clearly")}, bad {cells.Count(c => c.Outcome == "bad")}");
        foreach (var row in cells.GroupBy(c => c.Fault))
            output.WriteLine($"  {row.Key,-40} " + string.Join("  ", row.Select(c => c.Product + "/" + c.Path + "=" + c.Outcome)));
        foreach (var bad in cells.Where(c => c.Outcome == "bad")) output.WriteLine("  BAD " + bad.Fault + " / " + bad.Product + " / " + bad.Path + ": " + bad.Detail);
    }

    private void ScanForSecrets(List<ScriptResult> results)
    {
        var signatures = _scope.Emulator.State.Requests.Select(r => r.Signature).Where(s => !string.IsNullOrEmpty(s)).Distinct().ToList();
        Assert.True(signatures.Count > 20);
        Assert.Contains(results, r => r.Debug.Any(d => d.Message.Contains("x-acs-security-token:***")));
        Assert.Contains(results, r => r.Verbose.Any(v => v.Message.Contains("retrying in")));
        var forbidden = new[] { StsSecret, StsToken, Uri.EscapeDataString(StsToken) }.Concat(signatures!).ToList();
        foreach (var text in results.SelectMany(r => r.AllVisibleText()))
            foreach (var secret in forbidden)
                Assert.False(text.Contains(secret!, StringComparison.Ordinal), "A secret value leaked into: " + text);
    }

    [Fact]
    public void A_thousand_generated_answers_through_the_cmdlets_each_read_or_give_one_clear_error_for_their_item()
    {
        var state = _scope.Emulator.State;
        var answers = AliBackup.Service.Tests.Support.AnswerGenerator.Any().Sample(1000, 20);
        var items = new List<(string Id, AliBackup.Service.Tests.Support.AnswerGenerator.Answer Answer)>();
        for (var i = 0; i < answers.Length; i++)
        {
            var answer = answers[i];
            var (product, prefix) = Products[(int)answer.Product];
            var id = prefix + "gen" + i.ToString("D6") + "x";
            state.AddInstance(new EmulatedInstance { Id = id, Product = product });
            state.AddCannedAnswer(new CannedAnswer { Action = answer.Action.ToString(), InstanceId = id, BodyBytes = answer.Body });
            items.Add((id, answer));
        }

        var counts = new Dictionary<string, int>();
        var bad = new List<string>();
        var started = DateTime.UtcNow;
        using (new EnvironmentVariables(new()
        {
            // Each generated answer is the last word: no retry reaches the real emulator behind it.
            ["ALIBACKUP_RETRY_MAX_ATTEMPTS"] = "1",
            ["ALIBACKUP_RETRY_BASE_DELAY_MS"] = "1",
        }))
        {
            foreach (var batch in items.GroupBy(x => x.Answer.Action).SelectMany(g => g.Chunk(100)))
            {
                _scope.Session.SetVariable("ids", batch.Select(x => x.Id).ToArray());
                var script = batch[0].Answer.Action switch
                {
                    AliBackup.Service.Tests.Support.AnswerGenerator.Action.DescribeBackupTasks => "Get-AliBackupTask -InstanceId $ids",
                    AliBackup.Service.Tests.Support.AnswerGenerator.Action.DescribeBackups => "Get-AliBackup -InstanceId $ids",
                    _ => "Start-AliBackup -InstanceId $ids",
                };
                var result = _scope.Session.Run("$WarningPreference = 'SilentlyContinue'; " + script);
                if (result.Terminating != null) bad.Add("terminating: " + result.Terminating.Message);
                foreach (var (id, answer) in batch)
                {
                    var errors = result.Errors.Where(e => InstanceOf(e.TargetObject) == id).ToList();
                    string outcome;
                    if (errors.Count == 0) outcome = "read";
                    else if (errors.Count > 1) outcome = "bad: " + errors.Count + " errors";
                    else if (!IsAliBackupError(errors[0].Exception) || !errors[0].FullyQualifiedErrorId.StartsWith("AliBackup.") ||
                             errors[0].FullyQualifiedErrorId.StartsWith("AliBackup.UnexpectedError"))
                        outcome = "bad: " + errors[0].FullyQualifiedErrorId + " " + errors[0].Exception.GetType().Name;
                    else outcome = errors[0].FullyQualifiedErrorId.Split(',')[0] switch
                    {
                        "AliBackup.InvalidResponse" => "InvalidResponse",
                        "AliBackup.BackupOutcomeUnknown" => "BackupOutcomeUnknown",
                        var other when other.StartsWith("AliBackup.Api.") => "ApiError",
                        var other => other,
                    };
                    if (outcome.StartsWith("bad")) bad.Add(outcome + " for " + answer);
                    counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
                }
            }
        }
        output.WriteLine($"generated answers through the cmdlets: {items.Count} in {(DateTime.UtcNow - started).TotalSeconds:0.0} s — " +
                         string.Join(", ", counts.OrderBy(c => c.Key).Select(c => c.Key + " " + c.Value)));
        Assert.Empty(bad);
        Assert.True(counts.GetValueOrDefault("read") > 100 && counts.GetValueOrDefault("InvalidResponse") > 100, string.Join(", ", counts));
    }
}
