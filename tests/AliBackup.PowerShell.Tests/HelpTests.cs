using System.Xml;
using System.Xml.Schema;
using AliBackup.HelpCompiler;
using AliBackup.PowerShell.Tests.Support;

namespace AliBackup.PowerShell.Tests;

/// <summary>
/// The help users get: docs/ (platyPS markdown) compiled into the committed en-US/, valid MAML, what Get-Help shows
/// in a real runspace, and docs that describe exactly the parameters each cmdlet has.
/// </summary>
public sealed class HelpTests : IDisposable
{
    private const string Maml = "AliBackup.dll-Help.xml";
    private readonly PowerShellSession _session = new();

    public void Dispose() => _session.Dispose();

    public static TheoryData<string> Cmdlets() => new(["Get-AliBackupTask", "Get-AliBackup", "Start-AliBackup", "Wait-AliBackupTask", "Save-AliBackup", "Get-AliBackupPolicy", "Set-AliBackupPolicy"]);

    private List<string> ExportedCmdlets() =>
        _session.Run("Get-Command -Module AliBackup -CommandType Cmdlet | ForEach-Object Name").Output.Select(o => o.ToString()).Order().ToList();

    [Fact]
    public void The_committed_en_US_is_what_docs_compile_to_and_is_what_is_staged()
    {
        var expected = HelpBuild.Generate(RepoPaths.Of("docs"));
        var committed = Directory.GetFiles(RepoPaths.Of("en-US")).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

        Assert.Equal([Maml, "about_AliBackup.help.txt"], expected.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Keys.Order(), committed.Keys.Order());
        foreach (var (name, content) in expected)
            Assert.True(content == committed[name], "en-US/" + name + " is stale against docs/: build without ContinuousIntegrationBuild to regenerate it, then commit it.");
        foreach (var (name, content) in committed)
            Assert.Equal(content, File.ReadAllText(RepoPaths.ModuleFile("en-US", name)));
    }

