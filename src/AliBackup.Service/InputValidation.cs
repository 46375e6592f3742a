using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using AliBackup.Service.Engines;

namespace AliBackup.Service
{
    /// <summary>What kind of identifier a value is, for <see cref="InputValidation.Id"/>.</summary>
    public enum IdKind
    {
        /// <summary>An instance (Redis, MongoDB) or cluster (PolarDB) ID, e.g. <c>r-bp1xxxx</c>.</summary>
        Instance,

        /// <summary>A backup job (task) ID: digits, or several comma-separated (Redis per-shard jobs).</summary>
        BackupJob,

        /// <summary>A backup set ID (comma-separated for MongoDB shards).</summary>
        Backup,
    }

    /// <summary>
    /// The one place input is checked before it can reach a host name, a header or a query string: the binding-time
    /// attributes of the cmdlets call these methods, and the service calls them again on every value it sends, so a
    /// value that did not come through a parameter (an environment variable, a profile, an object built by hand) is
    /// held to the same rules. Every failure is an <see cref="AliBackupConfigurationException"/> whose message names
    /// the input and gives an accepted example.
    /// </summary>
    public static class InputValidation
    {
        /// <summary>Polls closer than this would only load the service (and its throttling) without finding out sooner.</summary>
        public static readonly TimeSpan MinimumPollInterval = TimeSpan.FromSeconds(1);

        /// <summary>Longer gaps than this would make a wait miss its backup by hours.</summary>
        public static readonly TimeSpan MaximumPollInterval = TimeSpan.FromHours(1);

        /// <summary>No backup on any of the products is older than this (Alibaba Cloud's databases came later).</summary>
        public static readonly DateTimeOffset EarliestBackupTime = new DateTimeOffset(2010, 1, 1, 0, 0, 0, TimeSpan.Zero);

        /// <summary>How far ahead a window may end (the services accept a future EndTime; more than this is a typo).</summary>
        public static readonly TimeSpan LatestWindowEndAhead = TimeSpan.FromDays(366);

        // Instance IDs are lowercase letters, digits and hyphens on every product; '_', '.' and the documentation's masking
        // '*' (r-bp1zxszhcgatnx****) are let through as well: none of them can change a URL, a header or a query string.
        private static readonly Regex InstanceIdPattern = new Regex(@"^[A-Za-z0-9*][A-Za-z0-9._*-]{0,63}$", RegexOptions.CultureInvariant);

        // r-kvstore documents BackupJobId as ^\d+$; CreateBackup of a pre-2023 Redis cluster answers several, comma-separated.
        private static readonly Regex JobIdPattern = new Regex(@"^[0-9]{1,20}(,[0-9]{1,20})*$", RegexOptions.CultureInvariant);

        private static readonly Regex BackupIdPattern = new Regex(@"^[A-Za-z0-9*][A-Za-z0-9._*-]{0,63}(,[A-Za-z0-9*][A-Za-z0-9._*-]{0,63})*$", RegexOptions.CultureInvariant);

