namespace AliBackup.HelpCompiler;

/// <summary>
/// A paragraph, list item, code block or table of help text. Preformatted text keeps its line breaks and spacing;
/// <see cref="Level"/> is how deep a list item is nested (0 for everything else and for top-level items).
/// </summary>
public sealed record HelpText(string Text, bool Preformatted = false, int Level = 0);

public sealed record HelpExample(string Title, string Code, IReadOnlyList<HelpText> Remarks);

/// <summary>A parameter as the platyPS yaml block describes it (values kept as written).</summary>
public sealed record HelpParameter(
    string Name,
    IReadOnlyList<HelpText> Description,
    string Type,
    string ParameterSets,
    string Aliases,
    string Required,
    string Position,
    string DefaultValue,
    string PipelineInput,
    string Wildcards)
{
    /// <summary>True when the parameter is in every parameter set.</summary>
    public bool InAllSets => ParameterSets.Trim() == "(All)";

    public IEnumerable<string> SetNames => InAllSets ? [] : ParameterSets.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

public sealed record HelpType(string TypeName, IReadOnlyList<HelpText> Description);

public sealed record HelpLink(string Text, string Uri);

public sealed record CommandHelp(
    string Name,
    string ExternalHelpFile,
    string? OnlineVersion,
    string Synopsis,
    IReadOnlyList<string> Syntax,
    IReadOnlyList<HelpText> Description,
    IReadOnlyList<HelpExample> Examples,
    IReadOnlyList<HelpParameter> Parameters,
    IReadOnlyList<HelpType> Inputs,
    IReadOnlyList<HelpType> Outputs,
    IReadOnlyList<HelpText> Notes,
    IReadOnlyList<HelpLink> RelatedLinks)
{
    public string Verb => Name[..Name.IndexOf('-')];

    public string Noun => Name[(Name.IndexOf('-') + 1)..];
}

public sealed record AboutSection(int Level, string Title, IReadOnlyList<HelpText> Body);

public sealed record AboutTopic(string Name, string ShortDescription, IReadOnlyList<HelpText> LongDescription, IReadOnlyList<AboutSection> Sections);

/// <summary>A markdown file that does not follow the schema; the message names the file and line.</summary>
public sealed class HelpFormatException(string file, int line, string detail) : Exception(file + "(" + line + "): " + detail)
{
    public string File { get; } = file;

    public int Line { get; } = line;

    public string Detail { get; } = detail;
}
