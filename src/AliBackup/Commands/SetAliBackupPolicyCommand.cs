using System;
using System.Management.Automation;
using AliBackup.Service;
using AliBackup.PowerShell.Completion;
using AliBackup.PowerShell.Internal;
using AliBackup.Service.Engines;
using AliBackup.Service.Policies;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>
    /// Set-AliBackupPolicy: changes the backup window, days, retention or log backup of each instance (ModifyBackupPolicy)
    /// and writes the policy as it stands afterwards. Values are checked against the service's formats before anything
    /// is sent; what is not given stays as it is.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "AliBackupPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = Internal.OnlineHelp.Docs + "Set-AliBackupPolicy.md")]
    [OutputType(typeof(BackupPolicy))]
    public sealed class SetAliBackupPolicyCommand : AliBackupCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("DBClusterId", "DBInstanceId")]
        [ArgumentCompleter(typeof(InstanceIdCompleter))]
        [TrimText]
        [ValidateNotNullOrEmpty]
        [ValidateId(IdKind.Instance, "InstanceId")]
        public string[] InstanceId { get; set; } = null!;

        /// <summary>The daily window in UTC, one whole hour: <c>02:00Z-03:00Z</c>.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("PreferredBackupTime")]
        [ValidateNotNullOrEmpty]
        public string? BackupWindow { get; set; }

        /// <summary>The days of the week backups run on.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("PreferredBackupPeriod")]
        public DayOfWeek[]? BackupDays { get; set; }

        /// <summary>How many days data backups are kept.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("BackupRetentionPeriod")]
        public int? RetentionDays { get; set; }

        /// <summary>Log backup on or off (Redis/Tair: data flashback).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("EnableBackupLog")]
        public bool? LogBackup { get; set; }

        protected override void ProcessRecord()
        {
            var target = ResolveTargetOrWriteError(InstanceId);
            if (target == null) return;
            var policies = new PolicyService(Service);
            var change = new BackupPolicyChange { BackupWindow = BackupWindow, BackupDays = BackupDays, RetentionDays = RetentionDays, LogBackup = LogBackup };
            foreach (var id in InstanceId)
            {
                var engine = ResolveEngineOrWriteError(id);
                if (engine == null) continue;
                try
                {
                    change.Validate(engine.Engine, PolicyService.PolicyEngineOf(engine).PolicyRules);
                }
                catch (AliBackupConfigurationException ex)
                {
                    WriteError(ErrorRecords.From(ex, id));
                    continue;
                }
                if (!ShouldProcess(id + " (" + engine.Engine + ", " + target + ")", "Set the backup policy: " + change.Describe())) continue;
                RunForItem(id, async (output, token) =>
                    output.WriteObject(await policies.SetAsync(target, id, engine.Engine, change, token).ConfigureAwait(false)));
            }
        }
    }
}
