namespace AliBackup
{
    /// <summary>A backup that cannot be downloaded: it failed, or the service offers no URL for it.</summary>
    public sealed class BackupNotDownloadableException : AliBackupException
    {
        public BackupNotDownloadableException(Backup backup, string reason, string recommendedAction)
            : base("Backup " + backup.BackupId + " of " + backup.InstanceId + " cannot be downloaded: " + reason)
        {
            Backup = backup;
            Recommendation = recommendedAction;
        }

        public Backup Backup { get; }

        private string Recommendation { get; }

        public override string ErrorKind => "NotDownloadable";

        public override string RecommendedAction => Recommendation;
    }

    /// <summary>A file of that name exists and is not this backup's complete file; it is left alone without -Force.</summary>
    public sealed class DownloadTargetExistsException : AliBackupException
    {
        public DownloadTargetExistsException(string path, long length, long expected)
            : base("'" + path + "' already exists with " + length + " bytes, but the backup has " + expected + "; it was left as it is.")
        {
            Path = path;
        }

        public string Path { get; }

        public override string ErrorKind => "FileExists";

        public override string RecommendedAction => "Pass -Force to replace it, or -Path to save elsewhere.";
    }

    /// <summary>The download did not end with the backup's whole file (HTTP error, too many interruptions, wrong size).</summary>
    public sealed class DownloadFailedException : AliBackupException
    {
        public DownloadFailedException(Backup backup, string reason, System.Exception? inner = null)
            : base("Downloading backup " + backup.BackupId + " of " + backup.InstanceId + " failed: " + reason, inner)
        {
            Backup = backup;
        }

        public Backup Backup { get; }

        public override string ErrorKind => "DownloadFailed";

        public override string RecommendedAction =>
            "Run Save-AliBackup again: what was downloaded is kept (.partial) and the download resumes where it stopped.";
    }
}
