namespace AliBackup.PowerShell.Internal
{
    /// <summary>
    /// Where each cmdlet's help is online (its HelpUri, for Get-Help -Online): the docs/ page it is compiled from, under
    /// the manifest's ProjectUri. The docs' "online version" front matter names the same pages (a test holds all three
    /// together).
    /// </summary>
    internal static class OnlineHelp
    {
        public const string Docs = "https://github.com/alibackup/AliBackup.PowerShell/blob/main/docs/";
    }
}
