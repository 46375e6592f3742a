using System;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// Where environment variables and the home folder come from. The process environment in production; a
    /// dictionary in tests, so credential tests never touch (or race on) the real process environment.
    /// </summary>
    public sealed class EnvironmentReader
    {
        private readonly Func<string, string?> _get;
        private readonly Func<string> _home;

        public EnvironmentReader(Func<string, string?> getVariable, string homeDirectory)
            : this(getVariable, () => homeDirectory)
        {
        }

        public EnvironmentReader(Func<string, string?> getVariable, Func<string> homeDirectory)
        {
            _get = getVariable;
            _home = homeDirectory;
        }

        /// <summary>
        /// The real process environment and the user's home folder, read on every use (a later step of a job may
        /// change either). Home is what Node's <c>os.homedir()</c> answers, as the official SDKs use it: HOME (USERPROFILE
        /// on Windows) when set, else the profile folder.
        /// </summary>
        public static EnvironmentReader Process { get; } = new EnvironmentReader(Environment.GetEnvironmentVariable, ProcessHome);

        public string HomeDirectory => _home();

        /// <summary>The variable's value, or null when it is unset or empty.</summary>
        public string? Get(string name)
        {
            var value = _get(name);
            return string.IsNullOrEmpty(value) ? null : value;
        }

        /// <summary>True when the variable is set to "true" (any case), as the SDKs read their *_DISABLED switches.</summary>
        public bool IsTrue(string name) => string.Equals(Get(name)?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

        private static string ProcessHome()
        {
            var windows = Environment.OSVersion.Platform == PlatformID.Win32NT;
            var home = Environment.GetEnvironmentVariable(windows ? "USERPROFILE" : "HOME");
            return string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home!;
        }
    }
}
