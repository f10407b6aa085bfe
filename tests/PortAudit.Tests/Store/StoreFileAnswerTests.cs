using System.Diagnostics;
using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Sources.Records;
using PortAudit.Store;
using PortAudit.Tests.Audit;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Store;

/// <summary>
/// The store gives the file's answer: flows written by <c>flows --store</c> (no catalog, the table's own port hint)
/// and audited with <c>audit --from-store</c> are the flows, sides, states, labels, verdicts and findings of an audit of
/// the files themselves, from either engine (the theories run over PostgreSQL and DuckDB); records of one second stay
/// apart; schema versions are met or refused by name.
/// </summary>
[Trait(Tier.Name, Tier.Store)]
public sealed class StoreFileAnswerTests : IDisposable
{
    internal static readonly Lazy<AuditContext> Lab = new(() =>
    {
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        return AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
    });

    private readonly string _root = Directory.CreateTempSubdirectory("portaudit-store-answer-").FullName;
    private readonly List<string> _notices = [];
    private PostgresServer? _server;
    private TestStore? _store;

    private StoreLocation Store()
    {
        _server = PostgresServer.Start(out string url);
        return StoreLocation.Parse(url);
    }

    // A store of engine, for the tests whose comparison must hold for both.
    private IFlowStore Store(string engine)
    {
        _store = TestStore.Start(engine, _root);
        return _store.Store;
    }

    [StoreTheory]
    [MemberData(nameof(TestStore.Engines), MemberType = typeof(TestStore))]
    public void A_SYN_its_capture_ended_0_2_s_after_is_judged_from_the_store_as_from_the_file_and_rows_without_the_mark_as_before(string engine)
    {
        // Only the capture's run knew where its input ended: the flow's row carries it (cut_off, version 4).
        var store = Store(engine);
        string capture = Path.Combine(_root, "syn-at-end.pcap");
        File.WriteAllBytes(capture, UnansweredAtEndTests.Capture(0));
        StoreRuns.Ingest(store, _root, "edge", CaptureFileSource.Of([capture]), _notices);

        var fromStore = SharedCaptureAuditTests.Judge(Lab.Value, store.OpenSources(new StoreQuery { Sensors = ["edge"] }));
        var fromFile = SharedCaptureAuditTests.Judge(Lab.Value, CaptureFileSource.Of([capture]));

        UnansweredAtEndTests.AssertUnansweredAtEnd(fromStore.Flows, fromStore.Report);
        Assert.Equal(Flows(fromFile.Flows), Flows(fromStore.Flows));
        Assert.Equal(StoreTests.Signature(fromFile.Report), StoreTests.Signature(fromStore.Report));
        Assert.Equal("2", _store!.Scalar("SELECT count(*) FROM portaudit.flows WHERE cut_off"));

        // A row of a store migrated from version 3 holds no mark (null): read as false, the SYN is judged as it was then.
        _store.Execute("UPDATE portaudit.flows SET cut_off = NULL");
        var old = SharedCaptureAuditTests.Judge(Lab.Value, store.OpenSources(new StoreQuery { Sensors = ["edge"] }));
        var (flow, verdict) = Assert.Single(old.Flows, f => f.Flow.ServerPort == 5061);
        Assert.Equal((false, true, "lync-fe-sip-tls"), (flow.CutOff, verdict.FailedAttempt, verdict.BlockedRule?.Id));
        Assert.Empty(_notices);
    }

    [StoreTheory]
    [MemberData(nameof(TestStore.Engines), MemberType = typeof(TestStore))]
    public void An_ssdp_answer_its_search_announced_in_the_dynamic_rpc_range_is_judged_from_the_store_as_from_the_file(string engine)
    {
        // Only the capture's run saw the search that announced the answer: the flow's row carries it (announced, version 5).
        var store = Store(engine);
        string capture = SsdpAnswerCapture(_root);
        StoreRuns.Ingest(store, _root, "edge", CaptureFileSource.Of([capture]), _notices);

        var fromStore = SharedCaptureAuditTests.Judge(Lab.Value, store.OpenSources(new StoreQuery { Sensors = ["edge"] }));
        var fromFile = SharedCaptureAuditTests.Judge(Lab.Value, CaptureFileSource.Of([capture]));

        AssertAnnouncedAnswerUnexpected(fromStore.Flows);
        Assert.Equal(Flows(fromFile.Flows), Flows(fromStore.Flows));
        Assert.Equal(StoreTests.Signature(fromFile.Report), StoreTests.Signature(fromStore.Report));
        Assert.Equal("1", _store!.Scalar("SELECT count(*) FROM portaudit.flows WHERE announced"));

        // A row of a store migrated from version 4 holds no mark (null): read as not announced, judged as it was then.
        _store.Execute("UPDATE portaudit.flows SET announced = NULL");
        var old = SharedCaptureAuditTests.Judge(Lab.Value, store.OpenSources(new StoreQuery { Sensors = ["edge"] }));
        Assert.Equal(Verdict.ProtocolMismatch, Assert.Single(old.Flows, f => f.Flow.ServerPort == 50001).Verdict.Verdict);
        Assert.Empty(_notices);
    }

