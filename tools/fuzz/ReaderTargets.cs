using System.Text;
using PortAudit.Audit.Triage;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Inspect.DceRpc;
using PortAudit.Pipeline;
using PortAudit.Policy;
using PortAudit.Sources.Records;

namespace PortAudit.Fuzz;

/// <summary>
/// One reader alone, for the coverage-guided tier (<c>tools/fuzz/afl.sh</c>): afl-fuzz learns a format best when every
/// input reaches the same reader, so each harness forces its format instead of detecting it, and its seeds are small
/// (afl mutates every byte of a seed in its deterministic stages, and a run's speed is bounded by its slowest input).
/// </summary>
public abstract class ReaderTarget(string name, bool isText, IReadOnlyList<FuzzSeed> seeds, int maxSeedBytes = ReaderTarget.MaxSeedBytes,
    IReadOnlyList<FuzzSeed>? generated = null) : IFuzzTarget
{
    /// <summary>Largest seed kept: afl's deterministic stages cost a few executions per byte.</summary>
    public const int MaxSeedBytes = 16 << 10;

    /// <summary>Most seeds kept, smallest first: afl calibrates each one before fuzzing.</summary>
    public const int MaxSeeds = 12;

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public bool IsText => isText;

    /// <inheritdoc />
    /// <remarks>The samples' smallest, then the seeds generated for paths no small sample reaches, kept whatever their size.</remarks>
    public IReadOnlyList<FuzzSeed> Seeds { get; } = [.. seeds.Where(s => s.Bytes.Length <= maxSeedBytes)
        .OrderBy(s => s.Bytes.Length).ThenBy(s => s.Name, StringComparer.Ordinal).Take(MaxSeeds), .. generated ?? []];

    /// <inheritdoc />
    public abstract FuzzVerdict Run(FuzzSeed seed, byte[] input, string scratch);
}

/// <summary>A flow-input reader (captures, IPFIX and NetFlow, Zeek, firewall logs, nfdump CSV) run as `portaudit flows --input-format` runs it.</summary>
public sealed class FlowReaderTarget(string name, RecordFormat format, bool isText, IReadOnlyList<FuzzSeed> seeds,
    IReadOnlyList<FuzzSeed>? generated = null)
    : ReaderTarget(name, isText, seeds, generated: generated)
{
    /// <inheritdoc />
    public override FuzzVerdict Run(FuzzSeed seed, byte[] input, string scratch)
    {
        string path = Path.Combine(scratch, "reader-input");
        File.WriteAllBytes(path, input);
        var run = new TrafficRun(new FlowTableOptions());
        // As the CLI opens its inputs: a Zeek log's server names are read ahead of its connections (ZeekLogJoin).
        run.Read(RecordFileSource.Of([path], format, rpcNames: RpcNameLookup.Instance));
        var summary = run.Summary;
        return summary.Errors.Count > 0 || summary.Records.Rejected > 0 ? FuzzVerdict.Rejected : FuzzVerdict.Accepted;
    }
}

/// <summary>A firewall ruleset parser, as `audit --firewall FILE:FORMAT` reads it, then the evaluator on three queries.</summary>
public sealed class RulesetReaderTarget(string name, PolicyFormat format, IReadOnlyList<FuzzSeed> seeds) : ReaderTarget(name, true, seeds)
{
    /// <inheritdoc />
    public override FuzzVerdict Run(FuzzSeed seed, byte[] input, string scratch)
    {
        // As File.ReadAllText decodes what PolicyLoader.Load reads.
        var policy = PolicyLoader.Parse(new UTF8Encoding(false).GetString(input), "ruleset", format);
        // The evaluator walks what the parser built: chains, jumps and sets of a mutated ruleset included.
        foreach (ushort port in (ushort[])[22, 443, 5061])
            PolicyEvaluator.Evaluate(policy, new PolicyQuery(6, IpAddr.FromV4(0x0A000001), 50000, IpAddr.FromV4(0x0A000002), port));
        return policy.Issues.Count > 0 ? FuzzVerdict.Rejected : FuzzVerdict.Accepted;
    }
}

