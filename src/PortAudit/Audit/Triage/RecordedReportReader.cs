using System.Text.Json;
using PortAudit.Common;

namespace PortAudit.Audit.Triage;

/// <summary>
/// Reads the findings of a report.json written by <c>portaudit audit</c>. Fields it does not use are ignored, so
/// reports from newer versions still read; a file that is not JSON, or whose findings lack what a comparison needs,
/// is refused with the file, the JSON path and, for syntax, the byte offset.
/// </summary>
public static class RecordedReportReader
{
    /// <summary>Largest report read: far above a report of bounded findings, small enough to hold in memory.</summary>
    public const int MaxFileBytes = 256 << 20;

    /// <summary>Reads <paramref name="path"/>; messages name it as given.</summary>
    /// <exception cref="InputException">The file is missing, unreadable, too large, not JSON, or not a report.</exception>
    public static RecordedReport Read(string path)
    {
        byte[] bytes = ReadBytes(path);
        // The JSON reader would stop at the first bad byte with a message about a missing field or a token: say what it is.
        if (StrictText.FirstNotUtf8(bytes) is long bad)
            throw new InputException($"{path}: not UTF-8 at byte {bad}");
        JsonDocument document;
        // A BOM (a report saved by a Windows editor) is no content; a key given twice kept its last value unseen, so a
        // report with two "findings" compared only the second.
        int start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(start), new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            throw new InputException($"{path}: {JsonSyntax.Describe(bytes.AsSpan(start), ex, start)}", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("findings", out var findings))
                throw Bad(path, "$", "not a PortAudit report: expected an object with \"findings\"");
            if (findings.ValueKind != JsonValueKind.Array)
                throw Bad(path, "$.findings", "expected an array");
            var read = new List<RecordedFinding>();
            int index = 0;
            foreach (var finding in findings.EnumerateArray())
                read.Add(ReadFinding(path, $"$.findings[{index++}]", finding));
            return new RecordedReport(path, read);
        }
    }

    private static RecordedFinding ReadFinding(string path, string at, JsonElement finding)
    {
        if (finding.ValueKind != JsonValueKind.Object)
            throw Bad(path, at, "expected an object");
        string kindName = Text(path, at, finding, "kind")!;
        if (!FindingNames.AllKinds.Any(k => k.Name() == kindName))
            throw Bad(path, $"{at}.kind", $"unknown kind '{kindName}'");
        var kind = FindingNames.AllKinds.First(k => k.Name() == kindName);
        string client = Text(path, at, finding, "clientHost")!, server = Text(path, at, finding, "serverHost")!;
        string transport = Text(path, at, finding, "transport")!, ports = Text(path, at, finding, "ports")!;
        string? rule = Text(path, at, finding, "rule", optional: true);
        // Reports written before finding ids had the fields the id is made of: compute it, so they serve as baselines too.
        string id = Text(path, at, finding, "id", optional: true) ?? FindingIdentity.Of(kind, client, server, transport, ports, rule);
        long flows = 0;
        if (finding.TryGetProperty("evidence", out var evidence) && evidence.ValueKind == JsonValueKind.Object
            && evidence.TryGetProperty("flows", out var count) && !(count.ValueKind == JsonValueKind.Number && count.TryGetInt64(out flows) && flows >= 0))
            // 1e308 read as 0 flows: a count that is none is a damaged report, not an empty finding.
            throw Bad(path, $"{at}.evidence.flows", "expected a count of flows");
        bool suppressed = finding.TryGetProperty("suppressed", out var entry) && entry.ValueKind == JsonValueKind.Object;
        return new RecordedFinding(id.ToLowerInvariant(), kind, Text(path, at, finding, "severity", optional: true) ?? "",
            client, server, transport, ports, rule, Text(path, at, finding, "reason", optional: true), flows, suppressed);
    }

    private static string? Text(string path, string at, JsonElement finding, string name, bool optional = false)
    {
        if (!finding.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return optional ? null : throw Bad(path, $"{at}.{name}", "missing");
        if (value.ValueKind != JsonValueKind.String) throw Bad(path, $"{at}.{name}", "expected a string");
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // Valid UTF-8 bytes whose escapes make no text: a lone surrogate ("\ud800"), which the reader refuses to decode.
            throw Bad(path, $"{at}.{name}", "not text: a lone UTF-16 surrogate escape");
        }
    }

    private static InputException Bad(string path, string at, string problem) => new($"{path}: {at}: {problem}");

    private static byte[] ReadBytes(string path)
    {
        try
        {
            var info = new FileInfo(path);
            // A previous audit's output directory is the likely slip: its report.json is named.
            ExpectedPath.RefuseDirectory(path, "report", ": give its report.json");
            if (!info.Exists) throw new InputException($"{path}: report not found");
            if (info.Length > MaxFileBytes) throw new InputException($"{path}: file of {info.Length} bytes is larger than {MaxFileBytes}");
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot read: {ex.Message}", ex);
        }
    }
}
