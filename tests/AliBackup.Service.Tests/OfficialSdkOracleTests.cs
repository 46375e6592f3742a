using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using AliBackup.Emulator;
using AliBackup.Emulator.Wire;

namespace AliBackup.Service.Tests;

/// <summary>
/// The official SDKs as an independent oracle: tests/oracle/official-sdks.test.mjs runs @alicloud/r-kvstore20150101
/// (typed models) and @alicloud/openapi-client's generic callApi (PolarDB, dds; V3 and V1 signatures) against the
/// emulator. Each Node test is one case here, so its result counts in the suite's totals.
/// </summary>
public sealed partial class OfficialSdkOracleTests(OfficialSdkOracleTests.NodeSuiteRun run) : IClassFixture<OfficialSdkOracleTests.NodeSuiteRun>
{
    private const string SuiteFile = "official-sdks.test.mjs";

    public static TheoryData<string> NodeTestNames()
    {
        var names = new TheoryData<string>();
        foreach (Match m in DeclaredTest().Matches(File.ReadAllText(Path.Combine(NodeSuiteRun.OracleDirectory, SuiteFile))))
            names.Add(m.Groups[1].Value);
        return names;
    }

    [Theory]
    [MemberData(nameof(NodeTestNames))]
    public void Official_sdk(string name)
    {
        Assert.True(run.Results.TryGetValue(name, out var result),
            "The Node suite reported no result for this test. Its output:\n" + run.Output);
        Assert.True(result.Passed, result.Detail);
    }

    [GeneratedRegex(@"^test\('([^']+)'", RegexOptions.Multiline)]
    private static partial Regex DeclaredTest();

    /// <summary>Starts the emulator, installs the npm packages if needed, and runs the Node suite once.</summary>
    public sealed partial class NodeSuiteRun : IAsyncLifetime
    {
        public static string OracleDirectory { get; } = FindOracleDirectory();

        public Dictionary<string, (bool Passed, string Detail)> Results { get; } = new();

        public string Output { get; private set; } = "";

        public async Task InitializeAsync()
        {
            var keyId = "LTAI" + Guid.NewGuid().ToString("N")[..16];
            var secret = "oracle-" + Guid.NewGuid().ToString("N");
            var options = new EmulatorOptions { StageDuration = TimeSpan.FromMilliseconds(200) };
            options.Keys.Add(new EmulatorKey(keyId, secret));
            options.Keys.Add(new EmulatorKey("STS.oracle0001", "oracle-sts-secret", "oracle-sts-token"));
            const string roleArn = "acs:ram::1234567890123456:role/backup-operator";
            const string oidcProviderArn = "acs:ram::1234567890123456:oidc-provider/oracle";
            const string oidcIssuer = "https://oidc.oracle.example";
            options.Roles.Add(new AliBackup.Emulator.Sts.EmulatedRole { Arn = roleArn, OidcProviderArn = oidcProviderArn, OidcIssuer = oidcIssuer });
            options.EcsRamRoleName = "OracleEcsRole";
            options.EcsRequireMetadataToken = true;
            await using var emulator = await EmulatorServer.StartAsync(options);

            if (MissingOfficialPackages().Any())
                await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], new(), TimeSpan.FromMinutes(5));

            var environment = new Dictionary<string, string>
            {
                ["ORACLE_ENDPOINT"] = new Uri(emulator.BaseUrl).Authority,
                ["ORACLE_KEY_ID"] = keyId,
                ["ORACLE_KEY_SECRET"] = secret,
                ["ORACLE_STS_KEY_ID"] = "STS.oracle0001",
                ["ORACLE_STS_KEY_SECRET"] = "oracle-sts-secret",
                ["ORACLE_STS_TOKEN"] = "oracle-sts-token",
                ["ORACLE_ROLE_ARN"] = roleArn,
                ["ORACLE_OIDC_PROVIDER_ARN"] = oidcProviderArn,
                ["ORACLE_OIDC_ISSUER"] = oidcIssuer,
            };
            Output = await RunAsync("node", ["--test", "--test-reporter=tap", SuiteFile], environment, TimeSpan.FromMinutes(5));
            ParseTap(Output);
        }

        public Task DisposeAsync() => Task.CompletedTask;

        private void ParseTap(string tap)
        {
            string? current = null;
            var passed = false;
            var detail = new StringBuilder();
            void Flush()
            {
                if (current != null) Results[current] = (passed, detail.ToString());
            }
            foreach (var line in tap.Split('\n'))
            {
                var m = TopLevelResult().Match(line);
                if (m.Success)
                {
                    Flush();
                    passed = m.Groups[1].Value.Length == 0;
                    current = m.Groups[2].Value.Trim();
                    detail.Clear();
                }
                else if (current != null)
                {
                    detail.AppendLine(line);
                }
            }
            Flush();
        }

        [GeneratedRegex(@"^(not )?ok \d+ - (.+)$")]
        private static partial Regex TopLevelResult();

        /// <summary>
    /// The packages package.json pins that node_modules lacks: a checkout whose node_modules predates a new pin (say the
    /// RDS SDK) installs again instead of failing every case with ERR_MODULE_NOT_FOUND.
    /// </summary>
    private static IEnumerable<string> MissingOfficialPackages()
    {
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(OracleDirectory, "package.json")));
        if (!manifest.RootElement.TryGetProperty("dependencies", out var dependencies)) yield break;
        foreach (var dependency in dependencies.EnumerateObject())
            if (!File.Exists(Path.Combine(OracleDirectory, "node_modules", dependency.Name, "package.json")))
                yield return dependency.Name;
    }

    private static async Task<string> RunAsync(string program, string[] arguments, Dictionary<string, string> environment, TimeSpan timeout)
        {
            var start = new ProcessStartInfo(program) { WorkingDirectory = OracleDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in arguments) start.ArgumentList.Add(a);
            foreach (var (k, v) in environment) start.Environment[k] = v;
            using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + program);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException(program + " " + string.Join(' ', arguments) + " did not finish within " + timeout);
            }
            var output = await stdout + await stderr;
            if (program != "node" && process.ExitCode != 0)
                throw new InvalidOperationException(program + " " + string.Join(' ', arguments) + " failed (" + process.ExitCode + "):\n" + output);
            return output;
        }

        private static string FindOracleDirectory()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "AliBackup.PowerShell.sln")))
                    return Path.Combine(dir.FullName, "tests", "oracle");
            throw new DirectoryNotFoundException("tests/oracle not found above " + AppContext.BaseDirectory);
        }
    }
}
