using System;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace AliBackup.Service.Policies
{
    /// <summary>
    /// The settings Set-AliBackupPolicy changes (null: leave as it stands), checked against the service's formats before
    /// anything is sent, so a bad value is an error that names the parameter instead of a round trip.
    /// </summary>
    public sealed class BackupPolicyChange
    {
        private static readonly Regex Window = new Regex(@"^(?<from>\d{2}):(?<fromMinute>\d{2})Z-(?<to>\d{2}):(?<toMinute>\d{2})Z$", RegexOptions.CultureInvariant);

        /// <summary>The window, <c>HH:mmZ-HH:mmZ</c> (UTC, one whole hour, e.g. <c>02:00Z-03:00Z</c>).</summary>
        public string? BackupWindow { get; set; }

        public DayOfWeek[]? BackupDays { get; set; }

        public int? RetentionDays { get; set; }

        public bool? LogBackup { get; set; }

        public bool IsEmpty => BackupWindow == null && BackupDays == null && RetentionDays == null && LogBackup == null;

        /// <summary>Throws <see cref="AliBackupConfigurationException"/> naming the parameter when a value would be refused.</summary>
        public void Validate(BackupEngine engine, PolicyRules rules)
        {
            if (IsEmpty)
                throw new AliBackupConfigurationException(
                    "Nothing to change: give at least one of -BackupWindow, -BackupDays, -RetentionDays or -LogBackup.", "BackupWindow");
            if (BackupWindow != null) ParseWindowStart(BackupWindow);
            if (BackupDays != null)
            {
                var distinct = BackupDays.Distinct().Count();
                if (distinct == 0)
                    throw new AliBackupConfigurationException("-BackupDays is empty: name the days backups run on, e.g. -BackupDays Monday,Thursday.", "BackupDays");
                if (distinct < rules.MinimumDays)
                    throw new AliBackupConfigurationException(
                        engine + " backs up on at least " + rules.MinimumDays + " days a week, but -BackupDays names " + distinct + ": add another day, e.g. -BackupDays " +
                        string.Join(",", BackupDays.Distinct().Concat(new[] { DayOfWeek.Thursday, DayOfWeek.Monday }).Distinct().Take(rules.MinimumDays)) + ".",
                        "BackupDays");
            }
            if (RetentionDays != null)
            {
                var range = rules.RetentionRange;
                if (range.HasValue && (RetentionDays < range.Value.Min || RetentionDays > range.Value.Max))
                    throw new AliBackupConfigurationException(
                        "-RetentionDays " + RetentionDays.Value.ToString(CultureInfo.InvariantCulture) + " is outside what " + engine + " keeps (" + rules.RetentionParameter + ": " +
                        range.Value.Min + " to " + range.Value.Max + " days); give a value in that range.", "RetentionDays");
                if (!range.HasValue && RetentionDays <= 0)
                    throw new AliBackupConfigurationException("-RetentionDays must be a positive number of days.", "RetentionDays");
            }
            if (LogBackup != null && !rules.SupportsLogBackup)
                throw new AliBackupConfigurationException(
                    engine + "'s ModifyBackupPolicy has no log backup switch (PolarDB log backups have their own policy, ModifyLogBackupPolicy); leave out -LogBackup.",
                    "LogBackup");
        }

        /// <summary>The start hour of a valid window; throws for anything the services refuse.</summary>
        public static int ParseWindowStart(string window)
        {
            var m = Window.Match(window.Trim());
            if (m.Success)
            {
                var from = int.Parse(m.Groups["from"].Value, CultureInfo.InvariantCulture);
                var to = int.Parse(m.Groups["to"].Value, CultureInfo.InvariantCulture);
                if (from < 24 && to < 24 && m.Groups["fromMinute"].Value == "00" && m.Groups["toMinute"].Value == "00" && to == (from + 1) % 24)
                    return from;
            }
            throw new AliBackupConfigurationException(
                "-BackupWindow '" + window + "' is not a window the services accept: give one whole hour in UTC as HH:mmZ-HH:mmZ, starting on the hour, e.g. -BackupWindow '02:00Z-03:00Z'.",
                "BackupWindow");
        }

        /// <summary>The policy as it would stand with this change made.</summary>
        public BackupPolicy AppliedTo(BackupPolicy current) => new BackupPolicy
        {
            Engine = current.Engine,
            InstanceId = current.InstanceId,
            BackupWindow = BackupWindow?.Trim() ?? current.BackupWindow,
            BackupDays = BackupDays?.Distinct().ToArray() ?? current.BackupDays,
            RetentionDays = RetentionDays ?? current.RetentionDays,
            LogBackup = LogBackup ?? current.LogBackup,
            LogBackupRetentionDays = current.LogBackupRetentionDays,
            Region = current.Region,
            Endpoint = current.Endpoint,
        };

        /// <summary>What would change, for -WhatIf and -Confirm: "window 02:00Z-03:00Z, days Monday,Thursday".</summary>
        public string Describe()
        {
            var parts = new System.Collections.Generic.List<string>();
            if (BackupWindow != null) parts.Add("window " + BackupWindow.Trim());
            if (BackupDays != null) parts.Add("days " + PolicyReaders.Days(BackupDays));
            if (RetentionDays != null) parts.Add("retention " + RetentionDays.Value.ToString(CultureInfo.InvariantCulture) + " days");
            if (LogBackup != null) parts.Add("log backup " + (LogBackup.Value ? "on" : "off"));
            return string.Join(", ", parts);
        }
    }
}
