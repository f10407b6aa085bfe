using System.IO.Compression;
using System.Text;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Listings;
using PortAudit.Sources.Files;

namespace PortAudit.Fuzz;

/// <summary>Seeds found on disk: files of the given extensions in the given directories, up to a size.</summary>
internal static class SeedFiles
{
    /// <summary>The files of <paramref name="directories"/> (those that exist) ending in one of <paramref name="extensions"/>, at most <paramref name="maxBytes"/> each.</summary>
    public static List<FuzzSeed> Find(IEnumerable<string> directories, string[] extensions, long maxBytes) =>
        Find(directories, f => extensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)), maxBytes, recursive: false);

    /// <summary>The files below <paramref name="directories"/> that <paramref name="wanted"/> takes, at most <paramref name="maxBytes"/> each.</summary>
    public static List<FuzzSeed> Find(IEnumerable<string> directories, Func<string, bool> wanted, long maxBytes, bool recursive) =>
        directories.Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal))
            .Where(f => wanted(f) && new FileInfo(f).Length <= maxBytes)
            .Select(f => new FuzzSeed(Path.GetFileName(f), File.ReadAllBytes(f)))
            .ToList();

    /// <summary>True for a data file of ../shared/flowdata: not a licence, a note, a manifest or a capture.</summary>
    public static bool IsSharedDataFile(string path)
    {
        string name = Path.GetFileName(path);
        return !name.StartsWith("LICENSE", StringComparison.OrdinalIgnoreCase) && !name.StartsWith("NOTE", StringComparison.OrdinalIgnoreCase)
            && !name.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".pcap", StringComparison.OrdinalIgnoreCase)
            && !name.EndsWith(".pcapng", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>
/// Captures (pcap, pcapng, and gzip of them) audited in process as `portaudit audit` does, reports included, against
/// the repository's catalog and the lab inventory: readers, decoders, inspectors, the audit and every report writer.
/// </summary>
public sealed class CaptureTarget : IFuzzTarget
{
    private const long MaxSeedBytes = 256 << 10;
    private readonly RoleCatalog _catalog;
    private readonly string _inventory;
    private readonly string _catalogDirectory;

    /// <summary>Seeds from captures/ and, when present, ../shared/captures, ../shared/captures-extra and the captures of ../shared/flowdata/zeek.</summary>
    public CaptureTarget(string repo, RoleCatalog catalog)
    {
        _catalog = catalog;
        _catalogDirectory = Path.Combine(repo, "rules");
        _inventory = Path.Combine(repo, "captures", "lab.yaml");
        string shared = Path.Combine(repo, "..", "shared");
        var seeds = SeedFiles.Find(
            [Path.Combine(repo, "captures"), Path.Combine(shared, "captures"), Path.Combine(shared, "captures-extra")],
            [".pcap", ".pcapng"], MaxSeedBytes);
        // The captures beside Zeek's conn.logs, one folder each: VXLAN, stacked VLAN tags, misordered NTP.
        seeds.AddRange(SeedFiles.Find([Path.Combine(shared, "flowdata", "zeek")], f => f.EndsWith(".pcap", StringComparison.Ordinal),
            MaxSeedBytes, recursive: true));
        // Compressed seeds reach the gzip reader; mutations of them reach its damage handling.
        seeds.AddRange(seeds.Take(3).Select(s => new FuzzSeed(s.Name + ".gz", Gzip(s.Bytes))).ToList());
        Seeds = seeds;
    }

    /// <inheritdoc />
    public string Name => "capture";

    /// <inheritdoc />
    public bool IsText => false;

    /// <inheritdoc />
    public IReadOnlyList<FuzzSeed> Seeds { get; }

    /// <inheritdoc />
    public FuzzVerdict Run(FuzzSeed seed, byte[] input, string scratch)
    {
        string path = Path.Combine(scratch, seed.Name.EndsWith(".gz", StringComparison.Ordinal) ? "input.pcap.gz" : "input.pcap");
        File.WriteAllBytes(path, input);
        var context = AuditContext.Create(_catalog, InventoryLoader.Load(_inventory, _catalog));
        var settings = new AuditSettings { OutputDirectory = Path.Combine(scratch, "out"), InventoryName = _inventory, CatalogName = _catalogDirectory };
        using var audit = new AuditRun(context, settings, new FlowTableOptions());
        var outcome = audit.Run([new CaptureFileSource(path)]);
        return outcome.Traffic.Errors.Count > 0 ? FuzzVerdict.Rejected : FuzzVerdict.Accepted;
    }

    /// <summary><paramref name="bytes"/> gzip-compressed, as a seed of the gzip reader.</summary>
    internal static byte[] Gzip(byte[] bytes)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest)) gzip.Write(bytes);
        return compressed.ToArray();
    }
}

