using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Policies;

namespace AliBackup.Service.Engines
{
    /// <summary>
    /// MongoDB backup policy by <c>DBInstanceId</c>: <c>BackupRetentionPeriod</c> (a string in the answer),
    /// <c>EnableBackupLog</c> (0/1) and <c>LogBackupRetentionPeriod</c>, besides the window and the days.
    /// </summary>
    public sealed partial class MongoDbBackupEngine : IBackupPolicyEngine
    {
        public PolicyRules PolicyRules { get; } = new PolicyRules(minimumDays: 1, retentionRange: null, supportsLogBackup: true,
            retentionParameter: "BackupRetentionPeriod");

        public async Task<BackupPolicy> GetPolicyAsync(ProductChannel channel, string instanceId, CancellationToken cancellationToken)
        {
            var request = channel.Request("DescribeBackupPolicy").With("DBInstanceId", instanceId);
            return await channel.ReadAsync(request, (root, answer) =>
            {
                var policy = root.ReadCommonPolicy(BackupEngine.MongoDB, instanceId);
                policy.RetentionDays = root.Int("BackupRetentionPeriod");
                policy.LogBackup = PolicyReaders.Flag(root.Str("EnableBackupLog"));
                policy.LogBackupRetentionDays = root.Int("LogBackupRetentionPeriod");
                return channel.Stamp(policy);
            }, cancellationToken).ConfigureAwait(false);
        }

        public async Task SetPolicyAsync(ProductChannel channel, BackupPolicy current, BackupPolicyChange change, CancellationToken cancellationToken)
        {
            var next = change.AppliedTo(current);
            var request = channel.Request("ModifyBackupPolicy")
                .With("DBInstanceId", current.InstanceId)
                .With("PreferredBackupTime", next.BackupWindow)
                .With("PreferredBackupPeriod", PolicyReaders.Days(next.BackupDays))
                .With("BackupRetentionPeriod", change.RetentionDays?.ToString(CultureInfo.InvariantCulture))
                .With("EnableBackupLog", change.LogBackup == null ? null : change.LogBackup.Value ? "1" : "0");
            using var _ = await channel.CallAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
