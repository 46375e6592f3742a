using System;
using System.Globalization;
using System.Management.Automation;
using AliBackup.Service;

namespace AliBackup.PowerShell.Internal
{
    /// <summary>
    /// Lets a TimeSpan parameter take plain numbers as seconds (<c>-Timeout 3600</c>, <c>-PollInterval 0.5</c>) as well as
    /// TimeSpans and TimeSpan strings (<c>'01:30:00'</c>). Without it PowerShell would read 3600 as 3600 ticks. <c>-1</c>
    /// means "no limit" (as for <c>Wait-Job -Timeout</c>); a number too large for a TimeSpan is a clear error, not an overflow.
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
                case int i: return Seconds(i);
                case long l: return Seconds(l);
                case double d: return Seconds(d);
                case float f: return Seconds(f);
                case decimal m: return Seconds((double)m);
                case string s:
                    if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return Seconds(seconds);
                    if (TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var parsed)) return parsed;
                    throw new ArgumentTransformationMetadataException("'" + s + "' is neither a number of seconds nor a TimeSpan such as '01:30:00'.");
                default:
                    return value;
            }
        }

        private static TimeSpan Seconds(double seconds)
        {
            try
            {
                return InputValidation.Seconds(seconds);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentTransformationMetadataException(ex.Message);
            }
        }
    }
}
