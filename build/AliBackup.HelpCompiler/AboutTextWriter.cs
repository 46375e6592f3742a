using System.Text;

namespace AliBackup.HelpCompiler;

/// <summary>Writes an about topic in the plain-text layout of PowerShell's own about_*.help.txt files.</summary>
public static class AboutTextWriter
{
    private const int Width = 80;

    public static string Write(AboutTopic topic)
    {
        var text = new StringBuilder();
        Heading(text, "TOPIC");
        text.Append("    ").Append(topic.Name).Append('\n');
        Heading(text, "SHORT DESCRIPTION");
        Body(text, [new HelpText(topic.ShortDescription)], 4);
        Heading(text, "LONG DESCRIPTION");
        Body(text, topic.LongDescription, 4);
        foreach (var section in topic.Sections)
        {
            if (section.Level == 2)
            {
                Heading(text, section.Title.ToUpperInvariant());
            }
            else
            {
                text.Append('\n').Append("  ").Append(section.Title).Append('\n');
            }
            Body(text, section.Body, 4);
        }
        return text.ToString();
    }

    private static void Heading(StringBuilder text, string title)
    {
        if (text.Length > 0) text.Append('\n');
        text.Append(title).Append('\n');
    }

    private static void Body(StringBuilder text, IReadOnlyList<HelpText> body, int indent)
    {
        HelpText? previous = null;
        foreach (var block in body)
        {
            // A blank line between blocks, except between the items of one list (nested ones included).
            if (previous != null && !(IsListItem(previous) && IsListItem(block))) text.Append('\n');
            previous = block;
            if (block.Preformatted)
            {
                foreach (var line in block.Text.Split('\n')) text.Append(' ', indent + 4).Append(line).Append('\n');
                continue;
            }
            var bullet = System.Text.RegularExpressions.Regex.Match(block.Text, @"^(-|\d+\.) ");
            var hanging = bullet.Success ? bullet.Length : 0;
            // A nested list item sits under its parent's text (three columns per level, as in the markdown).
            Wrap(text, block.Text, indent + 3 * block.Level, hanging);
        }
    }

    private static bool IsListItem(HelpText block) => !block.Preformatted && System.Text.RegularExpressions.Regex.IsMatch(block.Text, @"^(-|\d+\.) ");

    /// <summary>Word-wraps at 80 columns; a list item's continuation lines hang under its text.</summary>
    private static void Wrap(StringBuilder text, string paragraph, int indent, int hanging)
    {
        foreach (var hardLine in paragraph.Split('\n'))
        {
            var line = new StringBuilder(new string(' ', indent));
            var lineHasWord = false;
            foreach (var word in hardLine.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (lineHasWord && line.Length + 1 + word.Length > Width)
                {
                    text.Append(line).Append('\n');
                    line.Clear().Append(' ', indent + hanging);
                    lineHasWord = false;
                }
                if (lineHasWord) line.Append(' ');
                line.Append(word);
                lineHasWord = true;
            }
            text.Append(line).Append('\n');
        }
    }
}
