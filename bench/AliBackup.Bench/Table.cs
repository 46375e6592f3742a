using System.Globalization;
using System.Text;

namespace AliBackup.Bench;

/// <summary>How a figure compares with its goal: a bound on the ratio (or on our own value when there is no reference).</summary>
internal sealed record Goal(string Text, Func<Row, bool> Met)
{
    public static Goal RatioAtMost(double bound) => new("≤ " + bound.ToString("0.0#", CultureInfo.InvariantCulture) + "×", r => r.Ratio <= bound);

    public static Goal RatioAtLeast(double bound) => new("≥ " + bound.ToString("0.0#", CultureInfo.InvariantCulture) + "×", r => r.Ratio >= bound);

    public static Goal OursAtMost(double bound, string unit) => new("≤ " + bound.ToString("0.##", CultureInfo.InvariantCulture) + " " + unit, r => r.Ours <= bound);
}

/// <summary>
/// One line of the table. With a reference, the samples are paired by round (ours and the reference measured back to
/// back), the ratio is the median of the per-round ratios, and min–median–max are those ratios'. Without one, they
/// are our own samples'.
/// </summary>
internal sealed class Row
{
    public Row(string figure, string unit, IReadOnlyList<double> ours, IReadOnlyList<double>? reference, Goal? goal = null, string? note = null)
    {
        Figure = figure;
        Unit = unit;
        OursSamples = ours;
        ReferenceSamples = reference;
        Goal = goal;
        Note = note;
        if (reference != null && reference.Count != ours.Count) throw new ArgumentException("ours and the reference need as many rounds", nameof(reference));
    }

    public string Figure { get; }
    public string Unit { get; }
    public IReadOnlyList<double> OursSamples { get; }
    public IReadOnlyList<double>? ReferenceSamples { get; }
    public Goal? Goal { get; }
    public string? Note { get; set; }

    /// <summary>A row that could not be measured, with the reason.</summary>
    public static Row Skipped(string figure, string reason) => new(figure, "", [], null, note: reason);

    public bool IsSkipped => OursSamples.Count == 0;

    public double Ours => Median(OursSamples);

    public double Reference => ReferenceSamples == null ? double.NaN : Median(ReferenceSamples);

    public IReadOnlyList<double> Ratios => ReferenceSamples == null
        ? []
        : OursSamples.Zip(ReferenceSamples, (o, r) => r == 0 ? double.NaN : o / r).ToList();

    public double Ratio => ReferenceSamples == null ? double.NaN : Median(Ratios);

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static string Format(double value, string unit)
    {
        if (double.IsNaN(value)) return "—";
        var abs = Math.Abs(value);
        var text = abs >= 100 ? value.ToString("0", CultureInfo.InvariantCulture)
            : abs >= 10 ? value.ToString("0.#", CultureInfo.InvariantCulture)
            : abs >= 1 ? value.ToString("0.##", CultureInfo.InvariantCulture)
            : value.ToString("0.###", CultureInfo.InvariantCulture);
        return unit.Length == 0 ? text : unit == "×" ? text + "×" : text + " " + unit;
    }
}

internal static class Table
{
    public static string Render(IEnumerable<Row> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| figure | ours | reference | ratio | n | min–median–max | goal |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            if (row.IsSkipped)
            {
                sb.AppendLine("| " + row.Figure + " | skipped: " + row.Note + " | | | 0 | | |");
                continue;
            }
            var spread = row.ReferenceSamples != null ? row.Ratios : row.OursSamples;
            var spreadUnit = row.ReferenceSamples != null ? "×" : row.Unit;
            var goal = row.Goal == null ? "" : row.Goal.Text + (row.Goal.Met(row) ? " ✓" : " ✗");
            sb.Append("| ").Append(row.Figure).Append(row.Note == null ? "" : " (" + row.Note + ")")
                .Append(" | ").Append(Row.Format(row.Ours, row.Unit))
                .Append(" | ").Append(row.ReferenceSamples == null ? "—" : Row.Format(row.Reference, row.Unit))
                .Append(" | ").Append(row.ReferenceSamples == null ? "—" : Row.Format(row.Ratio, "×"))
                .Append(" | ").Append(row.OursSamples.Count)
                .Append(" | ").Append(Row.Format(spread.Min(), spreadUnit)).Append(" – ").Append(Row.Format(Row.Median(spread), spreadUnit))
                .Append(" – ").Append(Row.Format(spread.Max(), spreadUnit))
                .Append(" | ").Append(goal).AppendLine(" |");
        }
        return sb.ToString();
    }
}
