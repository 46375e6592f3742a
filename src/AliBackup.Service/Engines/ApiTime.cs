using System;
using System.Globalization;

namespace AliBackup.Service.Engines
{
    /// <summary>The request time format of DescribeBackups on all three products: UTC, minute precision.</summary>
    public static class ApiTime
    {
        public static string ToMinute(DateTimeOffset time) =>
            time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

        /// <summary>Rounds down to the minute (for window starts).</summary>
        public static DateTimeOffset FloorMinute(DateTimeOffset time) =>
            new DateTimeOffset(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

        /// <summary>Rounds up to the minute (for window ends), so the window still covers the instant asked for.</summary>
        public static DateTimeOffset CeilMinute(DateTimeOffset time)
        {
            var floor = FloorMinute(time);
            return floor.UtcTicks == time.UtcTicks ? floor : floor.AddMinutes(1);
        }
    }
}
