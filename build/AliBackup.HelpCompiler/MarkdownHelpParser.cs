using System.Text;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace AliBackup.HelpCompiler;

/// <summary>
/// Reads platyPS-schema markdown (docs/&lt;Cmdlet&gt;.md and docs/about_*.md) through Markdig's syntax tree: headings
/// split the sections, paragraphs and lists become help text, fenced code becomes examples, and the ```yaml block
/// under each ### -Parameter heading carries its metadata.
/// </summary>
public static class MarkdownHelpParser
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

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

    private static HelpExample Example(string title, List<Block> blocks, string fileName)
    {
        // platyPS keeps every code block of an example (the command, then its output) as the example's code.
        var code = string.Join("\n\n", blocks.OfType<FencedCodeBlock>().Select(c => CodeText(c).TrimEnd()));
        if (code.Length == 0) throw Error(fileName, Line(blocks), "example '" + title + "' has no code block");
        return new HelpExample(title, code, TextOf(blocks.Where(b => b is not FencedCodeBlock), fileName));
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

    /// <summary>Paragraphs, list items and code blocks as help text, in order.</summary>
    private static List<HelpText> TextOf(IEnumerable<Block> blocks, string fileName)
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
                        var itemText = string.Join(" ", TextOf(item, fileName).Select(t => t.Text));
                        texts.Add(new HelpText(bullet + itemText));
                    }
                    break;
                case FencedCodeBlock code:
                    texts.Add(new HelpText(CodeText(code).TrimEnd(), Preformatted: true));
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

    private static string CodeText(FencedCodeBlock code) => string.Join("\n", code.Lines.Lines.Take(code.Lines.Count).Select(l => l.Slice.ToString()));

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
