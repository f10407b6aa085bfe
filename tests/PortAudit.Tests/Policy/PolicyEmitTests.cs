using PortAudit.Audit;
using PortAudit.Audit.Firewall;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;
using PortAudit.Tests.Audit;

namespace PortAudit.Tests.Policy;

/// <summary>Least-privilege rules, for the lab's inventory and for built ones, written in each firewall's language and read back.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class PolicyEmitTests
{
    internal static IReadOnlyList<AllowRule> LabRules()
    {
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        return LeastPrivilege.For(AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog)));
    }

    // What a rule allows, without its place: the same in the emitted model and in the policy read back.
    private static string Shape(PolicyRule r) =>
        $"{r.Action} [{string.Join(",", r.Protocols ?? [])}] {r.Source} {r.Destination} {r.DestinationPorts} {r.Comment}";

    [Fact]
    public void A_rule_that_names_its_servers_is_written_by_its_ports_and_each_format_says_the_names_are_not()
    {
        // The lab's client to the Front End's 443 under a site rule that allows one name; no packet filter here matches an SNI.
        var catalog = AuditFixture.RepositoryCatalogWith("rules:\n  - {id: site-fe-web, from: workstation, to: lync-front-end, transport: tcp, " +
                                                        "port: 443, protocol: https, serverNames: [meet.palab.test, \"*.dialin.palab.test\"]}\n");
        var policy = LeastPrivilege.Plan(AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog)));

        var rule = Assert.Single(policy.Rules, r => r.CatalogRule == "site-fe-web");
        Assert.Equal(["meet.palab.test", "*.dialin.palab.test"], rule.ServerNames.Select(n => n.ToString()));
        foreach (var (format, readAs) in new[] { ("nftables", PolicyFormat.NftText), ("iptables", PolicyFormat.Iptables),
                     ("asa", PolicyFormat.Asa), ("windows", PolicyFormat.Netsh) })
        {
            string text = PolicyEmitter.Write(policy, format);
            Assert.Single(text.Split('\n'), line => line.EndsWith(
                " site-fe-web allows only the servers named meet.palab.test, *.dialin.palab.test: its rules below allow its ports " +
                "whatever name a client gives; the audit judges the names", StringComparison.Ordinal));
            // The header is a comment: the file reads back whole, and the port is open from the client to the Front End.
            var read = PolicyLoader.Parse(text, $"emitted.{format}", readAs);
            Assert.Empty(read.Issues);
            Assert.Equal(PolicyDecision.Allowed,
                PolicyEvaluator.Evaluate(read, new PolicyQuery(6, IpAddr.Parse("10.77.0.100"), 50000, IpAddr.Parse("10.77.0.10"), 443)).Decision);
        }
    }

    [Fact]
    public void An_observed_report_that_is_not_json_is_named_at_its_byte_and_line()
    {
        // The parser's own "LineNumber: 1 | BytePositionInLine: 3" (zero-based) was passed on as the message.
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
        string path = Path.Combine(Path.GetTempPath(), $"observed-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"coverage\":\n[{\"rule\": }]}");
        try
        {
            var error = Assert.Throws<InputException>(() => LeastPrivilege.Plan(context, path));
            Assert.StartsWith($"{path}: byte 23 (line 2): not valid JSON: ", error.Message);
            Assert.DoesNotContain("LineNumber", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("asa", PolicyFormat.Asa)]
    [InlineData("windows", PolicyFormat.Netsh)]
    [InlineData("nftables", PolicyFormat.NftText)]
    [InlineData("iptables", PolicyFormat.Iptables)]
    public void Emitted_rules_read_back_as_the_same_normalised_policy(string format, PolicyFormat readAs)
    {
        var rules = LabRules();
        string text = PolicyEmitter.Write(rules, format);

        var read = PolicyLoader.Parse(text, $"emitted.{format}", readAs);

        Assert.Empty(read.Issues);
        var expected = rules.Select((r, i) => Shape(r.ToPolicyRule(PolicyEmitter.ChainName, i + 1))).ToList();
        var actual = read.Rules.Where(r => r.Action == PolicyAction.Accept && r.States is null && r.InInterface is null).Select(Shape).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
        Assert.True(expected.Count >= 30, $"only {expected.Count} rules");
    }

    [Fact]
    public void The_order_is_stable_and_every_rule_names_its_catalog_rule_and_seed_row()
    {
        string first = PolicyEmitter.Write(LabRules(), "nftables");
        string second = PolicyEmitter.Write(LabRules(), "nftables");

        Assert.Equal(first, second);
        Assert.Contains("ip saddr 10.77.0.20 ip daddr 10.77.0.10 tcp dport 5061 accept comment \"lync-edge-int-sip-out: ", first, StringComparison.Ordinal);
        Assert.DoesNotContain("dport 8000", first, StringComparison.Ordinal);
    }

    [Fact]
    public void The_emitted_policy_allows_what_the_catalog_requires_and_refuses_the_rest()
    {
        var policy = PolicyLoader.Parse(PolicyEmitter.Write(LabRules(), "nftables"), "emitted.nft", PolicyFormat.NftText);

        var sip = PolicyEvaluator.Evaluate(policy, new PolicyQuery(6, IpAddr.Parse("10.77.0.100"), 50000, IpAddr.Parse("10.77.0.10"), 5061));
        var web = PolicyEvaluator.Evaluate(policy, new PolicyQuery(6, IpAddr.Parse("10.77.0.100"), 50000, IpAddr.Parse("10.77.0.10"), 8000));

        Assert.Equal(PolicyDecision.Allowed, sip.Decision);
        Assert.Equal(PolicyDecision.Blocked, web.Decision);
    }

    private static IpPrefix Prefix(string text) => IpPrefix.TryParse(text, out var prefix, out var problem) ? prefix : throw new ArgumentException(problem);

    // A dual-stack policy for iptables and for ip6tables: each file holds the rules of its family, names each rule of
    // the other family in a comment line pointing to the other format, and reads back as what it holds.
    private static AllowRule Web(string from, string to) =>
        new("iis-web", "seed.md: 1", "*", "web", IpProtocol.Tcp, [Prefix(from)], [Prefix(to)], [new PortRange(443, 443)]);

    /// <summary>HTTPS over both families and ICMPv6 messages ip6tables names, and ones it does not (MLD, a type and code).</summary>
    internal static IReadOnlyList<AllowRule> DualStack() =>
    [
        Web("10.0.0.0/24", "10.0.0.1/32"),
        Web("2001:db8::/64", "2001:db8::1/128"),
        new("site-icmp6", "site rule local.yaml:2", "mon", "web", IpProtocol.IcmpV6, [Prefix("2001:db8::/64")], [Prefix("2001:db8::1/128")], [])
        {
            Icmp = [new(IpProtocol.IcmpV6, 128, -1), new(IpProtocol.IcmpV6, 135, -1), new(IpProtocol.IcmpV6, 130, -1), new(IpProtocol.IcmpV6, 1, 4)],
        },
    ];

    [Theory]
    [InlineData("iptables", false, "# IPv6, in --format ip6tables: iis-web: seed.md: 1\n", 1)]
    [InlineData("ip6tables", true, "# IPv4, in --format iptables: iis-web: seed.md: 1\n", 5)]
    public void Each_file_holds_its_family_and_points_to_the_other_for_the_rest(string format, bool ipv6, string pointer, int accepts)
    {
        string text = PolicyEmitter.Write(DualStack(), format);

        Assert.Contains(pointer, text, StringComparison.Ordinal);
        var read = PolicyLoader.Parse(text, $"emitted.{format}", PolicyFormat.Iptables);
        Assert.Empty(read.Issues);
        var rules = read.Rules.Where(r => r.Action == PolicyAction.Accept && r.States is null && r.InInterface is null).ToList();
        Assert.Equal(accepts, rules.Count);
        Assert.All(rules, r => Assert.Equal(!ipv6, r.Source!.Prefixes.Single().IsV4));
    }

    [Fact]
    public void Icmpv6_types_go_by_the_names_ip6tables_knows_and_by_number_otherwise()
    {
        string text = PolicyEmitter.Write(DualStack(), "ip6tables");

        foreach (string type in new[] { "echo-request", "neighbour-solicitation", "130", "1/4" })
            Assert.Contains($"-p icmpv6 --icmpv6-type {type} -m comment", text, StringComparison.Ordinal);
        Assert.DoesNotContain("--icmp-type", text, StringComparison.Ordinal);
    }

    // ASA 9 spells every address of one family any4 or any6, and the ASA refuses an access-group naming a list with no
    // entry; each format says so when it writes no rule.
    [Theory]
    [InlineData("::/0", "permit tcp any6 host 2001:db8::1 eq 443\n")]
    [InlineData("0.0.0.0/0", "permit tcp any4 host 192.168.1.1 eq 443\n")]
    public void Every_address_of_one_family_is_written_as_the_asa_spells_it_and_reads_back_the_same(string from, string entry)
    {
        string text = PolicyEmitter.Write([Web(from, from.Contains(':') ? "2001:db8::1/128" : "192.168.1.1/32")], "asa");

        Assert.Contains(entry, text, StringComparison.Ordinal);
        Assert.DoesNotContain("::/0", text, StringComparison.Ordinal);
        var read = PolicyLoader.Parse(text, "emitted.asa", PolicyFormat.Asa);
        Assert.Empty(read.Issues);
        var rule = Assert.Single(read.Rules, r => r.Action == PolicyAction.Accept);
        Assert.Equal([Prefix(from)], rule.Source!.Prefixes);
    }

    [Theory]
    [InlineData("asa", "! No rule was written: no access-list, and no access-group")]
    [InlineData("nftables", "# No rule was written: the input and forward chains accept established, related and loopback traffic only")]
    [InlineData("iptables", "# No rule was written: INPUT and FORWARD accept established and related traffic only, and INPUT loopback")]
    [InlineData("ip6tables", "# No rule was written: INPUT and FORWARD accept established and related traffic only, and INPUT loopback")]
    [InlineData("windows", ": No rule was written: no netsh command")]
    public void With_no_rule_each_format_says_so_and_asa_binds_no_list(string format, string comment)
    {
        string text = PolicyEmitter.Write([], format);

        Assert.Contains(comment, text, StringComparison.Ordinal);
        Assert.DoesNotContain("access-group portaudit", text, StringComparison.Ordinal);
        Assert.DoesNotContain("No rule was written", PolicyEmitter.Write([Web("10.0.0.0/8", "10.0.0.1/32")], format), StringComparison.Ordinal);
    }
}
