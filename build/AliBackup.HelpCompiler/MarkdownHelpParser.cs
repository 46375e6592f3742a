using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace AliBackup.HelpCompiler;

/// <summary>
/// Reads platyPS-schema markdown (docs/&lt;Cmdlet&gt;.md and docs/about_*.md) through Markdig's syntax tree: headings
/// split the sections, paragraphs, lists (nested ones too) and pipe tables become help text, an example's ```powershell
/// block becomes its code (any other block of the example, such as its ```output, its remarks), and the ```yaml block
/// under each ### -Parameter heading carries its metadata.
/// </summary>
public static class MarkdownHelpParser
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().UsePipeTables().Build();

    private static readonly string[] RequiredCommandSections = ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES"];

    private static readonly string[] ParameterFields =
        ["Type", "Parameter Sets", "Aliases", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters"];

    public static CommandHelp ParseCommand(string markdown, string fileName)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        var front = FrontMatter(document);
        var title = Title(document, fileName);
        var sections = Sections(document, fileName);
        foreach (var required in RequiredCommandSections)
            if (!sections.ContainsKey(required)) throw Error(fileName, 1, "the ## " + required + " section is missing");

        var synopsis = string.Join(" ", TextOf(sections["SYNOPSIS"], fileName).Select(t => t.Text));
        if (synopsis.Length == 0) throw Error(fileName, Line(sections["SYNOPSIS"]), "## SYNOPSIS is empty");

        var syntax = sections["SYNTAX"].OfType<FencedCodeBlock>().Select(c => CodeText(c).Trim()).Where(s => s.Length > 0).ToList();
        if (syntax.Count == 0) throw Error(fileName, 1, "## SYNTAX has no code block");

        var examples = SubSections(sections["EXAMPLES"]).Select(s => Example(s.Title, s.Blocks, fileName)).ToList();
        if (examples.Count < 2) throw Error(fileName, Line(sections["EXAMPLES"]), "## EXAMPLES needs at least two ### examples, found " + examples.Count);

        var parameters = new List<HelpParameter>();
        foreach (var (heading, blocks, line) in SubSectionsWithLines(sections["PARAMETERS"]))
        {
            if (heading == "CommonParameters") continue;
            if (!heading.StartsWith('-')) throw Error(fileName, line, "a parameter heading must be '### -Name', not '### " + heading + "'");
            parameters.Add(Parameter(heading[1..], blocks, fileName, line));
        }

        return new CommandHelp(
            title,
            front.GetValueOrDefault("external help file") ?? throw Error(fileName, 1, "the front matter has no 'external help file'"),
            OnlineVersion(front, fileName),
            synopsis,
            syntax,
            TextOf(sections["DESCRIPTION"], fileName),
            examples,
            parameters,
            Types(sections["INPUTS"], fileName),
            Types(sections["OUTPUTS"], fileName),
            TextOf(sections["NOTES"], fileName),
            sections.TryGetValue("RELATED LINKS", out var links) ? Links(links) : []);
    }

    public static AboutTopic ParseAbout(string markdown, string fileName)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        var title = Title(document, fileName);
        var sections = Sections(document, fileName);
        if (!sections.TryGetValue("SHORT DESCRIPTION", out var shortBlocks)) throw Error(fileName, 1, "the ## SHORT DESCRIPTION section is missing");
        if (!sections.TryGetValue("LONG DESCRIPTION", out var longBlocks)) throw Error(fileName, 1, "the ## LONG DESCRIPTION section is missing");

        // Everything after LONG DESCRIPTION's own text: its ### subsections, then any further ## sections.
        var extra = new List<AboutSection>();
        var longText = longBlocks.TakeWhile(b => b is not HeadingBlock).ToList();
        foreach (var (heading, blocks) in SubSections(longBlocks)) extra.Add(new AboutSection(3, heading, TextOf(blocks, fileName)));
        foreach (var (name, blocks) in sections.Where(s => s.Key is not ("SHORT DESCRIPTION" or "LONG DESCRIPTION")))
        {
            extra.Add(new AboutSection(2, name, TextOf(blocks.TakeWhile(b => b is not HeadingBlock), fileName)));
            foreach (var (heading, subBlocks) in SubSections(blocks)) extra.Add(new AboutSection(3, heading, TextOf(subBlocks, fileName)));
        }
        return new AboutTopic(title, string.Join(" ", TextOf(shortBlocks, fileName).Select(t => t.Text)), TextOf(longText, fileName), extra);
    }

    private static Dictionary<string, string> FrontMatter(MarkdownDocument document)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (document.FirstOrDefault() is YamlFrontMatterBlock yaml)
            foreach (var (key, value) in KeyValues(yaml.Lines.ToString())) values[key] = value;
        return values;
    }

    private static string Title(MarkdownDocument document, string fileName)
    {
        var heading = document.OfType<HeadingBlock>().FirstOrDefault(h => h.Level == 1) ?? throw Error(fileName, 1, "no '# Name' title");
        var title = InlineText(heading.Inline).Trim();
        var expected = Path.GetFileNameWithoutExtension(fileName);
        if (!string.Equals(title, expected, StringComparison.Ordinal))
            throw Error(fileName, heading.Line + 1, "the title '" + title + "' does not match the file name '" + expected + "'");
        return title;
    }

    /// <summary>The blocks under each ## heading (including their ### headings), by upper-cased heading.</summary>
    private static Dictionary<string, List<Block>> Sections(MarkdownDocument document, string fileName)
    {
        var sections = new Dictionary<string, List<Block>>(StringComparer.Ordinal);
        List<Block>? current = null;
        foreach (var block in document)
        {
            if (block is HeadingBlock { Level: 1 } or YamlFrontMatterBlock) continue;
            if (block is HeadingBlock { Level: 2 } h2)
            {
                var name = InlineText(h2.Inline).Trim().ToUpperInvariant();
                if (sections.ContainsKey(name)) throw Error(fileName, h2.Line + 1, "## " + name + " appears twice");
                sections[name] = current = [];
                continue;
            }
            if (current == null) throw Error(fileName, block.Line + 1, "text before the first ## section");
            current.Add(block);
        }
        return sections;
    }

    private static IEnumerable<(string Title, List<Block> Blocks)> SubSections(IEnumerable<Block> blocks) =>
        SubSectionsWithLines(blocks).Select(s => (s.Title, s.Blocks));

    private static IEnumerable<(string Title, List<Block> Blocks, int Line)> SubSectionsWithLines(IEnumerable<Block> blocks)
    {
        string? title = null;
        var line = 0;
        var current = new List<Block>();
        foreach (var block in blocks)
        {
            if (block is HeadingBlock { Level: 3 } h3)
            {
                if (title != null) yield return (title, current, line);
                title = InlineText(h3.Inline).Trim();
                line = h3.Line + 1;
                current = [];
            }
            else if (title != null)
            {
                current.Add(block);
            }
        }
        if (title != null) yield return (title, current, line);
    }

    /// <summary>
    /// An example's code is its ```powershell block: only what a user types, so Get-Help -Examples can be copied and
    /// run. Everything else under the example (the output it prints, the explanation) is its remarks, in order.
    /// </summary>
    private static HelpExample Example(string title, List<Block> blocks, string fileName)
    {
        var code = blocks.OfType<FencedCodeBlock>().Where(IsCode).ToList();
        if (code.Count != 1) throw Error(fileName, Line(blocks), "example '" + title + "' needs exactly one ```powershell block, found " + code.Count);
        var remarks = blocks.Where(b => b != code[0]).ToList();
        return new HelpExample(title, CodeText(code[0]).TrimEnd(), TextOf(remarks, fileName));
    }

    private static bool IsCode(FencedCodeBlock block) => string.Equals(block.Info, "powershell", StringComparison.OrdinalIgnoreCase);

    /// <summary>The front matter's "online version": an absolute https URL, or none.</summary>
    private static string? OnlineVersion(Dictionary<string, string> front, string fileName)
    {
        var value = front.GetValueOrDefault("online version");
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            throw Error(fileName, 1, "'online version' must be an https URL, not '" + value + "'");
        return value;
    }

    private static HelpParameter Parameter(string name, List<Block> blocks, string fileName, int line)
    {
        var yaml = blocks.OfType<FencedCodeBlock>().Where(c => c.Info == "yaml").ToList();
        if (yaml.Count != 1) throw Error(fileName, line, "-" + name + " needs exactly one ```yaml block, found " + yaml.Count);
        var fields = KeyValues(CodeText(yaml[0])).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var field in ParameterFields)
            if (!fields.ContainsKey(field)) throw Error(fileName, yaml[0].Line + 1, "-" + name + ": the yaml block has no '" + field + ":'");
        var description = TextOf(blocks.Where(b => b is not FencedCodeBlock), fileName);
        if (description.Count == 0) throw Error(fileName, line, "-" + name + " has no description");
        return new HelpParameter(name, description, fields["Type"], fields["Parameter Sets"], fields["Aliases"], fields["Required"], fields["Position"],
            fields["Default value"], fields["Accept pipeline input"], fields["Accept wildcard characters"]);
    }

    private static List<HelpType> Types(List<Block> blocks, string fileName)
    {
        var types = SubSections(blocks).Select(s => new HelpType(s.Title, TextOf(s.Blocks, fileName))).ToList();
        if (types.Count == 0) throw Error(fileName, Line(blocks), "a ### type heading is expected (### None when there is none)");
        return types;
    }

    private static List<HelpLink> Links(List<Block> blocks) =>
        blocks.OfType<ParagraphBlock>()
            .SelectMany(p => p.Inline?.Descendants<LinkInline>() ?? [])
            .Select(l => new HelpLink(InlineText(l).Trim(), l.Url?.EndsWith(".md", StringComparison.OrdinalIgnoreCase) == true ? "" : l.Url ?? ""))
            .ToList();

    /// <summary>Paragraphs, list items (with their nesting), code blocks and tables as help text, in order.</summary>
    private static List<HelpText> TextOf(IEnumerable<Block> blocks, string fileName, int level = 0)
    {
        var texts = new List<HelpText>();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case ParagraphBlock paragraph:
                    texts.Add(new HelpText(InlineText(paragraph.Inline).Trim()));
                    break;
                case ListBlock list:
                    var number = 1;
                    foreach (var item in list.OfType<ListItemBlock>())
                    {
                        var bullet = list.IsOrdered ? number++ + ". " : "- ";
                        // The item's own text, then any list nested in it, one level deeper, on lines of their own.
                        var own = TextOf(item.Where(b => b is not ListBlock), fileName);
                        texts.Add(new HelpText(bullet + string.Join(" ", own.Select(t => t.Text)), Level: level));
                        foreach (var nested in item.OfType<ListBlock>()) texts.AddRange(TextOf([nested], fileName, level + 1));
                    }
                    break;
                case FencedCodeBlock code:
                    var lines = CodeText(code).TrimEnd();
                    if (lines.Length > 0) texts.Add(new HelpText(lines, Preformatted: true));
                    break;
                case Table table:
                    texts.Add(new HelpText(TableText(table, fileName), Preformatted: true));
                    break;
                case HeadingBlock heading:
                    throw Error(fileName, heading.Line + 1, "a heading at this level is not expected here");
                case ThematicBreakBlock or LinkReferenceDefinitionGroup:
                    break;
                default:
                    throw Error(fileName, block.Line + 1, "unsupported markdown (" + block.GetType().Name + ")");
            }
        }
        return texts;
    }

    /// <summary>The widest a table may be: help text is indented 8 columns (section and block), so rows fit 80.</summary>
    private const int TableWidth = 72;

    /// <summary>
    /// A pipe table as text laid out like a PowerShell table: the header, a rule of dashes under each column, then
    /// one row per line. Columns are as wide as their widest cell; when a row would pass <see cref="TableWidth"/>, the
    /// last column wraps, its continuation lines starting under it.
    /// </summary>
    private static string TableText(Table table, string fileName)
    {
        var rows = table.OfType<TableRow>().Select(r => r.OfType<TableCell>().Select(c => string.Join(" ", TextOf(c, fileName).Select(t => t.Text))).ToList()).ToList();
        var columns = rows.Max(r => r.Count);
        foreach (var row in rows) while (row.Count < columns) row.Add("");
        var widths = Enumerable.Range(0, columns).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var lead = widths.Take(columns - 1).Sum() + 2 * (columns - 1);
        var last = Math.Max(20, Math.Min(widths[^1], TableWidth - lead));
        widths[^1] = last;

        var text = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            var start = string.Concat(cells.Take(columns - 1).Select((c, i) => c.PadRight(widths[i] + 2)));
            var wrapped = Wrap(cells[^1], last);
            text.Append((start + wrapped[0]).TrimEnd()).Append('\n');
            foreach (var more in wrapped.Skip(1)) text.Append(new string(' ', lead)).Append(more).Append('\n');
        }
        Line(rows[0]);
        Line(widths.Select(w => new string('-', w)).ToList());
        foreach (var row in rows.Skip(1)) Line(row);
        return text.ToString().TrimEnd('\n');
    }

    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        lines.Add(line.ToString());
        return lines;
    }

    /// <summary>Plain text of inline markdown: emphasis markers dropped, `code` and link text kept, soft breaks as spaces.</summary>
    private static string InlineText(ContainerInline? container)
    {
        var text = new StringBuilder();
        void Walk(Inline inline)
        {
            switch (inline)
            {
                case LiteralInline literal: text.Append(literal.Content.ToString()); break;
                case CodeInline code: text.Append(code.Content); break;
                case LineBreakInline lineBreak: text.Append(lineBreak.IsHard ? "\n" : " "); break;
                case AutolinkInline autolink: text.Append(autolink.Url); break;
                case HtmlEntityInline entity: text.Append(entity.Transcoded.ToString()); break;
                case HtmlInline html: text.Append(html.Tag); break;
                case ContainerInline nested:
                    foreach (var child in nested) Walk(child);
                    break;
            }
        }
        if (container != null) foreach (var inline in container) Walk(inline);
        return text.ToString();
    }

    private static string CodeText(FencedCodeBlock code) =>
        code.Lines.Lines == null ? "" : string.Join("\n", code.Lines.Lines.Take(code.Lines.Count).Select(l => l.Slice.ToString()));

    private static IEnumerable<KeyValuePair<string, string>> KeyValues(string yaml)
    {
        foreach (var raw in yaml.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#') || colon < 0) continue;
            yield return new KeyValuePair<string, string>(line[..colon].Trim(), line[(colon + 1)..].Trim());
        }
    }

    private static int Line(IEnumerable<Block> blocks) => (blocks.FirstOrDefault()?.Line ?? 0) + 1;

    private static HelpFormatException Error(string fileName, int line, string message) =>
        new(Path.GetFileName(fileName), line, message);
}
