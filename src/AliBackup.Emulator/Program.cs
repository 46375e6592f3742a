using System.Globalization;
using AliBackup.Emulator;
using AliBackup.Emulator.Wire;

// Runs the emulator on its own, for runbook rehearsals and the official-SDK oracle tests:
//   dotnet run --project src/AliBackup.Emulator -- --urls http://127.0.0.1:8080 [--stage-seconds 1]
//       [--access-key-id ID --access-key-secret SECRET] [--sts-role ARN]... [--ecs-role NAME] [--request-delay-ms N]
var options = new EmulatorOptions { Url = "http://127.0.0.1:8080" };
string? keyId = null, keySecret = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException("Missing value after " + args[i]);
    switch (args[i])
    {
        case "--urls": options.Url = Next(); break;
        case "--stage-seconds": options.StageDuration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
        case "--access-key-id": keyId = Next(); break;
        case "--access-key-secret": keySecret = Next(); break;
        case "--no-seed": options.SeedDemoInstances = false; break;
        case "--sts-role": options.Roles.Add(new AliBackup.Emulator.Sts.EmulatedRole { Arn = Next() }); break;
        case "--ecs-role": options.EcsRamRoleName = Next(); break;
        case "--request-delay-ms": options.RequestDelay = TimeSpan.FromMilliseconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
        case "-h":
        case "--help":
            Console.WriteLine("AliBackup emulator: --urls http://127.0.0.1:PORT [--stage-seconds N] [--access-key-id ID --access-key-secret SECRET] [--no-seed] [--sts-role ARN]... [--ecs-role NAME] [--request-delay-ms N]");
            return 0;
        default:
            Console.Error.WriteLine("Unknown argument: " + args[i]);
            return 2;
    }
}
options.Keys.Add(keyId != null && keySecret != null
    ? new EmulatorKey(keyId, keySecret)
    : new EmulatorKey(EmulatorOptions.DemoAccessKeyId, EmulatorOptions.DemoAccessKeySecret));

await using var server = await EmulatorServer.StartAsync(options);
Console.WriteLine("AliBackup emulator listening on " + server.BaseUrl);
Console.WriteLine("  AccessKeyId: " + options.Keys[0].AccessKeyId + (keyId == null ? " (secret: " + EmulatorOptions.DemoAccessKeySecret + ")" : ""));
Console.WriteLine("  Instances:   " + string.Join(", ", server.State.Instances.Select(i => i.Id)));
Console.WriteLine("Press Ctrl+C to stop.");
var stop = new TaskCompletionSource();
// Ctrl+C, and SIGTERM/SIGQUIT: CI scripts and test harnesses stop servers with `kill`. Without these registrations the
// web host's own SIGTERM handler swallowed the signal and the process ran on.
using var onInterrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
using var onTerminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
using var onQuit = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGQUIT, Stop);
await stop.Task;
Console.WriteLine("AliBackup emulator stopping.");
return 0;

void Stop(System.Runtime.InteropServices.PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}
