using System;
using System.Management.Automation;
using AliBackup.PowerShell.Internal;

namespace AliBackup.PowerShell
{
    /// <summary>
    /// Runs when the module is imported and removed. Kept to a few cheap checks: import must stay fast, so nothing
    /// here touches the network or scans types; the first-call warm-up runs on a thread of its own.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        /// <summary>The first PowerShell 7 whose runtime carries the System.Text.Json (8.0) the service layer binds to.</summary>
        private static readonly Version MinimumCoreEngine = new Version(7, 4);

        public void OnImport()
        {
            if (DesktopDependencyResolver.IsNetFramework)
            {
                DesktopDependencyResolver.Register();
                return;
            }

            var engine = typeof(PSObject).Assembly.GetName().Version;
            if (engine != null && engine < MinimumCoreEngine)
            {
                throw new PlatformNotSupportedException(
                    "AliBackup needs PowerShell 7.4 or later (this is " + engine.ToString(2) + "), or Windows PowerShell 5.1.");
            }

            // In the background, with nothing sent or read: the first command then finds its code compiled.
            AliBackup.Service.FirstCallWarmUp.Start();
        }

        public void OnRemove(PSModuleInfo psModuleInfo) => DesktopDependencyResolver.Unregister();
    }
}
