using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using AliBackup.Service.Waiting;

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
        private readonly bool _enabled;
        private readonly Dictionary<string, Child> _children = new Dictionary<string, Child>(StringComparer.Ordinal);
        private int _finished;

        public WaitProgress(int total, bool enabled)
        {
            _total = total;
            _enabled = enabled;
        }

        /// <summary>A poll saw the task; <paramref name="waited"/> is when (time since the wait began).</summary>
        public void Show(Cmdlet cmdlet, BackupTask task, TimeSpan waited)
        {
            var child = ChildOf(task);
            // Fed on every report, shown or not, so the pace is known as soon as progress is shown.
            var left = child.Pace.Observe(waited, task.Progress);
            if (!_enabled) return;
            WriteParent(cmdlet, waited);
            var stage = task.Status + (task.RawStatus != null && task.RawStatus != task.Status.ToString() ? " (" + task.RawStatus + ")" : "");
            cmdlet.WriteProgress(new ProgressRecord(child.Id, task.InstanceId + " job " + task.BackupJobId, stage)
            {
                ParentActivityId = ParentId,
                PercentComplete = task.Progress.HasValue ? Math.Max(0, Math.Min(100, task.Progress.Value)) : -1,
                SecondsRemaining = left.HasValue ? (int)Math.Ceiling(left.Value.TotalSeconds) : -1,
            });
        }

        /// <summary>The task ended (finished, failed or timed out): its record is completed and the count goes up at once.</summary>
        public void Finish(Cmdlet cmdlet, BackupTask task, TimeSpan waited)
        {
            _finished++;
            if (!_enabled) return;
            cmdlet.WriteProgress(new ProgressRecord(ChildOf(task).Id, task.InstanceId + " job " + task.BackupJobId, task.Status.ToString())
            {
                ParentActivityId = ParentId,
                RecordType = ProgressRecordType.Completed,
            });
            if (_finished < _total) WriteParent(cmdlet, waited);
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

        private Child ChildOf(BackupTask task)
        {
            var key = task.InstanceId + "/" + task.BackupJobId;
            if (!_children.TryGetValue(key, out var child))
            {
                child = new Child(ParentId + 1 + _children.Count);
                _children[key] = child;
            }
            return child;
        }

        private sealed class Child
        {
            public Child(int id)
            {
                Id = id;
            }

            public int Id { get; }

            public ProgressPace Pace { get; } = new ProgressPace();
        }
    }
}
