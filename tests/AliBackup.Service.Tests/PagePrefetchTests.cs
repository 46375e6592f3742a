using System.Runtime.CompilerServices;

namespace AliBackup.Service.Tests;

/// <summary>Pages are consumed while the next one is fetched: one page ahead, never more.</summary>
public class PagePrefetchTests
{
    /// <summary>Five pages; records which pages were asked for, and each page's fetch waits until it is let go.</summary>
    private sealed class Source
    {
        public readonly List<int> Asked = [];
        public readonly Dictionary<int, TaskCompletionSource> Fetches = [];
        public int Disposed;

        public async IAsyncEnumerable<int> Pages([EnumeratorCancellation] CancellationToken token = default)
        {
            try
            {
                for (var page = 1; page <= 5; page++)
                {
                    TaskCompletionSource fetch;
                    lock (Asked)
                    {
                        Asked.Add(page);
                        Fetches[page] = fetch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                    await fetch.Task.WaitAsync(token);
                    yield return page;
                }
            }
            finally
            {
                Interlocked.Increment(ref Disposed);
            }
        }

        public void Release(int page)
        {
            lock (Asked) Fetches[page].TrySetResult();
        }

        public int[] AskedSoFar()
        {
            lock (Asked) return [.. Asked];
        }
    }

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }

    [Fact]
    public async Task The_next_page_is_asked_for_while_one_is_consumed_and_the_one_after_only_once_it_is_done()
    {
        var source = new Source();
        var consumed = new List<int>();
        var consumers = new Dictionary<int, TaskCompletionSource>();
        var run = PagePrefetch.ForEachAsync(source.Pages(), page =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (consumers)
            {
                consumed.Add(page);
                consumers[page] = done;
            }
            return done.Task;
        }, CancellationToken.None);

        source.Release(1);
        await Until(() => { lock (consumers) return consumed.Count == 1; });
        // Page 1 is being written: page 2 is on its way, page 3 is not.
        await Until(() => source.AskedSoFar().Length == 2);
        source.Release(2);
        await Task.Delay(100);
        Assert.Equal([1, 2], source.AskedSoFar());
        lock (consumers) Assert.Equal([1], consumed);

        lock (consumers) consumers[1].SetResult();
        await Until(() => { lock (consumers) return consumed.Count == 2; });
        await Until(() => source.AskedSoFar().Length == 3);
        Assert.Equal([1, 2, 3], source.AskedSoFar());

        for (var page = 2; page <= 5; page++)
        {
            var at = page;
            if (at < 5)
            {
                await Until(() => source.AskedSoFar().Length == at + 1);
                source.Release(at + 1);
            }
            await Until(() => { lock (consumers) return consumers.ContainsKey(at); });
            // Never more than one page ahead of the one being written.
            Assert.True(source.AskedSoFar().Length <= at + 1);
            lock (consumers) consumers[at].SetResult();
        }
        await run;
        Assert.Equal([1, 2, 3, 4, 5], consumed);
        Assert.Equal(1, source.Disposed);
    }

    [Fact]
    public async Task With_a_lead_the_next_page_is_asked_for_only_once_the_lead_of_this_one_is_done()
    {
        var source = new Source();
        var lead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var leads = 0;
        var run = PagePrefetch.ForEachAsync(source.Pages(),
            page =>
            {
                Interlocked.Increment(ref leads);
                return page == 1 ? lead.Task : Task.CompletedTask;
            },
            page => Task.CompletedTask,
            CancellationToken.None);

        source.Release(1);
        await Until(() => Volatile.Read(ref leads) == 1);
        await Task.Delay(100);
        // Page 1's first object is still on its way downstream: page 2 waits.
        Assert.Equal([1], source.AskedSoFar());

        lead.SetResult();
        await Until(() => source.AskedSoFar().Length == 2);
        for (var page = 2; page <= 5; page++)
        {
            var at = page;
            await Until(() => source.AskedSoFar().Length >= at);
            source.Release(at);
        }
        await run;
        Assert.Equal(5, leads);
    }

    [Fact]
    public async Task A_consumer_that_fails_ends_the_fetch_in_flight_and_the_failure_is_what_comes_out()
    {
        var source = new Source();
        using var stop = new CancellationTokenSource();
        var run = PagePrefetch.ForEachAsync(source.Pages(stop.Token), page =>
        {
            // The pipeline stopped while page 1 was written: the command's token is cancelled, the write fails.
            stop.Cancel();
            throw new InvalidOperationException("downstream failed");
        }, stop.Token);

        source.Release(1);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => run);
        Assert.Equal("downstream failed", failure.Message);
        // Page 2 was in flight; it ended with the token and the source was disposed, nothing more was asked for.
        Assert.Equal([1, 2], source.AskedSoFar());
        Assert.Equal(1, source.Disposed);
    }

    [Fact]
    public async Task A_page_that_cannot_be_fetched_fails_the_listing_after_the_pages_before_it()
    {
        var consumed = new List<int>();

        static async IAsyncEnumerable<int> Failing()
        {
            yield return 1;
            await Task.Yield();
            throw new AliBackupApiException("r-kvstore", "DescribeBackups", 503, "ServiceUnavailable", "try later", "req-1");
        }

        var failure = await Assert.ThrowsAsync<AliBackupApiException>(() => PagePrefetch.ForEachAsync(Failing(), page =>
        {
            consumed.Add(page);
            return Task.CompletedTask;
        }, CancellationToken.None));

        Assert.Equal("ServiceUnavailable", failure.Code);
        Assert.Equal([1], consumed);
    }
}
