using System.Text;
using PortAudit.Audit;
using PortAudit.Audit.Triage;
using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Tests.Audit.Triage;

/// <summary>
/// Inventories, suppression files and baselines as hostile input (issue 43): text decoded strictly ("not UTF-8 at byte
/// N"), YAML alias bombs, huge values and documents bounded, each a clear error naming the file and the place, with the
/// memory spent bounded, never a crash. The inventory's other YAML limits are <see cref="PortAudit.Tests.Catalog.YamlLimitTests"/>'s.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class HostileTriageInputTests : IDisposable
{
    private const long MemoryBound = 200L << 20;
    private readonly TriageFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string WriteBytes(string name, byte[] bytes)
    {
        string path = Path.Combine(_files.Root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static (T Error, long Allocated) Refused<T>(Action load) where T : Exception
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<T>(load);
        return (error, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private (SuppressionException Error, long Allocated) LoadSuppressions(string path) =>
        Refused<SuppressionException>(() => SuppressionLoader.Load(path, AuditFixture.Catalog));

    // Nine levels of ten aliases each to the level below: 10^9 nodes once expanded, in under 400 bytes.
    private static string BillionLaughs(string key) =>
        "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
        + string.Concat(Enumerable.Range(1, 8).Select(i => $"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n"))
        + $"{key}: *l8\n";

    [Fact]
    public void A_suppression_file_that_is_not_utf8_is_refused_naming_its_line_and_byte()
    {
        var text = Encoding.UTF8.GetBytes("suppressions:\n  - kind: unexpected\n    justification: caf_ accepted\n    owner: netops\n    expires: 2099-12-31\n");
        int at = Array.IndexOf(text, (byte)'_');
        text[at] = 0xE9; // Latin-1 é
        string path = WriteBytes("latin1.yaml", text);

        var (ex, _) = LoadSuppressions(path);

        var error = Assert.Single(ex.Errors);
        Assert.Equal((3, 23), (error.Line, error.Column));
        Assert.Equal($"not UTF-8 at byte {at} (0xe9)", error.Problem);
        Assert.Contains($"{path}:3:23: not UTF-8 at byte {at}", ex.Message);
    }

    [Fact]
    public void A_billion_laughs_suppression_file_is_refused_at_the_alias_limit_in_bounded_memory()
    {
        string path = _files.Write("laughs.yaml", BillionLaughs("suppressions"));

        var (ex, allocated) = LoadSuppressions(path);

        Assert.Contains(ex.Errors, e => e.Problem == "aliases bring in more than 100000 nodes (the YAML alias expansion limit)");
        Assert.All(ex.Errors, e => Assert.Equal(path, e.File));
        Assert.InRange(allocated, 0, MemoryBound);
    }

    [Fact]
    public void A_billion_laughs_inventory_is_refused_at_the_alias_limit_in_bounded_memory()
    {
        string path = _files.Write("laughs-inventory.yaml", BillionLaughs("hosts"));

        var (ex, allocated) = Refused<InventoryException>(() => InventoryLoader.Load(path, AuditFixture.Catalog));

        Assert.Contains(ex.Errors, e => e.Problem == "aliases bring in more than 100000 nodes (the YAML alias expansion limit)");
        Assert.InRange(allocated, 0, MemoryBound);
    }

    [Fact]
    public void A_huge_justification_is_refused_at_the_value_length_limit()
    {
        string path = _files.Write("long.yaml", "suppressions:\n  - kind: unexpected\n    justification: " + new string('j', 3_000_000)
            + "\n    owner: netops\n    expires: 2099-12-31\n");

        var (ex, allocated) = LoadSuppressions(path);

        var error = Assert.Single(ex.Errors);
        Assert.Equal((3, 20), (error.Line, error.Column));
        Assert.Equal("a value of 3000000 characters is longer than 65536 (the YAML value length limit)", error.Problem);
        Assert.InRange(allocated, 0, MemoryBound);
    }

    [Fact]
    public void A_suppression_file_over_the_size_limit_is_refused_before_it_is_read()
    {
        string path = Path.Combine(_files.Root, "huge.yaml");
        using (var file = File.Create(path)) file.SetLength(64L << 20); // sparse: costs no disk

        var (ex, allocated) = LoadSuppressions(path);

        var error = Assert.Single(ex.Errors);
        Assert.Equal($"file of {64L << 20} bytes is larger than {16 << 20} (the YAML file size limit)", error.Problem);
        Assert.InRange(allocated, 0, 1 << 20);
    }

    [Fact]
    public void A_baseline_string_with_a_lone_surrogate_escape_is_refused_naming_the_file_and_the_field()
    {
        string path = _files.Write("surrogate.json", "{\"findings\": [{\"kind\": \"unexpected\", \"clientHost\": \"a\\ud800b\"}]}");

        var ex = Assert.Throws<InputException>(() => RecordedReportReader.Read(path));

        Assert.Equal($"{path}: $.findings[0].clientHost: not text: a lone UTF-16 surrogate escape", ex.Message);
    }

    [Fact]
    public void A_baseline_over_the_size_limit_is_refused_before_it_is_read()
    {
        string path = Path.Combine(_files.Root, "huge.json");
        using (var file = File.Create(path)) file.SetLength(RecordedReportReader.MaxFileBytes + 1L);

        var (ex, allocated) = Refused<InputException>(() => RecordedReportReader.Read(path));

        Assert.Equal($"{path}: file of {RecordedReportReader.MaxFileBytes + 1L} bytes is larger than {RecordedReportReader.MaxFileBytes}", ex.Message);
        Assert.InRange(allocated, 0, 1 << 20);
    }

    [Fact]
    public void A_baseline_nested_beyond_the_depth_limit_is_refused_naming_the_line_not_a_stack_overflow()
    {
        string path = _files.Write("deep.json", "{\"findings\":\n" + new string('[', 100_000) + new string(']', 100_000) + "}");

        var ex = Assert.Throws<InputException>(() => RecordedReportReader.Read(path));

        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(path)}: byte \d+ \(line 2\): not valid JSON: .*depth", ex.Message);
    }

    private const string Finding = "{\"kind\": \"unexpected\", \"clientHost\": \"a\", \"serverHost\": \"b\", \"transport\": \"tcp\", \"ports\": \"22\"";

    [Fact]
    public void A_baseline_with_a_byte_order_mark_reads_as_without()
    {
        // Saved by a Windows editor: refused as "'0xEF' is an invalid start of a value", where every YAML input takes it.
        string path = _files.Write("bom.json", "\uFEFF{\"findings\": [" + Finding + "}]}");
        Assert.Single(RecordedReportReader.Read(path).Findings);
    }

    [Fact]
    public void A_baseline_with_its_findings_twice_is_refused_at_the_second()
    {
        // The last of two "findings" was compared alone, without a word.
        string path = _files.Write("twice.json", "{\"findings\": [" + Finding + "}], \"findings\": []}");
        var ex = Assert.Throws<InputException>(() => RecordedReportReader.Read(path));
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(path)}: byte \d+ \(line 1\): not valid JSON: .*findings", ex.Message);
    }

    [Fact]
    public void A_flow_count_that_is_no_count_is_refused_not_read_as_none()
    {
        string path = _files.Write("count.json", "{\"findings\": [" + Finding + ", \"evidence\": {\"flows\": 1e308}}]}");
        var ex = Assert.Throws<InputException>(() => RecordedReportReader.Read(path));
        Assert.Equal($"{path}: $.findings[0].evidence.flows: expected a count of flows", ex.Message);
    }
}
