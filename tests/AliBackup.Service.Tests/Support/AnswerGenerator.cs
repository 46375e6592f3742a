using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace AliBackup.Service.Tests.Support;

/// <summary>
/// FsCheck generators of service answers that are almost right: a documented answer of one product and action, with
/// fields removed, retyped (string, number, object, list, null), set to huge numbers, odd dates, unknown status words,
/// nested deep, or with the whole body replaced; then, sometimes, invalid UTF-8, an escaped lone surrogate or a cut
/// inserted into the bytes. Shared by the reader properties and the cmdlet properties.
/// </summary>
public static class AnswerGenerator
{
    public enum Product { Redis, PolarDB, MongoDB }

    public enum Action { DescribeBackupTasks, DescribeBackups, CreateBackup }

    /// <summary>One generated answer: for whom, and the exact bytes sent.</summary>
    public sealed record Answer(Product Product, Action Action, byte[] Body, string Description)
    {
        public string Text => Encoding.UTF8.GetString(Body);

        public override string ToString() => Product + " " + Action + " " + Description + ": " + (Text.Length > 400 ? Text[..400] + "…" : Text);
    }

    private static readonly string[] Words =
    [
        "", " ", "Finished", "Success", "Failed", "Uploading", "NoStart", "Backuping", "Scheduled", "Checking", "Automated", "Manual", "Bogus",
        "2024-01-01T00:00:00Z", "2024-01-01T00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "yesterday", "2024-13-45T99:99Z",
        "1700000000", "1700000000000", "250%", "18%", "-5", "1e400", "NaN", "Infinity", "9223372036854775808", "\u001b[31mred", "r-other",
        "InvalidInstanceId.NotFound", "Throttling.User", "InternalError",
    ];

    private static Gen<JsonNode?> Scalar() => Gen.OneOf(
        Gen.Constant<JsonNode?>(null),
        Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Choose(-1000, 1000).Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Elements(long.MaxValue, long.MinValue, 0L, -1L, 4_639_948_800L).Select(l => (JsonNode?)JsonValue.Create(l)),
        Gen.Elements(1e300, -1e-300, 0.5, 99.99).Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.Elements(Words).Select(w => (JsonNode?)JsonValue.Create(w)));

    /// <summary>Any JSON value, nesting up to <paramref name="depth"/> (deep ones included).</summary>
    private static Gen<JsonNode?> Value(int depth) => depth <= 0
        ? Scalar()
        : Gen.Frequency(
            (6, Scalar()),
            (1, Value(depth - 1).Select(v => (JsonNode?)new JsonObject { ["Backup"] = v, ["BackupJob"] = v?.DeepClone() })),
            (1, Value(depth - 1).Select(v => (JsonNode?)new JsonArray(v))),
            (1, Gen.Choose(60, 200).Select(n => Deep(n))));

    private static JsonNode Deep(int levels)
    {
        JsonNode node = JsonValue.Create("bottom");
        for (var i = 0; i < levels; i++) node = i % 2 == 0 ? new JsonArray(node) : new JsonObject { ["x"] = node };
        return node;
    }

    /// <summary>The documented answer of one product and action (two items where it is a list).</summary>
    public static JsonObject Template(Product product, Action action)
    {
        JsonObject task(int i) => product switch
        {
            Product.MongoDB => new JsonObject { ["BackupjobId"] = (7000 + i).ToString(), ["BackupSetStatus"] = "Backuping", ["BackupStartTime"] = "2024-01-16T11:04:56Z", ["Progress"] = "18%", ["JobMode"] = "Manual" },
            Product.PolarDB => new JsonObject { ["BackupJobId"] = (7000 + i).ToString(), ["BackupProgressStatus"] = "Uploading", ["Process"] = "40", ["StartTime"] = "2024-01-16T11:04:56Z", ["JobMode"] = "Manual", ["TaskAction"] = "TempBackupTask" },
            _ => new JsonObject { ["BackupJobID"] = 7000 + i, ["BackupProgressStatus"] = "Uploading", ["Process"] = "40", ["Progress"] = "40", ["StartTime"] = "2024-01-16T11:04:56Z", ["JobMode"] = "Manual", ["TaskAction"] = "TempBackupTask", ["NodeId"] = "n" },
        };
        JsonObject backup(int i) => product switch
        {
            Product.PolarDB => new JsonObject { ["BackupId"] = (900 + i).ToString(), ["DBClusterId"] = "pc-x", ["BackupStatus"] = "Success", ["BackupStartTime"] = "2024-01-16T11:04:56Z", ["BackupEndTime"] = "2024-01-16T11:09:56Z", ["BackupSetSize"] = "4639948800", ["BackupType"] = "FullBackup", ["BackupMethod"] = "Snapshot", ["BackupMode"] = "Manual" },
            _ => new JsonObject { ["BackupId"] = 900 + i, ["BackupJobId"] = 7000 + i, ["BackupStatus"] = "Success", ["BackupStartTime"] = "2024-01-16T11:04:56Z", ["BackupEndTime"] = "2024-01-16T11:09:56Z", ["BackupSize"] = 1024, ["BackupType"] = "FullBackup", ["BackupMethod"] = "Physical", ["BackupMode"] = "Manual", ["BackupDownloadURL"] = "https://example.invalid/b" },
        };
        var root = new JsonObject { ["RequestId"] = "GEN-" + product + "-" + action };
        switch (action)
        {
            case Action.DescribeBackupTasks when product == Product.PolarDB:
                root["Items"] = new JsonObject { ["BackupJob"] = new JsonArray(task(1), task(2)) };
                break;
            case Action.DescribeBackupTasks:
                root["BackupJobs"] = new JsonArray(task(1), task(2));
                break;
            case Action.DescribeBackups when product == Product.PolarDB:
                root["TotalRecordCount"] = "2";
                root["PageRecordCount"] = "2";
                root["PageNumber"] = "1";
                root["Items"] = new JsonObject { ["Backup"] = new JsonArray(backup(1), backup(2)) };
                break;
            case Action.DescribeBackups:
                root["TotalCount"] = 2;
                root["PageNumber"] = 1;
                root["PageSize"] = 100;
                root["Backups"] = new JsonObject { ["Backup"] = new JsonArray(backup(1), backup(2)) };
                break;
            default:
                root[product == Product.Redis ? "BackupJobID" : "BackupJobId"] = "7001";
                break;
        }
        return root;
    }

