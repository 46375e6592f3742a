using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using AliBackup.Service.OpenApi;

namespace AliBackup.Service.Engines
{
    /// <summary>
    /// Reads the values of one answer that can be out of range: sizes, percentages, times. An impossible value is
    /// corrected (a negative size becomes 0, a percentage is clamped to 0–100, a time before 2000 or after 2100 is
    /// dropped) and a warning says so, naming the action, the field, the value and the RequestId: nothing odd is passed
    /// on without a word, and nothing odd fails a command whose other fields are good.
    /// </summary>
    public sealed class AnswerContext
    {
        private static readonly DateTimeOffset EarliestPlausible = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private static readonly DateTimeOffset LatestPlausible = new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private readonly List<ServiceNotice> _notices = new List<ServiceNotice>();

        public AnswerContext(string product, string action, string? requestId)
        {
            Product = product;
            Action = action;
            RequestId = requestId;
        }

        public string Product { get; }

        public string Action { get; }

        public string? RequestId { get; }

        public IReadOnlyList<ServiceNotice> Notices => _notices;

        /// <summary>A size in bytes: absent is 0; negative is corrected to 0 with a warning.</summary>
        public long Size(JsonElement item, string field, string what)
        {
            // Each field is looked up once: the number is parsed from the text read.
            var text = item.Str(field);
            var value = JsonFields.ParseLong(text);
            if (value == null)
            {
                if (!string.IsNullOrWhiteSpace(text)) Note(field, text!, what, "not a size", "0");
                return 0;
            }
            if (value.Value < 0)
            {
                Note(field, value.Value.ToString(CultureInfo.InvariantCulture), what, "a negative size", "0");
                return 0;
            }
            return value.Value;
        }

        /// <summary>A percentage from the first field present: clamped to 0–100 with a warning.</summary>
        public int? Percent(JsonElement item, string what, params string[] fields)
        {
            foreach (var field in fields)
            {
                var text = item.Str(field);
                if (text == null) continue;
                var value = JsonFields.ParseLong(text);
                if (value == null)
                {
                    if (!string.IsNullOrWhiteSpace(text)) Note(field, text, what, "not a percentage", "no progress");
                    return null;
                }
                if (value.Value < 0 || value.Value > 100)
                {
                    var clamped = value.Value < 0 ? 0 : 100;
                    Note(field, text, what, "outside 0-100%", clamped.ToString(CultureInfo.InvariantCulture) + "%");
                    return clamped;
                }
                return (int)value.Value;
            }
            return null;
        }

        /// <summary>A UTC time from the first field present: unreadable or implausible (before 2000, after 2100) is dropped with a warning.</summary>
        public DateTimeOffset? Time(JsonElement item, string what, params string[] fields)
        {
            foreach (var field in fields)
            {
                var text = item.Str(field);
                if (string.IsNullOrWhiteSpace(text)) continue;
                var value = JsonFields.ParseTime(text);
                if (value == null)
                {
                    Note(field, text!, what, "not a time", "no time");
                    return null;
                }
                if (value.Value < EarliestPlausible || value.Value >= LatestPlausible)
                {
                    Note(field, text!, what, "not a plausible time", "no time");
                    return null;
                }
                return value;
            }
            return null;
        }

        private void Note(string field, string value, string what, string problem, string shownAs)
        {
            if (value.Length > 64) value = value.Substring(0, 64) + "…";
            // The value comes from the wire: no control characters reach a terminal.
            var printable = new System.Text.StringBuilder(value.Length);
            foreach (var c in value) printable.Append(char.IsControl(c) ? '?' : c);
            value = printable.ToString();
            var message = Action + " (" + Product + ") answered " + field + " = '" + value + "' for " + what + ": " + problem +
                          "; shown as " + shownAs + (RequestId == null ? "." : " (RequestId " + RequestId + ").");
            _notices.Add(new ServiceNotice(message, isWarning: true, key: Action + "|" + field + "|" + value + "|" + what));
        }
    }
}
