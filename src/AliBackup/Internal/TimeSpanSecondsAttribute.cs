using System;
using System.Globalization;
using System.Management.Automation;

namespace AliBackup.PowerShell.Internal
{
    /// <summary>
    /// Lets a TimeSpan parameter take plain numbers as seconds (<c>-Timeout 3600</c>, <c>-PollInterval 0.5</c>) as well as
    /// TimeSpans and TimeSpan strings (<c>'01:30:00'</c>). Without it PowerShell would read 3600 as 3600 ticks.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class TimeSpanSecondsAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case null: return null!;
                case TimeSpan span: return span;
                case int i: return TimeSpan.FromSeconds(i);
                case long l: return TimeSpan.FromSeconds(l);
                case double d: return TimeSpan.FromSeconds(d);
                case float f: return TimeSpan.FromSeconds(f);
                case decimal m: return TimeSpan.FromSeconds((double)m);
                case string s:
                    if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(seconds);
                    if (TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var parsed)) return parsed;
                    throw new ArgumentTransformationMetadataException("'" + s + "' is neither a number of seconds nor a TimeSpan such as '01:30:00'.");
                default:
                    return value;
            }
        }
    }
}
