using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Engines;

namespace AliBackup.Service.Policies
{
    /// <summary>Backup policies of every product, through the engine an instance ID picks.</summary>
    public sealed class PolicyService
    {
        private readonly BackupService _service;

        public PolicyService(BackupService service)
        {
            _service = service;
        }

        /// <summary>The engine's policy half; every engine has one.</summary>
        public static IBackupPolicyEngine PolicyEngineOf(IBackupEngine engine) =>
            engine as IBackupPolicyEngine ?? throw new AliBackupConfigurationException(engine.Engine + " backup policies are not supported.", "Engine");

        public Task<BackupPolicy> GetAsync(ApiTarget target, string instanceId, BackupEngine? engine, CancellationToken cancellationToken)
        {
            instanceId = InputValidation.Id(IdKind.Instance, instanceId, "InstanceId");
            var resolved = EngineCatalog.Resolve(instanceId, engine);
            return PolicyEngineOf(resolved).GetPolicyAsync(_service.Channel(resolved, target), instanceId, cancellationToken);
        }

        /// <summary>
        /// Checks the change, reads the policy, sends the change applied to it, and returns the policy as the service
        /// reports it afterwards.
        /// </summary>
        public async Task<BackupPolicy> SetAsync(ApiTarget target, string instanceId, BackupEngine? engine, BackupPolicyChange change, CancellationToken cancellationToken)
        {
            instanceId = InputValidation.Id(IdKind.Instance, instanceId, "InstanceId");
            var resolved = EngineCatalog.Resolve(instanceId, engine);
            var policies = PolicyEngineOf(resolved);
            change.Validate(resolved.Engine, policies.PolicyRules);
            var channel = _service.Channel(resolved, target);
            var current = await policies.GetPolicyAsync(channel, instanceId, cancellationToken).ConfigureAwait(false);
            await policies.SetPolicyAsync(channel, current, change, cancellationToken).ConfigureAwait(false);
            return await policies.GetPolicyAsync(channel, instanceId, cancellationToken).ConfigureAwait(false);
        }
    }
}
