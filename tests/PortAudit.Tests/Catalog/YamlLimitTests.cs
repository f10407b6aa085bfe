using System.Text;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Sources.Records;
using PortAudit.Tests.Audit;

namespace PortAudit.Tests.Catalog;

/// <summary>
/// Hostile YAML in an inventory or a catalog: each limit (depth, alias expansion, scalar length, file size) and
/// invalid UTF-8 end in one located error, with the memory spent bounded, never a crash or a blow-up.
/// </summary>
[Trait("Tier", "unit")]
public sealed class YamlLimitTests : IDisposable
{
    private const long MemoryBound = 200L << 20;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portaudit-yaml");

    public void Dispose() => _dir.Delete(recursive: true);

    private (InventoryException Error, long Allocated, string Path) LoadInventory(byte[] bytes)
    {
        var path = Path.Combine(_dir.FullName, "inventory.yaml");
        File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InventoryException>(() => InventoryLoader.Load(path, AuditFixture.Catalog));
        return (error, GC.GetAllocatedBytesForCurrentThread() - before, path);
    }

    private static CatalogException LoadCatalog(byte[] rules)
    {
        using var catalog = new TempCatalog("");
        File.WriteAllBytes(Path.Combine(catalog.Dir, "test.yaml"), rules);
        return Assert.Throws<CatalogException>(() => CatalogLoader.Load(catalog.Dir));
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData("hosts: ", "[", "]", 1)]    // flow sequences
    [InlineData("hosts: ", "{a: ", "}", 1)] // flow mappings
    [InlineData("hosts:\n", "- ", "", 2)]   // compact block sequences on one line
    public void DeepNestingIsALimitNotAStackOverflow(string start, string open, string close, int line)
    {
        string yaml = start + string.Concat(Enumerable.Repeat(open, 50_000)) + "x" + string.Concat(Enumerable.Repeat(close, 50_000)) + "\n";
        var (ex, allocated, path) = LoadInventory(Utf8(yaml));
        var error = Assert.Single(ex.Errors);
        Assert.Equal(line, error.Line);
        Assert.Equal("nested deeper than 64 levels (the YAML depth limit)", error.Problem);
        Assert.StartsWith($"invalid inventory: {path}:{line}:", ex.Message);
        Assert.InRange(allocated, 0, MemoryBound);
    }

    [Fact]
    public void DeepNestingInACatalogIsALimitToo()
    {
        var ex = LoadCatalog(Utf8("rules: " + new string('[', 50_000) + new string(']', 50_000)));
        var error = Assert.Single(ex.Errors);
        Assert.Equal("rules/test.yaml", error.File.Replace('\\', '/'));
        Assert.Contains("YAML depth limit", error.Problem);
    }

    [Fact]
    public void AliasExpansionIsCountedAndLimited()
    {
        // 500 bad addresses behind one anchor, brought in by 1,000 hosts: 500,000 errors before the limit.
        var yaml = new StringBuilder("bad: &A [" + string.Join(", ", Enumerable.Range(0, 500).Select(i => $"x{i}")) + "]\nhosts:\n");
        for (int i = 0; i < 1000; i++)
            yaml.Append($"  - name: h{i}\n    addresses: *A\n    roles: [workstation]\n");
        var (ex, allocated, path) = LoadInventory(Utf8(yaml.ToString()));
        var error = Assert.Single(ex.Errors);
        Assert.Equal("aliases bring in more than 100000 nodes (the YAML alias expansion limit)", error.Problem);
        // Each alias brings in 501 nodes (the list and its values), so the 200th crosses the limit: host 199 starts
        // on line 3 + 199 * 3 and its addresses follow.
        Assert.Equal((3 + 199 * 3 + 1, 16), (error.Line, error.Column));
        Assert.InRange(allocated, 0, MemoryBound);
    }

    [Fact]
    public void AliasesThatStayWithinTheLimitStillWork()
    {
        var inventory = AuditFixture.LoadInventory(AuditFixture.InventoryYaml.Replace("roles: [workstation]", "roles: &ws [workstation]")
            
            .Replace("segments:", "  - name: more\n    addresses: [10.0.20.1]\n    roles: *ws\nsegments:"));
        Assert.Equal(["workstation"], inventory.Hosts.Single(h => h.Name == "more").Roles);
    }

