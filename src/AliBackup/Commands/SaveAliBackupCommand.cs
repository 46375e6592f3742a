using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using AliBackup.PowerShell.Internal;
using AliBackup.Service.Downloads;

namespace AliBackup.PowerShell.Commands
{
    /// <summary>
    /// Save-AliBackup: downloads the files of piped backups into a folder and writes a FileInfo per file. Several files
    /// download at once (-ThrottleLimit); each is streamed to disk, resumes where an interrupted transfer stopped, and
    /// becomes its file only once its size is the backup's. A backup that failed or has no URL is an error for that item.
    /// </summary>
    [Cmdlet(VerbsData.Save, "AliBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = Internal.OnlineHelp.Docs + "Save-AliBackup.md")]
    [OutputType(typeof(FileInfo))]
    public sealed class SaveAliBackupCommand : AliBackupCmdlet
    {
        private static readonly TimeSpan CiHeartbeat = TimeSpan.FromMinutes(1);
        private readonly List<Backup> _pending = new List<Backup>();
        private BackupDownloader? _downloader;

        /// <summary>The backups to save (from Get-AliBackup or Wait-AliBackupTask).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public Backup[] InputObject { get; set; } = null!;

        /// <summary>The folder to save into (default: the current location); created when missing.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>Use the intranet URL (works only from the backup's region, e.g. an ECS instance in its VPC).</summary>
        [Parameter]
        public SwitchParameter Intranet { get; set; }

        /// <summary>Replace a file of the same name that is not this backup's complete file.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>How many files download at once.</summary>
        [Parameter]
        [ValidateRange(1, 16)]
        public int ThrottleLimit { get; set; } = 4;

        private BackupDownloader Downloader => _downloader!;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            var folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path ?? ".", out var provider, out _);
            if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
                ThrowTerminatingError(ErrorRecords.InvalidArgument("-Path must be a folder in the file system, not '" + Path + "' (" + provider.Name + ").", "Path", Path));
            if (File.Exists(folder))
                ThrowTerminatingError(ErrorRecords.InvalidArgument("-Path '" + folder + "' is a file; give the folder to save into.", "Path", Path));
            _downloader = new BackupDownloader(Service, new DownloadOptions { Directory = folder, Intranet = Intranet, Force = Force });
        }

        protected override void ProcessRecord()
        {
            foreach (var backup in InputObject)
            {
                try
                {
                    BackupDownloader.CheckDownloadable(backup, Intranet);
                }
                catch (BackupNotDownloadableException ex)
                {
                    WriteError(ErrorRecords.From(ex, backup));
                    continue;
                }
                var path = Downloader.TargetPath(backup);
                if (!ShouldProcess(path, "Save backup " + backup.BackupId + " of " + backup.InstanceId + " (" + ByteSize.Format(backup.Size) + ")")) continue;
                _pending.Add(backup);
            }
        }

        protected override void EndProcessing()
        {
            if (_pending.Count == 0) return;
            var ci = CiSystems.Detect();
            var view = new DownloadProgressView(_pending.Count, ci == CiSystem.None && ShowsProgressBars());
            RunAsync(async (output, token) =>
            {
                using var done = CancellationTokenSource.CreateLinkedTokenSource(token);
                var heartbeat = ci == CiSystem.None ? Task.CompletedTask : HeartbeatAsync(output, view, done.Token);
                using (var gate = new SemaphoreSlim(ThrottleLimit))
                {
                    var downloads = _pending.Select(async backup =>
                    {
                        await gate.WaitAsync(token).ConfigureAwait(false);
                        try
                        {
                            await SaveOneAsync(backup, output, view, token).ConfigureAwait(false);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }).ToList();
                    try
                    {
                        await Task.WhenAll(downloads).ConfigureAwait(false);
                    }
                    finally
                    {
                        done.Cancel(); // the heartbeat stops however the downloads end
                    }
                }
                try
                {
                    await heartbeat.ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                }
                output.Post(() => view.Complete(this));
            });
        }

        private async Task SaveOneAsync(Backup backup, PipelineOutput output, DownloadProgressView view, CancellationToken token)
        {
            try
            {
                var result = await Downloader.DownloadAsync(backup, p =>
                {
                    view.Note(p);
                    output.Post(() => view.Show(this, p));
                }, token).ConfigureAwait(false);
                if (result.Skipped)
                    output.WriteVerbose("'" + result.Path + "' is already backup " + backup.BackupId + "'s complete file (" + backup.Size + " bytes); not downloaded again (-Force downloads it anew).");
                else
                    output.WriteVerbose("Saved backup " + backup.BackupId + " of " + backup.InstanceId + " to '" + result.Path + "' (" + ByteSize.Format(backup.Size) + ")" +
                                        (result.Resumes > 0 ? "; resumed " + result.Resumes + " time" + (result.Resumes == 1 ? "" : "s") + " with a Range request" : "") +
                                        (result.UrlRefreshes > 0 ? "; the expired URL was replaced by a fresh one" : "") + ".");
                output.Post(() => view.Finish(this, result.Path));
                output.WriteObject(new FileInfo(result.Path));
            }
            catch (AliBackupException ex) when (FailsOnlyItsItem(ex))
            {
                output.WriteError(ErrorRecords.From(ex, backup));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                output.WriteError(ErrorRecords.From(new DownloadFailedException(backup, ex.Message, ex), backup));
            }
        }

        private async Task HeartbeatAsync(PipelineOutput output, DownloadProgressView view, CancellationToken token)
        {
            while (true)
            {
                output.Post(() => WriteHostLine(view.Heartbeat(), "Heartbeat"));
                await Service.Time.Delay(CiHeartbeat, token).ConfigureAwait(false);
            }
        }

        protected override void ReleaseResources() => _downloader?.Dispose();

    }
}