        private static readonly Regex RegionShape = new Regex(@"^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant);

        // A region this module does not know yet is accepted when it is formed like the newer ones: ap-southeast-9, eu-west-2.
        private static readonly Regex NewRegionShape = new Regex(@"^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$", RegexOptions.CultureInvariant);

        // What can go into the x-acs-accesskey-id header and the Authorization header's Credential= field: visible ASCII,
        // no separator of that header (',', ';', '=', '"'). Real IDs are letters, digits and '.' (STS.…); documentation
        // samples mask theirs with '*'.
        private static readonly Regex AccessKeyIdPattern = new Regex(@"^[\x21-\x7E-[,;=""\\]]{1,128}$", RegexOptions.CultureInvariant);

        /// <summary>Every region any product's metadata lists.</summary>
        public static IReadOnlyCollection<string> KnownRegions { get; } =
            new SortedSet<string>(EngineCatalog.All.SelectMany(e => e.Product.KnownRegions), StringComparer.Ordinal);

        /// <summary>The ID, trimmed (CSV cells and typing bring spaces), or an error naming <paramref name="parameterName"/>.</summary>
        public static string Id(IdKind kind, string? value, string parameterName)
        {
            var problem = IdProblem(kind, value, parameterName, out var normalized);
            if (problem != null) throw new AliBackupConfigurationException(problem, parameterName);
            return normalized!;
        }

        /// <summary>Why <paramref name="value"/> is not a valid ID (null when it is); <paramref name="normalized"/> is the value to use.</summary>
        public static string? IdProblem(IdKind kind, string? value, string parameterName, out string? normalized)
        {
            normalized = null;
            var text = value?.Trim();
            if (string.IsNullOrEmpty(text)) return "-" + parameterName + " is empty; give " + Describe(kind) + ", e.g. " + ExampleOf(kind, parameterName) + ".";
            if (kind == IdKind.BackupJob || kind == IdKind.Backup) text = Regex.Replace(text, @"\s*,\s*", ",");
            var pattern = kind == IdKind.Instance ? InstanceIdPattern : kind == IdKind.BackupJob ? JobIdPattern : BackupIdPattern;
            if (!pattern.IsMatch(text))
            {
                var rule = kind == IdKind.BackupJob
                    ? "job IDs are numbers (several, comma-separated, for Redis per-shard jobs)"
                    : "IDs hold only letters, digits, '-', '_' and '.'" + (kind == IdKind.Backup ? " (several comma-separated for MongoDB shards)" : "") +
                      ", never spaces, '&', '=', '/' or control characters";
                return Show(value!) + " is not " + Describe(kind) + ": " + rule + ". For example " + ExampleOf(kind, parameterName) + ".";
            }
            normalized = text;
            return null;
        }

        /// <summary>A region, lowercased; an error naming <paramref name="source"/> (e.g. <c>-Region</c>, <c>ALIBABA_CLOUD_REGION_ID</c>) when it is not one.</summary>
        public static string Region(string value, string source)
        {
            var problem = RegionProblem(value, source, out var normalized);
            if (problem != null) throw new AliBackupConfigurationException(problem, ParameterOf(source));
            return normalized!;
        }

        /// <summary>Why <paramref name="value"/> is not a region (null when it is a known or clearly formed one).</summary>
        public static string? RegionProblem(string? value, string source, out string? normalized)
        {
            normalized = null;
            var text = value?.Trim().ToLowerInvariant() ?? "";
            const string Example = "e.g. -Region cn-hangzhou";
            if (text.Length == 0) return source + " is empty; give a region ID, " + Example + ".";
            if (text.Length > 40 || !RegionShape.IsMatch(text))
                return source + " " + Show(value!) + " is not a region ID: region IDs hold only lowercase letters, digits and hyphens, " + Example + ".";
            if (!KnownRegions.Contains(text) && !NewRegionShape.IsMatch(text))
            {
                var near = KnownRegions.Select(r => (Region: r, Distance: EditDistance(r, text))).Where(r => r.Distance <= 3).OrderBy(r => r.Distance).Select(r => r.Region).FirstOrDefault();
                return source + " '" + text + "' is not a known Alibaba Cloud region" + (near != null ? "; did you mean " + near + "?" : ".") +
                       " Known regions include cn-hangzhou, cn-shanghai, cn-beijing, ap-southeast-1, eu-central-1 and us-west-1 (tab completion lists them all)." +
                       " For a region this module does not know yet, pass the product's host with -Endpoint.";
            }
            normalized = text;
            return null;
        }

        /// <summary>
        /// Checks an AccessKey ID (and its security token, if any) before it goes into a header: a line break there would
        /// start a header of its own. The values are not shown, only what is wrong and where they came from.
        /// </summary>
        public static string? CredentialProblem(string? accessKeyId, string? securityToken, string source)
        {
            if (string.IsNullOrWhiteSpace(accessKeyId)) return "The AccessKey ID from " + source + " is empty.";
            if (!AccessKeyIdPattern.IsMatch(accessKeyId!.Trim()))
                return "The AccessKey ID from " + source + " holds " + WhatIsWrong(accessKeyId.Trim()) +
                       ", which no AccessKey ID has (they are letters and digits, e.g. LTAI5tExample1234, or STS.… for temporary keys). Check where it was set.";
            if (securityToken != null && securityToken.Any(c => c < 0x21 || c > 0x7E))
                return "The security token from " + source + " holds " + WhatIsWrong(securityToken) + ", which no security token has. Check where it was set.";
            return null;
        }

        /// <summary>
        /// Turns a number of seconds into a TimeSpan: <c>-1</c> means no limit (<see cref="System.Threading.Timeout.InfiniteTimeSpan"/>,
        /// as <c>Wait-Job -Timeout -1</c>); a number too large for a TimeSpan is an error, not an overflow.
        /// </summary>
        public static TimeSpan Seconds(double seconds)
        {
            if (seconds == -1) return System.Threading.Timeout.InfiniteTimeSpan;
            if (double.IsNaN(seconds) || double.IsInfinity(seconds))
                throw new ArgumentException("'" + seconds.ToString(CultureInfo.InvariantCulture) + "' is not a number of seconds; give e.g. 3600, or -1 for no limit.");
            if (Math.Abs(seconds) >= TimeSpan.MaxValue.TotalSeconds)
                throw new ArgumentException(seconds.ToString("G", CultureInfo.InvariantCulture) + " seconds is longer than a TimeSpan can hold (about 29,000 years); " +
                                            "give e.g. 3600, or -1 for no limit.");
            return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        }

        /// <summary>True for the values that mean "no limit": -1 (in seconds or milliseconds) and <see cref="TimeSpan.MaxValue"/>.</summary>
        public static bool IsNoLimit(TimeSpan value) =>
            value == System.Threading.Timeout.InfiniteTimeSpan || value == TimeSpan.FromSeconds(-1) || value == TimeSpan.MaxValue;

        /// <summary>A wait's -Timeout: positive, or no limit (returned as <see cref="TimeSpan.MaxValue"/>).</summary>
        public static TimeSpan Timeout(TimeSpan value)
        {
            var problem = TimeoutProblem(value);
            if (problem != null) throw new AliBackupConfigurationException(problem, "Timeout");
            return IsNoLimit(value) ? TimeSpan.MaxValue : value;
        }

        public static string? TimeoutProblem(TimeSpan value) =>
            IsNoLimit(value) || value > TimeSpan.Zero ? null
                : "-Timeout must be positive, e.g. -Timeout 3600 (seconds) or -Timeout '01:30:00', or -1 to wait with no limit; it was " + Format(value) + ".";

        /// <summary>
        /// A wait's -PollInterval: positive and at most an hour. One shorter than <see cref="MinimumPollInterval"/> is
        /// raised to it, with <paramref name="warning"/> saying so.
        /// </summary>
        public static TimeSpan PollInterval(TimeSpan value, out string? warning) => PollInterval(value, MinimumPollInterval, out warning);

        /// <summary>As <see cref="PollInterval(TimeSpan, out string?)"/>, with the floor given (see <c>ALIBACKUP_MIN_POLL_INTERVAL_MS</c>).</summary>
        public static TimeSpan PollInterval(TimeSpan value, TimeSpan floor, out string? warning)
        {
            var problem = PollIntervalProblem(value);
            if (problem != null) throw new AliBackupConfigurationException(problem, "PollInterval");
            warning = null;
            if (value >= floor) return value;
            warning = "-PollInterval " + Format(value) + " is below the minimum of " + Format(floor) + "; polling at most once every " + Format(floor) +
                      " per instance (more often would only be throttled by the service).";
            return floor;
        }

        public static string? PollIntervalProblem(TimeSpan value) =>
            value > TimeSpan.Zero && value <= MaximumPollInterval ? null
                : "-PollInterval must be more than 0 and at most 1 hour, e.g. -PollInterval 30 (seconds); it was " + Format(value) + ".";

        /// <summary>A -StartTime/-EndTime that is not absurd on its own (before 2010, or more than a year ahead); null when fine.</summary>
        public static string? BackupTimeProblem(DateTime value, string parameterName)
        {
            // Compared before any conversion: DateTime.MinValue/MaxValue cannot be shifted to UTC in every time zone.
            if (value.Year < EarliestBackupTime.Year)
                return "-" + parameterName + " " + value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " is not a plausible backup time: no backup is older than " +
                       EarliestBackupTime.ToString("yyyy", CultureInfo.InvariantCulture) + ". Give e.g. -" + parameterName + " (Get-Date).AddDays(-30).";
            if (value.Year > 9000)
                return "-" + parameterName + " " + value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " is not a plausible backup time. Give e.g. -" + parameterName +
                       " (Get-Date), or leave it out.";
            return null;
        }

        /// <summary>A -StartTime/-EndTime as a UTC instant (local unless given as UTC), checked on its own.</summary>
        public static DateTimeOffset? BackupTime(DateTime? value, string parameterName)
        {
            if (!value.HasValue) return null;
            var problem = BackupTimeProblem(value.Value, parameterName);
            if (problem != null) throw new AliBackupConfigurationException(problem, parameterName);
            return new DateTimeOffset(value.Value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value.Value, DateTimeKind.Local) : value.Value).ToUniversalTime();
        }

