using PortAudit.Tests.Builders;
using static PortAudit.Tests.Scenarios.Payloads;

namespace PortAudit.Tests.Scenarios;

/// <summary>
/// A small site for the anomaly models: twenty workstations that resolve names at the domain controller, read the
/// directory over LDAP, read files from a file server and browse an intranet web server, hour after hour, sizes and
/// times drawn at random (seeded). An audit period carries five planted flows that every port rule allows but no
/// workstation normally does (<see cref="Plants"/>).
/// </summary>
public static class AnomalySite
{
    /// <summary>The domain controller (and DNS server).</summary>
    public const string Dc = "10.1.0.10";

    /// <summary>The file server.</summary>
    public const string FileServer = "10.1.0.20";

    /// <summary>The intranet web server.</summary>
    public const string Web = "10.1.0.30";

    private const int Clients = 20;

    /// <summary>The inventory of the site.</summary>
    public const string Inventory = """
        hosts:
          - name: dc01
            addresses: [10.1.0.10]
            roles: [domain-controller, dns-server]
          - name: fs01
            addresses: [10.1.0.20]
            roles: [file-server]
          - name: web01
            addresses: [10.1.0.30]
            roles: [iis-web-server]
          - name: workstations
            cidrs: [10.1.1.0/24]
            roles: [workstation]
        segments:
          - name: lan
            cidrs: [10.1.0.0/16]
            zone: internal
        features: []
        """;

    /// <summary>A planted flow, or connections, known by their client ports (outside the range normal flows take).</summary>
    /// <param name="What">What it is, for messages.</param>
    /// <param name="ClientPort">Its (first) client port.</param>
    /// <param name="Connections">Its connections, one client port each from <paramref name="ClientPort"/> up.</param>
    public sealed record Plant(string What, ushort ClientPort, int Connections = 1)
    {
        /// <summary>The client ports of its connections.</summary>
        public IEnumerable<int> ClientPorts => Enumerable.Range(ClientPort, Connections);
    }

    /// <summary>The planted flows of <see cref="AuditPeriod"/>.</summary>
    public static readonly Plant[] Plants =
    [
        new("an 8 MB LDAP read from a workstation", 40001),
        new("a DNS flow of 400 queries with 60-character random labels", 40002),
        new("a 12 MB upload to the file server from a client that only reads", 40003),
        new("a two-hour HTTPS session with about 180 bytes every minute (a beacon)", 40004),
        new("a short HTTPS connection every minute, each an ordinary size (a beacon across connections)", BeaconPort, BeaconConnections),
    ];

    // The beacon across connections: one connection a minute from one client port up.
    private const ushort BeaconPort = 40100;
    private const int BeaconConnections = 110;

    /// <summary>Normal traffic over <paramref name="hours"/> hours from <paramref name="epochSeconds"/>.</summary>
    public static byte[] NormalPeriod(long epochSeconds, int hours, int seed) => Normal(epochSeconds, hours, seed).Build();

    /// <summary>Two hours of normal traffic with the <see cref="Plants"/>.</summary>
    public static byte[] AuditPeriod(long epochSeconds, int seed)
    {
        var capture = Normal(epochSeconds, 2, seed);
        var random = new Random(seed + 1000);
        string reader = Client(3), other = Client(7);
        capture.TcpSession(reader, Dc, 389, 1800.5, [.. LdapOpening(), new(0.2, true, Bytes(300)), new(0.4, false, Bytes(8_000_000))], Plants[0].ClientPort);
        capture.UdpExchanges(other, Dc, 53, 2400.5, 400, 0.2, _ => Packets.DnsQuery(RandomLabel(random, 60) + ".t.example.net"), Packets.DnsAnswer,
            Plants[1].ClientPort);
        capture.TcpSession(reader, FileServer, 445, 3000.5, [.. SmbOpening(), new(0.2, true, Bytes(12_000_000)), new(30, false, Bytes(2_000))],
            Plants[2].ClientPort);
        capture.TcpSession(other, Web, 443, 60.5,
            [.. TlsOpening(), .. Enumerable.Range(1, 119).SelectMany(minute => new SessionMessage[]
                { new(minute * 60.0, true, Bytes(180)), new(minute * 60.0 + 0.05, false, Bytes(120)) })],
            Plants[3].ClientPort);
        // Each connection is drawn like the site's browsing; only their beat, one a minute to the second, is not.
        string beacon = Client(11);
        for (int minute = 0; minute < BeaconConnections; minute++)
            capture.TcpSession(beacon, Web, 443, 300.5 + minute * 60, Browsing(random), (ushort)(BeaconPort + minute));
        return capture.Build();
    }

