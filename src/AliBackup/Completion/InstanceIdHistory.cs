using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace AliBackup.PowerShell.Completion
{
    /// <summary>
    /// The instance IDs this runspace has seen on AliBackup output, most recent first, for -InstanceId completion.
    /// Kept per runspace (keyed weakly on it, so it goes away with the runspace): two sessions in one process, such
    /// as two hosted runspaces or two jobs, never see each other's IDs.
    /// </summary>
    internal sealed class InstanceIdHistory
    {
        private const int Capacity = 200;
        private static readonly ConditionalWeakTable<Runspace, InstanceIdHistory> ByRunspace = new ConditionalWeakTable<Runspace, InstanceIdHistory>();
        private readonly List<KeyValuePair<string, BackupEngine>> _seen = new List<KeyValuePair<string, BackupEngine>>();

        /// <summary>The history of the runspace running on this thread (null outside a runspace).</summary>
        public static InstanceIdHistory? Current
        {
            get
            {
                var runspace = Runspace.DefaultRunspace;
                return runspace == null ? null : ByRunspace.GetValue(runspace, _ => new InstanceIdHistory());
            }
        }

        /// <summary>Notes the instance an output object belongs to (call on the pipeline thread).</summary>
        public static void Record(object item)
        {
            switch (item)
            {
                case BackupTask task:
                    Current?.Add(task.InstanceId, task.Engine);
                    break;
                case Backup backup:
                    Current?.Add(backup.InstanceId, backup.Engine);
                    break;
            }
        }

        public void Add(string instanceId, BackupEngine engine)
        {
            if (string.IsNullOrEmpty(instanceId)) return;
            lock (_seen)
            {
                // Listing writes thousands of objects of one instance: when it is already the most recent, nothing moves.
                if (_seen.Count > 0 && _seen[0].Value == engine && string.Equals(_seen[0].Key, instanceId, StringComparison.OrdinalIgnoreCase)) return;
                _seen.RemoveAll(s => string.Equals(s.Key, instanceId, StringComparison.OrdinalIgnoreCase));
                _seen.Insert(0, new KeyValuePair<string, BackupEngine>(instanceId, engine));
                if (_seen.Count > Capacity) _seen.RemoveAt(_seen.Count - 1);
            }
        }

        /// <summary>Seen IDs, most recent first.</summary>
        public IReadOnlyList<KeyValuePair<string, BackupEngine>> Snapshot()
        {
            lock (_seen) return _seen.ToList();
        }
    }
}
