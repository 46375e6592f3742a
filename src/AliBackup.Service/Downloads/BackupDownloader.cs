using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.Service.Engines;

namespace AliBackup.Service.Downloads
{
    /// <summary>How <see cref="BackupDownloader"/> saves files.</summary>
    public sealed class DownloadOptions
    {
        /// <summary>The folder files are written to (created if missing).</summary>
        public string Directory { get; set; } = ".";

        /// <summary>Use the intranet URL (works only from the backup's region/VPC).</summary>
        public bool Intranet { get; set; }

        /// <summary>Replace a file of the same name that is not this backup's complete file, and start over.</summary>
        public bool Force { get; set; }

        /// <summary>A URL that expires sooner than this is replaced by a fresh one (DescribeBackups) before it is used.</summary>
        public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>Transfers per file, counting the first; each one after an interruption resumes with a Range request.</summary>
        public int MaxAttempts { get; set; } = 5;

        /// <summary>A transfer that delivers no byte for this long is abandoned (and resumed).</summary>
        public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>The one buffer each transfer copies through: memory does not grow with the file.</summary>
        public int BufferSize { get; set; } = 81920;

        /// <summary>How often progress is reported per file.</summary>
        public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    }

    /// <summary>Where one file's download stands.</summary>
    public sealed class DownloadProgress
    {
        public DownloadProgress(Backup backup, string path, long bytesDone, long totalBytes, double bytesPerSecond, bool done)
        {
            Backup = backup;
            Path = path;
            BytesDone = bytesDone;
            TotalBytes = totalBytes;
            BytesPerSecond = bytesPerSecond;
            Done = done;
        }

        public Backup Backup { get; }
        public string Path { get; }
        public long BytesDone { get; }

        /// <summary>The backup's size (0 when the service did not say).</summary>
        public long TotalBytes { get; }

        /// <summary>Bytes per second over this run's transfers of the file.</summary>
        public double BytesPerSecond { get; }

        public bool Done { get; }

        public int PercentComplete => TotalBytes <= 0 ? -1 : (int)Math.Min(100, BytesDone * 100 / TotalBytes);

        /// <summary>Time left at the current rate; null until there is a rate.</summary>
        public TimeSpan? TimeLeft => TotalBytes <= 0 || BytesPerSecond < 1 ? (TimeSpan?)null : TimeSpan.FromSeconds(Math.Min(TimeSpan.MaxValue.TotalSeconds / 2, Math.Max(0, TotalBytes - BytesDone) / BytesPerSecond));
    }

    /// <summary>What one download did.</summary>
    public sealed class DownloadResult
    {
        public DownloadResult(Backup backup, string path, bool skipped, int resumes, int urlRefreshes)
        {
            Backup = backup;
            Path = path;
            Skipped = skipped;
            Resumes = resumes;
            UrlRefreshes = urlRefreshes;
        }

        public Backup Backup { get; }

        /// <summary>The complete file.</summary>
        public string Path { get; }

        /// <summary>The complete file was already there; nothing was downloaded.</summary>
        public bool Skipped { get; }

        /// <summary>Transfers that continued a partial file with a Range request.</summary>
        public int Resumes { get; }

        /// <summary>Times the URL was replaced because it had expired or was about to.</summary>
        public int UrlRefreshes { get; }
    }

    /// <summary>
    /// Downloads backup files: streamed to disk through one buffer, into <c>&lt;name&gt;.partial</c> that becomes the file only
    /// once its size is the backup's; an interrupted transfer resumes with an HTTP Range request; a pre-signed URL that has
    /// expired (or is about to) is replaced by a fresh one from DescribeBackups. Files still open when the downloader is
    /// disposed (the pipeline stopped) are closed; what they hold stays, to resume from.
    /// </summary>
    public sealed class BackupDownloader : IDisposable
    {
        public const string PartialSuffix = ".partial";

        private static readonly Lazy<HttpClient> SharedHttp = new Lazy<HttpClient>(() =>
            new HttpClient(new HttpClientHandler { AllowAutoRedirect = true, UseCookies = false, AutomaticDecompression = DecompressionMethods.None })
            { Timeout = Timeout.InfiniteTimeSpan });

        private readonly BackupService _service;
        private readonly HttpMessageInvoker _http;
        private readonly DownloadOptions _options;
        private readonly ConcurrentDictionary<FileStream, byte> _open = new ConcurrentDictionary<FileStream, byte>();
        private readonly CancellationTokenSource _disposed = new CancellationTokenSource();

        public BackupDownloader(BackupService service, DownloadOptions options, HttpMessageInvoker? http = null)
        {
            _service = service;
            _options = options;
            _http = http ?? SharedHttp.Value;
        }

