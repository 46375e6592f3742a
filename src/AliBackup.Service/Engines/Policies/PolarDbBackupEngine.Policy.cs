using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Policies;

namespace AliBackup.Service.Engines
{
    /// <summary>
    /// PolarDB backup policy by <c>DBClusterId</c>, every field a string. Retention is that of level-1 backups
    /// (<c>DataLevel1BackupRetentionPeriod</c>, 3 to 14 days); log backups have a policy of their own, so there is no
    /// log switch here.
    /// </summary>
    public sealed partial class PolarDbBackupEngine : IBackupPolicyEngine
    {
        public PolicyRules PolicyRules { get; } = new PolicyRules(minimumDays: 2, retentionRange: (3, 14), supportsLogBackup: false,
            retentionParameter: "DataLevel1BackupRetentionPeriod");

        public async Task<BackupPolicy> GetPolicyAsync(ProductChannel channel, string instanceId, CancellationToken cancellationToken)
        {
            var request = channel.Request("DescribeBackupPolicy").With("DBClusterId", instanceId);
            return await channel.ReadAsync(request, (root, answer) =>
            {
                var policy = root.ReadCommonPolicy(BackupEngine.PolarDB, instanceId);
                policy.RetentionDays = root.Int("DataLevel1BackupRetentionPeriod", "BackupRetentionPeriod");
                return channel.Stamp(policy);
            }, cancellationToken).ConfigureAwait(false);
        }

        public async Task SetPolicyAsync(ProductChannel channel, BackupPolicy current, BackupPolicyChange change, CancellationToken cancellationToken)
        {
            var next = change.AppliedTo(current);
            var request = channel.Request("ModifyBackupPolicy")
                .With("DBClusterId", current.InstanceId)
                .With("PreferredBackupTime", next.BackupWindow)
                .With("PreferredBackupPeriod", PolicyReaders.Days(next.BackupDays))
                .With("DataLevel1BackupRetentionPeriod", change.RetentionDays?.ToString(CultureInfo.InvariantCulture));
            using var _ = await channel.CallAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
