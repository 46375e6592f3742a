using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using AliBackup.Host;

namespace AliBackup.PowerShell.Tests.Support;

/// <summary>
/// A real PowerShell 7.6 runspace with the staged module imported (out/AliBackup/AliBackup.psd1), rendering to a
/// text host. Scripts run with every stream captured in order (the PSql ScriptExecutor idea).
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly StringWriter _hostText = new();
    private readonly Runspace _runspace;

    static PowerShellSession()
    {
        // These tests wait on emulated backups that take a second or two: polls a tenth of a second apart keep them
        // fast. The 1 s floor users get is tested in real pwsh (tests/Pester/InputAndLookups.Tests.ps1), without this.
        Environment.SetEnvironmentVariable("ALIBACKUP_MIN_POLL_INTERVAL_MS", "50");
    }

    public PowerShellSession(int width = 200)
    {
        Host = new TextHost(_hostText, width);
        // The full cmdlet set users have (Microsoft.PowerShell.SDK): Select-Object, ConvertTo-Json, Export-Csv, ...
        var state = InitialSessionState.CreateDefault2();
        _runspace = RunspaceFactory.CreateRunspace(Host, state);
        _runspace.Open();
        var import = Run("$PSStyle.OutputRendering = 'PlainText'; Import-Module '" + ModuleLayout.ManifestPath.Replace("'", "''") + "' -ErrorAction Stop");
        if (import.Terminating != null || import.Errors.Count > 0)
            throw new InvalidOperationException("The staged module did not import: " + (import.Terminating?.Message ?? import.Errors[0].ToString()));
    }

    public TextHost Host { get; }

    /// <summary>Everything the host has shown since the session began.</summary>
    public string AllHostText => _hostText.ToString();

    public Runspace Runspace => _runspace;

    /// <summary>Points every AliBackup cmdlet at an endpoint with a key pair (through $PSDefaultParameterValues).</summary>
    public PowerShellSession UseEndpoint(string endpoint, string accessKeyId, string secret)
    {
        SetVariable("AliBackupTestCredential", Credential(accessKeyId, secret));
        Run("$PSDefaultParameterValues['*-AliBackup*:Endpoint'] = '" + endpoint + "'; $PSDefaultParameterValues['*-AliBackup*:Credential'] = $AliBackupTestCredential");
        return this;
    }

    public void SetVariable(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

    public static PSCredential Credential(string user, string secret)
    {
        var secure = new SecureString();
        foreach (var c in secret) secure.AppendChar(c);
        secure.MakeReadOnly();
        return new PSCredential(user, secure);
    }

    /// <summary>Runs a script; a terminating error is captured in the result, not thrown.</summary>
    public ScriptResult Run(string script, Action<System.Management.Automation.PowerShell>? configure = null)
    {
        using var ps = System.Management.Automation.PowerShell.Create(_runspace);
        ps.AddScript(script);
        configure?.Invoke(ps);
        var result = new ScriptResult();
        var gate = new object();
        void Track<T>(PSDataCollection<T> collection, string stream, List<T> list)
        {
            collection.DataAdded += (_, e) =>
            {
                lock (gate)
                {
                    var item = collection[e.Index];
                    list.Add(item);
                    result.InOrder.Add((stream, item!));
                }
            };
        }
        Track(ps.Streams.Error, "Error", result.Errors);
        Track(ps.Streams.Warning, "Warning", result.Warnings);
        Track(ps.Streams.Verbose, "Verbose", result.Verbose);
        Track(ps.Streams.Debug, "Debug", result.Debug);
        Track(ps.Streams.Information, "Information", result.Information);
        Track(ps.Streams.Progress, "Progress", result.Progress);
        var output = new PSDataCollection<PSObject>();
        Track(output, "Output", result.Output);
        var before = _hostText.ToString().Length;
        try
        {
            ps.Invoke(null, output);
        }
        catch (RuntimeException ex)
        {
            result.Terminating = ex;
        }
        result.HostText = _hostText.ToString()[before..];
        return result;
    }

    public void Dispose() => _runspace.Dispose();
}