        /// <summary>
        /// Checks a DescribeBackups window as the user gave it: a start in the future is an error about -StartTime, an end
        /// not after the start one about -EndTime, an end more than a year ahead one about -EndTime.
        /// </summary>
        public static void BackupWindow(DateTimeOffset? start, DateTimeOffset? end, DateTimeOffset now)
        {
            if (start.HasValue && start.Value > now)
                throw new AliBackupConfigurationException("-StartTime (" + Format(start.Value) + ") is in the future, so no backup can have started since; give a past time, " +
                                                          "e.g. -StartTime (Get-Date).AddDays(-30).", "StartTime");
            if (end.HasValue && end.Value > now + LatestWindowEndAhead)
                throw new AliBackupConfigurationException("-EndTime (" + Format(end.Value) + ") is more than a year ahead; leave it out to search up to now, " +
                                                          "or give e.g. -EndTime (Get-Date).", "EndTime");
            var effectiveEnd = end ?? now;
            if (start.HasValue && effectiveEnd <= start.Value)
                throw new AliBackupConfigurationException("-EndTime (" + Format(effectiveEnd) + ") must be later than -StartTime (" + Format(start.Value) + ").", "EndTime");
        }

        /// <summary>A value as it may be shown: control characters escaped, cut short when long.</summary>
        public static string Show(string value)
        {
            var builder = new StringBuilder("'");
            foreach (var c in value.Length > 80 ? value.Substring(0, 80) : value)
            {
                if (c == '\r') builder.Append("`r");
                else if (c == '\n') builder.Append("`n");
                else if (c == '\t') builder.Append("`t");
                else if (char.IsControl(c)) builder.Append("`u{").Append(((int)c).ToString("X", CultureInfo.InvariantCulture)).Append('}');
                else builder.Append(c);
            }
            if (value.Length > 80) builder.Append('…');
            return builder.Append('\'').ToString();
        }