    /// <summary>Every node of a tree with its parent (so it can be removed or replaced).</summary>
    private static List<(JsonNode Parent, object Key)> Slots(JsonNode root)
    {
        var slots = new List<(JsonNode, object)>();
        void Walk(JsonNode node)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (name, value) in obj.ToList())
                    {
                        slots.Add((obj, name));
                        if (value != null) Walk(value);
                    }
                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        slots.Add((array, i));
                        if (array[i] != null) Walk(array[i]!);
                    }
                    break;
            }
        }
        Walk(root);
        return slots;
    }

    private sealed record Mutation(int Kind, int Slot, JsonNode? Value);

    private static readonly Gen<Mutation> MutationGen =
        from kind in Gen.Choose(0, 9)
        from slot in Gen.Choose(0, 10_000)
        from value in Value(2)
        select new Mutation(kind, slot, value);

    private static string Apply(JsonObject root, Mutation m)
    {
        var slots = Slots(root);
        if (slots.Count == 0) return "nothing to mutate";
        var (parent, key) = slots[m.Slot % slots.Count];
        switch (m.Kind)
        {
            case 9:
                root["Code"] = m.Value?.DeepClone();
                root["Message"] = "generated";
                return "added Code " + (m.Value?.ToJsonString() ?? "null");
            case 0:
            case 1:
                if (parent is JsonObject o) o.Remove((string)key);
                else ((JsonArray)parent).RemoveAt((int)key);
                return "removed " + key;
            default:
                if (parent is JsonObject obj) obj[(string)key] = m.Value?.DeepClone();
                else ((JsonArray)parent)[(int)key] = m.Value?.DeepClone();
                return "set " + key + " to " + (m.Value?.ToJsonString() ?? "null");
        }
    }

    /// <summary>Byte-level spoiling: 0 none, 1 invalid UTF-8 in a string, 2 lone surrogate escape, 3 cut short, 4 BOM + junk.</summary>
    private static byte[] Spoil(byte[] body, int how, int at)
    {
        var text = Encoding.UTF8.GetString(body);
        switch (how)
        {
            case 1:
            case 2:
                var quotes = Enumerable.Range(0, text.Length).Where(i => text[i] == '"').ToList();
                if (quotes.Count == 0) return body;
                var position = quotes[at % quotes.Count] + 1;
                var prefix = Encoding.UTF8.GetBytes(text[..position]);
                var junk = how == 1 ? new byte[] { 0xC3, 0x28, 0xFF } : Encoding.ASCII.GetBytes("\\ud800");
                return [.. prefix, .. junk, .. Encoding.UTF8.GetBytes(text[position..])];
            case 3:
                return body[..(at % Math.Max(1, body.Length))];
            case 4:
                return [0xEF, 0xBB, 0xBF, 0xFE, .. body];
            default:
                return body;
        }
    }

    /// <summary>A generated answer for one product and action.</summary>
    public static Gen<Answer> For(Product product, Action action) =>
        from mutations in Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(MutationGen, n))
        from whole in Gen.Frequency((12, Gen.Constant<JsonNode?>(null)), (1, Value(3)))
        from spoil in Gen.Frequency((10, Gen.Constant(0)), (2, Gen.Constant(1)), (2, Gen.Constant(2)), (2, Gen.Constant(3)), (1, Gen.Constant(4)))
        from at in Gen.Choose(0, 5000)
        select Build(product, action, mutations, whole, spoil, at);

    /// <summary>A generated answer for any product and action.</summary>
    public static Gen<Answer> Any() =>
        from product in Gen.Elements(Product.Redis, Product.PolarDB, Product.MongoDB)
        from action in Gen.Elements(Action.DescribeBackupTasks, Action.DescribeBackups, Action.CreateBackup)
        from answer in For(product, action)
        select answer;

    private static Answer Build(Product product, Action action, Mutation[] mutations, JsonNode? whole, int spoil, int at)
    {
        var root = Template(product, action);
        var description = new List<string>();
        foreach (var m in mutations) description.Add(Apply(root, m));
        var body = Encoding.UTF8.GetBytes(whole != null ? whole.ToJsonString() : root.ToJsonString());
        if (whole != null) description.Add("whole body replaced");
        body = Spoil(body, spoil, at);
        if (spoil != 0) description.Add("spoiled " + spoil);
        return new Answer(product, action, body, string.Join("; ", description));
    }
}
