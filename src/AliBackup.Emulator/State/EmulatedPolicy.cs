using System.Globalization;

namespace AliBackup.Emulator.State;

/// <summary>An instance's automatic backup policy, in the products' own words (each API shapes it its own way).</summary>
public sealed class EmulatedPolicy
{
    public static readonly string[] WeekDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    /// <summary><c>HH:mmZ-HH:mmZ</c>, one whole hour.</summary>
    public string PreferredBackupTime { get; set; } = "05:00Z-06:00Z";

    /// <summary>Comma list of day names.</summary>
    public string PreferredBackupPeriod { get; set; } = "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday";

    public int RetentionDays { get; set; } = 7;

    public bool LogBackup { get; set; }

    public int LogRetentionDays { get; set; } = 7;

    /// <summary>How many ModifyBackupPolicy calls changed it (tests check -WhatIf sends none).</summary>
    public int Modifications { get; set; }

    /// <summary>The next start of the window on one of the days, after <paramref name="now"/> (<c>yyyy-MM-ddTHH:mmZ</c>).</summary>
    public string NextBackupTime(DateTimeOffset now)
    {
        var hour = int.Parse(PreferredBackupTime[..2], CultureInfo.InvariantCulture);
        var days = PreferredBackupPeriod.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddHours(hour);
        for (var i = 0; i < 8; i++, day = day.AddDays(1))
            if (day > now && days.Contains(day.DayOfWeek.ToString(), StringComparer.OrdinalIgnoreCase))
                return day.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);
        return day.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>True for <c>HH:00Z-HH+1:00Z</c> (the window the APIs document: one hour, on the hour, UTC).</summary>
    public static bool IsWholeHourWindow(string? window)
    {
        if (window is not { Length: 13 } || window[2] != ':' || window[5] != 'Z' || window[6] != '-' || window[9] != ':' || window[12] != 'Z') return false;
        if (!int.TryParse(window[..2], NumberStyles.None, CultureInfo.InvariantCulture, out var from) ||
            !int.TryParse(window[7..9], NumberStyles.None, CultureInfo.InvariantCulture, out var to)) return false;
        return window[3..5] == "00" && window[10..12] == "00" && from < 24 && to < 24 && to == (from + 1) % 24;
    }

    /// <summary>The day list normalised to week order, or null when a word is not a day name (or fewer than <paramref name="minimum"/>).</summary>
    public static string? NormalizeDays(string? period, int minimum)
    {
        if (string.IsNullOrWhiteSpace(period)) return null;
        var words = period.Split(',', StringSplitOptions.TrimEntries);
        if (words.Any(w => !WeekDays.Contains(w, StringComparer.Ordinal))) return null;
        var set = words.ToHashSet(StringComparer.Ordinal);
        return set.Count < minimum ? null : string.Join(",", WeekDays.Where(set.Contains));
    }
}
