using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using AliBackup.Service.Credentials;

namespace AliBackup.PowerShell.Internal
{
    /// <summary>
    /// What Connect-AliBackup sets for a PowerShell session, and the temporary credentials its commands share. It lives
    /// in the module's own session state (a module-scoped variable), so each runspace that imports the module has its
    /// own and nothing leaks between runspaces of one process, and the user's variables never show it.
    /// </summary>
    internal sealed class ModuleSession
    {
        private const string VariableName = "AliBackupSession";

        // Only for a cmdlet loaded without a module (e.g. added to an InitialSessionState by hand): one per runspace.
        private static readonly ConditionalWeakTable<Runspace, ModuleSession> WithoutModule = new ConditionalWeakTable<Runspace, ModuleSession>();

        /// <summary>Connect-AliBackup -Credential (AccessKey from a PSCredential).</summary>
        public AliCredential? Credential { get; set; }

        /// <summary>Connect-AliBackup -Profile.</summary>
        public string? Profile { get; set; }

        /// <summary>Connect-AliBackup -Region.</summary>
        public string? Region { get; set; }

        /// <summary>Connect-AliBackup -Endpoint.</summary>
        public string? Endpoint { get; set; }

        /// <summary>Temporary credentials obtained by this session's commands (STS, metadata, credentials URI).</summary>
        public TemporaryCredentialCache Cache { get; } = new TemporaryCredentialCache();

        /// <summary>The services this session's commands reuse from one invocation to the next.</summary>
        public SessionServices Services { get; } = new SessionServices();

        public void Clear()
        {
            Credential = null;
            Profile = null;
            Region = null;
            Endpoint = null;
            Cache.Clear();
            Services.Clear();
        }

        /// <summary>The session of the runspace <paramref name="cmdlet"/> runs in (call on the pipeline thread).</summary>
        public static ModuleSession Of(PSCmdlet cmdlet)
        {
            var state = cmdlet.MyInvocation.MyCommand.Module?.SessionState;
            if (state == null) return WithoutModule.GetValue(Runspace.DefaultRunspace, _ => new ModuleSession());
            if (state.PSVariable.GetValue(VariableName) is ModuleSession existing) return existing;
            var created = new ModuleSession();
            state.PSVariable.Set(new PSVariable(VariableName, created, ScopedItemOptions.None));
            return created;
        }
    }
}
