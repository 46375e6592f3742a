using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace AliBackup.PowerShell.Internal
{
    /// <summary>
    /// Write-Progress for a wait: one parent record for the whole wait and one child per task, with the stage, the
    /// service's percent and an estimate of the time left. Silent when disabled ($ProgressPreference, CI).
    /// </summary>
    internal sealed class WaitProgress
    {
        private const int ParentId = 1;
        private readonly int _total;
        private readonly TimeProvider _time;
        private readonly bool _enabled;
        private readonly Dictionary<string, int> _childIds = new Dictionary<string, int>(StringComparer.Ordinal);
        private int _finished;

        public WaitProgress(int total, TimeProvider time, bool enabled)
        {
            _total = total;
            _time = time;
            _enabled = enabled;
        }

        public void Show(Cmdlet cmdlet, BackupTask task, TimeSpan waited)
        {
            if (!_enabled) return;
            WriteParent(cmdlet, waited);
            var stage = task.Status + (task.RawStatus != null && task.RawStatus != task.Status.ToString() ? " (" + task.RawStatus + ")" : "");
            var child = new ProgressRecord(ChildId(task), task.InstanceId + " job " + task.BackupJobId, stage)
            {
                ParentActivityId = ParentId,
                PercentComplete = task.Progress.HasValue ? Math.Max(0, Math.Min(100, task.Progress.Value)) : -1,
                SecondsRemaining = EstimateSecondsLeft(task),
            };
            cmdlet.WriteProgress(child);
        }

        public void Finish(Cmdlet cmdlet, BackupTask task)
        {
            _finished++;
            if (!_enabled) return;
            cmdlet.WriteProgress(new ProgressRecord(ChildId(task), task.InstanceId + " job " + task.BackupJobId, task.Status.ToString())
            {
                ParentActivityId = ParentId,
                RecordType = ProgressRecordType.Completed,
            });
        }

        public void Complete(Cmdlet cmdlet)
        {
            if (!_enabled) return;
            cmdlet.WriteProgress(new ProgressRecord(ParentId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
        }

        private string Activity => "Waiting for " + _total.ToString(CultureInfo.InvariantCulture) + " backup task" + (_total == 1 ? "" : "s");

        private void WriteParent(Cmdlet cmdlet, TimeSpan waited) =>
            cmdlet.WriteProgress(new ProgressRecord(ParentId, Activity,
                _finished.ToString(CultureInfo.InvariantCulture) + " of " + _total.ToString(CultureInfo.InvariantCulture) + " finished; waited " +
                ((int)waited.TotalSeconds).ToString(CultureInfo.InvariantCulture) + " s")
            {
                PercentComplete = _total == 0 ? 0 : _finished * 100 / _total,
            });

        /// <summary>Time left if the task keeps its pace so far (only once it has made some progress).</summary>
        private int EstimateSecondsLeft(BackupTask task)
        {
            if (!task.Progress.HasValue || task.Progress.Value <= 0 || task.Progress.Value >= 100 || !task.StartTime.HasValue) return -1;
            var elapsed = (_time.GetUtcNow() - task.StartTime.Value).TotalSeconds;
            if (elapsed <= 0) return -1;
            return (int)Math.Round(elapsed * (100 - task.Progress.Value) / task.Progress.Value);
        }

        private int ChildId(BackupTask task)
        {
            var key = task.InstanceId + "/" + task.BackupJobId;
            if (!_childIds.TryGetValue(key, out var id))
            {
                id = ParentId + 1 + _childIds.Count;
                _childIds[key] = id;
            }
            return id;
        }
    }
}
