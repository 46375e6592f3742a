using System;
using System.Collections.Generic;
using System.Linq;

namespace AliBackup.Service.Engines
{
    /// <summary>Every product engine, and how an instance ID picks one.</summary>
    public static class EngineCatalog
    {
        public static IReadOnlyList<IBackupEngine> All { get; } = new IBackupEngine[]
        {
            new RedisBackupEngine(),
            new PolarDbBackupEngine(),
            new MongoDbBackupEngine(),
            new RdsBackupEngine(),
        };

        public static IBackupEngine Get(BackupEngine engine) =>
            All.FirstOrDefault(e => e.Engine == engine) ?? throw new AliBackupConfigurationException("The engine " + engine + " is not available.", "Engine");

        /// <summary>
        /// The engine for an instance: <paramref name="explicitEngine"/> when given (-Engine), else the one whose ID prefix
        /// matches. An unknown prefix is an error that names -Engine and the prefixes understood.
        /// </summary>
        public static IBackupEngine Resolve(string instanceId, BackupEngine? explicitEngine)
        {
            if (explicitEngine.HasValue) return Get(explicitEngine.Value);
            var match = ByPrefix(instanceId);
            if (match != null) return match;
            var known = string.Join(", ", All.SelectMany(e => e.InstanceIdPrefixes.Select(p => p + "… (" + e.Engine + ")")));
            // The ID is what is wrong (or needs -Engine beside it), so the error is about -InstanceId.
            throw new AliBackupConfigurationException(
                "Cannot tell which product the instance " + InputValidation.Show(instanceId.Trim()) + " belongs to from its ID. Known prefixes: " + known +
                ". Check the ID, or pass -Engine " + string.Join("|", All.Select(e => e.Engine.ToString())) + " for an ID without one (e.g. a MongoDB shard d-…).",
                "InstanceId");
        }

        /// <summary>The engine an ID's prefix names, or null when the prefix is not one of theirs.</summary>
        public static IBackupEngine? ByPrefix(string instanceId)
        {
            // Loops, not LINQ: every call of every cmdlet resolves its engine here.
            var id = instanceId.Trim();
            var engines = All;
            for (var i = 0; i < engines.Count; i++)
            {
                var prefixes = engines[i].InstanceIdPrefixes;
                for (var j = 0; j < prefixes.Count; j++)
                    if (id.StartsWith(prefixes[j], StringComparison.OrdinalIgnoreCase)) return engines[i];
            }
            return null;
        }
    }
}
