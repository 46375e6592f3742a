using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text.RegularExpressions;

namespace AliBackup.Host;

/// <summary>
/// A PowerShell host that renders to a <see cref="TextWriter"/>: what Out-Default prints (format views included) lands
/// there. Prompts are answered from a script (for -Confirm tests); progress records are kept.
/// </summary>
public sealed partial class TextHost : PSHost
{
    private readonly TextHostUserInterface _ui;

    public TextHost(TextWriter output, int width = 160)
    {
        _ui = new TextHostUserInterface(output, width);
    }

    public override string Name => "AliBackupTextHost";

    public override Version Version { get; } = new(1, 0);

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override PSHostUserInterface UI => _ui;

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    /// <summary>Answers for PromptForChoice, in order (index of the choice; e.g. 0 for Yes, 2 for No).</summary>
    public Queue<int> ChoiceAnswers => _ui.ChoiceAnswers;

    /// <summary>Keys for RawUI.ReadKey, in order (e.g. 'q' to quit <c>Out-Host -Paging</c>).</summary>
    public Queue<char> KeyAnswers => _ui.KeyAnswers;

    /// <summary>Every prompt shown (caption + message), in order.</summary>
    public IReadOnlyList<string> Prompts => _ui.Prompts;

    /// <summary>Every progress record the host was asked to show.</summary>
    public IReadOnlyList<ProgressRecord> Progress => _ui.Progress;

    /// <summary>When set, progress records are also printed as one line each.</summary>
    public TextWriter? ProgressWriter
    {
        get => _ui.ProgressWriter;
        set => _ui.ProgressWriter = value;
    }

    public override void EnterNestedPrompt() => throw new NotSupportedException();

    public override void ExitNestedPrompt() => throw new NotSupportedException();

    public override void NotifyBeginApplication() { }

    public override void NotifyEndApplication() { }

    public override void SetShouldExit(int exitCode) { }

    private sealed partial class TextHostUserInterface(TextWriter output, int width) : PSHostUserInterface
    {
        // PowerShell decorates table headers with VT sequences and leaves removing them to hosts without VT
        // support; this host writes to files and logs, so it removes them (CSI and OSC sequences).
        [GeneratedRegex(@"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)")]
        private static partial Regex VirtualTerminalSequence();

        private static string Plain(string value) => value.IndexOf('\x1b') < 0 ? value : VirtualTerminalSequence().Replace(value, "");

        private readonly TextHostRawUserInterface _raw = new(width);

        public Queue<char> KeyAnswers => _raw.KeyAnswers;
        private readonly List<ProgressRecord> _progress = [];
        private readonly List<string> _prompts = [];

        public Queue<int> ChoiceAnswers { get; } = new();

        public IReadOnlyList<string> Prompts
        {
            get { lock (_prompts) return _prompts.ToList(); }
        }

        public IReadOnlyList<ProgressRecord> Progress
        {
            get { lock (_progress) return _progress.ToList(); }
        }

        public TextWriter? ProgressWriter { get; set; }

        public override PSHostRawUserInterface RawUI => _raw;

        public override string ReadLine() => "";

        public override SecureString ReadLineAsSecureString() => new();

        public override void Write(string value) => output.Write(Plain(value));

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => output.Write(Plain(value));

        public override void WriteLine(string value) => output.WriteLine(Plain(value));

        public override void WriteErrorLine(string value) => output.WriteLine(Plain(value));

        public override void WriteDebugLine(string message) => output.WriteLine("DEBUG: " + Plain(message));

        public override void WriteVerboseLine(string message) => output.WriteLine("VERBOSE: " + Plain(message));

        public override void WriteWarningLine(string message) => output.WriteLine("WARNING: " + Plain(message));

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
            lock (_progress) _progress.Add(record);
            if (ProgressWriter != null && record.RecordType == ProgressRecordType.Processing)
                ProgressWriter.WriteLine("  ... " + record.Activity + ": " + record.StatusDescription +
                                         (record.PercentComplete >= 0 ? " " + record.PercentComplete + "%" : ""));
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) =>
            throw new NotSupportedException("The text host does not prompt for input.");

        public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice)
        {
            lock (_prompts) _prompts.Add(caption + ": " + message);
            return ChoiceAnswers.Count > 0 ? ChoiceAnswers.Dequeue() : defaultChoice;
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new NotSupportedException("The text host does not prompt for credentials.");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw new NotSupportedException("The text host does not prompt for credentials.");
    }

    private sealed class TextHostRawUserInterface(int width) : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

        public override Size BufferSize { get; set; } = new(width, 9999);

        public override Coordinates CursorPosition { get; set; }

        public override int CursorSize { get; set; }

        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

        public override bool KeyAvailable => false;

        public override Size MaxPhysicalWindowSize => new(width, 9999);

        public override Size MaxWindowSize => new(width, 9999);

        public override Coordinates WindowPosition { get; set; }

        public override Size WindowSize { get; set; } = new(width, 50);

        public override string WindowTitle { get; set; } = "AliBackup";

        public override void FlushInputBuffer() { }

        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];

        public Queue<char> KeyAnswers { get; } = new();

        public override KeyInfo ReadKey(ReadKeyOptions options) =>
            KeyAnswers.Count > 0 ? new KeyInfo(0, KeyAnswers.Dequeue(), 0, keyDown: true) : throw new NotSupportedException("The text host reads no keys.");

        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }

        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }

        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
