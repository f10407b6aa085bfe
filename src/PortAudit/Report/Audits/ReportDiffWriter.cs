using System.Globalization;
using System.Text;
using PortAudit.Audit;
using PortAudit.Audit.Triage;
using PortAudit.Report.Json;
using PortAudit.Report.Text;

namespace PortAudit.Report.Audits;

/// <summary>Writes a <see cref="ReportDiff"/> (<c>portaudit diff</c>) as a table for people or JSON for scripts.</summary>
public static class ReportDiffWriter
{
    /// <summary>The format names <see cref="Write"/> accepts.</summary>
    public static readonly string[] Formats = ["table", "json"];

    /// <summary>
    /// Writes <paramref name="diff"/> of <paramref name="before"/> and <paramref name="after"/> in <paramref name="format"/>;
    /// <paramref name="tables"/> lays out the table format.
    /// </summary>
    public static void Write(Stream output, string format, RecordedReport before, RecordedReport after, ReportDiff diff, ListingRenderer tables)
    {
        if (format == "json") WriteJson(output, before, after, diff);
        else
        {
            using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            tables(Listing(before, after, diff), writer);
        }
    }

    // New first: what a change brought is what the reader came for; then what it fixed, then what stayed.
    private static IEnumerable<(string Status, RecordedFinding Finding)> Rows(ReportDiff diff) =>
        diff.New.Select(f => ("new", f))
            .Concat(diff.Resolved.Select(f => (FindingStatusNames.Resolved, f)))
            .Concat(diff.Unchanged.Select(f => ("unchanged", f)));

    /// <summary>The summary line, then a row per finding (none when both reports agree on nothing).</summary>
    public static TextListing Listing(RecordedReport before, RecordedReport after, ReportDiff diff)
    {
        string summary = $"diff: {before.Source} -> {after.Source}: {diff.New.Count} new, {diff.Resolved.Count} resolved, {diff.Unchanged.Count} unchanged";
        if (diff.New.Count + diff.Resolved.Count + diff.Unchanged.Count == 0) return new TextListing([summary], null, []);
        var table = new TableRows(new TableColumn("status"), new TableColumn("id"), new TableColumn("severity"), new TableColumn("kind"),
            new TableColumn("client", 32), new TableColumn("server", 32), new TableColumn("port"), new TableColumn("rule"),
            new TableColumn("flows", AlignRight: true));
        foreach (var (status, f) in Rows(diff))
            table.Add(f.Suppressed ? status + " (suppressed)" : status, f.Id, f.Severity, f.Kind.Name(), f.ClientHost, f.ServerHost,
                f.Service, f.Rule ?? "-", f.Flows.ToString(CultureInfo.InvariantCulture));
        return new TextListing([summary], table, []);
    }

    private static void WriteJson(Stream stream, RecordedReport before, RecordedReport after, ReportDiff diff) => JsonOutput.Write(stream, json =>
    {
        json.WriteStartObject();
        json.WriteString("before", before.Source);
        json.WriteString("after", after.Source);
        foreach (var (name, findings) in new[] { ("new", diff.New), (FindingStatusNames.Resolved, diff.Resolved), ("unchanged", diff.Unchanged) })
        {
            json.WriteStartArray(name);
            foreach (var finding in findings) RecordedFindingJson.Write(json, finding);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    });
}
