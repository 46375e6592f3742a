using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using AliBackup.Service.Engines;
using AliBackup.Service.OpenApi;

namespace AliBackup.Service.Policies
{
    /// <summary>What the products' DescribeBackupPolicy answers share: the window, the days, the next backup and the raw fields.</summary>
    public static class PolicyReaders
    {
        private static readonly DayOfWeek[] WeekOrder =
            { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday };

        /// <summary>PreferredBackupTime, PreferredBackupPeriod, PreferredNextBackupTime, and every scalar field as sent.</summary>
        public static BackupPolicy ReadCommonPolicy(this JsonElement root, BackupEngine engine, string instanceId) => new BackupPolicy
        {
            Engine = engine,
            InstanceId = instanceId,
            BackupWindow = WireReaders.NullIfEmpty(root.Str("PreferredBackupTime")),
            BackupDays = ParseDays(root.Str("PreferredBackupPeriod")),
            NextBackupTime = root.Time("PreferredNextBackupTime"),
            ProductFields = RawFields(root),
        };

        /// <summary>A comma list of English day names (the services' PreferredBackupPeriod), in week order; unknown words are dropped.</summary>
        public static DayOfWeek[] ParseDays(string? period)
        {
            if (string.IsNullOrWhiteSpace(period)) return Array.Empty<DayOfWeek>();
            var days = new HashSet<DayOfWeek>();
            foreach (var word in period!.Split(','))
                if (Enum.TryParse<DayOfWeek>(word.Trim(), true, out var day) && Enum.IsDefined(typeof(DayOfWeek), day) && !int.TryParse(word.Trim(), out _))
                    days.Add(day);
            return WeekOrder.Where(days.Contains).ToArray();
        }

        /// <summary>Days as the services take them: <c>Monday,Thursday</c>, in week order, each once.</summary>
        public static string? Days(IEnumerable<DayOfWeek>? days)
        {
            if (days == null) return null;
            var set = new HashSet<DayOfWeek>(days);
            return set.Count == 0 ? null : string.Join(",", WeekOrder.Where(set.Contains));
        }

        /// <summary>1/0, true/false, Enable/Disabled as a switch; null when absent or unknown.</summary>
        public static bool? Flag(string? value)
        {
            switch (value?.Trim().ToLowerInvariant())
            {
                case "1": case "true": case "enable": case "enabled": return true;
                case "0": case "false": case "disable": case "disabled": return false;
                default: return null;
            }
        }

        public static BackupPolicy Stamp(this ProductChannel channel, BackupPolicy policy)
        {
            policy.Region = channel.Target.Region;
            policy.Endpoint = channel.Target.Endpoint;
            return policy;
        }

        private static IReadOnlyDictionary<string, string> RawFields(JsonElement root)
        {
            var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (root.ValueKind != JsonValueKind.Object) return fields;
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == "RequestId") continue;
                var text = root.Str(property.Name);
                if (text != null) fields[property.Name] = text;
                else if (property.Value.ValueKind == JsonValueKind.Object || property.Value.ValueKind == JsonValueKind.Array)
                    fields[property.Name] = property.Value.GetRawText();
            }
            return fields;
        }
    }
}
