using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace AliBackup.Service.Credentials
{
    /// <summary>One profile of the aliyun CLI's <c>~/.aliyun/config.json</c>, with the fields this module reads.</summary>
    public sealed class CliProfile
    {
        internal CliProfile(JsonElement json)
        {
            Json = json;
            Name = Read("name") ?? "";
            Mode = Read("mode") ?? "";
        }

        internal JsonElement Json { get; }

        public string Name { get; }

        /// <summary>AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn, …</summary>
        public string Mode { get; }

        public string? RegionId => Read("region_id");

        /// <summary>A string field of the profile (numbers are returned as text); null when absent or empty.</summary>
        internal string? Read(string field)
        {
            if (Json.ValueKind != JsonValueKind.Object || !Json.TryGetProperty(field, out var value)) return null;
            var text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
            return string.IsNullOrEmpty(text) ? null : text;
        }
    }

    /// <summary>Reads the aliyun CLI configuration file and picks the profile to use.</summary>
    public sealed class CliProfileStore
    {
        public const string ProfileVariable = "ALIBABA_CLOUD_PROFILE";

        private readonly EnvironmentReader _environment;

        public CliProfileStore(EnvironmentReader environment)
        {
            _environment = environment;
        }

        public EnvironmentReader Environment => _environment;

        /// <summary><c>~/.aliyun/config.json</c> under the user's home folder.</summary>
        public string ConfigPath => Path.Combine(_environment.HomeDirectory, ".aliyun", "config.json");

        public bool Exists => File.Exists(ConfigPath);

        /// <summary>
        /// Every profile in the file, in its order (for -Profile completion): none when the file is missing or cannot be
        /// read, since completion must never fail. Profiles carry their secrets; callers show only name, mode and region.
        /// </summary>
        public IReadOnlyList<CliProfile> ListProfiles()
        {
            var found = new List<CliProfile>();
            try
            {
                if (!Exists) return found;
                using var document = ReadConfig();
                found.AddRange(ProfilesIn(document.RootElement).Where(profile => profile.Name.Length > 0));
            }
            catch (Exception ex) when (ex is JsonException || ex is IOException || ex is UnauthorizedAccessException)
            {
                found.Clear();
            }
            return found;
        }

        /// <summary>
        /// The profile to use: <paramref name="explicitName"/> (-Profile), else <c>ALIBABA_CLOUD_PROFILE</c>, else the
        /// file's <c>current</c>. Throws <see cref="AliBackupCredentialException"/> with the reason when it cannot.
        /// </summary>
        public CliProfile GetProfile(string? explicitName)
        {
            if (!Exists)
            {
                var asked = AskedBy(explicitName, explicitName ?? _environment.Get(ProfileVariable));
                throw new AliBackupCredentialException(asked + (asked.Length > 0 ? "the" : "The") + " aliyun CLI config file " + ConfigPath + " does not exist" +
                                                       (asked.Length > 0 ? ", so it has no such profile. Create one with 'aliyun configure --profile <name>', or use -Credential." : "."));
            }
            JsonDocument document;
            try
            {
                document = ReadConfig();
            }
            catch (Exception ex) when (ex is JsonException || ex is IOException || ex is UnauthorizedAccessException)
            {
                // The parser's message can quote file content, so only its position is kept.
                var where = ex is JsonException json && json.LineNumber.HasValue ? " (line " + (json.LineNumber + 1) + ")" : "";
                throw new AliBackupCredentialException("The aliyun CLI config file " + ConfigPath + " cannot be read" + where + ": " +
                    (ex is JsonException ? "it is not valid JSON." : ex.GetType().Name + "."));
            }

            using var _ = document;
            var root = document.RootElement;
            var name = explicitName ?? _environment.Get(ProfileVariable) ??
                       (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("current", out var current) && current.ValueKind == JsonValueKind.String ? current.GetString() : null);
            if (string.IsNullOrEmpty(name)) name = "default";

            var names = new List<string>();
            foreach (var profile in ProfilesIn(root))
            {
                if (string.Equals(profile.Name, name, StringComparison.Ordinal)) return profile;
                names.Add(profile.Name);
            }
            var source = AskedBy(explicitName, name);
            throw new AliBackupCredentialException(source + (source.Length > 0 ? "the" : "The") + " aliyun CLI config file " + ConfigPath + " has no profile named '" + name + "'" +
                (names.Count > 0 ? " (it has: " + string.Join(", ", names) + ")." : "."));
        }

        private JsonDocument ReadConfig() =>
            JsonDocument.Parse(File.ReadAllBytes(ConfigPath), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });

        /// <summary>The file's profiles, in its order (copies: they outlive the document).</summary>
        private static IEnumerable<CliProfile> ProfilesIn(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("profiles", out var profiles) || profiles.ValueKind != JsonValueKind.Array) yield break;
            foreach (var element in profiles.EnumerateArray()) yield return new CliProfile(element.Clone());
        }

        /// <summary>
        /// What asked for the profile, as a message starts: -Profile, ALIBABA_CLOUD_PROFILE, or nothing (the chain's own
        /// look at the file's current profile).
        /// </summary>
        private string AskedBy(string? explicitName, string? name) =>
            explicitName != null ? "-Profile '" + name + "': " : _environment.Get(ProfileVariable) != null ? ProfileVariable + " '" + name + "': " : "";
    }
}
