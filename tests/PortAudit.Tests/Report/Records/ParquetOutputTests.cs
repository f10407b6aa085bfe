using System.Text.Json;
using System.Text.RegularExpressions;
using PortAudit.Report.Audits;
using PortAudit.Report.Records;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Report.Records;

/// <summary>
/// flows.parquet, findings.parquet and <c>flows --format parquet</c> read back by two readers, Parquet.Net and DuckDB:
/// every row and every column equal to flows.jsonl and report.json's findings, field by field.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed partial class ParquetOutputTests : IDisposable
{
    private readonly ScratchDirectory _dir = new("portaudit-parquet");

    private static string Lab(string name) => SharedData.InRepository($"captures/{name}");

    [GeneratedRegex("^C[0-9A-Za-z]{17}$")]
    private static partial Regex Uid();

    [Fact]
    public void AuditParquetFilesHoldWhatFlowsJsonlAndReportJsonHold()
    {
        string output = Path.Combine(_dir.FullName, "out");
        var result = CliProcess.Run($"audit \"{Lab("lab.pcapng")}\" --inventory \"{Lab("lab.yaml")}\" --firewall \"{Lab("lab-fe01.json")}\" " +
                                    $"--out \"{output}\" --parquet -q");
        Assert.True(result.ExitCode is 0 or 1, result.StandardError);
        var jsonl = File.ReadAllLines(Path.Combine(output, AuditReportFiles.Flows)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        string flowsParquet = Path.Combine(output, AuditReportFiles.FlowsParquet);
        var byParquetNet = ParquetReaders.WithParquetNet(flowsParquet);
        var byDuckDb = ParquetReaders.WithDuckDb(flowsParquet);
        AssertSameFlows(jsonl, byParquetNet);
        AssertSameFlows(jsonl, byDuckDb);
        Assert.Equal(byParquetNet, byDuckDb);
        Assert.Contains(byDuckDb, row => row["policy"] is List<object?> { Count: > 0 });
        Assert.Contains(byDuckDb, row => row["server_roles"] is List<object?> { Count: 0 });

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, AuditReportFiles.Json)));
        var findings = report.RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.NotEmpty(findings);
        string findingsParquet = Path.Combine(output, AuditReportFiles.FindingsParquet);
        var uidOf = byDuckDb.ToDictionary(row => (long)row["id"]!, row => (string)row["uid"]!);
        foreach (var rows in new[] { ParquetReaders.WithParquetNet(findingsParquet), ParquetReaders.WithDuckDb(findingsParquet) })
        {
            Assert.Equal(findings.Count, rows.Count);
            for (int i = 0; i < rows.Count; i++) AssertSameFinding(findings[i], rows[i], uidOf);
        }
    }

    [Fact]
    public void FlowsFormatParquetGivesTheFlowsOfFormatJsonl()
    {
        string parquet = Path.Combine(_dir.FullName, "flows.parquet");
        string jsonl = Path.Combine(_dir.FullName, "flows.jsonl");
        Assert.Equal(0, CliProcess.Run($"flows \"{Lab("lab.pcapng")}\" --format parquet -o \"{parquet}\"").ExitCode);
        Assert.Equal(0, CliProcess.Run($"flows \"{Lab("lab.pcapng")}\" --format jsonl -o \"{jsonl}\"").ExitCode);
        var lines = File.ReadAllLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.NotEmpty(lines);
        var rows = ParquetReaders.WithDuckDb(parquet);
        AssertSameFlows(lines, rows);
        Assert.Equal(rows, ParquetReaders.WithParquetNet(parquet));
        // Zeek's names lead, in conn.log's order.
        Assert.Equal(ParquetFlowWriter.ZeekColumns.Select(z => z.Column), rows[0].Keys.Take(ParquetFlowWriter.ZeekColumns.Count));
    }

    [Fact]
    public void FlowsFormatParquetGoesThroughAPipe()
    {
        var result = CliProcess.Run($"flows \"{Lab("lab.pcapng")}\" --format parquet");
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("PAR1", result.StandardOutput);
    }

    [Fact]
    public void FlowsFormatParquetRefusesATerminal()
    {
        // script(1) gives the process a terminal for standard output, as a user typing the command has.
        string dll = Path.Combine(AppContext.BaseDirectory, "portaudit.dll");
        var start = new System.Diagnostics.ProcessStartInfo("script")
        {
            ArgumentList = { "-qec", $"dotnet \"{dll}\" flows \"{Lab("lab.pcapng")}\" --format parquet", "/dev/null" },
            WorkingDirectory = _dir.FullName,
        };
        var result = ExternalProgram.Run(start, TimeSpan.FromSeconds(60), []);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--format parquet writes a binary file: give one with -o FILE, or redirect standard output", result.StandardOutput);
        Assert.DoesNotContain("PAR1", result.StandardOutput);
    }

    /// <summary>
    /// Every field of every line of <paramref name="jsonl"/> equals its column (<see cref="ParquetFlowWriter.ColumnName"/>)
    /// in the same row, and the file has no column besides them but <c>uid</c>, unique and Zeek-shaped, and what the flow's
    /// sides rest on and what else an audit reading the file back needs (<see cref="ReadBackFields"/>).
    /// </summary>
    private static void AssertSameFlows(List<JsonElement> jsonl, List<Dictionary<string, object?>> rows)
    {
        Assert.Equal(jsonl.Count, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var fields = jsonl[i].EnumerateObject().ToList();
            Assert.Equal(fields.Count + 1 + ReadBackFields.Names.Count, rows[i].Count);
            Assert.Contains((string)rows[i]["sides"]!, new[] { "opening", "content", "ports" });
            Assert.IsType<bool>(rows[i]["first_from_server"]);
            Assert.IsType<long>(rows[i]["weakness"]);
            Assert.IsType<bool>(rows[i]["announced"]);
            foreach (var field in fields)
            {
                object? expected = ParquetReaders.Canonical(field.Value);
                Assert.True(Equals(expected, rows[i][ParquetFlowWriter.ColumnName(field.Name)]) ||
                            expected is List<object?> list && rows[i][ParquetFlowWriter.ColumnName(field.Name)] is List<object?> read && list.SequenceEqual(read),
                    $"row {i}, {field.Name}: {field.Value} vs {Show(rows[i][ParquetFlowWriter.ColumnName(field.Name)])}");
            }
            Assert.Matches(Uid(), (string)rows[i]["uid"]!);
        }
        Assert.Equal(rows.Count, rows.Select(r => r["uid"]).Distinct().Count());
    }

    private static void AssertSameFinding(JsonElement finding, Dictionary<string, object?> row, Dictionary<long, string> uidOf)
    {
        var evidence = finding.GetProperty("evidence");
        object? Json(JsonElement parent, string name) => parent.TryGetProperty(name, out var value) ? ParquetReaders.Canonical(value) : null;
        var expected = new Dictionary<string, object?>
        {
            ["id"] = Json(finding, "id"), ["kind"] = Json(finding, "kind"), ["severity"] = Json(finding, "severity"),
            ["client_host"] = Json(finding, "clientHost"), ["server_host"] = Json(finding, "serverHost"),
            ["client_roles"] = Json(finding, "clientRoles"), ["server_roles"] = Json(finding, "serverRoles"),
            ["transport"] = Json(finding, "transport"), ["ports"] = Json(finding, "ports"), ["rule"] = Json(finding, "rule"),
            ["reason"] = Json(finding, "reason"), ["flows"] = Json(evidence, "flows"), ["first"] = Json(evidence, "first"),
            ["last"] = Json(evidence, "last"), ["flow_ids"] = Json(evidence, "flowIds") ?? new List<object?>(),
            ["status"] = Json(finding, "status"),
            ["suppressed"] = finding.TryGetProperty("suppressed", out var s) && s.ValueKind == JsonValueKind.Object ? Json(s, "justification") : null,
        };
        expected[FindingsParquetWriter.FlowUidsColumn] = ((List<object?>)expected["flow_ids"]!).Select(id => (object?)uidOf[(long)id!]).ToList();
        Assert.Equal(expected.Keys, row.Keys);
        foreach (var (name, value) in expected)
            Assert.True(value is List<object?> list ? list.SequenceEqual((List<object?>)row[name]!) : Equals(value, row[name]),
                $"finding {expected["id"]}, {name}: {Show(value)} vs {Show(row[name])}");
    }

    private static string Show(object? value) => value is List<object?> list ? $"[{string.Join(", ", list)}]" : value?.ToString() ?? "null";

    public void Dispose() => _dir.Dispose();
}