        /// <summary>Throws <see cref="BackupNotDownloadableException"/> for a backup that has no file to fetch, saying why.</summary>
        public static void CheckDownloadable(Backup backup, bool intranet)
        {
            if (backup.Status == BackupStatus.Failed)
                throw new BackupNotDownloadableException(backup, "its status is Failed, so it has no file.",
                    "Start a new backup with Start-AliBackup -InstanceId " + backup.InstanceId + ", or pick a successful one with Get-AliBackup.");
            if (backup.Engine == BackupEngine.PolarDB)
                throw new BackupNotDownloadableException(backup, "PolarDB data backups are snapshots and have no download URL.",
                    "Download PolarDB data through DBS advanced download (DBS API 2021-01-01: CreateDownload with BakSetId " + backup.BackupId +
                    ", then DescribeDownloadTask), or in the console under Backup and Restore > Download.");
            var url = intranet ? backup.IntranetDownloadUrl : backup.DownloadUrl;
            if (string.IsNullOrEmpty(url))
                throw new BackupNotDownloadableException(backup, "the service gives no " + (intranet ? "intranet " : "") + "download URL for it" +
                    (backup.Engine == BackupEngine.RDS ? " (for example SQL Server snapshot backups, or a set with IsAvail 0)." : "."),
                    intranet ? "Leave out -Intranet to use the public URL." : "Check the backup in the console; only downloadable backups carry a URL.");
        }

        /// <summary>Where a backup is saved.</summary>
        public string TargetPath(Backup backup) =>
            Path.Combine(Path.GetFullPath(_options.Directory), BackupFileNames.For(backup, _options.Intranet ? backup.IntranetDownloadUrl : backup.DownloadUrl));

        /// <summary>Downloads one backup's file (or finds it already complete).</summary>
        public async Task<DownloadResult> DownloadAsync(Backup backup, Action<DownloadProgress>? progress, CancellationToken cancellationToken)
        {
            CheckDownloadable(backup, _options.Intranet);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
            var token = linked.Token;
            var path = TargetPath(backup);
            var partial = path + PartialSuffix;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);

            if (File.Exists(path))
            {
                var length = new FileInfo(path).Length;
                if (backup.Size > 0 && length == backup.Size && !_options.Force) return new DownloadResult(backup, path, true, 0, 0);
                if (!_options.Force) throw new DownloadTargetExistsException(path, length, backup.Size);
            }
            if (_options.Force && File.Exists(partial)) File.Delete(partial);

            var url = (_options.Intranet ? backup.IntranetDownloadUrl : backup.DownloadUrl)!;
            var refreshes = 0;
            var resumes = 0;
            long transferred = 0;
            var started = _service.Time.GetTimestamp();
            TimeSpan? lastReport = null;
            Exception? lastFailure = null;

            void Report(long done, bool finished)
            {
                if (progress == null) return;
                var elapsed = _service.Time.GetElapsedTime(started);
                if (!finished && lastReport.HasValue && elapsed - lastReport.Value < _options.ProgressInterval) return;
                lastReport = elapsed;
                var rate = elapsed.TotalSeconds > 0 ? transferred / elapsed.TotalSeconds : 0;
                progress(new DownloadProgress(backup, path, done, backup.Size, rate, finished));
            }

            for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
            {
                token.ThrowIfCancellationRequested();
                if (refreshes < 2 && ExpiresWithin(url, _options.RefreshMargin))
                {
                    url = await FreshUrlAsync(backup, token).ConfigureAwait(false);
                    refreshes++;
                }

                var offset = File.Exists(partial) ? new FileInfo(partial).Length : 0;
                if (backup.Size > 0 && offset > backup.Size)
                {
                    File.Delete(partial);
                    offset = 0;
                }
                if (backup.Size <= 0 || offset < backup.Size)
                {
                    // Every transfer that continues a partial file is a resume, however it ends.
                    if (offset > 0) resumes++;
                    var outcome = await TransferAsync(url, partial, offset, (position, delta) => { transferred += delta; Report(position, false); }, token).ConfigureAwait(false);
                    if (outcome.Expired && refreshes < 2)
                    {
                        // The URL stopped working (its signature expired): fetch a fresh one and go on from the same byte.
                        url = await FreshUrlAsync(backup, token).ConfigureAwait(false);
                        refreshes++;
                        continue;
                    }
                    if (outcome.Failure != null)
                    {
                        lastFailure = outcome.Failure;
                        if (outcome.Fatal) throw new DownloadFailedException(backup, outcome.Failure.Message, outcome.Failure);
                        await _service.Time.Delay(TimeSpan.FromMilliseconds(100 * attempt), token).ConfigureAwait(false);
                        continue;
                    }
                }

                var have = new FileInfo(partial).Length;
                if (backup.Size > 0 && have < backup.Size)
                {
                    // The server ended the body early: a partial file is never taken for the whole one.
                    lastFailure = new IOException("the transfer ended after " + have + " of " + backup.Size + " bytes");
                    continue;
                }
                if (backup.Size > 0 && have > backup.Size)
                {
                    File.Delete(partial);
                    throw new DownloadFailedException(backup, "the server sent " + have + " bytes, more than the backup's " + backup.Size + "; the partial file was removed.");
                }
                if (File.Exists(path)) File.Delete(path);
                File.Move(partial, path);
                Report(have, true);
                return new DownloadResult(backup, path, false, resumes, refreshes);
            }
            throw new DownloadFailedException(backup, "it did not complete in " + _options.MaxAttempts + " transfers (last: " + (lastFailure?.Message ?? "unknown") + ").", lastFailure);
        }

