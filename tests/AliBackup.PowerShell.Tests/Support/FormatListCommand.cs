using System.Management.Automation;
using System.Reflection;
using Microsoft.PowerShell.Commands.Internal.Format;

namespace AliBackup.PowerShell.Tests.Support;

/// <summary>
/// Format-List for the test runspace. The real one ships in Microsoft.PowerShell.Commands.Utility, which is not part of
/// the System.Management.Automation package these tests host; the formatting engine it drives is. This wires the
/// engine's list shape into the public front-end base class the same way the real cmdlet does, so module list views
/// can be rendered through Out-Default and asserted on. It relies on engine internals of the pinned 7.6.9 package.
/// </summary>
[Cmdlet(VerbsCommon.Format, "List")]
public sealed class FormatListCommand : OuterFormatTableAndListBase
{
    public FormatListCommand()
    {
        var engine = typeof(PSObject).Assembly;
        var shapeType = engine.GetType("Microsoft.PowerShell.Commands.Internal.Format.FormatShape", throwOnError: true)!;
        var innerType = engine.GetType("Microsoft.PowerShell.Commands.Internal.Format.InnerFormatShapeCommand", throwOnError: true)!;
        var inner = Activator.CreateInstance(innerType, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null,
            [Enum.Parse(shapeType, "List")], null);
        typeof(FrontEndCommandBase).GetField("implementation", BindingFlags.Instance | BindingFlags.NonPublic)!.SetValue(this, inner);
    }
}