/// <summary>
/// A file loader that takes a path (suppressions, a baseline report.json), run on the input written to the scratch
/// directory; <paramref name="maxSeedBytes"/> for a format whose smallest real file is larger than most seeds.
/// </summary>
public sealed class FileLoaderTarget(string name, IReadOnlyList<FuzzSeed> seeds, Action<string> load, int maxSeedBytes = ReaderTarget.MaxSeedBytes)
    : ReaderTarget(name, true, seeds, maxSeedBytes)
{
    /// <inheritdoc />
    public override FuzzVerdict Run(FuzzSeed seed, byte[] input, string scratch)
    {
        string path = Path.Combine(scratch, "loader-input");
        File.WriteAllBytes(path, input);
        load(path);
        return FuzzVerdict.Accepted;
    }
}

/// <summary>Every reader of the coverage-guided tier, each seeded from ../shared (or from the repository where ../shared has no sample).</summary>
public static class ReaderTargets
{
    private static readonly (string Name, Func<Sources, IFuzzTarget> Create)[] Readers =
    [
        ("pcap", s => new FlowReaderTarget("pcap", RecordFormat.Capture, false, s.Pcaps, [TunnelSeed.Capture(), UpgradeSeed.Capture()])),
        ("pcapng", s => new FlowReaderTarget("pcapng", RecordFormat.Capture, false, s.Pcapngs)),
        ("gzip", s => new FlowReaderTarget("gzip", RecordFormat.Capture, false, Smallest(s.Pcaps, 3).Concat(Smallest(s.Pcapngs, 3)).Select(Gzipped).ToList())),
        ("ipfix", s => new FlowReaderTarget("ipfix", RecordFormat.Ipfix, false, s.Exports("ipfix", "IPFIX"))),
        ("netflow9", s => new FlowReaderTarget("netflow9", RecordFormat.Ipfix, false, s.Exports("netflow9", "NFv9"))),
        ("netflow5", s => new FlowReaderTarget("netflow5", RecordFormat.Ipfix, false, s.Exports("netflow5", "NFv5"))),
        ("nfdump-csv", _ => new FlowReaderTarget("nfdump-csv", RecordFormat.NfdumpCsv, true, [new("nfdump.csv", Encoding.UTF8.GetBytes(NfdumpCsvSample))])),
        ("zeek-tsv", s => new FlowReaderTarget("zeek-tsv", RecordFormat.ZeekTsv, true,
            [.. s.Flowdata("zeek", f => Path.GetFileName(f) == "conn.log"), OwnFlowSeeds.Tsv(), new("ssl-then-conn.log", Encoding.UTF8.GetBytes(ZeekJoinSample))])),
        ("parquet", _ => new FlowReaderTarget("parquet", RecordFormat.Parquet, false, [OwnFlowSeeds.Parquet()])),
        ("zeek-json", s => new FlowReaderTarget("zeek-json", RecordFormat.ZeekJson, true,
            [.. s.Flowdata("zeek", f => f.EndsWith("-json.log", StringComparison.Ordinal)), new("ssl-x509-conn.json", Encoding.UTF8.GetBytes(ZeekJoinJsonSample))])),
        ("netfilter", s => new FlowReaderTarget("netfilter", RecordFormat.Netfilter, true, s.Flowdata("iptables", f => f.EndsWith(".log", StringComparison.Ordinal)))),
        ("asa-log", s => new FlowReaderTarget("asa-log", RecordFormat.CiscoAsa, true,
            s.Flowdata("asa", f => f.EndsWith(".log", StringComparison.Ordinal) || f.EndsWith(".ini", StringComparison.Ordinal)))),
        ("windows-log", s => new FlowReaderTarget("windows-log", RecordFormat.WindowsFirewall, true,
            s.Flowdata("windows-firewall", f => f.EndsWith(".log", StringComparison.Ordinal), firstBytes: 4096))),
        ("nftables", s => new RulesetReaderTarget("nftables", PolicyFormat.NftText, s.Rulesets("nftables", ".nft", ".nft.ref"))),
        ("nftables-json", s => new RulesetReaderTarget("nftables-json", PolicyFormat.NftJson, s.Rulesets("nftables", ".json"))),
        ("iptables", s => new RulesetReaderTarget("iptables", PolicyFormat.Iptables,
            [.. s.Rulesets("iptables", ".iptables", ".v4", ".ipt.ref"), new("ipsets.rules", Encoding.UTF8.GetBytes(IpsetSample))])),
        ("asa-ruleset", s => new RulesetReaderTarget("asa-ruleset", PolicyFormat.Asa, s.Rulesets("asa", ""))),
        ("windows-ruleset", s => new RulesetReaderTarget("windows-ruleset", PolicyFormat.Netsh, s.Rulesets("windows-firewall", ".ref"))),
        ("inventory", s => new InventoryTarget(s.Repo, s.Catalog)),
        ("suppressions", s => new FileLoaderTarget("suppressions", [new("suppressions.yaml", Encoding.UTF8.GetBytes(SuppressionSample))],
            p => SuppressionLoader.Load(p, s.Catalog))),
        // The smallest report.json an audit writes is tens of KiB: the catalog's coverage is in every one.
        ("baseline", s => new FileLoaderTarget("baseline", BaselineSeeds(s), p => RecordedReportReader.Read(p), 256 << 10)),
        ("spool", s => new SpoolTarget(SpoolTarget.SpooledCaptures(s.Repo))),
    ];