    [Fact]
    public void ErrorsBeyondTheFiftiethAreCountedNotListed()
    {
        var yaml = new StringBuilder("hosts:\n");
        for (int i = 0; i < 200; i++)
            yaml.Append($"  - name: h{i}\n    addresses: [bad{i}]\n    roles: [workstation]\n");
        var (ex, _, path) = LoadInventory(Utf8(yaml.ToString()));
        Assert.Equal(50, ex.Errors.Count);
        Assert.Equal(200, ex.ErrorCount);
        var lines = ex.Message.Split(Environment.NewLine);
        Assert.Equal("invalid inventory: 200 errors", lines[0]);
        Assert.Equal(52, lines.Length);
        Assert.Equal($"  {path}:3:17: bad address 'bad0': expected an IPv4 or IPv6 address, optionally with /PREFIX", lines[1]);
        Assert.Equal("  and 150 more", lines[^1]);
    }

    [Fact]
    public void LongScalarIsALimit()
    {
        string yaml = "hosts:\n  - name: " + new string('h', 3_000_000) + "\n    addresses: [10.0.0.1]\n    roles: [workstation]\n";
        var (ex, allocated, _) = LoadInventory(Utf8(yaml));
        var error = Assert.Single(ex.Errors);
        Assert.Equal((2, 11), (error.Line, error.Column));
        Assert.Equal("a value of 3000000 characters is longer than 65536 (the YAML value length limit)", error.Problem);
        Assert.InRange(allocated, 0, MemoryBound);
    }

    [Fact]
    public void ASecondDocumentIsRefusedNotDropped()
    {
        // After '---' a second hosts: block was read as nothing: its hosts were missing from the audit without a word.
        var (ex, _, path) = LoadInventory(Utf8(
            "hosts:\n  - name: fe01\n    addresses: [10.0.0.1]\n    roles: [workstation]\n---\n" +
            "hosts:\n  - name: dc01\n    addresses: [10.0.0.2]\n    roles: [workstation]\n"));
        var error = Assert.Single(ex.Errors);
        Assert.Equal($"{path}:6:1: a second YAML document (after '---'): the file is one document, and 1 more would be left out; join them into one",
            error.ToString());
    }

    [Fact]
    public void OversizeFileIsRefusedBeforeItIsRead()
    {
        var bytes = Utf8(string.Concat(Enumerable.Repeat("# padding padding padding padding padding padding padding padding\n", 300_000)) + "hosts: []\n");
        var (ex, allocated, path) = LoadInventory(bytes);
        var error = Assert.Single(ex.Errors);
        Assert.Equal($"{path}:1:1: file of {bytes.Length} bytes is larger than 16777216 (the YAML file size limit)", error.ToString());
        Assert.InRange(allocated, 0, 1 << 20);
    }

    [Fact]
    public void InvalidUtf8InAnInventoryIsRejectedWithItsByteOffset()
    {
        var bytes = Utf8("hosts:\n  - name: caf\u00e9X\n    addresses: [10.0.0.1]\n    roles: [workstation]\n");
        int offset = Array.IndexOf(bytes, (byte)'X');
        bytes[offset] = 0xFF; // é is two bytes (c3 a9); 0xff can start nothing
        var (ex, _, path) = LoadInventory(bytes);
        Assert.Equal($"invalid inventory: {path}:2:15: not UTF-8 at byte {offset} (0xff)", ex.Message);
    }

    [Fact]
    public void InvalidUtf8InACatalogIsRejectedWithItsByteOffset()
    {
        var bytes = Utf8(TempCatalog.ValidRules);
        int offset = Encoding.UTF8.GetByteCount(TempCatalog.ValidRules[..TempCatalog.ValidRules.IndexOf("Ports", StringComparison.Ordinal)]);
        bytes[offset] = 0xC3; // a lead byte followed by 'o', not a continuation byte
        var error = Assert.Single(LoadCatalog(bytes).Errors);
        Assert.Equal($"not UTF-8 at byte {offset} (0xc3)", error.Problem);
        Assert.Equal(12, error.Line);
    }

    [Fact]
    public void ByteOrderMarkIsNotAnError()
    {
        var inventory = AuditFixture.LoadInventory("\uFEFF" + AuditFixture.InventoryYaml);
        Assert.Equal(3, inventory.Hosts.Count);
    }
}