        private static string WhatIsWrong(string value)
        {
            if (value.IndexOf('\r') >= 0 || value.IndexOf('\n') >= 0) return "a line break";
            if (value.Any(char.IsWhiteSpace)) return "a space";
            if (value.Any(char.IsControl)) return "a control character";
            if (value.Any(c => c > 0x7E)) return "a non-ASCII character";
            return "a character such as '" + value.First(c => ",;=\"\\".IndexOf(c) >= 0) + "'";
        }

        private static string Describe(IdKind kind) => kind switch
        {
            IdKind.Instance => "an instance ID",
            IdKind.BackupJob => "a backup job ID",
            _ => "a backup ID",
        };

        private static string ExampleOf(IdKind kind, string parameterName) => kind switch
        {
            IdKind.Instance => "-" + parameterName + " r-bp1xxxx (Redis), pc-2zexxxx (PolarDB) or dds-bp1xxxx (MongoDB)",
            IdKind.BackupJob => "-" + parameterName + " 710001 or '710001,710002'",
            _ => "-" + parameterName + " 340000006",
        };

        /// <summary>The cmdlet parameter a source names (<c>-Region</c> → Region), null for a setting.</summary>
        private static string? ParameterOf(string source) => source.StartsWith("-", StringComparison.Ordinal) ? source.Substring(1) : null;

        private static string Format(TimeSpan value) =>
            value == TimeSpan.MaxValue ? "TimeSpan.MaxValue"
            : value.TotalSeconds < 60 && value.TotalSeconds > -60 ? value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s"
            : value.ToString("c", CultureInfo.InvariantCulture);

        /// <summary>A time as messages show it: UTC to the minute (yyyy-MM-dd HH:mmZ).</summary>
        internal static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

        private static int EditDistance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (var j = 0; j <= b.Length; j++) previous[j] = j;
            for (var i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                (previous, current) = (current, previous);
            }
            return previous[b.Length];
        }
    }
}