    [Fact]
    public void Every_exported_cmdlet_has_a_doc_and_every_doc_a_cmdlet()
    {
        var docs = Directory.GetFiles(RepoPaths.Of("docs"), "*.md").Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(n => !n.StartsWith("about_", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(ExportedCmdlets(), docs);
    }

    [Fact]
    public void The_MAML_validates_against_the_PSMaml_schemas()
    {
        var schemas = new XmlSchemaSet { XmlResolver = new CaseInsensitiveFileResolver() };
        schemas.Add(null, RepoPaths.Schema("PSMaml", "Maml.xsd"));
        schemas.Add(null, RepoPaths.Schema("PSMaml", "developerCommand.xsd"));
        schemas.Compile();

        var problems = new List<string>();
        var validatedCommands = 0;
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (sender, e) =>
        {
            // helpItems (namespace http://msh) is PowerShell's wrapper and has no schema; everything inside it does.
            if (e.Severity == XmlSeverityType.Warning && sender is XmlReader r &&
                (r.NamespaceURI == "http://msh" || r is { NodeType: XmlNodeType.Attribute, Depth: 1, LocalName: "schema" })) return;
            problems.Add(e.Severity + " line " + e.Exception.LineNumber + ": " + e.Message);
        };
        using (var reader = XmlReader.Create(RepoPaths.Of("en-US", Maml), settings))
        {
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "command" && reader.NamespaceURI == "http://schemas.microsoft.com/maml/dev/command/2004/10")
                {
                    Assert.Equal(XmlSchemaValidity.Valid, reader.SchemaInfo?.Validity);
                    validatedCommands++;
                }
            }
        }

        Assert.Empty(problems);
        Assert.Equal(ExportedCmdlets().Count, validatedCommands);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Get_Help_Full_shows_the_synopsis_every_parameter_and_the_examples(string cmdlet)
    {
        var doc = MarkdownHelpParser.ParseCommand(File.ReadAllText(RepoPaths.Of("docs", cmdlet + ".md")), cmdlet + ".md");
        var help = _session.Run(
            "$h = Get-Help " + cmdlet + " -Full; $h.Synopsis; ($h.parameters.parameter | ForEach-Object name) -join ','; " +
            "($h.examples.example | ForEach-Object { $_.title }).Count; $h | Out-Default");

        Assert.Empty(help.Errors);
        var o = help.Output.Select(x => x.ToString()).ToList();
        Assert.Equal(doc.Synopsis, o[0]);
        Assert.Equal(string.Join(",", doc.Parameters.Select(p => p.Name)), o[1]);
        Assert.Equal(doc.Examples.Count.ToString(), o[2]);

        var text = help.HostText;
        Assert.Contains("SYNOPSIS", text);
        Assert.Contains(doc.Synopsis, text);
        foreach (var p in doc.Parameters) Assert.Contains("-" + p.Name, text);
        foreach (var example in doc.Examples)
        {
            Assert.Contains(example.Title, text);
            Assert.Contains(example.Code.Split('\n')[0].Trim(), text);
        }
    }

    [Fact]
    public void Get_Help_about_AliBackup_shows_the_topic()
    {
        var result = _session.Run("Get-Help about_AliBackup | Out-Default");

        Assert.Empty(result.Errors);
        foreach (var expected in new[] { "about_AliBackup", "Credentials", "Regions and endpoints", "The emulator", "Waiting in CI", "ALIBABA_CLOUD_ACCESS_KEY_ID" })
            Assert.Contains(expected, result.HostText);
    }

    /// <summary>
    /// Both directions: a parameter the cmdlet gained that the doc lacks, or one the doc describes that the cmdlet does
    /// not have, fails; so does a doc whose metadata (type, required, position, pipeline input, aliases, sets) or
    /// SYNTAX disagrees with the cmdlet.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void The_doc_describes_exactly_the_parameters_the_cmdlet_has(string cmdlet)
    {
        var doc = MarkdownHelpParser.ParseCommand(File.ReadAllText(RepoPaths.Of("docs", cmdlet + ".md")), cmdlet + ".md");
        var actual = _session.Run(ParameterFactsScript(cmdlet)).Output.Select(o => o.ToString()).ToList();

        var actualNames = actual.Select(a => a.Split('|')[0]).Order().ToList();
        var documentedNames = doc.Parameters.Select(p => p.Name).Order().ToList();
        Assert.True(actualNames.SequenceEqual(documentedNames),
            cmdlet + ": not documented: [" + string.Join(", ", actualNames.Except(documentedNames)) + "]; documented but not a parameter: [" +
            string.Join(", ", documentedNames.Except(actualNames)) + "]. Update docs/" + cmdlet + ".md.");

        var documented = doc.Parameters.Select(p =>
            string.Join("|", p.Name, p.Type, p.Required, p.Position, p.PipelineInput, p.Aliases, p.ParameterSets)).Order().ToList();
        Assert.Equal(actual.Order(), documented);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void The_doc_syntax_is_what_PowerShell_prints(string cmdlet)
    {
        var doc = MarkdownHelpParser.ParseCommand(File.ReadAllText(RepoPaths.Of("docs", cmdlet + ".md")), cmdlet + ".md");
        var syntax = _session.Run("Get-Command " + cmdlet + " -Syntax").Output.Select(o => o.ToString()).Single();

        Assert.Equal(
            syntax.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0),
            doc.Syntax.SelectMany(s => s.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0));
    }

    /// <summary>
    /// One line per parameter (common parameters excluded), in the platyPS yaml vocabulary:
    /// Name|Type|Required|Position|Accept pipeline input|Aliases|Parameter Sets.
    /// </summary>
    private static string ParameterFactsScript(string cmdlet) => """
        $common = [System.Management.Automation.Cmdlet]::CommonParameters
        $command = Get-Command CMDLET
        foreach ($p in $command.Parameters.Values) {
            if ($common -contains $p.Name) { continue }
            $type = $p.ParameterType
            if ($type.IsGenericType -and $type.GetGenericTypeDefinition() -eq [Nullable`1]) { $type = $type.GetGenericArguments()[0] }
            $sets = @($p.ParameterSets.Keys)
            $attributes = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
            $describe = {
                param($values)
                $distinct = @($values | ForEach-Object { $_.Value } | Where-Object { $true } ) | ForEach-Object { $_ }
                $unique = @(); foreach ($v in $distinct) { if ($unique -notcontains $v) { $unique += $v } }
                if ($unique.Count -le 1) { $unique[0] } else { ($values | ForEach-Object { '{0} ({1})' -f $_.Value, $_.Set }) -join ', ' }
            }
            $required = & $describe @($attributes | ForEach-Object { @{ Set = $_.ParameterSetName; Value = [string]$_.Mandatory } })
            $position = & $describe @($attributes | ForEach-Object { @{ Set = $_.ParameterSetName; Value = $(if ($_.Position -ge 0) { [string]$_.Position } else { 'Named' }) } })
            $a = $attributes[0]
            $pipeline = if ($a.ValueFromPipelineByPropertyName -and $a.ValueFromPipeline) { 'True (ByPropertyName, ByValue)' }
                        elseif ($a.ValueFromPipelineByPropertyName) { 'True (ByPropertyName)' }
                        elseif ($a.ValueFromPipeline) { 'True (ByValue)' } else { 'False' }
            $aliases = if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'None' }
            $setText = if ($sets -contains '__AllParameterSets') { '(All)' } else { ($sets | ForEach-Object { $_ }) -join ', ' }
            $typeName = if ($type -eq [switch]) { 'SwitchParameter' } else { $type.Name }
            '{0}|{1}|{2}|{3}|{4}|{5}|{6}' -f $p.Name, $typeName, $required, $position, $pipeline, $aliases, $setText
        }
        """.Replace("CMDLET", cmdlet);

    /// <summary>The PSMaml set names some files in a different case than it imports them ("maml.xsd"); Linux is case-sensitive.</summary>
    private sealed class CaseInsensitiveFileResolver : XmlUrlResolver
    {
        public override Uri ResolveUri(Uri? baseUri, string? relativeUri)
        {
            var uri = base.ResolveUri(baseUri, relativeUri);
            if (!uri.IsFile || File.Exists(uri.LocalPath)) return uri;
            var folder = Path.GetDirectoryName(uri.LocalPath)!;
            var match = Directory.GetFiles(folder).FirstOrDefault(f => string.Equals(Path.GetFileName(f), Path.GetFileName(uri.LocalPath), StringComparison.OrdinalIgnoreCase));
            return match == null ? uri : new Uri(match);
        }
    }
}