    private static ScenarioCapture Normal(long epochSeconds, int hours, int seed)
    {
        var random = new Random(seed);
        var capture = new ScenarioCapture($"anomaly-site-{seed}.pcap", epochSeconds);
        var conversations = new List<(double At, Action<double> Lay)>();
        for (int hour = 0; hour < hours; hour++)
        {
            for (int i = 0; i < Clients; i++)
            {
                string client = Client(i);
                for (int n = 0; n < 12; n++) conversations.Add((At(random, hour), t => capture.UdpExchanges(client, Dc, 53, t, 1, 0,
                    _ => Packets.DnsQuery(NormalName(random)), Packets.DnsAnswer)));
                for (int n = 0; n < 4; n++) conversations.Add((At(random, hour), t => capture.TcpSession(client, Dc, 389, t,
                    [.. LdapOpening(), new(0.02, true, Bytes(LogUniform(random, 80, 500))), new(0.05, false, Bytes(LogUniform(random, 300, 12_000)))])));
                for (int n = 0; n < 4; n++) conversations.Add((At(random, hour), t => capture.TcpSession(client, FileServer, 445, t,
                    [.. SmbOpening(), new(0.02, true, Bytes(LogUniform(random, 150, 900))), new(LogUniform(random, 10, 2000) / 1000.0, false, Bytes(LogUniform(random, 4_000, 200_000)))])));
                for (int n = 0; n < 8; n++) conversations.Add((At(random, hour), t => capture.TcpSession(client, Web, 443, t, Browsing(random))));
            }
        }
        // Laid down in time order, so that client ports rise with time as on a real host.
        foreach (var (at, lay) in conversations.OrderBy(c => c.At)) lay(at);
        return capture;
    }

    private static string Client(int i) => $"10.1.1.{10 + i}";

    // One HTTPS exchange of the intranet: a request of a few hundred bytes, a page of a few to a hundred kilobytes.
    private static SessionMessage[] Browsing(Random random) =>
        [.. TlsOpening(), new(0.02, true, Bytes(LogUniform(random, 300, 2_500))), new(LogUniform(random, 50, 8000) / 1000.0, false, Bytes(LogUniform(random, 2_000, 120_000)))];

    private static double At(Random random, int hour) => hour * 3600 + random.NextDouble() * 3590;

    private static int LogUniform(Random random, int low, int high) => (int)Math.Exp(Math.Log(low) + random.NextDouble() * (Math.Log(high) - Math.Log(low)));

    private static byte[] Bytes(int count) => new byte[count];

    private static SessionMessage[] LdapOpening() => [new(0.003, true, LdapBind), new(0.01, false, LdapBindOk)];

    private static SessionMessage[] SmbOpening() => [new(0.003, true, Smb2Negotiate), new(0.01, false, Smb2Negotiate)];

    private static SessionMessage[] TlsOpening() => [new(0.003, true, TlsClientHello("web01.corp.example")), new(0.01, false, TlsServerHello)];

    private static readonly string[] Names = ["www", "intranet", "mail", "files", "update", "login", "portal", "wiki", "print", "time"];
    private static readonly string[] Domains = ["corp.example", "example.org", "microsoft.com", "windowsupdate.com"];

    private static string NormalName(Random random) => $"{Names[random.Next(Names.Length)]}.{Domains[random.Next(Domains.Length)]}";

    private static string RandomLabel(Random random, int length) =>
        new(Enumerable.Range(0, length).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789"[random.Next(36)]).ToArray());
}
