using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
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
            foreach (var name in names)
            {
                var text = element.Str(name);
                if (text != null) return text;
            }
            return null;
        }

        /// <summary>As <see cref="Str(JsonElement, string[])"/> for one name, without an array per read (readers run per item).</summary>
        public static string? Str(this JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && TryGet(element, name, out var value) ? AsText(value, name) : null;

        /// <summary>A field's value as text: strings as they are, numbers and booleans as written, anything else null.</summary>
        private static string? AsText(JsonElement value, string name)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String: return TextOf(value, name);
                case JsonValueKind.Number: return value.GetRawText();
                case JsonValueKind.True: return "true";
                case JsonValueKind.False: return "false";
                default: return null;
            }
        }

        /// <summary>
        /// As <see cref="Str(JsonElement, string)"/>, but a value equal to one of <paramref name="words"/> comes back as that
        /// very string: statuses and modes repeat on every item, and need no string of their own each time.
        /// </summary>
        public static string? Word(this JsonElement element, string name, string[] words)
        {
            if (element.ValueKind != JsonValueKind.Object || !TryGet(element, name, out var value)) return null;
            if (value.ValueKind == JsonValueKind.String)
            {
                foreach (var word in words)
                    if (IsText(value, word)) return word;
            }
            return AsText(value, name);
        }

        /// <summary>Whether a string value is <paramref name="text"/>; a value that is not valid text is not (Str then says why).</summary>
        private static bool IsText(JsonElement value, string text)
        {
            try
            {
                return value.ValueEquals(text);
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        /// <summary>As <see cref="Word(JsonElement, string, string[])"/> for one word (e.g. the ID that was asked about).</summary>
        public static string? Word(this JsonElement element, string name, string word)
        {
            if (element.ValueKind != JsonValueKind.Object || !TryGet(element, name, out var value)) return null;
            return value.ValueKind == JsonValueKind.String && IsText(value, word) ? word : AsText(value, name);
        }

        /// <summary>As <see cref="Str(JsonElement, string[])"/> for two names, without an array per read.</summary>
        public static string? Str(this JsonElement element, string name, string otherName) => element.Str(name) ?? element.Str(otherName);

        /// <summary>
        /// <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/>, except that a property name that is not valid
        /// text (an escaped lone surrogate) is a fault of the answer, not an <see cref="InvalidOperationException"/>.
        /// </summary>
        private static bool TryGet(JsonElement element, string name, out JsonElement value)
        {
            try
            {
                return element.TryGetProperty(name, out value);
            }
            catch (InvalidOperationException)
            {
                throw new ResponseShapeException("a property name near " + name + " is not valid text (invalid UTF-8 or a lone surrogate)");
            }
        }

        /// <summary>
        /// A JSON string as text. Invalid UTF-8 or an escaped lone surrogate cannot become a .NET string; that is a fault
        /// of the answer, reported as such, never a raw <see cref="InvalidOperationException"/>.
        /// </summary>
        private static string TextOf(JsonElement value, string name)
        {
            try
            {
                return value.GetString()!;
            }
            catch (InvalidOperationException)
            {
                throw new ResponseShapeException(name + " is not valid text (invalid UTF-8 or a lone surrogate)");
            }
        }

        /// <summary>The first of <paramref name="names"/> present as a whole number (JSON number or numeric string).</summary>
        public static long? Long(this JsonElement element, params string[] names) => ParseLong(element.Str(names));

        /// <summary>As <see cref="Long(JsonElement, string[])"/> for one name, without an array per read.</summary>
        public static long? Long(this JsonElement element, string name) => ParseLong(element.Str(name));

        /// <summary>As <see cref="Int(JsonElement, string[])"/> for one name, without an array per read.</summary>
        public static int? Int(this JsonElement element, string name) => Clamp(element.Long(name));

        /// <summary>As <see cref="Time(JsonElement, string[])"/> for one name, without an array per read.</summary>
        public static DateTimeOffset? Time(this JsonElement element, string name) => ParseTime(element.Str(name));

        internal static long? ParseLong(string? text)
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

        internal static DateTimeOffset? ParseTime(string? text)
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
                if (current.ValueKind != JsonValueKind.Object || !TryGet(current, name, out current)) return null;
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
            if (found == null) return Array.Empty<JsonElement>();
            return ItemsOf(found.Value, path);
        }

        /// <summary>
        /// As <see cref="Items"/>, but the list must be there: an answer without it is not an empty list, it is not the
        /// answer the action gives (a silent empty result would read as "no backups"). A null or an empty container
        /// object (<c>"Backups": {}</c>) still counts as empty.
        /// </summary>
        public static IReadOnlyList<JsonElement> RequiredItems(this JsonElement element, params string[] path)
        {
            if (element.ValueKind != JsonValueKind.Object) throw new ResponseShapeException("the answer is not a JSON object");
            var current = element;
            for (var i = 0; i < path.Length; i++)
            {
                if (current.ValueKind == JsonValueKind.Null) return Array.Empty<JsonElement>();
                if (current.ValueKind != JsonValueKind.Object)
                    throw new ResponseShapeException(string.Join(".", path, 0, i) + " is " + Describe(current) + ", not an object");
                if (!TryGet(current, path[i], out var next))
                {
                    // "Backups": {} — the container is there and holds nothing.
                    if (i > 0 && IsEmptyObject(current)) return Array.Empty<JsonElement>();
                    throw new ResponseShapeException("it has no " + string.Join(".", path) + " list");
                }
                current = next;
            }
            return ItemsOf(current, path);
        }

        private static IReadOnlyList<JsonElement> ItemsOf(JsonElement value, string[] path)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Array:
                    // One array of the list's length: no list grown item by item.
                    var items = new JsonElement[value.GetArrayLength()];
                    var at = 0;
                    foreach (var item in value.EnumerateArray()) items[at++] = item;
                    return items;
                case JsonValueKind.Object: return new[] { value };
                case JsonValueKind.Null:
                case JsonValueKind.Undefined: return Array.Empty<JsonElement>();
                default: throw new ResponseShapeException(string.Join(".", path) + " is " + Describe(value) + ", not a list");
            }
        }

        private static bool IsEmptyObject(JsonElement value)
        {
            using var properties = value.EnumerateObject();
            return !properties.MoveNext();
        }

        /// <summary>A JSON value's kind in words, for messages.</summary>
        public static string Describe(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String: return "a string";
                case JsonValueKind.Number: return "a number";
                case JsonValueKind.True:
                case JsonValueKind.False: return "a boolean";
                case JsonValueKind.Array: return "a list";
                case JsonValueKind.Object: return "an object";
                default: return "null";
            }
        }
    }

    /// <summary>
    /// An answer that does not have the shape its action gives (a field of the wrong kind, text that is not text, a
    /// missing list). The channel turns it into <see cref="AliBackupInvalidResponseException"/> with the action and RequestId.
    /// </summary>
    public sealed class ResponseShapeException : Exception
    {
        public ResponseShapeException(string reason) : base(reason) { }
    }
}
