using Microsoft.Extensions.Time.Testing;

namespace AliBackup.Service.Tests.Support;

/// <summary>
/// A fake clock that knows its pending timers, so a test can jump straight to the next one the code under test is
/// waiting for: waits, backoff and timeouts are proven without sleeping.
/// </summary>
public sealed class SteppingClock : TimeProvider
{
    private readonly FakeTimeProvider _fake;
    private readonly List<Pending> _pending = [];
    private readonly SemaphoreSlim _timerCreated = new(0);

    public SteppingClock(DateTimeOffset? start = null)
    {
        _fake = new FakeTimeProvider(start ?? DateTimeOffset.UtcNow);
    }

    /// <summary>Every delay the code under test asked for, in order.</summary>
    public List<TimeSpan> RequestedDelays { get; } = [];

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var pending = new Pending(this);
        var inner = _fake.CreateTimer(s => { pending.Fired = true; callback(s); }, state, dueTime, period);
        pending.Inner = inner;
        pending.Due = dueTime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : _fake.GetUtcNow() + dueTime;
        lock (_pending)
        {
            _pending.Add(pending);
            if (dueTime != Timeout.InfiniteTimeSpan) RequestedDelays.Add(dueTime);
        }
        _timerCreated.Release();
        return pending;
    }

    public void Advance(TimeSpan by) => _fake.Advance(by);

    /// <summary>
    /// Waits (in real time, briefly) until the code under test is waiting on a timer, then moves the clock to it.
    /// Returns false when no timer appeared within <paramref name="realTimeout"/> (the code is not waiting).
    /// </summary>
    public async Task<bool> AdvanceToNextTimerAsync(TimeSpan? realTimeout = null)
    {
        var deadline = DateTime.UtcNow + (realTimeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            Pending? next;
            lock (_pending)
            {
                _pending.RemoveAll(p => p.Disposed || p.Fired);
                next = _pending.Where(p => p.Due != DateTimeOffset.MaxValue).OrderBy(p => p.Due).FirstOrDefault();
            }
            if (next != null)
            {
                var gap = next.Due - _fake.GetUtcNow();
                if (gap > TimeSpan.Zero) _fake.Advance(gap);
                else _fake.Advance(TimeSpan.Zero);
                return true;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;
            await _timerCreated.WaitAsync(left < TimeSpan.FromMilliseconds(50) ? left : TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>Steps timer by timer until <paramref name="task"/> completes.</summary>
    public async Task<T> RunUntilDoneAsync<T>(Task<T> task, int maxSteps = 10_000)
    {
        for (var i = 0; i < maxSteps && !task.IsCompleted; i++)
        {
            if (!await AdvanceToNextTimerAsync(TimeSpan.FromMilliseconds(200)) && !task.IsCompleted)
                await Task.WhenAny(task, Task.Delay(20));
        }
        return await task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class Pending(SteppingClock owner) : ITimer
    {
        public ITimer? Inner { get; set; }
        public DateTimeOffset Due { get; set; }
        public bool Fired { get; set; }
        public bool Disposed { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Due = dueTime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : owner.GetUtcNow() + dueTime;
            Fired = false;
            return Inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            Disposed = true;
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
