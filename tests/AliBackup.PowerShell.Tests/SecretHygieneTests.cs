using AliBackup.Emulator;
using AliBackup.Emulator.Wire;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>
/// The AccessKey secret, the security token and the request signatures never appear in any stream, in host output,
/// or in any exception text: every cmdlet is driven through success and failure with -Verbose and -Debug on.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class SecretHygieneTests : IAsyncLifetime
{
    private const string StsKeyId = "STS.NUgYrLnoC37mZZCNnAbez2";
    private const string StsSecret = "sts-secret-9cW3ZQW7B1vh2Xb4tD";
    private const string StsToken = "CAIS8gF1q6Ft5B2yfSjIr5bkJfTK1LZ7z6a7c0XQ1lQgS+secure+token+value";
    private readonly EmulatorScope _scope = new();

    public async Task InitializeAsync()
    {
        await _scope.InitializeAsync();
        _scope.Emulator.AddKey(new EmulatorKey(StsKeyId, StsSecret, StsToken));
        _scope.Emulator.State.AddInstance(new AliBackup.Emulator.State.EmulatedInstance { Id = "r-slowinstance001", Product = AliBackup.Emulator.State.EmulatedProduct.Redis, StageDuration = TimeSpan.FromHours(1) });
    }

    public Task DisposeAsync() => _scope.DisposeAsync();

    [Fact]
    public void No_secret_token_or_signature_shows_anywhere()
    {
        var session = _scope.Session;
        session.SetVariable("AliBackupTestCredential", null);
        session.Run("$PSDefaultParameterValues.Remove('*-AliBackup*:Credential')");
        // Temporary credentials come from the environment provider here, so the token takes part in every call.
        session.SetVariable("sts", PowerShellSession.Credential(StsKeyId, StsSecret));
        session.SetVariable("wrong", PowerShellSession.Credential(StsKeyId, "wrong-" + StsSecret));
        var redis = EmulatorServer.DemoRedisInstance;

        var scripts = new[]
        {
            $"Get-AliBackupTask {redis}",
            $"Get-AliBackupTask r-doesnotexist001",
            $"Get-AliBackup {redis}",
            $"Get-AliBackup r-doesnotexist001",
            $"Start-AliBackup {redis} | Wait-AliBackupTask -Timeout 30 -PollInterval 0.1",
            $"Start-AliBackup r-doesnotexist001",
            $"Start-AliBackup r-slowinstance001 | Wait-AliBackupTask -Timeout 0.3 -PollInterval 0.1",
            $"Wait-AliBackupTask r-doesnotexist001 -BackupJobId 1 -Timeout 1 -PollInterval 0.1",
            $"Get-AliBackupTask {redis} -Credential $wrong",
            $"Start-AliBackup {redis} -Credential $wrong",
            $"Get-AliBackup {redis} -Credential $wrong -ErrorAction Stop",
        };

        var results = new List<ScriptResult>();
        using (new EnvironmentVariables(new()
        {
            ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = StsKeyId,
            ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = StsSecret,
            ["ALIBABA_CLOUD_SECURITY_TOKEN"] = StsToken,
        }))
        {
            foreach (var script in scripts)
            {
                results.Add(session.Run(script, ps => ps.AddParameter("Verbose").AddParameter("Debug")));
                results.Add(session.Run("$VerbosePreference = $DebugPreference = $InformationPreference = 'Continue'; " + script + " | Out-Default; " +
                                        "$VerbosePreference = $DebugPreference = $InformationPreference = 'SilentlyContinue'"));
            }
        }

        // The runs really exercised success, failure and tracing.
        Assert.Contains(results, r => r.OfTypeName("AliBackup.Backup").Count > 0);
        Assert.Contains(results, r => r.Errors.Any(e => e.FullyQualifiedErrorId.StartsWith("AliBackup.Api.SignatureDoesNotMatch")));
        Assert.Contains(results, r => r.Errors.Any(e => e.FullyQualifiedErrorId.StartsWith("AliBackup.WaitTimeout")));
        Assert.Contains(results, r => r.Terminating != null);
        Assert.Contains(results, r => r.Debug.Any(d => d.Message.Contains("x-acs-security-token:***")));
        Assert.Contains(results, r => r.Verbose.Any(v => v.Message.Contains("RequestId=")));

        var signatures = _scope.Emulator.State.Requests.Select(r => r.Signature).Where(s => s != null).Distinct().ToList();
        Assert.True(signatures.Count > 10);
        var forbidden = new[] { StsSecret, StsToken, "wrong-" + StsSecret }.Concat(signatures!).ToList();
        foreach (var text in results.SelectMany(r => r.AllVisibleText()))
            foreach (var secret in forbidden)
                Assert.False(text.Contains(secret!, StringComparison.Ordinal), "A secret value leaked into: " + text);
    }
}

/// <summary>Sets process environment variables for a block and restores them after (tests using it do not run in parallel).</summary>
public sealed class EnvironmentVariables : IDisposable
{
    private readonly Dictionary<string, string?> _saved = new();

    public EnvironmentVariables(Dictionary<string, string?> values)
    {
        foreach (var (name, value) in values)
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
    }
}
