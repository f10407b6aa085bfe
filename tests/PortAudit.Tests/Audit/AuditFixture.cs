using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Flows;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>
/// A small catalog built in code and an inventory written to a temporary file, so each audit test states
/// the rules, the hosts and the packets it depends on.
/// </summary>
internal static class AuditFixture
{
    public const string Ws = "10.0.8.5", Ws2 = "10.0.8.6", Dc = "10.0.1.10", Sip = "10.0.1.20", Outsider = "192.0.2.7", Dmz = "172.16.0.9";

    private static readonly RuleSource Source = new("doc.txt", "Ports", "row");

    public static Rule MakeRule(string id, string from, string to, int low, int high, string protocol,
        bool required = true, bool dynamic = false, string[]? conditions = null, Transport transport = Transport.Tcp) => new()
    {
        Id = id, Product = "demo", From = from, To = to, Transports = [transport], Ports = [new PortRange(low, high)],
        Protocol = protocol, Required = required, DynamicRange = dynamic, Conditions = conditions ?? [], Source = Source,
    };

    public static readonly RoleCatalog Catalog = new(
        [new Role("any", "wildcard"), new Role("workstation", "w"), new Role("domain-controller", "d"), new Role("sip-server", "s")],
        [new Feature("federation", "f")],
        [
            MakeRule("epm", "any", "domain-controller", 135, 135, "epm"),
            MakeRule("rpc-dynamic", "any", "domain-controller", 1024, 65535, "dcerpc-dynamic", dynamic: true),
            MakeRule("ldap", "workstation", "domain-controller", 389, 389, "ldap"),
            // Periodic (registration refresh), so its absence can be missing; a millisecond suits the tests' short captures.
            MakeRule("sip-tls", "workstation", "sip-server", 5061, 5061, "sip-tls") with { Every = TimeSpan.FromMilliseconds(1) },
            MakeRule("web-admin", "workstation", "domain-controller", 8080, 8080, "http", required: false),
            MakeRule("federation", "sip-server", "sip-server", 5062, 5062, "sip-tls", conditions: ["federation"]),
            MakeRule("browse", "workstation", "domain-controller", 138, 138, "netbios-dgm", transport: Transport.Udp),
        ]);

    public const string InventoryYaml = $"""
        hosts:
          - name: dc01
            addresses: [{Dc}]
            roles: [domain-controller]
          - name: sip01
            addresses: [{Sip}]
            roles: [sip-server]
          - name: clients
            cidrs: [10.0.8.0/22]
            roles: [workstation]
        segments:
          - name: perimeter
            cidrs: [172.16.0.0/24]
        ignore: [10.0.8.255]
        """;

    /// <summary>Writes <paramref name="yaml"/> to a temporary file, loads it against <paramref name="catalog"/> (default: this fixture's), and deletes the file.</summary>
    public static Inventory LoadInventory(string yaml = InventoryYaml, RoleCatalog? catalog = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"inventory-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        try
        {
            return InventoryLoader.Load(path, catalog ?? Catalog);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>An auditor over <paramref name="yaml"/>; <paramref name="minimumSpan"/> zero lets a test's short capture judge missing flows.</summary>
    public static FlowAuditor Auditor(string yaml = InventoryYaml, int maxPairsPerRule = CoverageTracker.DefaultMaxPairsPerRule,
        TimeSpan? minimumSpan = null) =>
        new(AuditContext.Create(Catalog, LoadInventory(yaml)), maxPairsPerRule: maxPairsPerRule, minimumSpan: minimumSpan);

    /// <summary>
    /// The repository's own catalog (rules/) with <paramref name="siteRules"/> as a site rule file (<c>--local-rules</c>),
    /// written to a temporary file that is gone once read.
    /// </summary>
    public static RoleCatalog RepositoryCatalogWith(string siteRules)
    {
        string path = Path.Combine(Path.GetTempPath(), $"site-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, siteRules);
        try
        {
            return CatalogLoader.Load(SharedData.InRepository("rules"), [path]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>An auditor over <paramref name="yaml"/> with the repository's own catalog (rules/).</summary>
    public static FlowAuditor RepositoryAuditor(string yaml) =>
        new(AuditContext.Create(Scenarios.ScenarioAudit.RepositoryCatalog, LoadInventory(yaml, Scenarios.ScenarioAudit.RepositoryCatalog)));

    /// <summary>The flows of a capture: each item is a list of frames built with <see cref="Packets"/>.</summary>
    public static List<Flow> FlowsOf(params byte[][] frames) => FlowRunner.Run(PcapBuilder.Spaced(frames)).Flows;

    /// <summary>Where <see cref="WatchedFlowsOf"/> has the capture go on: a datagram between two hosts no test names.</summary>
    public const string Bystander = "198.51.100.77";

    /// <summary>
    /// The flows of <paramref name="frames"/> as <see cref="FlowsOf"/> gives them, the capture going on 2 s after the last
    /// (a datagram of <see cref="Bystander"/>'s, whose flow is left out): an opening the frames leave unanswered had more
    /// than the 1 s of RFC 6298's initial retransmission timeout to be answered, so it is judged, not unanswered at the
    /// end of input (<see cref="Flow.CutOff"/>).
    /// </summary>
    public static List<Flow> WatchedFlowsOf(params byte[][] frames)
    {
        var builder = new PcapBuilder();
        double time = 1;
        foreach (var frame in frames) builder.Add(frame, time += 0.01);
        builder.Add(Ethernet(Ip(Bystander, "198.51.100.78", 17, Udp(9, 9))), time + 2);
        return FlowRunner.Run(builder.Build()).Flows.Where(f => f.Client.ToString() != Bystander).ToList();
    }

    /// <summary>A TCP handshake from client to server (answered, so established).</summary>
    public static byte[][] Handshake(string client, string server, ushort port, ushort clientPort = 50000) =>
    [
        Ethernet(Ip(client, server, 6, Tcp(clientPort, port, Syn))),
        Ethernet(Ip(server, client, 6, Tcp(port, clientPort, Syn | Ack))),
    ];

    /// <summary>A TCP opening refused with a reset.</summary>
    public static byte[][] Refused(string client, string server, ushort port, ushort clientPort = 50001) =>
    [
        Ethernet(Ip(client, server, 6, Tcp(clientPort, port, Syn))),
        Ethernet(Ip(server, client, 6, Tcp(port, clientPort, Rst | Ack))),
    ];

    /// <summary>One established flow from <paramref name="client"/> to <paramref name="server"/>:<paramref name="port"/>.</summary>
    public static Flow Established(string client, string server, ushort port) => Assert.Single(FlowsOf(Handshake(client, server, port)));

    /// <summary><paramref name="flow"/> as inspection would leave it: labelled <paramref name="app"/>, with <paramref name="detail"/> ("alpn=h2; version=tls1.2; alpn-selected=h2").</summary>
    public static Flow Inspected(Flow flow, AppLabel app, string detail)
    {
        flow.App = app;
        flow.AppDetail = AppDetail.Parse(detail);
        return flow;
    }
}
