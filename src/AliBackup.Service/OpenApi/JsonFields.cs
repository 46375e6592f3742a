using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace AliBackup.Service.OpenApi
{
    /// <summary>
    /// Lenient readers for the services' JSON: docs and SDKs disagree on whether IDs, counts and sizes are numbers
    /// or strings, so every reader accepts both, and a missing or null field is simply absent.
    /// </summary>
    public static class JsonFields
    {
        /// <summary>The first of <paramref name="names"/> present, as text (numbers and booleans as written).</summary>
        public static string? Str(this JsonElement element, params string[] names)
        {
            if (element.ValueKind != JsonValueKind.Object) return null;
            foreach (var name in names)
            {
                if (!element.TryGetProperty(name, out var value)) continue;
                switch (value.ValueKind)
                {
                    case JsonValueKind.String: return value.GetString();
                    case JsonValueKind.Number: return value.GetRawText();
                    case JsonValueKind.True: return "true";
                    case JsonValueKind.False: return "false";
                }
            }
            return null;
        }

        /// <summary>As <see cref="Str(JsonElement, string[])"/> for one name, without an array per read (readers run per item).</summary>
        public static string? Str(this JsonElement element, string name)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value)) return null;
            switch (value.ValueKind)
            {
                case JsonValueKind.String: return value.GetString();
                case JsonValueKind.Number: return value.GetRawText();
                case JsonValueKind.True: return "true";
                case JsonValueKind.False: return "false";
                default: return null;
            }
        }

        /// <summary>As <see cref="Str(JsonElement, string[])"/> for two names, without an array per read.</summary>
        public static string? Str(this JsonElement element, string name, string otherName) => element.Str(name) ?? element.Str(otherName);

        /// <summary>The first of <paramref name="names"/> present as a whole number (JSON number or numeric string).</summary>
        public static long? Long(this JsonElement element, params string[] names) => ParseLong(element.Str(names));

        /// <summary>As <see cref="Long(JsonElement, string[])"/> for one name, without an array per read.</summary>
        public static long? Long(this JsonElement element, string name) => ParseLong(element.Str(name));

        /// <summary>As <see cref="Int(JsonElement, string[])"/> for one name, without an array per read.</summary>
        public static int? Int(this JsonElement element, string name) => Clamp(element.Long(name));

        /// <summary>As <see cref="Time(JsonElement, string[])"/> for one name, without an array per read.</summary>
        public static DateTimeOffset? Time(this JsonElement element, string name) => ParseTime(element.Str(name));

        private static long? ParseLong(string? text)
        {
            if (text == null) return null;
            text = text.Trim().TrimEnd('%');
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole)) return whole;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && !double.IsNaN(real) && !double.IsInfinity(real))
                return (long)Math.Round(real);
            return null;
        }

        /// <summary>As <see cref="Long(JsonElement, string[])"/>, clamped to int.</summary>
        public static int? Int(this JsonElement element, params string[] names) => Clamp(element.Long(names));

        private static int? Clamp(long? value) => value.HasValue ? (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, value.Value)) : (int?)null;

        /// <summary>A UTC timestamp in the services' ISO 8601 forms (<c>yyyy-MM-ddTHH:mm:ssZ</c> or <c>yyyy-MM-ddTHH:mmZ</c>).</summary>
        public static DateTimeOffset? Time(this JsonElement element, params string[] names) => ParseTime(element.Str(names));

        private static DateTimeOffset? ParseTime(string? text)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
                ? value.ToUniversalTime()
                : (DateTimeOffset?)null;
        }

        /// <summary>The element at a path of object properties, or null.</summary>
        public static JsonElement? At(this JsonElement element, params string[] path)
        {
            var current = element;
            foreach (var name in path)
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current)) return null;
            }
            return current;
        }

        /// <summary>
        /// The items of the array at <paramref name="path"/>; empty when absent or null. A lone object where an array
        /// was expected (an XML-to-JSON artefact) counts as one item.
        /// </summary>
        public static IEnumerable<JsonElement> Items(this JsonElement element, params string[] path)
        {
            var found = element.At(path);
            if (found == null) yield break;
            var value = found.Value;
            if (value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in value.EnumerateArray()) yield return item;
            }
            else if (value.ValueKind == JsonValueKind.Object)
            {
                yield return value;
            }
        }
    }
}
