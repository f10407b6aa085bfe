using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Listings;
using PortAudit.Sources.Files;
using PortAudit.Tests.Audit;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// The same traffic audited from two sources, flows matched by 5-tuple (endpoints in canonical order, so that who is
/// called the client does not decide the match). Verdicts must be equal wherever the capture's verdict rests on the
/// port; a difference is explained only by evidence: the capture's verdict rests on content we inspected (a protocol
/// mismatch, dynamic RPC tied to the endpoint mapper or a bind), or the record's exporter named an application that
/// our inspection names otherwise.
/// </summary>
internal sealed class VerdictComparison
{
    private VerdictComparison() { }

    /// <summary>Matched 5-tuples with the same verdicts on both sides.</summary>
    public List<string> Same { get; } = [];

    /// <summary>Matched 5-tuples whose verdicts differ for a reason of evidence, with that reason.</summary>
    public List<string> Explained { get; } = [];

    /// <summary>Matched 5-tuples whose verdicts differ without one: each is a failure.</summary>
    public List<string> Unexplained { get; } = [];

    /// <summary>5-tuples only one side has (the capture's flows the records lack, and the reverse).</summary>
    public List<string> Unmatched { get; } = [];

    /// <summary>The catalog of the repository.</summary>
    public static RoleCatalog Catalog() => CatalogLoader.Load(SharedData.InRepository("rules"));

    /// <summary>An audit context of the inventory at <paramref name="inventoryPath"/>.</summary>
    public static AuditContext Context(string inventoryPath)
    {
        var catalog = Catalog();
        return AuditContext.Create(catalog, InventoryLoader.Load(inventoryPath, catalog));
    }

    /// <summary>
    /// The inventory <c>portaudit audit --draft-inventory</c> drafts from <paramref name="capture"/>, loaded: hosts get the
    /// roles their traffic shows, so that the verdicts of both sources say more than "unmapped".
    /// </summary>
    public static AuditContext DraftedContext(string capture)
    {
        var catalog = Catalog();
        var (draft, _) = InventoryDraftRun.Draft(CaptureFileSource.Of([capture]), catalog, null, new FlowTableOptions());
        string path = Path.Combine(Path.GetTempPath(), $"portaudit-drafted-{Guid.NewGuid():N}.yaml");
        try
        {
            using (var writer = new StreamWriter(path)) DraftInventoryWriter.Write(writer, draft, null);
            return AuditContext.Create(catalog, InventoryLoader.Load(path, catalog));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Compares the audits of the capture's flows and of the records' flows.</summary>
    public static VerdictComparison Of(IEnumerable<(Flow Flow, FlowVerdict Verdict)> capture, IEnumerable<(Flow Flow, FlowVerdict Verdict)> records)
    {
        var result = new VerdictComparison();
        var ours = capture.ToLookup(f => Tuple(f.Flow));
        var theirs = records.ToLookup(f => Tuple(f.Flow));
        foreach (var key in ours.Select(g => g.Key).Union(theirs.Select(g => g.Key)).Order(StringComparer.Ordinal))
        {
            var a = ours[key].ToList();
            var b = theirs[key].ToList();
            if (a.Count == 0 || b.Count == 0)
            {
                result.Unmatched.Add($"{key}: {a.Count} from the capture, {b.Count} from the records");
                continue;
            }
            string left = Verdicts(a), right = Verdicts(b);
            string line = $"{key}: capture {left} [{Bases(a)}], records {right} [{Bases(b)}]";
            if (left == right) result.Same.Add(line);
            else if (Explanation(a, b) is { } why) result.Explained.Add($"{line}: {why}");
            else result.Unexplained.Add(line);
        }
        return result;
    }

    /// <summary>Everything, for the test output.</summary>
    public override string ToString() =>
        string.Join('\n', Same.Select(l => "same        " + l).Concat(Explained.Select(l => "explained   " + l))
            .Concat(Unexplained.Select(l => "UNEXPLAINED " + l)).Concat(Unmatched.Select(l => "unmatched   " + l)));

    private static string? Explanation(List<(Flow Flow, FlowVerdict Verdict)> capture, List<(Flow Flow, FlowVerdict Verdict)> records)
    {
        if (capture.Any(f => f.Flow.Evidence.ReadsContent() && f.Verdict.Verdict is Verdict.ProtocolMismatch or Verdict.ExpectedDynamicRpc))
            return "the capture's verdict rests on inspected content (protocol, or DCE/RPC tied to the endpoint mapper or a bind)";
        // An announcement in the capture (FTP PASV, an SDP offer) tied the flow to its control connection; records hold none.
        if (capture.Any(f => f.Flow.Announced && f.Verdict.Verdict == Verdict.Expected))
            return "the capture's verdict rests on the announcement that chose the port (FTP PORT/PASV, SDP, TFTP)";
        // Who opened the flow is evidence too: a capture's packet order (Zeek's misordered NTP logs the reply's sender as
        // originator) or a record's start time; the port is judged from the server's side.
        if (capture.All(c => records.All(r => c.Flow.Client == r.Flow.Server && c.Flow.ClientPort == r.Flow.ServerPort)))
            return "the sources name opposite clients, so each judges the other side's port";
        // Several rules allow the port: inspection puts the one whose protocol it confirmed first; without content, catalog order.
        if (capture.All(f => f.Verdict.Verdict == Verdict.Expected) && records.All(f => f.Verdict.Verdict == Verdict.Expected
                && capture.All(c => c.Verdict.Covered.Any(r => r.Id == f.Verdict.Rule?.Id))))
            return "both expected: of the rules that allow the port, inspection confirmed which is in use";
        var inspected = capture.Select(f => f.Flow.App?.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var named = records.Where(f => f.Flow.Evidence == FlowEvidence.ExporterAppId).Select(f => f.Flow.App?.Name).OfType<string>().ToList();
        if (named.Count > 0 && !named.All(inspected.Contains))
            return $"the exporter named {string.Join(", ", named.Distinct())} where inspection found {(inspected.Count == 0 ? "nothing" : string.Join(", ", inspected))}";
        return null;
    }

    private static string Tuple(Flow flow)
    {
        var key = FlowKey.Create(flow.Client, flow.ClientPort, flow.Server, flow.ServerPort, flow.Protocol, out _);
        return $"{flow.Transport} {key.LowAddress}:{key.LowPort} {key.HighAddress}:{key.HighPort}";
    }

    // The verdicts of a 5-tuple's flows (a tuple reused is several flows), with the rule that decided each.
    private static string Verdicts(List<(Flow Flow, FlowVerdict Verdict)> flows) =>
        string.Join(",", flows.Select(f => $"{f.Verdict.Verdict.Name()}{(f.Verdict.Rule is { } rule ? "(" + rule.Id + ")" : "")}").Distinct().Order(StringComparer.Ordinal));

    private static string Bases(List<(Flow Flow, FlowVerdict Verdict)> flows) =>
        string.Join(",", flows.Select(f => f.Flow.Evidence.Name() + (f.Flow.App is { } app ? " " + app.Name : "")).Distinct());
}