    [StoreTheory]
    [MemberData(nameof(TestStore.Engines), MemberType = typeof(TestStore))]
    public void Two_flows_of_one_capture_on_one_5_tuple_from_the_same_instant_are_both_stored_and_a_reimport_adds_nothing(string engine)
    {
        // The same datagram twice, the capture's clock gone back between them (merged captures: base.pcap holds seven such
        // pairs): after 400 s the first flow has ended, and the second starts at the same instant as the first.
        var store = Store(engine);
        string capture = Path.Combine(_root, "twice.pcap");
        var datagram = Ethernet(Ip("10.77.0.100", "10.77.0.30", 17, Udp(50311, 17500)));
        File.WriteAllBytes(capture, new Builders.PcapBuilder().Add(datagram, 1.0)
            .Add(Ethernet(Ip("10.77.0.100", "10.77.0.30", 17, Udp(50312, 17500))), 400.0).Add(datagram, 1.0).Build());

        var stored = StoreRuns.Ingest(store, _root, "edge", CaptureFileSource.Of([capture]), _notices);
        var again = StoreRuns.Ingest(store, _root, "edge", CaptureFileSource.Of([capture]), _notices);
        var fromStore = SharedCaptureAuditTests.Judge(Lab.Value, store.OpenSources(new StoreQuery { Sensors = ["edge"] }));
        var fromFile = SharedCaptureAuditTests.Judge(Lab.Value, CaptureFileSource.Of([capture]));

        Assert.Equal(2, fromFile.Flows.Count(f => f.Flow.ClientPort == 50311));
        Assert.Equal((3L, 3L, 0L), (stored.Flows, stored.Added, again.Added));
        Assert.Equal(Flows(fromFile.Flows), Flows(fromStore.Flows));
        Assert.Equal(StoreTests.Signature(fromFile.Report), StoreTests.Signature(fromStore.Report));
        Assert.Empty(_notices);
    }

    [StoreTheory]
    [MemberData(nameof(TestStore.Engines), MemberType = typeof(TestStore))]
    public void Records_of_one_second_come_back_from_the_store_in_their_files_order(string engine)
    {
        // A Windows firewall log writes whole seconds: thousands of records share a start, told apart by their place.
        var store = Store(engine);
        string log = Path.Combine(_root, "pfirewall.log");
        var lines = new List<string> { "#Version: 1.5", "#Software: Microsoft Windows Firewall", "#Time Format: Local",
            "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path", "" };
        for (int i = 0; i < 20_000; i++)
            lines.Add($"2021-06-22 12:35:{18 + i / 5000:00} {(i % 3 == 0 ? "DROP" : "ALLOW")} UDP 10.77.0.{100 + i % 2} 224.0.0.251 5353 5353 {60 + i % 997} - - - - - - - RECEIVE");
        File.WriteAllLines(log, lines);
        StoreRuns.Ingest(store, _root, "fw", [new RecordFileSource(log)], _notices);

        var fromStore = SharedCaptureAuditTests.Judge(Lab.Value, store.OpenSources(new StoreQuery { Sensors = ["fw"] }));
        var fromFile = SharedCaptureAuditTests.Judge(Lab.Value, [new RecordFileSource(log)]);

        static List<string> InOrder(List<(Flow Flow, FlowVerdict Verdict)> flows) =>
            flows.Select(f => $"{f.Flow.StartNs} {f.Flow.Client} {f.Flow.State} {f.Flow.BytesToServer}").ToList();
        Assert.Equal(20_000, fromFile.Flows.Count);
        Assert.Equal(InOrder(fromFile.Flows), InOrder(fromStore.Flows));
    }

    /// <summary>
    /// A capture of dc01's SSDP search from port 50001 (in a domain controller's dynamic RPC range, kb832017) and
    /// client01's answer to that port: a flow the search announced, which no rule between the two allows.
    /// </summary>
    internal static string SsdpAnswerCapture(string directory)
    {
        string capture = Path.Combine(directory, "ssdp-answer.pcap");
        File.WriteAllBytes(capture, Builders.PcapBuilder.Spaced(Inspect.SsdpAnswerAnnouncementTests.Search("10.77.0.30", 50001),
            Inspect.SsdpAnswerAnnouncementTests.Answer("10.77.0.100", 41234, "10.77.0.30", 50001)));
        return capture;
    }

    /// <summary>The answer is unexpected for the announcement, not a protocol mismatch with the dynamic RPC range.</summary>
    internal static void AssertAnnouncedAnswerUnexpected(List<(Flow Flow, FlowVerdict Verdict)> flows)
    {
        var (flow, verdict) = Assert.Single(flows, f => f.Flow.ServerPort == 50001);
        Assert.Equal((true, Verdict.Unexpected, (string?)null), (flow.Announced, verdict.Verdict, verdict.Rule?.Id));
        Assert.Equal("no rule between the two ends allows ssdp, which another flow announced on port 50001 (appDetail)", verdict.Reason);
    }

