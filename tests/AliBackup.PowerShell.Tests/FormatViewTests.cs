using System.Xml.Schema;
using AliBackup.Emulator;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>
/// The format views as a user sees them: rendered through Out-Default into the text host, for live objects and for
/// objects that went through PowerShell's serializer (jobs, remoting), and the file itself against Format.xsd.
/// </summary>
public sealed class FormatViewTests : IAsyncLifetime
{
    private const string Redis = EmulatorServer.DemoRedisInstance;
    private readonly EmulatorScope _scope = new();

    public Task InitializeAsync() => _scope.InitializeAsync();

    public Task DisposeAsync() => _scope.DisposeAsync();

    [Fact]
    public void The_staged_format_file_validates_against_Format_xsd_and_matches_the_source()
    {
        var schemas = new XmlSchemaSet();
        schemas.Add(null, RepoPaths.Schema("Format.xsd"));

        Assert.Empty(RepoPaths.Validate(RepoPaths.ModuleFile("AliBackup.format.ps1xml"), schemas));
        Assert.Equal(File.ReadAllText(RepoPaths.Of("src", "AliBackup", "AliBackup.format.ps1xml")), File.ReadAllText(RepoPaths.ModuleFile("AliBackup.format.ps1xml")));
    }

    [Fact]
    public void Every_view_selects_the_live_and_the_deserialized_type_in_a_table_and_a_list()
    {
        var format = System.Xml.Linq.XDocument.Load(RepoPaths.ModuleFile("AliBackup.format.ps1xml"));
        var views = format.Descendants("View").Select(v => (
            Types: v.Element("ViewSelectedBy")!.Elements("TypeName").Select(t => t.Value).Order().ToList(),
            Shape: v.Elements().Select(e => e.Name.LocalName).Single(n => n.EndsWith("Control")))).ToList();

        foreach (var type in new[] { "AliBackup.BackupTask", "AliBackup.Backup" })
        {
            var forType = views.Where(v => v.Types.Contains(type)).ToList();
            Assert.Equal(["ListControl", "TableControl"], forType.Select(v => v.Shape).Order());
            Assert.All(forType, v => Assert.Equal([type, "Deserialized." + type], v.Types.OrderBy(t => t.Length)));
        }
    }

    [Fact]
    public void A_running_task_table_says_how_far_it_is()
    {
        var result = _scope.Session.Run("Start-AliBackup " + Redis + " | Out-Default");

        var job = Assert.Single(_scope.Emulator.State.Jobs).JobIds[0].ToString();
        var lines = Lines(result.HostText);
        Assert.Matches(@"^Engine\s+InstanceId\s+BackupJobId\s+Status\s+Progress\s+JobMode\s+StartTime \(UTC\)$", Assert.Single(lines, l => l.StartsWith("Engine")));
        Assert.Matches(@"^Redis\s+" + Redis + @"\s+" + job + @"\s+NotStarted\s+0%\s+Manual\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", Assert.Single(lines, l => l.Contains(job)));
    }

    [Fact]
    public void The_backup_list_view_shows_the_size_readable_while_the_property_stays_bytes()
    {
        var result = _scope.Session.Run(
            "$b = Start-AliBackup " + Redis + " | Wait-AliBackupTask -PollInterval 0.1; $b | Format-List | Out-Default; $b.Size.GetType().FullName; $b.Size");

        var made = Assert.Single(Assert.Single(_scope.Emulator.State.Jobs).Backups);
        Assert.Equal(["System.Int64", made.SizeBytes.ToString()], result.Output.Select(o => o.ToString()));
        var fields = ListFields(result.HostText);
        Assert.Equal("50 MB (" + made.SizeBytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " bytes)", fields["Size"]);
        Assert.Equal(made.BackupId.ToString(), fields["BackupId"]);
        Assert.Equal("Success", fields["Status"]);
        // A pre-signed URL is long: the list wraps it, so only its start is on the DownloadUrl line.
        Assert.StartsWith(_scope.Emulator.BaseUrl + "/_emulator/download/" + Redis, fields["DownloadUrl"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", fields["EndTime (UTC)"]);
        Assert.Equal(["InstanceId", "BackupId", "BackupJobId", "Engine", "Status", "RawStatus", "Size", "Type", "Method", "Mode", "StartTime (UTC)",
            "EndTime (UTC)", "DownloadUrl", "IntranetDownloadUrl", "NodeInstanceId", "EngineVersion", "DatabaseNames", "Region", "Endpoint"], fields.Keys);
    }

    [Fact]
    public void The_task_list_view_shows_every_property()
    {
        var result = _scope.Session.Run("Start-AliBackup " + Redis + " | Format-List | Out-Default");

        var fields = ListFields(result.HostText);
        Assert.Equal(["InstanceId", "BackupJobId", "Engine", "Status", "RawStatus", "Progress", "JobMode", "TaskAction", "StartTime (UTC)", "NodeId", "Region", "Endpoint"], fields.Keys);
        Assert.Equal("0%", fields["Progress"]);
        Assert.Equal("NotStarted", fields["Status"]);
        Assert.Equal(_scope.Emulator.BaseUrl, fields["Endpoint"]);
    }

    [Theory]
    [InlineData(1)] // what jobs and remoting send: nested values (the times) arrive as strings
    [InlineData(2)] // nested values arrive as property bags
    public void Deserialized_objects_render_exactly_like_live_ones(int depth)
    {
        _scope.Session.Run("$task = Start-AliBackup " + Redis + "; $backup = $task | Wait-AliBackupTask -PollInterval 0.1");
        foreach (var variable in new[] { "task", "backup" })
        {
            var live = _scope.Session.Run("$" + variable + " | Out-Default; $" + variable + " | Format-List | Out-Default");
            var copy = _scope.Session.Run(
                "$copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($" + variable + ", " + depth + ")); " +
                "$copy.PSObject.TypeNames[0]; $copy | Out-Default; $copy | Format-List | Out-Default");

            Assert.Equal("Deserialized.AliBackup." + (variable == "task" ? "BackupTask" : "Backup"), Assert.Single(copy.Output).ToString());
            Assert.Contains("(UTC)", live.HostText);
            Assert.Equal(live.HostText, copy.HostText);
        }
    }

    [Fact]
    public void ToString_names_the_object_and_its_state()
    {
        var result = _scope.Session.Run("$t = Start-AliBackup " + Redis + "; \"$t\"; $b = $t | Wait-AliBackupTask -PollInterval 0.1; \"$b\"");

        var job = Assert.Single(_scope.Emulator.State.Jobs);
        Assert.Equal([Redis + " job " + job.JobIds[0] + " (NotStarted 0%)", Redis + " backup " + job.Backups.Single().BackupId + " (Success, 50 MB)"],
            result.Output.Select(o => o.ToString()));
    }

    internal static List<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>"Name : value" lines of a list view, in order.</summary>
    internal static Dictionary<string, string> ListFields(string text)
    {
        var fields = new Dictionary<string, string>();
        foreach (var line in text.Split('\n').Select(l => l.TrimEnd()))
        {
            var colon = line.IndexOf(" : ", StringComparison.Ordinal);
            if (colon > 0) fields.Add(line[..colon].Trim(), line[(colon + 3)..]);
            else if (line.EndsWith(" :", StringComparison.Ordinal)) fields.Add(line[..^2].Trim(), "");
        }
        return fields;
    }
}
