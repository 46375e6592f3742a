using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace AliBackup.Service.Credentials
{
    /// <summary>
    /// The INI credentials file of the official SDKs (<c>~/.alibabacloud/credentials</c>, or
    /// <c>ALIBABA_CLOUD_CREDENTIALS_FILE</c>): <c>[section]</c> lines, <c>key = value</c> pairs, <c>;</c> and <c>#</c>
    /// comments (also after a value, as the SDKs' ini parser reads them), and optionally quoted values.
    /// </summary>
    public sealed class IniCredentialsFile
    {
        public const string PathVariable = "ALIBABA_CLOUD_CREDENTIALS_FILE";

        private readonly Dictionary<string, Dictionary<string, string>> _sections;

        private IniCredentialsFile(string path, Dictionary<string, Dictionary<string, string>> sections)
        {
            Path = path;
            _sections = sections;
        }

        public string Path { get; }

        public IEnumerable<string> SectionNames => _sections.Keys;

        /// <summary>The file named by ALIBABA_CLOUD_CREDENTIALS_FILE, else ~/.alibabacloud/credentials.</summary>
        public static string PathFor(EnvironmentReader environment) =>
            environment.Get(PathVariable) ?? System.IO.Path.Combine(environment.HomeDirectory, ".alibabacloud", "credentials");

        /// <summary>Reads and parses the file; a missing, unreadable or malformed file is an error that quotes none of it.</summary>
        public static IniCredentialsFile Load(string path)
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(path, Encoding.UTF8);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
            {
                throw new AliBackupCredentialException(ex is FileNotFoundException || ex is DirectoryNotFoundException
                    ? "The credentials file " + path + " does not exist."
                    : "The credentials file " + path + " cannot be read (" + ex.GetType().Name + ").");
            }

            var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            Dictionary<string, string>? current = null;
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (line.Length == 0 || line[0] == ';' || line[0] == '#') continue;
                if (line[0] == '[')
                {
                    var end = line.IndexOf(']');
                    if (end < 0) throw Malformed(path, i);
                    var name = line.Substring(1, end - 1).Trim();
                    if (!sections.TryGetValue(name, out current))
                    {
                        current = new Dictionary<string, string>(StringComparer.Ordinal);
                        sections[name] = current;
                    }
                    continue;
                }
                var eq = line.IndexOf('=');
                // A line outside any section or without '=' cannot be a setting. Only its number is reported: it may hold a secret.
                if (eq <= 0 || current == null) throw Malformed(path, i);
                current[line.Substring(0, eq).Trim()] = Value(line.Substring(eq + 1));
            }
            return new IniCredentialsFile(path, sections);
        }

        /// <summary>The settings of a section, or null when the file has none of that name.</summary>
        public IReadOnlyDictionary<string, string>? Section(string name) => _sections.TryGetValue(name, out var section) ? section : null;

        private static string Value(string raw)
        {
            var text = raw.Trim();
            if (text.Length >= 2 && (text[0] == '"' || text[0] == '\'') && text[text.Length - 1] == text[0])
                return text.Substring(1, text.Length - 2);
            var sb = new StringBuilder();
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '\\' && i + 1 < text.Length && (text[i + 1] == ';' || text[i + 1] == '#' || text[i + 1] == '\\'))
                {
                    sb.Append(text[++i]);
                    continue;
                }
                if (c == ';' || c == '#') break;
                sb.Append(c);
            }
            return sb.ToString().Trim();
        }

        private static AliBackupCredentialException Malformed(string path, int index) =>
            new AliBackupCredentialException("The credentials file " + path + " is not valid INI (line " + (index + 1) + ").");
    }
}
