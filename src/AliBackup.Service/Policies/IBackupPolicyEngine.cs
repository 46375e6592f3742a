using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Engines;

namespace AliBackup.Service.Policies
{
    /// <summary>
    /// A product's DescribeBackupPolicy and ModifyBackupPolicy, translated to <see cref="BackupPolicy"/>. Implemented by
    /// the product's <see cref="IBackupEngine"/>; like the rest of an engine it only builds requests and reads answers.
    /// </summary>
    public interface IBackupPolicyEngine
    {
        /// <summary>What the product's ModifyBackupPolicy accepts (checked before anything is sent).</summary>
        PolicyRules PolicyRules { get; }

        Task<BackupPolicy> GetPolicyAsync(ProductChannel channel, string instanceId, CancellationToken cancellationToken);

        /// <summary>
        /// Sends ModifyBackupPolicy: the change applied to <paramref name="current"/>, so the settings the service wants
        /// every time but the caller did not change are sent as they stand.
        /// </summary>
        Task SetPolicyAsync(ProductChannel channel, BackupPolicy current, BackupPolicyChange change, CancellationToken cancellationToken);
    }

    /// <summary>The limits of one product's ModifyBackupPolicy, from its API reference.</summary>
    public sealed class PolicyRules
    {
        public PolicyRules(int minimumDays, (int Min, int Max)? retentionRange, bool supportsLogBackup, string retentionParameter)
        {
            MinimumDays = minimumDays;
            RetentionRange = retentionRange;
            SupportsLogBackup = supportsLogBackup;
            RetentionParameter = retentionParameter;
        }

        /// <summary>The fewest backup days the service accepts (PolarDB and RDS: two).</summary>
        public int MinimumDays { get; }

        /// <summary>The retention the service accepts, in days (null: any positive number).</summary>
        public (int Min, int Max)? RetentionRange { get; }

        /// <summary>Whether ModifyBackupPolicy switches log backup (PolarDB: no, that is ModifyLogBackupPolicy).</summary>
        public bool SupportsLogBackup { get; }

        /// <summary>The service's name for the retention setting (shown in errors).</summary>
        public string RetentionParameter { get; }
    }
}
