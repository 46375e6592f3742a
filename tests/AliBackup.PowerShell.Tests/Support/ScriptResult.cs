using System.Collections;
using System.Management.Automation;

namespace AliBackup.PowerShell.Tests.Support;

/// <summary>Everything a script produced: each stream, all records in order, host text, and a terminating error.</summary>
public sealed class ScriptResult
{
    public List<PSObject> Output { get; } = [];
    public List<ErrorRecord> Errors { get; } = [];
    public List<WarningRecord> Warnings { get; } = [];
    public List<VerboseRecord> Verbose { get; } = [];
    public List<DebugRecord> Debug { get; } = [];
    public List<InformationRecord> Information { get; } = [];
    public List<ProgressRecord> Progress { get; } = [];

    /// <summary>Every record of every stream, in the order they were written (stream name, record).</summary>
    public List<(string Stream, object Record)> InOrder { get; } = [];

    public string HostText { get; set; } = "";

    /// <summary>The terminating error, if the script stopped with one.</summary>
    public Exception? Terminating { get; set; }

    /// <summary>
    /// All text a user or a log could ever see from this run: every record, exception (with inner exceptions and
    /// their properties), error details, host text, and every output object serialized as PowerShell would.
    /// </summary>
    public IEnumerable<string> AllVisibleText()
    {
        yield return HostText;
        foreach (var (_, record) in InOrder)
        {
            yield return record.ToString() ?? "";
            switch (record)
            {
                case PSObject obj:
                    yield return PSSerializer.Serialize(obj, 3);
                    break;
                case ErrorRecord error:
                    foreach (var text in Describe(error)) yield return text;
                    break;
                case InformationRecord info:
                    yield return info.MessageData?.ToString() ?? "";
                    break;
                case ProgressRecord progress:
                    yield return progress.Activity + " " + progress.StatusDescription + " " + progress.CurrentOperation;
                    break;
            }
        }
        if (Terminating != null)
        {
            for (var e = Terminating; e != null; e = e.InnerException) yield return e.ToString();
            if (Terminating is IContainsErrorRecord contains) foreach (var text in Describe(contains.ErrorRecord)) yield return text;
        }
    }

    private static IEnumerable<string> Describe(ErrorRecord error)
    {
        yield return error.ToString();
        yield return error.FullyQualifiedErrorId;
        yield return error.CategoryInfo.ToString();
        yield return error.ErrorDetails?.Message ?? "";
        yield return error.ErrorDetails?.RecommendedAction ?? "";
        yield return error.TargetObject?.ToString() ?? "";
        for (var e = error.Exception; e != null; e = e.InnerException)
        {
            yield return e.ToString();
            foreach (var property in e.GetType().GetProperties())
            {
                object? value;
                try { value = property.GetValue(e); } catch { continue; }
                if (value is string s) yield return s;
                else if (value is not null && value is not IEnumerable) yield return value.ToString() ?? "";
            }
        }
    }
}
