using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.OpenApi;
using AliBackup.Service.Policies;

namespace AliBackup.Service.Engines
{
    /// <summary>
    /// Redis/Tair backup policy: DescribeBackupPolicy / ModifyBackupPolicy by <c>InstanceId</c>. ModifyBackupPolicy
    /// requires the window and the days every time; <c>EnableBackupLog</c> (0/1) is data flashback (Tair DRAM and
    /// persistent-memory instances only).
    /// </summary>
    public sealed partial class RedisBackupEngine : IBackupPolicyEngine
    {
        public PolicyRules PolicyRules { get; } = new PolicyRules(minimumDays: 1, retentionRange: (7, 730), supportsLogBackup: true,
            retentionParameter: "BackupRetentionPeriod");

        public async Task<BackupPolicy> GetPolicyAsync(ProductChannel channel, string instanceId, CancellationToken cancellationToken)
        {
            var request = channel.Request("DescribeBackupPolicy").With("InstanceId", instanceId);
            return await channel.ReadAsync(request, (root, answer) =>
            {
                var policy = root.ReadCommonPolicy(BackupEngine.Redis, instanceId);
                policy.RetentionDays = root.Int("BackupRetentionPeriod");
                policy.LogBackup = PolicyReaders.Flag(root.Str("EnableBackupLog"));
                return channel.Stamp(policy);
            }, cancellationToken).ConfigureAwait(false);
        }

        public async Task SetPolicyAsync(ProductChannel channel, BackupPolicy current, BackupPolicyChange change, CancellationToken cancellationToken)
        {
            var next = change.AppliedTo(current);
            var request = channel.Request("ModifyBackupPolicy")
                .With("InstanceId", current.InstanceId)
                .With("PreferredBackupTime", next.BackupWindow)
                .With("PreferredBackupPeriod", PolicyReaders.Days(next.BackupDays))
                .With("BackupRetentionPeriod", change.RetentionDays?.ToString(CultureInfo.InvariantCulture))
                .With("EnableBackupLog", change.LogBackup == null ? null : change.LogBackup.Value ? "1" : "0");
            using var _ = await channel.CallAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
