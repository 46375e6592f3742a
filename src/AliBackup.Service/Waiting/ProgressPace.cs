using System;

namespace AliBackup.Service.Waiting
{
    /// <summary>
    /// Estimates how long a task's copy has left from the pace its percentage has moved at since it first moved. The
    /// task's start time is no guide: the services report 0% through queueing and preparation, which may take longer
    /// than the copy itself, so "elapsed since start × left ÷ done" overstates the time left many times over early in
    /// the copy (2,087 s for a task that ended 25 s later).
    /// </summary>
    public sealed class ProgressPace
    {
        private TimeSpan _anchorAt;
        private int _anchorPercent;
        private bool _anchored;

        /// <summary>
        /// Notes the percent seen at <paramref name="at"/> (any one clock, such as the time since the wait began) and
        /// returns the time the rest should take at the pace so far, or null while there is no pace yet: before the
        /// percentage has moved twice, and once it has reached 100 (what follows, such as a check, has no percentage).
        /// </summary>
        public TimeSpan? Observe(TimeSpan at, int? percent)
        {
            if (!percent.HasValue || percent.Value <= 0) return null;
            var now = Math.Min(100, percent.Value);
            if (now >= 100) return null;
            if (!_anchored || now < _anchorPercent)
            {
                // The first reading inside the copy (or one after the service went back): the pace is measured from here.
                _anchored = true;
                _anchorAt = at;
                _anchorPercent = now;
                return null;
            }
            var seconds = (at - _anchorAt).TotalSeconds;
            if (now == _anchorPercent || seconds <= 0) return null;
            var perSecond = (now - _anchorPercent) / seconds;
            return TimeSpan.FromSeconds((100 - now) / perSecond);
        }
    }
}
