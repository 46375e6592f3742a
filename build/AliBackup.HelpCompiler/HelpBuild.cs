namespace AliBackup.HelpCompiler;

/// <summary>Compiles a docs folder into the help files PowerShell reads, as file name → content.</summary>
public static class HelpBuild
{
    public static IReadOnlyDictionary<string, string> Generate(string docsFolder)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var commands = new List<CommandHelp>();
        foreach (var path in Directory.GetFiles(docsFolder, "*.md").Order(StringComparer.Ordinal))
        {
            var markdown = File.ReadAllText(path).Replace("\r\n", "\n");
            var name = Path.GetFileName(path);
            if (name.StartsWith("about_", StringComparison.OrdinalIgnoreCase))
            {
                var topic = MarkdownHelpParser.ParseAbout(markdown, name);
                files[topic.Name + ".help.txt"] = AboutTextWriter.Write(topic);
            }
            else if (!name.Equals("README.md", StringComparison.OrdinalIgnoreCase))
            {
                commands.Add(MarkdownHelpParser.ParseCommand(markdown, name));
            }
        }
        foreach (var group in commands.GroupBy(c => c.ExternalHelpFile, StringComparer.Ordinal))
            files[group.Key] = MamlWriter.Write(group);
        return files;
    }

    /// <summary>Whether a file in the output folder is one this compiler writes (so a stale one can be removed).</summary>
    public static bool IsGenerated(string fileName) =>
        fileName.EndsWith("-Help.xml", StringComparison.OrdinalIgnoreCase) ||
        fileName.StartsWith("about_", StringComparison.OrdinalIgnoreCase) && fileName.EndsWith(".help.txt", StringComparison.OrdinalIgnoreCase);
}