    /// <summary>The readers' names, in the order docs/fuzz.md lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = Readers.Select(r => r.Name).ToArray();

    /// <summary>
    /// The reader named <paramref name="name"/> (one of <see cref="Names"/>), its seeds found below
    /// <paramref name="repo"/> and ../shared. Made one at a time: under afl, nothing of the instrumented assembly may
    /// run before SharpFuzz's fork server has mapped the coverage bitmap, so the harness makes its reader inside it.
    /// </summary>
    public static IFuzzTarget Create(string name, string repo) =>
        Readers.Single(r => r.Name == name).Create(new Sources(repo));

    /// <summary>Where a reader's seeds come from: the repository, ../shared beside it, and the catalog the YAML loaders check against.</summary>
    private sealed class Sources(string repo)
    {
        private readonly Lazy<RoleCatalog> _catalog = new(() => CatalogLoader.Load(Path.Combine(repo, "rules")));

        private string Shared => Path.Combine(Repo, "..", "shared");

        public string Repo => repo;

        public RoleCatalog Catalog => _catalog.Value;

        private string[] CaptureDirectories => [Path.Combine(Shared, "captures"), Path.Combine(Shared, "captures-extra"), Path.Combine(Repo, "captures")];

        public List<FuzzSeed> Pcaps => Under(CaptureDirectories, f => f.EndsWith(".pcap", StringComparison.Ordinal));

        public List<FuzzSeed> Pcapngs => Under(CaptureDirectories, f => f.EndsWith(".pcapng", StringComparison.Ordinal));

        public List<FuzzSeed> Flowdata(string kind, Func<string, bool> wanted, int firstBytes = 0) =>
            Under([Path.Combine(Shared, "flowdata", kind)], wanted, firstBytes);

