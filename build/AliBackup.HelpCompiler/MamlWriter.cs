using System.Text;
using System.Xml;

namespace AliBackup.HelpCompiler;

/// <summary>Writes command help as MAML (the PSMaml schema set's command:command), the file Get-Help reads for cmdlets.</summary>
public static class MamlWriter
{
    private const string Msh = "http://msh";
    private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static string Write(IEnumerable<CommandHelp> commands)
    {
        var text = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineChars = "\n", Encoding = new UTF8Encoding(false), OmitXmlDeclaration = true };
        using (var writer = XmlWriter.Create(text, settings))
        {
            writer.WriteStartElement("helpItems", Msh);
            writer.WriteAttributeString("schema", "maml");
            writer.WriteAttributeString("xmlns", "maml", null, Maml);
            writer.WriteAttributeString("xmlns", "command", null, Command);
            writer.WriteAttributeString("xmlns", "dev", null, Dev);
            foreach (var command in commands.OrderBy(c => c.Name, StringComparer.Ordinal)) WriteCommand(writer, command);
            writer.WriteEndElement();
        }
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + text + "\n";
    }

    private static void WriteCommand(XmlWriter w, CommandHelp c)
    {
        w.WriteStartElement("command", "command", Command);

        w.WriteStartElement("details", Command);
        w.WriteElementString("name", Command, c.Name);
        Description(w, [new HelpText(c.Synopsis)]);
        w.WriteStartElement("copyright", Maml);
        w.WriteElementString("para", Maml, "");
        w.WriteEndElement();
        w.WriteElementString("verb", Command, c.Verb);
        w.WriteElementString("noun", Command, c.Noun);
        w.WriteElementString("version", Dev, "");
        w.WriteEndElement();

        Description(w, c.Description);

        w.WriteStartElement("syntax", Command);
        foreach (var set in ParameterSets(c))
        {
            w.WriteStartElement("syntaxItem", Command);
            w.WriteElementString("name", Maml, c.Name);
            var inSet = c.Parameters.Where(p => p.InAllSets || p.SetNames.Contains(set)).ToList();
            // Positional parameters first, in position order, as PowerShell's own syntax lines show them.
            foreach (var p in inSet.Where(p => PositionIn(p, set) != "named").OrderBy(p => int.Parse(PositionIn(p, set)))
                         .Concat(inSet.Where(p => PositionIn(p, set) == "named")))
                Parameter(w, p, set);
            w.WriteEndElement();
        }
        w.WriteEndElement();

        if (c.Parameters.Count > 0)
        {
            w.WriteStartElement("parameters", Command);
            foreach (var p in c.Parameters) Parameter(w, p, null);
            w.WriteEndElement();
        }

        w.WriteStartElement("inputTypes", Command);
        foreach (var input in c.Inputs)
        {
            w.WriteStartElement("inputType", Command);
            TypeElement(w, input.TypeName);
            Description(w, input.Description);
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("returnValues", Command);
        foreach (var output in c.Outputs)
        {
            w.WriteStartElement("returnValue", Command);
            TypeElement(w, output.TypeName);
            Description(w, output.Description);
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteElementString("terminatingErrors", Command, "");
        w.WriteElementString("nonTerminatingErrors", Command, "");

        w.WriteStartElement("alertSet", Maml);
        w.WriteStartElement("alert", Maml);
        Paras(w, c.Notes);
        w.WriteEndElement();
        w.WriteEndElement();

        w.WriteStartElement("examples", Command);
        foreach (var example in c.Examples)
        {
            w.WriteStartElement("example", Command);
            w.WriteElementString("title", Maml, "---------- " + example.Title + " ----------");
            w.WriteElementString("code", Dev, example.Code);
            w.WriteStartElement("remarks", Dev);
            Paras(w, example.Remarks);
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("relatedLinks", Maml);
        // Get-Help -Online opens the first link that has a URI: the doc's online version, as platyPS writes it.
        var links = c.RelatedLinks.DefaultIfEmpty(new HelpLink("about_AliBackup", ""));
        if (c.OnlineVersion != null) links = links.Prepend(new HelpLink("Online Version:", c.OnlineVersion));
        foreach (var link in links)
        {
            w.WriteStartElement("navigationLink", Maml);
            w.WriteElementString("linkText", Maml, link.Text);
            w.WriteElementString("uri", Maml, link.Uri);
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteEndElement();
    }

    /// <summary>The parameter set names the docs use; one unnamed set when every parameter is in all of them.</summary>
    private static List<string?> ParameterSets(CommandHelp c)
    {
        var named = c.Parameters.SelectMany(p => p.SetNames).Distinct().Order(StringComparer.Ordinal).Cast<string?>().ToList();
        return named.Count == 0 ? [null] : named;
    }

    private static void Parameter(XmlWriter w, HelpParameter p, string? set)
    {
        var isSwitch = p.Type == "SwitchParameter";
        w.WriteStartElement("parameter", Command);
        w.WriteAttributeString("required", ValueIn(p.Required, set).Equals("True", StringComparison.OrdinalIgnoreCase) ? "true" : "false");
        w.WriteAttributeString("variableLength", p.Type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false");
        w.WriteAttributeString("globbing", p.Wildcards.Equals("True", StringComparison.OrdinalIgnoreCase) ? "true" : "false");
        w.WriteAttributeString("pipelineInput", p.PipelineInput);
        w.WriteAttributeString("position", PositionIn(p, set));
        // Not in the PSMaml schema, but what Get-Help reads for a parameter's aliases (platyPS writes it too).
        w.WriteAttributeString("aliases", string.IsNullOrWhiteSpace(p.Aliases) ? "None" : p.Aliases);
        w.WriteElementString("name", Maml, p.Name);
        Description(w, p.Description);
        if (!isSwitch)
        {
            w.WriteStartElement("parameterValue", Command);
            w.WriteAttributeString("required", "true");
            w.WriteAttributeString("variableLength", p.Type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false");
            w.WriteString(p.Type);
            w.WriteEndElement();
        }
        TypeElement(w, p.Type);
        w.WriteElementString("defaultValue", Dev, p.DefaultValue);
        w.WriteEndElement();
    }

    /// <summary>"named"/"0"; per-set values written as "0 (SetA), named (SetB)" resolve to the given set's value.</summary>
    private static string PositionIn(HelpParameter p, string? set)
    {
        var value = ValueIn(p.Position, set);
        return value.Equals("Named", StringComparison.OrdinalIgnoreCase) ? "named" : value;
    }

    private static string ValueIn(string value, string? set)
    {
        if (!value.Contains('(')) return value;
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
        {
            var open = part.IndexOf('(');
            if (open > 0 && (set == null || part[(open + 1)..].TrimEnd(')').Trim() == set)) return part[..open].Trim();
        }
        return value;
    }

    private static void TypeElement(XmlWriter w, string typeName)
    {
        w.WriteStartElement("type", Dev);
        w.WriteElementString("name", Maml, typeName);
        w.WriteElementString("uri", Maml, "");
        w.WriteEndElement();
    }

    private static void Description(XmlWriter w, IReadOnlyList<HelpText> texts)
    {
        w.WriteStartElement("description", Maml);
        Paras(w, texts);
        w.WriteEndElement();
    }

    private static void Paras(XmlWriter w, IReadOnlyList<HelpText> texts)
    {
        if (texts.Count == 0) w.WriteElementString("para", Maml, "");
        // Get-Help prints each para as its own block, every line under the section's indent, and drops the leading
        // spaces of a para's first line: so code and tables are written as they are (an extra indent would shift only
        // their later lines), and a nested list item is a para of its own, numbered or bulleted as in the markdown
        // (the about topic, plain text, also indents it under its parent).
        foreach (var text in texts)
            w.WriteElementString("para", Maml, text.Text);
    }
}
