using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace AliBackup.Service
{
    /// <summary>
    /// Consumes pages while the next one is on its way: exactly one page ahead, never more, so a listing moves at the
    /// speed of the slower of fetching and writing (not of both added up) and holds at most two pages in memory.
    /// </summary>
    public static class PagePrefetch
    {
        /// <summary>
        /// Takes each page of <paramref name="pages"/>, asks for the next one, then awaits <paramref name="consume"/> of the
        /// page it took. The page after that is asked for only once the consumer is done with this one. When the consumer
        /// fails or the token is cancelled, the fetch in flight is awaited (it sees the same token) before the failure
        /// propagates, so nothing runs on after this returns.
        /// </summary>
        public static Task ForEachAsync<T>(IAsyncEnumerable<T> pages, Func<T, Task> consume, CancellationToken cancellationToken) =>
            ForEachAsync(pages, null, consume, cancellationToken);

        /// <summary>
        /// As <see cref="ForEachAsync{T}(IAsyncEnumerable{T}, Func{T, Task}, CancellationToken)"/>, with a head start: each
        /// page's <paramref name="lead"/> (say, writing its first object downstream) is awaited before the next page is
        /// asked for, then <paramref name="consume"/> runs while it is on its way. So the first object never waits behind
        /// the next page's fetch (on a machine that also runs the service, both would share its cores), and the rest of
        /// the page still overlaps it.
        /// </summary>
        public static async Task ForEachAsync<T>(IAsyncEnumerable<T> pages, Func<T, Task>? lead, Func<T, Task> consume, CancellationToken cancellationToken)
        {
            var enumerator = pages.GetAsyncEnumerator(cancellationToken);
            ValueTask<bool> next = default;
            var fetching = false;
            try
            {
                next = enumerator.MoveNextAsync();
                while (true)
                {
                    // Awaited here exactly once (a ValueTask must not be awaited twice), so the finally has nothing to wait for.
                    fetching = false;
                    if (!await next.ConfigureAwait(false)) break;
                    var page = enumerator.Current;
                    if (lead != null) await lead(page).ConfigureAwait(false);
                    next = enumerator.MoveNextAsync();
                    fetching = true;
                    await consume(page).ConfigureAwait(false);
                }
            }
            finally
            {
                if (fetching)
                {
                    // An async iterator cannot be disposed while a MoveNextAsync is running: let it end first. Its outcome
                    // is not this call's (the consumer's failure, or the cancellation, is what propagates).
                    try
                    {
                        await next.ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                    }
                }
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
