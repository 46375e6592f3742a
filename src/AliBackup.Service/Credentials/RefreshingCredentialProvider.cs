using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// Temporary credentials already obtained, keyed by what produced them (role, session, source key…). One cache per
    /// PowerShell session lets consecutive commands share a session instead of calling STS for each.
    /// </summary>
    public sealed class TemporaryCredentialCache
    {
        private readonly ConcurrentDictionary<string, Entry> _entries = new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);

        /// <summary>How many sessions are cached.</summary>
        public int Count => _entries.Count;

        /// <summary>Forgets every cached session (Disconnect-AliBackup).</summary>
        public void Clear() => _entries.Clear();

        internal Entry For(string fingerprint) => _entries.GetOrAdd(Hash(fingerprint), _ => new Entry());

        /// <summary>The key never holds a secret: fingerprints may include one, so only their hash is kept.</summary>
        private static string Hash(string fingerprint)
        {
            using var sha = SHA256.Create();
            return Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(fingerprint)));
        }

        internal sealed class Entry
        {
            public SemaphoreSlim Gate { get; } = new SemaphoreSlim(1, 1);
            public AliCredential? Current { get; set; }
            public DateTimeOffset RefreshAt { get; set; }
            public int Failures { get; set; }

            /// <summary>The service called the current credentials expired: never fall back to them.</summary>
            public bool Rejected { get; set; }
        }
    }

    /// <summary>
    /// A source of temporary credentials (STS, instance metadata, credentials URI) that caches them and fetches new
    /// ones before they expire: at <c>Expiration - RefreshMargin</c> (15 minutes for STS, as the official SDKs do), but
    /// never later than half-way through the session's life, so short sessions are not fetched again on every call.
    /// When a refresh fails while the old credentials still work, the old ones are used and the refresh is retried
    /// with backoff.
    /// </summary>
    public abstract class RefreshingCredentialProvider : ICredentialProvider, IFingerprintedCredentialProvider, IRefreshableCredentialProvider
    {
        /// <summary>The SDKs treat STS sessions as stale 15 minutes before they expire.</summary>
        public static readonly TimeSpan StsRefreshMargin = TimeSpan.FromMinutes(15);

        private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(10);
        private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(5);

        protected RefreshingCredentialProvider(CredentialContext context, TimeSpan refreshMargin)
        {
            Context = context;
            RefreshMargin = refreshMargin;
        }

        protected CredentialContext Context { get; }

        public TimeSpan RefreshMargin { get; }

        public abstract string Name { get; }

        /// <summary>Everything that decides which credentials this provider gets (may include secrets: only its hash is stored).</summary>
        public abstract string Fingerprint { get; }

        /// <summary>Obtains new credentials; throws an <see cref="AliBackupException"/> saying why it cannot.</summary>
        protected abstract Task<AliCredential> FetchAsync(CancellationToken cancellationToken);

        public async Task<AliCredential> GetCredentialAsync(CancellationToken cancellationToken)
        {
            var entry = Context.Cache.For(Fingerprint);
            var current = entry.Current;
            if (current != null && Context.Time.GetUtcNow() < entry.RefreshAt) return current;

            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Another caller may have refreshed while this one waited.
                var now = Context.Time.GetUtcNow();
                current = entry.Current;
                if (current != null && now < entry.RefreshAt) return current;

                AliCredential fresh;
                try
                {
                    fresh = (await FetchAsync(cancellationToken).ConfigureAwait(false)).AsRefreshable();
                }
                catch (AliBackupException ex) when (current?.Expiration != null && now < current.Expiration.Value && !entry.Rejected)
                {
                    entry.Failures++;
                    var retry = TimeSpan.FromTicks(Math.Min(LongestRetry.Ticks, FirstRetry.Ticks << Math.Min(entry.Failures - 1, 10)));
                    entry.RefreshAt = now + retry < current.Expiration.Value ? now + retry : current.Expiration.Value;
                    Context.Notice("Could not refresh the temporary credentials from " + Name + " (" + ex.Message + "); using the current ones, which expire at " +
                                   Format(current.Expiration.Value) + ", and retrying in " + (int)retry.TotalSeconds + " s.", isWarning: true);
                    return current;
                }

                entry.Current = fresh;
                entry.Failures = 0;
                entry.Rejected = false;
                entry.RefreshAt = RefreshTimeOf(fresh, now);
                Context.Notice("Obtained temporary credentials (AccessKeyId " + fresh.MaskedAccessKeyId + ") from " + Name +
                               (fresh.Expiration.HasValue ? ", valid until " + Format(fresh.Expiration.Value) + "; refresh at " + Format(entry.RefreshAt) : "") + ".");
                return fresh;
            }
            finally
            {
                entry.Gate.Release();
            }
        }

        public bool Invalidate(AliCredential rejected)
        {
            var entry = Context.Cache.For(Fingerprint);
            var current = entry.Current;
            if (current == null || !current.SameKeysAs(rejected)) return current != null;
            entry.Rejected = true;
            entry.RefreshAt = DateTimeOffset.MinValue;
            return true;
        }

        /// <summary>When credentials obtained at <paramref name="now"/> should be replaced.</summary>
        internal DateTimeOffset RefreshTimeOf(AliCredential credential, DateTimeOffset now)
        {
            if (!credential.Expiration.HasValue) return DateTimeOffset.MaxValue;
            var expiration = credential.Expiration.Value;
            var lifetime = expiration - now;
            if (lifetime <= TimeSpan.Zero) return now;
            var margin = RefreshMargin < TimeSpan.FromTicks(lifetime.Ticks / 2) ? RefreshMargin : TimeSpan.FromTicks(lifetime.Ticks / 2);
            return expiration - margin;
        }

        internal static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>A provider whose results can be told apart by configuration (used to key cached sessions of chained roles).</summary>
    public interface IFingerprintedCredentialProvider
    {
        string Fingerprint { get; }
    }
}
