using System.Management.Automation;
using System.Management.Automation.Runspaces;
using AliBackup.Emulator;
using AliBackup.Host;

// The product's main job, for a machine with only the .NET SDK:
//   dotnet run --project src/AliBackup.Host                       the README's flagship line (emulator unless a cloud account is configured)
//   dotnet run --project src/AliBackup.Host -- --instance r-xxxx   the flagship pipeline on your instance
//   dotnet run --project src/AliBackup.Host -- --command '<PowerShell>'   any command, with the module imported
//   --emulator forces the built-in emulator; --cloud forces your Alibaba Cloud account.
string? instance = null, command = null;
bool? useEmulator = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--instance": instance = args[++i]; break;
        case "--command": command = args[++i]; break;
        case "--emulator": useEmulator = true; break;
        case "--cloud": useEmulator = false; break;
        case "-h" or "--help":
            Console.WriteLine("Usage: AliBackup.Host [--instance ID] [--command '<PowerShell>'] [--emulator|--cloud]");
            return 0;
        default:
            Console.Error.WriteLine("Unknown argument: " + args[i]);
            return 2;
    }
}

var cloudSource = CloudAccount.Describe();
useEmulator ??= cloudSource == null;
EmulatorServer? emulator = null;
if (useEmulator == true)
{
    var options = EmulatorOptions.WithDemoKey();
    options.StageDuration = TimeSpan.FromSeconds(1);
    emulator = await EmulatorServer.StartAsync(options);
    // The emulator's demo key pair is not a secret; it opens nothing but this loopback server.
    Environment.SetEnvironmentVariable("ALIBACKUP_ENDPOINT", emulator.BaseUrl);
    Environment.SetEnvironmentVariable("ALIBABA_CLOUD_ACCESS_KEY_ID", EmulatorOptions.DemoAccessKeyId);
    Environment.SetEnvironmentVariable("ALIBABA_CLOUD_ACCESS_KEY_SECRET", EmulatorOptions.DemoAccessKeySecret);
    Environment.SetEnvironmentVariable("ALIBABA_CLOUD_SECURITY_TOKEN", null);
    // The README's placeholder ID is an emulated instance, so the flagship line runs exactly as the README prints it.
    instance ??= EmulatorServer.ReadmeRedisInstance;
    Console.WriteLine(cloudSource == null
        ? "No Alibaba Cloud account is configured, so this runs against the built-in emulator at " + emulator.BaseUrl + "."
        : "Running against the built-in emulator at " + emulator.BaseUrl + " (--emulator).");
}
else
{
    Console.WriteLine("Using your Alibaba Cloud account (" + (cloudSource ?? "default credential chain") + ").");
    if (instance == null && command == null)
    {
        Console.Error.WriteLine("Name the instance to back up: --instance r-… (or pass --emulator to try the built-in emulator).");
        return 2;
    }
}

command ??= "Start-AliBackup -InstanceId " + instance + " | Wait-AliBackupTask -Timeout 3600 | Select-Object BackupId, Size, DownloadUrl";
Console.WriteLine("PS> " + command);
Console.WriteLine();

var host = new TextHost(Console.Out, width: Math.Max(120, Console.IsOutputRedirected ? 160 : Console.WindowWidth)) { ProgressWriter = Console.Out };
using var runspace = RunspaceFactory.CreateRunspace(host, InitialSessionState.CreateDefault2());
runspace.Open();
using (var setup = PowerShell.Create(runspace))
{
    // Plain text: this host writes to a console or a log, and escape sequences would only clutter a CI log.
    setup.AddScript("$PSStyle.OutputRendering = 'PlainText'; Import-Module '" + ModuleLayout.ManifestPath.Replace("'", "''") + "'").Invoke();
}
using var ps = PowerShell.Create(runspace);
ps.AddScript("& {\n" + command + "\n} 2>&1 | Out-Default");
try
{
    ps.Invoke();
}
catch (RuntimeException ex)
{
    Console.Error.WriteLine(ex.ErrorRecord.ToString());
}
var failed = ps.HadErrors;
foreach (var error in ps.Streams.Error) Console.Error.WriteLine("ERROR: " + error);
if (emulator != null) await emulator.DisposeAsync();
return failed ? 1 : 0;

/// <summary>Whether an Alibaba Cloud account is configured the ways the module looks for one.</summary>
internal static class CloudAccount
{
    public static string? Describe()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ALIBABA_CLOUD_ACCESS_KEY_ID"))) return "ALIBABA_CLOUD_ACCESS_KEY_ID";
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (File.Exists(Path.Combine(home, ".aliyun", "config.json"))) return "~/.aliyun/config.json";
        if (File.Exists(Path.Combine(home, ".alibabacloud", "credentials"))) return "~/.alibabacloud/credentials";
        return null;
    }
}