/// <summary>
/// Captures drafted into an inventory as `suggest-roles --draft-inventory` does: the name readers (DNS, NetBIOS,
/// Kerberos, NTLM, rootDSE, TLS certificates, SMB trees, SIP), which only the draft runs, and the role model. The draft
/// must load back as an inventory: names and comments taken from hostile packet text must not break its YAML.
/// </summary>
public sealed class DraftTarget(CaptureTarget captures, RoleCatalog catalog) : IFuzzTarget
{
    /// <inheritdoc />
    public string Name => "draft";

    /// <inheritdoc />
    public bool IsText => false;

    /// <inheritdoc />
    public IReadOnlyList<FuzzSeed> Seeds => captures.Seeds;

    /// <inheritdoc />
    public FuzzVerdict Run(FuzzSeed seed, byte[] input, string scratch)
    {
        string path = Path.Combine(scratch, seed.Name.EndsWith(".gz", StringComparison.Ordinal) ? "input.pcap.gz" : "input.pcap");
        File.WriteAllBytes(path, input);
        var (draft, traffic) = InventoryDraftRun.Draft([new CaptureFileSource(path)], catalog, null, new FlowTableOptions());
        string yaml = Path.Combine(scratch, "draft.yaml");
        using (var writer = new StreamWriter(yaml)) DraftInventoryWriter.Write(writer, draft, null);
        try
        {
            var loaded = InventoryLoader.Load(yaml, catalog);
            if (loaded.Hosts.Count != draft.Hosts.Count)
                throw new InvalidOperationException($"the draft wrote {draft.Hosts.Count} entries and {loaded.Hosts.Count} loaded back");
        }
        catch (InputException e)
        {
            // The draft is ours, whatever the input was: an inventory it writes that does not load is a bug.
            throw new InvalidOperationException("the drafted inventory does not load: " + e.Message, e);
        }
        return traffic.Errors.Count > 0 ? FuzzVerdict.Rejected : FuzzVerdict.Accepted;
    }
}

/// <summary>Inventories loaded against the repository's catalog, then made an audit context, as `audit` does before reading.</summary>
public sealed class InventoryTarget(string repo, RoleCatalog catalog) : IFuzzTarget
{
    /// <inheritdoc />
    public string Name => "inventory";

    /// <inheritdoc />
    public bool IsText => true;

    /// <inheritdoc />
    public IReadOnlyList<FuzzSeed> Seeds { get; } = SeedFiles.Find([Path.Combine(repo, "captures")], [".yaml", ".yml"], 1 << 20);

    /// <inheritdoc />
    public FuzzVerdict Run(FuzzSeed seed, byte[] input, string scratch)
    {
        string path = Path.Combine(scratch, "inventory.yaml");
        File.WriteAllBytes(path, input);
        // A refusal is an InputException, which the session counts as rejected.
        AuditContext.Create(catalog, InventoryLoader.Load(path, catalog));
        return FuzzVerdict.Accepted;
    }
}

/// <summary>
/// Catalogs: the repository's rules/ with one file replaced by the mutation, loaded and checked as `catalog --check`
/// does, then used for an audit context with the lab inventory.
/// </summary>
public sealed class CatalogTarget(string repo) : IFuzzTarget
{
    private readonly string _rules = Path.Combine(repo, "rules");
    private readonly string _inventory = Path.Combine(repo, "captures", "lab.yaml");

    /// <inheritdoc />
    public string Name => "catalog";

    /// <inheritdoc />
    public bool IsText => true;

    /// <inheritdoc />
    public IReadOnlyList<FuzzSeed> Seeds { get; } =
        [.. SeedFiles.Find([Path.Combine(repo, "rules")], [".yaml"], 1 << 20), new("site-fields.yaml", Encoding.UTF8.GetBytes(SiteFields))];

    // A rule file with the fields no file of rules/ uses (a rule's server names, ICMP messages), loadable as the catalog's
    // own files are (product, source rows), so that the mutations reach those fields' readers in a catalog that loads.
    private const string SiteFields = """
        product: site
        sourceFile: site.txt
        document: "A site's own rules"
        rules:
          - id: site-web-names
            from: workstation
            to: any@external
            transport: tcp
            port: 443
            protocol: tls
            serverNames: [graph.facebook.com, "*.kakao.com", xn--bcher-kva.example]
            source: {section: "web", row: "the app's servers"}
          - id: site-ping
            from: any
            to: any@internal
            transport: icmp
            icmp: [echo-request, port-unreachable, 13, 3/1]
            source: {section: "icmp", row: "pings"}
        """;

    /// <inheritdoc />
    public FuzzVerdict Run(FuzzSeed seed, byte[] input, string scratch)
    {
        string directory = Path.Combine(scratch, "rules");
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.EnumerateFiles(_rules, "*.yaml"))
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)), overwrite: true);
        File.WriteAllBytes(Path.Combine(directory, seed.Name), input);
        var catalog = CatalogLoader.Load(directory);
        AuditContext.Create(catalog, InventoryLoader.Load(_inventory, catalog));
        return FuzzVerdict.Accepted;
    }
}
