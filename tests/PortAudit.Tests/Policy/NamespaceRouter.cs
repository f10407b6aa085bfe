using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;
using PortAudit.Tests.Lab;

namespace PortAudit.Tests.Policy;

/// <summary>
/// A Linux router between two hosts, each in a network namespace of its own: the client (10.99.1.2) and the server
/// (10.99.2.2), each one veth pair from the router (fvr1 10.99.1.1, fvr2 10.99.2.1), which forwards between them. A
/// ruleset loaded on the router (<see cref="Load"/>) decides the client's connections to the server as the kernel
/// decides them (<see cref="Passed"/>), and <see cref="Listed"/> is what nft prints of it back. Dispose ends the
/// servers it started and removes the namespaces.
/// </summary>
internal sealed class NamespaceRouter : IDisposable
{
    /// <summary>The client's address.</summary>
    public const string Client = "10.99.1.2";

    /// <summary>The server's address.</summary>
    public const string Server = "10.99.2.2";

    /// <summary>Why a router cannot be built here; null when it can.</summary>
    public static string? Unavailable =>
        RootTools.Unavailable("network namespaces", "a namespace router", "iproute2, nftables, socat", "/usr/sbin/ip", "/usr/sbin/nft", "/usr/bin/socat");

    // The two hosts' namespaces and the servers started in them; the router's namespace is named after theirs.
    private readonly TwoHostLab _hosts;
    private readonly string _router;

    /// <summary>Builds the router, its namespaces named after <paramref name="prefix"/> and the test process.</summary>
    public NamespaceRouter(string prefix)
    {
        _hosts = new TwoHostLab(prefix);
        _router = _hosts.ClientNs[..^2] + "-r";
        try
        {
            Build();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void Build()
    {
        TwoHostLab.Ip("netns", "add", _router);
        var sides = new[] { (Ns: _hosts.ClientNs, Port: "fvr1", Host: Client, Gateway: "10.99.1.1"), (Ns: _hosts.ServerNs, Port: "fvr2", Host: Server, Gateway: "10.99.2.1") };
        foreach (var side in sides)
        {
            TwoHostLab.Ip("netns", "add", side.Ns);
            TwoHostLab.Ip("-n", side.Ns, "link", "add", "eth0", "type", "veth", "peer", "name", side.Port, "netns", _router);
            TwoHostLab.Ip("-n", side.Ns, "addr", "add", side.Host + "/24", "dev", "eth0");
            TwoHostLab.Ip("-n", _router, "addr", "add", side.Gateway + "/24", "dev", side.Port);
            foreach (var (ns, device) in new[] { (side.Ns, "lo"), (side.Ns, "eth0"), (_router, side.Port) })
                TwoHostLab.Ip("-n", ns, "link", "set", device, "up");
            TwoHostLab.Ip("-n", side.Ns, "route", "add", "default", "via", side.Gateway);
        }
        _hosts.In(_router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        foreach (var side in sides)
        {
            TwoHostLab.WaitUp(side.Ns, "eth0");
            TwoHostLab.WaitUp(_router, side.Port);
        }
    }

    /// <summary>Loads <paramref name="rules"/> on the router with <c>nft -f</c>.</summary>
    public void Load(string rules)
    {
        string file = Path.Combine(_hosts.Dir, "rules.nft");
        File.WriteAllText(file, rules);
        _hosts.In(_router, "/usr/sbin/nft", "-f", file);
    }

    /// <summary>
    /// Loads <paramref name="ipsets"/> on the router with <c>ipset restore</c>, then <paramref name="rules"/> with
    /// <c>iptables-restore</c>.
    /// </summary>
    public void LoadIptables(string ipsets, string rules)
    {
        string sets = Path.Combine(_hosts.Dir, "ipsets"), file = Path.Combine(_hosts.Dir, "rules.v4");
        File.WriteAllText(sets, ipsets);
        File.WriteAllText(file, rules);
        _hosts.In(_router, "/usr/sbin/ipset", "restore", "-f", sets);
        _hosts.In(_router, "/usr/sbin/iptables-restore", file);
    }

    /// <summary>What the router's tools save of its sets and rules: <c>ipset save</c>, then <c>iptables-save</c>, in one text.</summary>
    public string SavedIptables() => _hosts.In(_router, "/usr/sbin/ipset", "save") + _hosts.In(_router, "/usr/sbin/iptables-save");

    /// <summary>The router's ruleset as <c>nft list ruleset</c> and <c>nft -j list ruleset</c> print it.</summary>
    public (string Text, string Json) Listed() =>
        (_hosts.In(_router, "/usr/sbin/nft", "list", "ruleset"), _hosts.In(_router, "/usr/sbin/nft", "-j", "list", "ruleset"));

    /// <summary>Starts a server answering on each of <paramref name="ports"/> of <see cref="Server"/>.</summary>
    public void Listen(IEnumerable<int> ports)
    {
        foreach (int port in ports) _hosts.ListenEcho(port, Server);
    }

    /// <summary>
    /// Connects from the client to each of <paramref name="ports"/> of <see cref="Server"/>, all at once: true for a
    /// port whose server answered across the router.
    /// </summary>
    public IReadOnlyDictionary<int, bool> Passed(IEnumerable<int> ports)
    {
        var requests = ports.Distinct().Select(port => (Port: port, Result: Task.Run(() => _hosts.Request(port, Server)))).ToList();
        return requests.ToDictionary(r => r.Port, r => r.Result.Result.Answered);
    }

    /// <summary>
    /// Asserts that <paramref name="rules"/>, as written and as nft lists the loaded ruleset back (text and JSON), reads
    /// without issues and decides the client's connection to each port of <paramref name="passed"/> as the kernel did:
    /// allowed where the server answered. <paramref name="rule"/> names a port's rule in a failure.
    /// </summary>
    public void AssertDecidedAsTheKernel(string rules, IReadOnlyDictionary<int, bool> passed, Func<int, string> rule)
    {
        var (text, json) = Listed();
        var read = new[]
        {
            ("as written", NftTextParser.Parse(rules, "rules.nft")),
            ("nft list ruleset", NftTextParser.Parse(text, "nft list ruleset")),
            ("nft -j list ruleset", NftJsonParser.Parse(json, "nft -j list ruleset")),
        };
        foreach (var (source, policy) in read)
        {
            Assert.Empty(policy.Issues);
            foreach (var (port, answered) in passed.OrderBy(p => p.Key))
            {
                var query = new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse(Client), 50000, IpAddr.Parse(Server), port);
                var kernel = answered ? PolicyDecision.Allowed : PolicyDecision.Blocked;
                Assert.Equal((source, rule(port), port, kernel),
                    (source, rule(port), port, PolicyEvaluator.Evaluate(policy, query, PolicyPoint.Network).Decision));
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _hosts.Dispose();
        if (File.Exists($"/run/netns/{_router}")) TwoHostLab.Ip("netns", "del", _router);
    }
}
