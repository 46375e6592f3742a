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

        public EnvironmentReader(Func<string, string?> getVariable, string homeDirectory)
        {
            _get = getVariable;
            HomeDirectory = homeDirectory;
        }

        /// <summary>The real process environment and the user's profile folder (<c>~</c>, %USERPROFILE% on Windows).</summary>
        public static EnvironmentReader Process { get; } = new EnvironmentReader(
            Environment.GetEnvironmentVariable,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

        public string HomeDirectory { get; }

        /// <summary>The variable's value, or null when it is unset or empty.</summary>
        public string? Get(string name)
        {
            var value = _get(name);
            return string.IsNullOrEmpty(value) ? null : value;
        }

        /// <summary>True when the variable is set to "true" (any case), as the SDKs read their *_DISABLED switches.</summary>
        public bool IsTrue(string name) => string.Equals(Get(name)?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
    }
}
