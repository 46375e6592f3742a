using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using AliBackup.Service.Downloads;

namespace AliBackup.PowerShell.Internal
{
    /// <summary>
    /// Write-Progress for Save-AliBackup: one parent record for all files and one child per file, with bytes, rate and
    /// time left. Also the one-line summary CI logs get instead (a heartbeat, as Wait-AliBackupTask writes).
    /// </summary>
    internal sealed class DownloadProgressView
    {
        private const int ParentId = 1;
        private readonly int _total;
        private readonly bool _enabled;
        private readonly Dictionary<string, int> _childIds = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly Dictionary<string, DownloadProgress> _latest = new Dictionary<string, DownloadProgress>(StringComparer.Ordinal);
        private int _finished;

        public DownloadProgressView(int total, bool enabled)
        {
            _total = total;
            _enabled = enabled;
        }

        /// <summary>Records the latest progress (any thread); returns nothing to write.</summary>
        public void Note(DownloadProgress progress)
        {
            lock (_latest) _latest[progress.Path] = progress;
        }

        public void Show(Cmdlet cmdlet, DownloadProgress progress)
        {
            if (!_enabled) return;
            long done, total;
            lock (_latest)
            {
                done = _latest.Values.Sum(p => p.BytesDone);
                total = _latest.Values.Sum(p => p.TotalBytes);
            }
            cmdlet.WriteProgress(new ProgressRecord(ParentId, Activity, _finished.ToString(CultureInfo.InvariantCulture) + " of " + _total.ToString(CultureInfo.InvariantCulture) +
                                                                        " saved; " + ByteSize.Format(done) + (total > 0 ? " of " + ByteSize.Format(total) : ""))
            {
                PercentComplete = total > 0 ? (int)Math.Min(100, done * 100 / total) : -1,
            });
            cmdlet.WriteProgress(new ProgressRecord(ChildId(progress.Path), System.IO.Path.GetFileName(progress.Path), Status(progress))
            {
                ParentActivityId = ParentId,
                PercentComplete = progress.PercentComplete,
                SecondsRemaining = progress.TimeLeft.HasValue ? (int)Math.Round(progress.TimeLeft.Value.TotalSeconds) : -1,
            });
        }

        public void Finish(Cmdlet cmdlet, string path)
        {
            _finished++;
            if (!_enabled) return;
            cmdlet.WriteProgress(new ProgressRecord(ChildId(path), System.IO.Path.GetFileName(path), "Done")
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

        /// <summary>"AliBackup: saving 3 backup files: a.rdb 40% (20 MB of 50 MB, 5 MB/s, 6 s left); …"</summary>
        public string Heartbeat()
        {
            List<DownloadProgress> open;
            lock (_latest) open = _latest.Values.Where(p => !p.Done).ToList();
            var shown = open.Take(10).Select(p => System.IO.Path.GetFileName(p.Path) + " " + Status(p));
            return "AliBackup: saving " + _total + " backup file" + (_total == 1 ? "" : "s") + ", " + _finished + " done" +
                   (open.Count > 0 ? ": " + string.Join("; ", shown) + (open.Count > 10 ? "; and " + (open.Count - 10) + " more" : "") : "");
        }

        private static string Status(DownloadProgress p)
        {
            var text = (p.PercentComplete >= 0 ? p.PercentComplete.ToString(CultureInfo.InvariantCulture) + "% (" : "(") + ByteSize.Format(p.BytesDone) +
                       (p.TotalBytes > 0 ? " of " + ByteSize.Format(p.TotalBytes) : "");
            if (p.BytesPerSecond > 0) text += ", " + ByteSize.Format((long)p.BytesPerSecond) + "/s";
            if (p.TimeLeft.HasValue) text += ", " + ((int)Math.Ceiling(p.TimeLeft.Value.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + " s left";
            return text + ")";
        }

        private string Activity => "Saving " + _total.ToString(CultureInfo.InvariantCulture) + " backup file" + (_total == 1 ? "" : "s");

        private int ChildId(string path)
        {
            if (!_childIds.TryGetValue(path, out var id))
            {
                id = ParentId + 1 + _childIds.Count;
                _childIds[path] = id;
            }
            return id;
        }
    }
}
