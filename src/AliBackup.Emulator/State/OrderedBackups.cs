namespace AliBackup.Emulator.State;

/// <summary>
/// One instance's backup sets, kept ordered by start time as they are added, so that DescribeBackups reads a window and
/// a page by index instead of filtering and re-sorting every set on every page (24 ms a page at 100,000 sets).
/// </summary>
public sealed class OrderedBackups
{
    // Ascending by StartTime; among equal start times the set added last comes first, so the newest-first view lists
    // equal times in the order they were added (the order the emulator always answered with).
    private List<EmulatedBackup> _ascending = [];

    // Set once a view of the list was handed out: the next change copies the list first, so a view being read outside
    // the state's lock never sees it move (copy on write; a seeded history is built before any view is taken).
    private bool _shared;

    public int Count => _ascending.Count;

    public void Add(EmulatedBackup backup)
    {
        if (_shared)
        {
            _ascending = [.. _ascending];
            _shared = false;
        }
        _ascending.Insert(LowerBound(_ascending, 0, _ascending.Count, backup.StartTime), backup);
    }

    /// <summary>Every set, newest first.</summary>
    public NewestFirst View()
    {
        _shared = true;
        return new NewestFirst(_ascending, 0, _ascending.Count);
    }

    /// <summary>First index in [lo, hi) whose start time is not earlier than <paramref name="time"/>.</summary>
    private static int LowerBound(List<EmulatedBackup> list, int lo, int hi, DateTimeOffset time)
    {
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].StartTime < time) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>First index in [lo, hi) whose start time is later than <paramref name="time"/>.</summary>
    private static int UpperBound(List<EmulatedBackup> list, int lo, int hi, DateTimeOffset time)
    {
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].StartTime <= time) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// A range of an ascending list that no longer changes, read newest first by index: a window is two binary searches,
    /// and LINQ's Skip/Take index into it (it is an IList), so a page costs the page, not the history.
    /// </summary>
    public sealed class NewestFirst : IReadOnlyList<EmulatedBackup>, IList<EmulatedBackup>
    {
        private readonly List<EmulatedBackup> _ascending;
        private readonly int _from;

        internal NewestFirst(List<EmulatedBackup> ascending, int from, int count)
        {
            _ascending = ascending;
            _from = from;
            Count = count;
        }

        public int Count { get; }

        public EmulatedBackup this[int index]
        {
            get => (uint)index < (uint)Count ? _ascending[_from + Count - 1 - index] : throw new ArgumentOutOfRangeException(nameof(index));
            set => throw new NotSupportedException();
        }

        /// <summary>The sets whose start lies within [<paramref name="start"/>, <paramref name="end"/>] (either bound may be open).</summary>
        public NewestFirst Within(DateTimeOffset? start, DateTimeOffset? end)
        {
            var lo = start.HasValue ? LowerBound(_ascending, _from, _from + Count, start.Value) : _from;
            var hi = end.HasValue ? UpperBound(_ascending, _from, _from + Count, end.Value) : _from + Count;
            return new NewestFirst(_ascending, lo, Math.Max(0, hi - lo));
        }

        public IEnumerator<EmulatedBackup> GetEnumerator()
        {
            for (var i = _from + Count - 1; i >= _from; i--) yield return _ascending[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public bool IsReadOnly => true;

        public void CopyTo(EmulatedBackup[] array, int arrayIndex)
        {
            for (var i = 0; i < Count; i++) array[arrayIndex + i] = this[i];
        }

        public int IndexOf(EmulatedBackup item) => throw new NotSupportedException();
        public bool Contains(EmulatedBackup item) => throw new NotSupportedException();
        public void Insert(int index, EmulatedBackup item) => throw new NotSupportedException();
        public void RemoveAt(int index) => throw new NotSupportedException();
        public void Add(EmulatedBackup item) => throw new NotSupportedException();
        public void Clear() => throw new NotSupportedException();
        public bool Remove(EmulatedBackup item) => throw new NotSupportedException();
    }
}
