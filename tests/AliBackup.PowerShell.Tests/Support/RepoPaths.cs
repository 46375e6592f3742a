using System.Xml;
using System.Xml.Schema;

namespace AliBackup.PowerShell.Tests.Support;

/// <summary>Files of this checkout (docs, committed help, sources) and the schemas copied beside the tests.</summary>
public static class RepoPaths
{
    /// <summary>The repository root: the staged module lives in its out/AliBackup/.</summary>
    public static string Root { get; } = Path.GetFullPath(Path.Combine(AliBackup.Host.ModuleLayout.ModuleDirectory, "..", ".."));

    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string ModuleFile(params string[] parts) => Path.Combine([AliBackup.Host.ModuleLayout.ModuleDirectory, .. parts]);

    /// <summary>A schema from tests/fixtures/schemas (copies of ../shared/schemas, so a clean checkout has them).</summary>
    public static string Schema(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "fixtures", "schemas", .. parts]);

    /// <summary>Validates an XML file against schemas and returns every error and warning (empty when valid).</summary>
    public static List<string> Validate(string xmlPath, XmlSchemaSet schemas)
    {
        var problems = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas, DtdProcessing = DtdProcessing.Prohibit };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => problems.Add(e.Severity + " line " + e.Exception.LineNumber + ": " + e.Message);
        using (var reader = XmlReader.Create(xmlPath, settings))
            while (reader.Read()) { }
        return problems;
    }
}