    [StoreTheory("captures")]
    [MemberData(nameof(TestStore.Engines), MemberType = typeof(TestStore))]
    public void Every_shared_capture_audited_from_the_store_gives_the_files_flows_sides_verdicts_and_findings(string engine)
    {
        var store = Store(engine);
        var clock = Stopwatch.StartNew();
        var captures = Directory.GetFiles(SharedData.Path("captures")!).Where(f => f.EndsWith(".pcap") || f.EndsWith(".pcapng")).Order(StringComparer.Ordinal).ToList();
        Assert.True(captures.Count >= 50, $"{captures.Count} captures");
        int flows = 0;
        var audited = new HashSet<string>(StringComparer.Ordinal);
        var differences = new List<string>();
        foreach (string capture in captures)
        {
            string sensor = Path.GetFileName(capture);
            var stored = StoreRuns.Ingest(store, _root, sensor, CaptureFileSource.Of([capture]), _notices);
            var fromFile = SharedCaptureAuditTests.Judge(Lab.Value, CaptureFileSource.Of([capture]));
            var fromStore = SharedCaptureAuditTests.Judge(Lab.Value, store.OpenSources(new StoreQuery { Sensors = [sensor] }));

            Assert.Equal(stored.Flows, stored.Added);
            Assert.Empty(fromStore.Summary.Errors);
            // Every capture's differences at once, named by capture: the first alone would hide the others.
            differences.AddRange(Flows(fromFile.Flows).Except(Flows(fromStore.Flows)).Select(d => $"{sensor}: flow {d}"));
            differences.AddRange(StoreTests.Signature(fromFile.Report).Except(StoreTests.Signature(fromStore.Report)).Select(d => $"{sensor}: finding {d}"));
            if (fromFile.Flows.Count != fromStore.Flows.Count) differences.Add($"{sensor}: {fromFile.Flows.Count} flows from the file, {fromStore.Flows.Count} from the store");
            flows += fromFile.Flows.Count;
            audited.UnionWith(fromStore.Flows.Select(f => $"{f.Flow.Client}:{f.Flow.ClientPort}>{f.Flow.Server}:{f.Flow.ServerPort}"));
        }
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        Assert.True(flows > 500, $"{flows} flows");
        // The catalog's ports turned flows that the table's own hint had taken the other way when they were stored.
        var storedKeys = _store!.Scalar($"SELECT string_agg({_store.Host("client")} || ':' || client_port || '>' || {_store.Host("server")} || ':' || server_port, ' ') FROM portaudit.flows").Split(' ');
        Assert.Contains(storedKeys, key => !audited.Contains(key));
        Assert.Empty(_notices);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"{clock.Elapsed} for {captures.Count} captures");
    }

    // Flow records whose readers take sides from ports when the record does not say (firewall logs, one-way IPFIX): stored
    // with the table's own hint, their sides must be taken again with the catalog's when read back, as the file's audit takes them.
    private static readonly string[] Records =
    [
        "zeek/ftp-ipv4/conn.log", "zeek/unpaired-wrccdc2018-brimdata/conn.log", "zeek/json-lines-elastic-beats/connection-json.log",
        "asa/elastic-beats/sample.log", "iptables/crowdsec-hub/iptables-logs.log", "iptables/crowdsec-hub/iptables-scan-multi-port.log",
        "iptables/crowdsec-hub/proxmox-iptables.log", "windows-firewall/plaso/windows_firewall.log",
        "windows-firewall/BetaHydri-ParseFirewallLog/pfirewall.log", "ipfix/logstash-codec-netflow/ipfix_test_openbsd_pflow_data.dat",
        "ipfix/logstash-codec-netflow/netflow5_test_juniper_mx80.dat", "ipfix/logstash-codec-netflow/ipfix.dat",
    ];

    [StoreTheory("flowdata")]
    [MemberData(nameof(TestStore.Engines), MemberType = typeof(TestStore))]
    public void Flow_records_audited_from_the_store_give_the_files_flows_sides_verdicts_and_findings(string engine)
    {
        var store = Store(engine);
        var differences = new List<string>();
        int flows = 0;
        foreach (string name in Records)
        {
            string log = SharedData.Path("flowdata/" + name)!;
            string sensor = name.Replace('/', '-');
            var stored = StoreRuns.Ingest(store, _root, sensor, [new RecordFileSource(log)], _notices);
            var fromFile = SharedCaptureAuditTests.Judge(Lab.Value, [new RecordFileSource(log)]);
            var fromStore = SharedCaptureAuditTests.Judge(Lab.Value, store.OpenSources(new StoreQuery { Sensors = [sensor] }));

            Assert.Equal(stored.Flows, stored.Added);
            Assert.Empty(fromStore.Summary.Errors);
            differences.AddRange(Flows(fromFile.Flows).Except(Flows(fromStore.Flows)).Select(d => $"{name}: file's flow {d}"));
            differences.AddRange(Flows(fromStore.Flows).Except(Flows(fromFile.Flows)).Select(d => $"{name}: store's flow {d}"));
            differences.AddRange(StoreTests.Signature(fromFile.Report).Except(StoreTests.Signature(fromStore.Report)).Select(d => $"{name}: finding {d}"));
            if (fromFile.Flows.Count != fromStore.Flows.Count) differences.Add($"{name}: {fromFile.Flows.Count} flows from the file, {fromStore.Flows.Count} from the store");
            flows += fromFile.Flows.Count;
        }
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        Assert.True(flows > 100, $"{flows} flows");
        Assert.Empty(_notices);
    }

    [PostgresFact]
    public void A_midstream_rdp_flow_seen_first_from_3389_is_a_flow_to_3389_from_the_store_as_from_the_file()
    {
        var store = Store();
        // The capture starts after the handshake, with the server's answer from 3389 to the client's port 1930: both
        // ports are above 1023, so the table's own hint takes the first sender for the client; the catalog knows 3389.
        var builder = new Builders.PcapBuilder();
        builder.Add(Ethernet(Ip("10.1.0.5", "10.2.0.9", 6, Tcp(3389, 1930, Ack | Psh, data: [1, 2, 3]))), 1);
        builder.Add(Ethernet(Ip("10.2.0.9", "10.1.0.5", 6, Tcp(1930, 3389, Ack))), 1.1);
        string capture = Path.Combine(_root, "midstream-rdp.pcap");
        File.WriteAllBytes(capture, builder.Build());

        StoreRuns.Ingest(store, _root, "edge", CaptureFileSource.Of([capture]), _notices);
        var fromFile = Assert.Single(SharedCaptureAuditTests.Judge(Lab.Value, CaptureFileSource.Of([capture])).Flows);
        var fromStore = Assert.Single(SharedCaptureAuditTests.Judge(Lab.Value, StoreFlowSource.Open(store, new StoreQuery())).Flows);

        Assert.Equal("1930", _server!.Scalar("SELECT server_port FROM portaudit.flows"));
        Assert.Equal("ports", _server.Scalar("SELECT sides FROM portaudit.flows"));
        Assert.Equal((3389, FlowState.Midstream), (fromFile.Flow.ServerPort, fromFile.Flow.State));
        Assert.Equal(Describe(fromFile), Describe(fromStore));
        Assert.Equal((3L, 1L), (fromStore.Flow.BytesToClient - 40, fromStore.Flow.PacketsToServer));
    }

    [PostgresFact]
    public void An_icmp_flows_type_and_code_are_the_records_columns_and_a_tcp_flow_stores_zero()
    {
        var store = Store();
        var builder = new Builders.PcapBuilder();
        builder.Add(Ethernet(Ip("10.1.0.5", "10.2.0.9", 1, IcmpError(8, 0, [1, 2, 3, 4]))), 1);
        builder.Add(Ethernet(Ip("10.1.0.5", "10.2.0.9", 6, Tcp(50000, 445, Syn))), 2);
        string capture = Path.Combine(_root, "ping.pcap");
        File.WriteAllBytes(capture, builder.Build());

        StoreRuns.Ingest(store, _root, "edge", CaptureFileSource.Of([capture]), _notices);
        var fromStore = SharedCaptureAuditTests.Judge(Lab.Value, StoreFlowSource.Open(store, new StoreQuery())).Flows;

        // NOT NULL since version 1: a record's null ICMP type is 0 in the store, told apart by the protocol.
        Assert.Equal("1 8 0,6 0 0", _server!.Scalar("SELECT string_agg(protocol || ' ' || icmp_type || ' ' || icmp_code, ',' ORDER BY protocol) FROM portaudit.flows"));
        Assert.Equal([(1, 8, 0), (6, 0, 0)], fromStore.Select(f => ((int)f.Flow.Protocol, (int)f.Flow.IcmpType, (int)f.Flow.IcmpCode)).Order());
    }

    [PostgresFact]
    public void A_one_way_flow_record_from_3389_is_a_flow_to_3389_from_the_store_as_from_the_file() => OneWayRecordFrom3389("...AP...");

    [PostgresFact]
    public void A_one_way_record_without_tcp_flags_gives_the_files_answer_from_the_store() => OneWayRecordFrom3389("........");

    [StoreTheory]
    [MemberData(nameof(TestStore.Engines), MemberType = typeof(TestStore))]
    public void A_one_way_record_whose_flags_hold_syn_and_ack_is_midstream_once_turned_from_the_store_as_from_the_file(string engine)
    {
        // softflowd ORs a direction's flags: the server's direction of a SIP-over-TLS session exported alone holds its
        // SYN-ACK's SYN and ACK. Stored by a run without the catalog, its sender is the client (5061 is no port below
        // 1024), established: it acknowledged an answer. The store keeps no flags, and turned by the catalog's 5061 the
        // flow stayed established, where the file's own audit calls the server's direction alone midstream.
        var store = Store(engine);
        string records = Path.Combine(_root, "one-way-syn-ack.csv");
        File.WriteAllText(records, "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n" +
                                   "2026-11-20 10:00:00,2026-11-20 10:00:01,1.000,10.1.0.5,10.2.0.9,5061,50000,TCP,...AP.S.,0,0,5,500,0,0\n");

        StoreRuns.Ingest(store, _root, "edge", [new RecordFileSource(records)], _notices);
        var fromFile = Assert.Single(SharedCaptureAuditTests.Judge(Lab.Value, [new RecordFileSource(records)]).Flows);
        var fromStore = Assert.Single(SharedCaptureAuditTests.Judge(Lab.Value, store.OpenSources(new StoreQuery())).Flows);

        Assert.Equal((5061, FlowState.Midstream), (fromFile.Flow.ServerPort, fromFile.Flow.State));
        Assert.Equal(Describe(fromFile), Describe(fromStore));
        Assert.Empty(_notices);
    }

    [PostgresFact]
    public void Both_directions_of_a_flow_begun_at_once_without_flags_give_the_files_answer_from_the_store()
    {
        var store = Store();
        // Both directions of an RDP session exported with one start time and no TCP flags: the ports decide the sides.
        string records = Path.Combine(_root, "tie.csv");
        File.WriteAllText(records, "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n" +
                                   "2026-11-20 10:00:00,2026-11-20 10:00:01,1.000,10.1.0.5,10.2.0.9,3389,50000,TCP,........,0,0,5,500,0,0\n" +
                                   "2026-11-20 10:00:00,2026-11-20 10:00:01,1.000,10.2.0.9,10.1.0.5,50000,3389,TCP,........,0,0,4,300,0,0\n");

        StoreRuns.Ingest(store, _root, "edge", [new RecordFileSource(records)], _notices);
        var fromFile = Assert.Single(SharedCaptureAuditTests.Judge(Lab.Value, [new RecordFileSource(records)]).Flows);
        var fromStore = Assert.Single(SharedCaptureAuditTests.Judge(Lab.Value, StoreFlowSource.Open(store, new StoreQuery())).Flows);

        Assert.Equal(3389, fromFile.Flow.ServerPort);
        Assert.Equal(Describe(fromFile), Describe(fromStore));
    }

    [StoreTheory]
    [MemberData(nameof(TestStore.Engines), MemberType = typeof(TestStore))]
    public void Logged_packets_sent_from_3389_are_flows_to_3389_from_the_store_as_from_the_file(string engine)
    {
        var store = Store(engine);
        // Packets of RDP sessions logged after their openings, by netfilter, Windows and an ASA, and an ASA teardown whose
        // built message came before the log: both ports are above 1023, so the table's own hint keeps each sender (the
        // teardown's first side) as the client when it is stored; the catalog knows 3389 and turns the ones sent from it.
        // A packet sent to 3389 stays as it is, and a logged SYN's sides are facts whatever the ports. The state is the
        // log's whichever way: midstream after the opening, blocked, established for the SYN and the teardown, whose
        // byte total stays the server's. A datagram from port 1000 to STUN's 3478 turns the other way: stored with its
        // sender as the server, a client to the catalog.
        string netfilter = Path.Combine(_root, "netfilter.log");
        File.WriteAllText(netfilter,
            NetfilterLine("10.1.0.5", "10.2.0.9", 3389, 40000, "ACK") +
            NetfilterLine("10.2.0.9", "10.1.0.5", 40001, 3389, "ACK PSH") +
            NetfilterLine("10.1.0.5", "10.2.0.9", 3389, 40002, "SYN") +
            NetfilterLine("10.2.0.9", "10.1.0.5", 1000, 3478, "", "UDP"));
        string windows = Path.Combine(_root, "pfirewall.log");
        File.WriteAllText(windows,
            "#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n" +
            "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n" +
            "2026-11-20 10:00:05 DROP TCP 10.1.0.5 10.2.0.9 3389 40003 52 A - - - - - - SEND\n");
        string asa = Path.Combine(_root, "asa.log");
        File.WriteAllText(asa,
            "Nov 20 2026 10:00:06 fw : %ASA-6-106100: access-list inside est-allowed tcp inside/10.1.0.5(3389) -> outside/10.2.0.9(40004) hit-cnt 1 first hit [0x1, 0x0]\n" +
            "Nov 20 2026 10:00:07 fw : %ASA-6-302014: Teardown TCP connection 447236 for inside:10.1.0.5/3389 to outside:10.2.0.9/40005 duration 0:00:05 bytes 1000 TCP FINs\n");
        IFlowSource[] Files() => [new RecordFileSource(netfilter), new RecordFileSource(windows), new RecordFileSource(asa)];

        StoreRuns.Ingest(store, _root, "fw", Files(), _notices);
        var fromFile = SharedCaptureAuditTests.Judge(Lab.Value, Files()).Flows;
        var fromStore = SharedCaptureAuditTests.Judge(Lab.Value, store.OpenSources(new StoreQuery())).Flows;

        Assert.Equal([
                ("10.1.0.5:3389", FlowSides.Opening, FlowState.Established), ("10.2.0.9:1000", FlowSides.Ports, FlowState.Established),
                ("10.2.0.9:40000", FlowSides.Ports, FlowState.Midstream), ("10.2.0.9:40001", FlowSides.Ports, FlowState.Midstream),
                ("10.2.0.9:40003", FlowSides.Ports, FlowState.Blocked), ("10.2.0.9:40004", FlowSides.Ports, FlowState.Midstream),
                ("10.2.0.9:40005", FlowSides.Ports, FlowState.Established),
            ],
            fromFile.Where(f => f.Flow.ServerPort is 3389 or 3478 || f.Flow.Sides == FlowSides.Opening)
                .Select(f => ($"{f.Flow.Client}:{f.Flow.ClientPort}", f.Flow.Sides, f.Flow.State)).Order());
        Assert.Equal(7, fromFile.Count);
        Assert.Equal(1000, fromFile.Single(f => f.Flow.ClientPort == 40005).Flow.BytesToServer);
        Assert.Equal(fromFile.Select(Describe).Order(), fromStore.Select(Describe).Order());
        Assert.Empty(_notices);
    }

    [StoreTheory]
    [MemberData(nameof(TestStore.Engines), MemberType = typeof(TestStore))]
    public void Zeek_connections_without_their_openings_take_the_catalogs_sides_from_the_store_as_from_the_file(string engine)
    {
        var store = Store(engine);
        // Zeek saw no opening (OTH) and kept the first sender as the originator: 5061 (SIP over TLS) and 3478 (STUN) are
        // no ports of its analyzers, nor below 1024, so the table's own hint keeps them as stored; the catalog turns both.
        // The datagram the STUN server sent alone is midstream once its sender is the server: the log holds its answer, not
        // the client's opening (before, it was taken as answered: established). A connection whose opening
        // Zeek saw (SF) keeps its sides whatever the ports. The same log landed in Parquet reads the same.
        string log = Path.Combine(_root, "conn.json");
        File.WriteAllText(log,
            ZeekLine("C1", "10.1.0.5", 5061, "10.2.0.9", 40000, "tcp", "OTH", 3, 300, 2, 120) +
            ZeekLine("C2", "10.1.0.5", 3478, "10.2.0.9", 40001, "udp", "OTH", 1, 60, 0, 0) +
            ZeekLine("C3", "10.1.0.5", 5061, "10.2.0.9", 40002, "tcp", "SF", 3, 300, 2, 120));

        StoreRuns.Ingest(store, _root, "zeek", [new RecordFileSource(log)], _notices);
        var fromFile = SharedCaptureAuditTests.Judge(Lab.Value, [new RecordFileSource(log)]).Flows;
        var fromStore = SharedCaptureAuditTests.Judge(Lab.Value, store.OpenSources(new StoreQuery())).Flows;
        string parquet = Path.Combine(_root, "conn.parquet");
        Sources.Records.ZeekParquet.Sql($"COPY (SELECT * FROM read_json('{Sources.Records.ZeekParquet.Quote(log)}')) TO '{Sources.Records.ZeekParquet.Quote(parquet)}' (FORMAT parquet)");
        var fromParquet = SharedCaptureAuditTests.Judge(Lab.Value, [new RecordFileSource(parquet)]).Flows;

        Assert.Equal([
                ("C1", "10.2.0.9:40000 > 10.1.0.5:5061", FlowSides.Ports, FlowState.Midstream),
                ("C2", "10.2.0.9:40001 > 10.1.0.5:3478", FlowSides.Ports, FlowState.Midstream),
                ("C3", "10.1.0.5:5061 > 10.2.0.9:40002", FlowSides.Opening, FlowState.Established),
            ],
            fromFile.Select(f => (f.Flow.RecordId, $"{f.Flow.Client}:{f.Flow.ClientPort} > {f.Flow.Server}:{f.Flow.ServerPort}", f.Flow.Sides, f.Flow.State))
                .OrderBy(f => f.RecordId));
        Assert.Equal(fromFile.Select(Describe).Order(), fromStore.Select(Describe).Order());
        Assert.Equal(fromFile.Select(Describe).Order(), fromParquet.Select(Describe).Order());
        Assert.Empty(_notices);
    }

    private static string ZeekLine(string uid, string origin, int originPort, string responder, int responderPort, string proto, string state,
        int originPackets, int originBytes, int responderPackets, int responderBytes) =>
        $"{{\"ts\":1763632800.0,\"uid\":\"{uid}\",\"id.orig_h\":\"{origin}\",\"id.orig_p\":{originPort},\"id.resp_h\":\"{responder}\"," +
        $"\"id.resp_p\":{responderPort},\"proto\":\"{proto}\",\"duration\":1.0,\"conn_state\":\"{state}\",\"orig_pkts\":{originPackets}," +
        $"\"orig_ip_bytes\":{originBytes},\"resp_pkts\":{responderPackets},\"resp_ip_bytes\":{responderBytes}}}\n";

    private static string NetfilterLine(string source, string destination, int sourcePort, int destinationPort, string flags, string protocol = "TCP") =>
        $"Nov 20 10:00:00 fw kernel: [1.0] IN=eth0 OUT=eth1 SRC={source} DST={destination} LEN=52 TOS=0x00 PREC=0x00 TTL=64 ID=1 DF " +
        (protocol == "TCP" ? $"PROTO=TCP SPT={sourcePort} DPT={destinationPort} WINDOW=1024 RES=0x00 {flags} URGP=0\n" : $"PROTO={protocol} SPT={sourcePort} DPT={destinationPort} LEN=32\n");

    private void OneWayRecordFrom3389(string flags)
    {
        var store = Store();
        // One direction of an RDP session, exported without its SYN: both ports are above 1023, so the table's own hint
        // keeps the record's sender as the client when it is stored; the catalog knows 3389 and turns it.
        string records = Path.Combine(_root, "one-way.csv");
        File.WriteAllText(records, "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n" +
                                   $"2026-11-20 10:00:00,2026-11-20 10:00:01,1.000,10.1.0.5,10.2.0.9,3389,50000,TCP,{flags},0,0,5,500,0,0\n");

        StoreRuns.Ingest(store, _root, "edge", [new RecordFileSource(records)], _notices);
        var fromFile = Assert.Single(SharedCaptureAuditTests.Judge(Lab.Value, [new RecordFileSource(records)]).Flows);
        var fromStore = Assert.Single(SharedCaptureAuditTests.Judge(Lab.Value, StoreFlowSource.Open(store, new StoreQuery())).Flows);

        Assert.Equal(("50000", "ports"), (_server!.Scalar("SELECT server_port FROM portaudit.flows"), _server.Scalar("SELECT sides FROM portaudit.flows")));
        Assert.Equal((3389, FlowState.Midstream), (fromFile.Flow.ServerPort, fromFile.Flow.State));
        Assert.Equal(Describe(fromFile), Describe(fromStore));
    }

    [StoreTheory("flowdata/asa/elastic-beats/sample.log")]
    [MemberData(nameof(TestStore.Engines), MemberType = typeof(TestStore))]
    public void Firewall_log_events_of_one_second_keep_a_row_each_and_reading_the_log_again_adds_none(string engine)
    {
        var store = Store(engine);
        string log = SharedData.Path("flowdata/asa/elastic-beats/sample.log")!;
        // Every other record first, after another input: a record's place is its place in its own input, all of it.
        string other = Path.Combine(_root, "other.log");
        File.WriteAllLines(other, File.ReadLines(log).Take(10));
        var part = StoreRuns.Ingest(store, _root, "asa", [new RecordFileSource(other), new RecordFileSource(log)], _notices,
            selection: new EveryOther());
        string ofLog = $"SELECT count(*) FROM portaudit.flows WHERE input = '{log}'";
        long partOfLog = long.Parse(_store!.Scalar(ofLog));
        var first = StoreRuns.Ingest(store, _root, "asa", [new RecordFileSource(log)], _notices);
        var again = StoreRuns.Ingest(store, _root, "asa", [new RecordFileSource(log)], _notices);
        var fromFile = SharedCaptureAuditTests.Judge(Lab.Value, [new RecordFileSource(log)]);
        var fromStore = SharedCaptureAuditTests.Judge(Lab.Value, store.OpenSources(new StoreQuery()).Where(s => s.Name == $"asa:{log}").ToList());

        Assert.True(part.Added > 0);
        Assert.InRange(partOfLog, 15, 25);
        Assert.Equal(40, first.Flows);
        Assert.Equal((40 - partOfLog, 0L), (first.Added, again.Added));
        Assert.Equal("40", _store.Scalar(ofLog));
        // Events of one second on one 5-tuple: what collapsed when the identity stopped at the start second.
        Assert.NotEqual("0", _store.Scalar("SELECT count(*) FROM (SELECT 1 FROM portaudit.flows GROUP BY start_ns, protocol, client, client_port, server, server_port HAVING count(*) > 1) same"));
        Assert.Equal(Flows(fromFile.Flows), Flows(fromStore.Flows));
        Assert.Equal(StoreTests.Signature(fromFile.Report), StoreTests.Signature(fromStore.Report));
    }

    [PostgresFact]
    public void A_store_of_version_1_is_refused_by_writers_and_audits_until_migrated_and_keeps_its_flows()
    {
        var store = Store();
        StoreSchema.Migrate(store, 1);
        _server!.Scalar("SELECT portaudit.ensure_flow_partitions(ARRAY['2026-11-20'::date])");
        _server.Scalar("INSERT INTO portaudit.flows (sensor, input, id, start, \\\"end\\\", duration, transport, client, client_port, server, server_port, packets_to_server, bytes_to_server, packets_to_client, bytes_to_client, state, evidence, icmp_errors, protocol, start_ns, end_ns, first_frame, icmp_type, icmp_code) VALUES ('old', 'old.pcap', 1, '2026-11-20T10:00:00Z', '2026-11-20T10:00:01Z', '1.000000', 'tcp', '10.0.0.1', 40000, '10.0.0.2', 443, 3, 180, 2, 120, 'established', 'port-only', 0, 6, 1795168800000000000, 1795168801000000000, 1, 0, 0)");
        string capture = SharedData.InRepository("captures/lab.pcapng");

        var refused = Assert.ThrowsAny<InputException>(() => StoreRuns.Ingest(store, _root, "edge", CaptureFileSource.Of([capture]), _notices));
        Assert.Contains($"schema version 1, this build uses {StoreSchema.Version}: run 'portaudit store migrate", refused.Message);
        Assert.Contains("portaudit store migrate", Assert.ThrowsAny<InputException>(() => StoreFlowSource.Open(store, new StoreQuery())).Message);

        Assert.Equal(StoreSchema.Version - 1, StoreSchema.Migrate(store));
        var stored = StoreRuns.Ingest(store, _root, "edge", CaptureFileSource.Of([capture]), _notices);
        Assert.Equal(stored.Flows, stored.Added);
        var old = Assert.Single(SharedCaptureAuditTests.Judge(Lab.Value, StoreFlowSource.Open(store, new StoreQuery { Sensors = ["old"] })).Flows);
        Assert.Equal((443, FlowSides.Opening), (old.Flow.ServerPort, old.Flow.Sides));
        Assert.Equal(StoreSchema.Version.ToString(), _server.Scalar("SELECT max(version) FROM portaudit.schema_version"));
    }

    [PostgresFact]
    public void An_audit_whose_store_fails_while_it_reads_says_store_failure_in_every_report()
    {
        var store = Store();
        StoreRuns.Ingest(store, _root, "edge", CaptureFileSource.Of([SharedData.InRepository("captures/lab.pcapng")]), _notices);
        var sources = StoreFlowSource.Open(store, new StoreQuery());
        _server!.Stop();
        string output = Path.Combine(_root, "out");
        AuditOutcome outcome;
        using (var run = new AuditRun(Lab.Value, new AuditSettings { OutputDirectory = output }, new FlowTableOptions()))
            outcome = run.Run(sources);

        Assert.Equal([IncompleteReason.StoreFailure], outcome.Report.Incomplete);
        Assert.IsType<StoreUnavailableException>(Assert.Single(outcome.Traffic.Errors));
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "report.json")));
        Assert.False(json.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(["store failure"], json.RootElement.GetProperty("incomplete").EnumerateArray().Select(e => e.GetString()));
        Assert.StartsWith("INCOMPLETE (store failure)", File.ReadLines(Path.Combine(output, "report.md")).First(l => l.Length > 0).TrimStart('#', ' '));
    }

    [PostgresFact("flowdata/zeek/ftp-ipv4/conn.log")]
    public void A_nul_in_a_zeek_uid_reaches_the_store_and_a_spooled_frame_the_store_refuses_is_quarantined_not_fatal()
    {
        var store = Store();
        string log = Path.Combine(_root, "conn.log");
        File.WriteAllText(log, File.ReadAllText(SharedData.Path("flowdata/zeek/ftp-ipv4/conn.log")!).Replace("\tCjhGID4nQcgTWjvg4c\t", "\tCjhGID4n\0cgTWjvg4c\t"));
        // A frame an older build spooled: well-formed rows of well-shaped values, which the server refuses (a null
        // input, which the table does not allow).
        var refused = new FlowBatch("zeek");
        refused.Add(StoreUnitTests.SomeFlow(0, recordId: "CABC"), "old.log"u8, recordOrdinal: 1);
        byte[] rows = refused.Rows.ToArray();
        int input = rows.AsSpan().IndexOf("old.log"u8);
        rows = [.. rows[..(input - 4)], 0xFF, 0xFF, 0xFF, 0xFF, .. rows[(input + "old.log".Length)..]];
        refused.Load(1, refused.Days.ToArray(), rows);
        new FlowSpool(Path.Combine(_root, "zeek.spool"), _notices.Add).Append(refused);

        var stored = StoreRuns.Ingest(store, _root, "zeek", [new RecordFileSource(log)], _notices);

        Assert.True(stored.Flows > 0);
        Assert.Equal((stored.Flows, 0L), (stored.Added, stored.Spooled));
        Assert.Equal("1", _server!.Scalar("SELECT count(*) FROM portaudit.flows WHERE record_id = 'CjhGID4n' || chr(65533) || 'cgTWjvg4c'"));
        string quarantine = Assert.Single(Directory.GetFiles(_root, "zeek.spool.quarantined-*"));
        Assert.Contains(_notices, n => n.Contains("the store refused a frame of it") && n.Contains(quarantine));
        Assert.False(File.Exists(Path.Combine(_root, "zeek.spool")));
        var again = StoreRuns.Ingest(store, _root, "zeek", [new RecordFileSource(log)], _notices);
        Assert.Equal((stored.Flows, 0L), (again.Flows, again.Added));
    }

    // Takes the flows of even ids: a filter that lets every other record of a log through.
    private sealed class EveryOther : IFlowSelection
    {
        public bool Selects(Flow flow, bool ended) => flow.Id % 2 == 0;
    }

    // What the audit said of each flow, by key, less the id (the store's reader numbers flows in its own order).
    internal static List<string> Flows(List<(Flow Flow, FlowVerdict Verdict)> flows) =>
        flows.Select(Describe).Order(StringComparer.Ordinal).ToList();

    private static string Describe((Flow Flow, FlowVerdict Verdict) f) =>
        $"{f.Flow.Transport} {f.Flow.Client}:{f.Flow.ClientPort} > {f.Flow.Server}:{f.Flow.ServerPort} {f.Flow.StartNs} {f.Flow.EndNs} " +
        $"{f.Flow.State} {f.Flow.Sides} {f.Flow.Evidence} {f.Flow.PacketsToServer}/{f.Flow.BytesToServer} {f.Flow.PacketsToClient}/{f.Flow.BytesToClient} " +
        $"{f.Flow.App} [{f.Flow.AppDetail}] {f.Flow.Weakness} {f.Flow.DceRpc?.Uuid} {f.Flow.RpcCalls?.Bindings.Count} {f.Flow.RecordId} {f.Flow.Tunnel?.Id} " +
        // Where the input ended only the capture's run knew: failed attempts differed until the flow carried it (CutOff).
        $"cutOff={f.Flow.CutOff} {f.Verdict.Verdict} {f.Verdict.Rule?.Id} failed={f.Verdict.FailedAttempt}";

    public void Dispose()
    {
        _server?.Dispose();
        _store?.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