        private bool ExpiresWithin(string url, TimeSpan margin)
        {
            var expires = DownloadUrls.ExpiresAt(url);
            return expires.HasValue && expires.Value - _service.Time.GetUtcNow() < margin;
        }

        /// <summary>The same backup's URL from DescribeBackups now.</summary>
        private async Task<string> FreshUrlAsync(Backup backup, CancellationToken token)
        {
            var around = backup.StartTime ?? _service.Time.GetUtcNow();
            var query = new BackupQuery(backup.InstanceId, around - TimeSpan.FromDays(1), (backup.EndTime ?? around) + TimeSpan.FromDays(1)) { BackupId = backup.BackupId };
            var target = _service.ResolveTarget(backup.Region, backup.Endpoint);
            var found = await _service.GetAllBackupsAsync(target, query, backup.Engine, token).ConfigureAwait(false);
            var same = found.FirstOrDefault(b => b.BackupId == backup.BackupId && (backup.NodeInstanceId == null || b.NodeInstanceId == null || b.NodeInstanceId == backup.NodeInstanceId));
            var url = same == null ? null : _options.Intranet ? same.IntranetDownloadUrl : same.DownloadUrl;
            if (string.IsNullOrEmpty(url))
                throw new DownloadFailedException(backup, "its download URL expired and DescribeBackups no longer offers one for it.");
            return url!;
        }

        private sealed class TransferOutcome
        {
            public long Received;
            public bool Expired;
            public bool Fatal;
            public Exception? Failure;
        }

        /// <summary>One GET into the partial file, from <paramref name="offset"/>. Interruptions are outcomes, not exceptions.</summary>
        private async Task<TransferOutcome> TransferAsync(string url, string partial, long offset, Action<long, long> received, CancellationToken token)
        {
            var outcome = new TransferOutcome();
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(token);
            stall.CancelAfter(_options.StallTimeout);
            HttpResponseMessage response;
            try
            {
                // Headers only: the body is read as a stream, never buffered whole (HttpClient's default would).
                response = _http is HttpClient client
                    ? await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false)
                    : await _http.SendAsync(request, stall.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                outcome.Failure = new IOException("could not reach " + DownloadUrls.Redacted(url) + ": " + (ex.InnerException?.Message ?? ex.Message), ex);
                return outcome;
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                outcome.Failure = new IOException("no answer from " + DownloadUrls.Redacted(url) + " within " + _options.StallTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s");
                return outcome;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (status == 403 || status == 400 && ExpiresWithin(url, TimeSpan.Zero))
                {
                    // OSS answers an expired signature with 403 AccessDenied ("Request has expired").
                    outcome.Expired = true;
                    outcome.Failure = new IOException("the URL was refused (HTTP " + status + ")");
                    return outcome;
                }
                if (status == 416)
                {
                    // The partial file does not fit this object (it changed, or was already complete): start over.
                    File.Delete(partial);
                    outcome.Failure = new IOException("the server refused the range from byte " + offset + " (HTTP 416)");
                    return outcome;
                }
                if (!response.IsSuccessStatusCode)
                {
                    outcome.Failure = new IOException("the server answered HTTP " + status + " " + response.ReasonPhrase);
                    outcome.Fatal = status != 408 && status != 429 && status < 500;
                    return outcome;
                }

                var resumeAt = offset;
                if (offset > 0 && (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != offset))
                    resumeAt = 0; // the server ignored the range and sends the whole file

                var file = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, 4096, useAsync: true);
                _open[file] = 0;
                try
                {
                    file.SetLength(resumeAt);
                    file.Seek(resumeAt, SeekOrigin.Begin);
                    using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                    var buffer = new byte[_options.BufferSize];
                    while (true)
                    {
                        stall.CancelAfter(_options.StallTimeout);
                        var read = await body.ReadAsync(buffer, 0, buffer.Length, stall.Token).ConfigureAwait(false);
                        if (read == 0) break;
                        await file.WriteAsync(buffer, 0, read, token).ConfigureAwait(false);
                        outcome.Received += read;
                        received(resumeAt + outcome.Received, read);
                    }
                    await file.FlushAsync(token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!token.IsCancellationRequested && (ex is IOException || ex is HttpRequestException || ex is OperationCanceledException || ex is ObjectDisposedException))
                {
                    outcome.Failure = ex is OperationCanceledException
                        ? new IOException("no data for " + _options.StallTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s")
                        : new IOException("the transfer broke off: " + (ex.InnerException?.Message ?? ex.Message), ex);
                }
                finally
                {
                    _open.TryRemove(file, out _);
                    file.Dispose();
                }
                return outcome;
            }
        }

        /// <summary>Closes any file still being written (a stopped pipeline); the partial files stay, to resume from.</summary>
        public void Dispose()
        {
            try
            {
                _disposed.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
            foreach (var file in _open.Keys.ToList())
            {
                try
                {
                    file.Dispose();
                }
                catch (IOException)
                {
                }
            }
            _open.Clear();
        }
    }
}
