using System.Management.Automation;

namespace AliBackup.PowerShell.Internal
{
    /// <summary>
    /// Where verbose and warning messages go while -Debug is on. PowerShell 7 makes -Debug mean "show debug messages"
    /// ($DebugPreference = Continue), but for a compiled cmdlet its command runtime still answers Inquire for the verbose
    /// stream (unless -Verbose is given too) and for the warning stream (unless -WarningAction is): every WriteVerbose or
    /// WriteWarning then asks "Continue with this operation?", and with no console to answer, the prompt reads the end of
    /// input and fails (a NullReferenceException; "NonInteractive mode" under -NonInteractive). So while -Debug is on and
    /// the other switch is not given, those messages are written as debug records instead: -Debug shows everything
    /// -Verbose would, never prompts, and an explicit -Verbose or -WarningAction keeps its own stream.
    /// </summary>
    internal readonly struct DebugSwitch
    {
        private DebugSwitch(bool verboseAsDebug, bool warningsAsDebug)
        {
            VerboseAsDebug = verboseAsDebug;
            WarningsAsDebug = warningsAsDebug;
        }

        public bool VerboseAsDebug { get; }

        public bool WarningsAsDebug { get; }

        /// <summary>Writes a verbose message, or under -Debug alone a debug record.</summary>
        public static void WriteVerbose(PSCmdlet cmdlet, string text)
        {
            if (Of(cmdlet.MyInvocation).VerboseAsDebug) cmdlet.WriteDebug(text);
            else cmdlet.WriteVerbose(text);
        }

        /// <summary>Writes a warning, or under -Debug without -WarningAction a debug record.</summary>
        public static void WriteWarning(PSCmdlet cmdlet, string text)
        {
            if (Of(cmdlet.MyInvocation).WarningsAsDebug) cmdlet.WriteDebug("WARNING: " + text);
            else cmdlet.WriteWarning(text);
        }

        public static DebugSwitch Of(InvocationInfo invocation)
        {
            var bound = invocation.BoundParameters;
            if (!bound.TryGetValue("Debug", out var debug) || !IsOn(debug)) return default;
            return new DebugSwitch(!bound.ContainsKey("Verbose"), !bound.ContainsKey("WarningAction"));
        }

        /// <summary>Whether a bound switch is on (a SwitchParameter, or a value bound through $PSDefaultParameterValues).</summary>
        internal static bool IsOn(object? value)
        {
            if (value is PSObject wrapped) value = wrapped.BaseObject;
            return value is SwitchParameter flag ? flag.IsPresent : LanguagePrimitives.IsTrue(value);
        }
    }
}
