using System.Management.Automation;

namespace AliBackup.PowerShell.Tests.Support;

/// <summary>
/// Reads objects the way a PowerShell user does, by property name: these tests do not reference the module's
/// assemblies, so they see exactly what a script sees.
/// </summary>
public static class PSObjectExtensions
{
    public static object? Prop(this object item, string name) => PSObject.AsPSObject(item).Properties[name]?.Value;

    public static string? Text(this object item, string name) => item.Prop(name)?.ToString();

    public static bool IsA(this object item, string typeName) => PSObject.AsPSObject(item).TypeNames.Contains(typeName);

    public static List<PSObject> OfTypeName(this ScriptResult result, string typeName) => result.Output.Where(o => o.IsA(typeName)).ToList();

    /// <summary>The service error code carried by an error record's exception (AliBackupApiException.Code).</summary>
    public static string? ApiCode(this ErrorRecord error) =>
        error.Exception.GetType().FullName == "AliBackup.AliBackupApiException" ? error.Exception.Text("Code") : null;
}