        // Export packets, back to back (.dat) or recorded with tcpdump (pmacct's traffic .pcap), named by their version.
        public List<FuzzSeed> Exports(string prefix, string directoryTag) =>
            Flowdata("ipfix", f => f.EndsWith(".dat", StringComparison.Ordinal) || f.EndsWith(".pcap", StringComparison.Ordinal))
                .Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal) || s.Name.Contains(directoryTag, StringComparison.Ordinal)).ToList();

        public List<FuzzSeed> Rulesets(string kind, params string[] endings) =>
            Flowdata(Path.Combine("rulesets", kind), f => SeedFiles.IsSharedDataFile(f) && !f.EndsWith("NOTICE", StringComparison.Ordinal)
                && !f.EndsWith(".sh", StringComparison.Ordinal) && !f.EndsWith("COPYING", StringComparison.Ordinal)
                && endings.Any(e => f.EndsWith(e, StringComparison.Ordinal)));
    }

    // ipset save's lines before iptables-save's (../shared has no ruleset with sets): a set of each kind the reader decides,
    // one it does not, one created empty, and rules on them.
    private const string IpsetSample = """
        create clients hash:ip family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x6411fbe0
        add clients 10.99.1.2
        create servers hash:net family inet hashsize 1024 maxelem 65536
        add servers 10.99.2.0/24
        add servers 10.99.3.0/24 nomatch
        create masked hash:ip family inet hashsize 1024 maxelem 65536 netmask 24
        add masked 10.99.1.0
        create banned hash:ip family inet hashsize 1024 maxelem 65536
        create ranged bitmap:ip range 10.99.1.0-10.99.1.255
        add ranged 10.99.1.1
        create svc hash:ip,port family inet hashsize 1024 maxelem 65536
        add svc 10.99.2.2,tcp:89
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD DROP [0:0]
        -A FORWARD -m set --match-set banned src -j DROP
        -A FORWARD -p tcp -m set --match-set clients src -m tcp --dport 80 -j ACCEPT
        -A FORWARD -p tcp -m set ! --match-set servers dst -m tcp --dport 81 -j ACCEPT
        -A FORWARD -p tcp -m set --match-set masked src,dst -m tcp --dport 82 -j ACCEPT
        -A FORWARD -p tcp -m set --match-set ranged src -m set --match-set svc dst,dst -j ACCEPT
        COMMIT
        """;

    // An ssl.log, a dns.log and a dce_rpc.log concatenated before a conn.log (../shared has none of them): the names and
    // calls are read ahead, the dns records are passed over, the connection carries what was joined.
    private const string ZeekJoinSample = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tssl\n" +
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tserver_name\tresumed\tnext_protocol\tcert_chain_fps\n" +
        "1764669601.1\tCtls\t10.0.0.5\t40000\t203.0.113.9\t443\tTLSv12\tTLS_RSA_WITH_RC4_128_SHA\tpaste\\x0abin.com\tF\th2\taa11,bb22\n" +
        "#separator \\x09\n#path\tx509\n#fields\tts\tfingerprint\tcertificate.subject\tcertificate.issuer\tcertificate.sig_alg\tcertificate.key_type\tcertificate.key_length\n" +
        "1764669601.1\taa11\tCN=paste\tCN=CA\tsha1WithRSAEncryption\trsa\t1024\n" +
        "#separator \\x09\n#path\tdns\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\n" +
        "1764669600\tCdns\t10.0.0.5\t53535\t10.0.0.53\t53\tudp\texample.org\n" +
        "#separator \\x09\n#path\tdce_rpc\n#fields\tts\tuid\tendpoint\toperation\n" +
        "1764669601.2\tCtls\tdrsuapi\tDRSGetNCChanges\n1764669601.3\tCtls\tunknown-c681d488-d850-11d0-8c52-00c04fd90f7e\tunknown-0\n" +
        "#separator \\x09\n#path\tconn\n" +
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\tconn_state\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\n" +
        "1764669601\tCtls\t10.0.0.5\t40000\t203.0.113.9\t443\ttcp\tssl\t1.5\tSF\t10\t1000\t10\t5000\n";

    // The JSON join's vectors and counts: ssl.log's chain, x509.log's key length, then a connection.
    private const string ZeekJoinJsonSample =
        """{"_path":"ssl","ts":1764669601.1,"uid":"Ctls","version":"TLSv10","cert_chain_fuids":["Fleaf","Fca"],"server_name":"a.example"}""" + "\n" +
        """{"_path":"x509","ts":1764669601.1,"id":"Fleaf","certificate.subject":"CN=a","certificate.issuer":"CN=CA","certificate.sig_alg":"md5WithRSAEncryption","certificate.key_type":"rsa","certificate.key_length":1024,"san.dns":["a.example"]}""" + "\n" +
        """{"_path":"conn","ts":1764669601,"uid":"Ctls","id.orig_h":"10.0.0.5","id.orig_p":40000,"id.resp_h":"203.0.113.9","id.resp_p":443,"proto":"tcp","service":"ssl","duration":1.5,"conn_state":"SF","orig_pkts":10,"orig_ip_bytes":1000,"resp_pkts":10,"resp_ip_bytes":5000}""" + "\n";

    // nfdump's CSV as `nfdump -o csv` prints it; ../shared has no nfdump output, so the seed is the one NfdumpCsvTests reads.
    private const string NfdumpCsvSample = """
        ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in
        2027-01-10 00:23:37,2027-01-10 00:23:37,0.000,10.77.0.10,10.77.0.100,5061,53160,TCP,...A.R..,0,0,1,40,0,0,0
        2027-01-10 00:23:37,2027-01-10 00:23:37,0.000,10.77.0.100,10.77.0.10,53160,5061,TCP,......S.,0,0,1,60,0,0,0
        2027-01-10 00:23:37,2027-01-10 00:23:36,18446744073709548.000,10.77.0.10,10.77.0.20,5061,45692,TCP,...AP.SF,0,0,18,5144,0,0,0
        2027-01-10 00:23:43,2027-01-10 00:23:43,18446744073709552.000,10.77.0.100,10.77.0.20,0,771,ICMP,........,0,192,4,560,0,0,0
        Summary
        flows,bytes,packets,avg_bps,avg_pps,avg_bpp
        33,39509,250,35758,28,158

        """;

    // docs/audit.md's suppression file with a rule and a role of the repository's catalog and later expiry dates.
    private const string SuppressionSample = """
        suppressions:
          - rule: unity-dc-ldap
            client: role:lync-director
            server: dc01
            justification: the Unity server's directory lookups (CHG-2291)
            owner: netops@example.org
            expires: 2099-03-31
          - id: 9bd345d96c0d96ff
            justification: Edge replaced in Q1; the blocked port goes with it
            owner: alice
            expires: 2099-01-15
          - kind: unmapped
            client: 192.0.2.0/24
            port: 8000-8100
            transport: tcp
            justification: the vendor's monitoring network
            owner: bob
            expires: 2099-12-31

        """;

    private static List<FuzzSeed> Under(string[] directories, Func<string, bool> wanted, int firstBytes = 0) =>
        SeedFiles.Find(directories, wanted, firstBytes > 0 ? long.MaxValue : ReaderTarget.MaxSeedBytes, recursive: true)
            .Select(s => firstBytes > 0 && s.Bytes.Length > firstBytes ? s with { Bytes = FirstLines(s.Bytes, firstBytes) } : s)
            .ToList();

    // A large log cut at a line end, so that the seed is a shorter log of the same kind rather than a damaged one.
    private static byte[] FirstLines(byte[] bytes, int limit)
    {
        int end = Array.LastIndexOf(bytes, (byte)'\n', limit - 1);
        return bytes[..(end < 0 ? limit : end + 1)];
    }

    private static IEnumerable<FuzzSeed> Smallest(List<FuzzSeed> seeds, int count) => seeds.OrderBy(s => s.Bytes.Length).Take(count);

    private static FuzzSeed Gzipped(FuzzSeed seed) => new(seed.Name + ".gz", CaptureTarget.Gzip(seed.Bytes));

    // A report.json is what an audit writes: the baseline seed is the audit of the smallest capture, written once.
    private static List<FuzzSeed> BaselineSeeds(Sources sources)
    {
        var capture = Smallest(sources.Pcaps, 1).FirstOrDefault();
        if (capture is null) return [];
        string scratch = Directory.CreateTempSubdirectory("portaudit-baseline-seed-").FullName;
        try
        {
            var target = new CaptureTarget(sources.Repo, sources.Catalog);
            target.Run(capture, capture.Bytes, scratch);
            return [new FuzzSeed("report.json", File.ReadAllBytes(Path.Combine(scratch, "out", "report.json")))];
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
