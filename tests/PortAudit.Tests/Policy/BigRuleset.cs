using System.Text;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Generated nftables rulesets (nft list ruleset text) for <see cref="ShadowIndexTests"/> and <see cref="FirewallScaleTests"/>:
/// big ones are made, never committed. tools/bench/make-big-ruleset.py makes the same kind for the bench script.
/// </summary>
internal static class BigRuleset
{
    /// <summary>
    /// <paramref name="count"/> rules in the input chain, drawn with <paramref name="seed"/> from a small address and port
    /// space when <paramref name="dense"/> (so that rules cover each other often, with every kind of match: prefixes of every
    /// length, IPv6, negation, sets, ranges, states, interfaces, verdicts), else from a large one like a real firewall's.
    /// </summary>
    public static string Nft(int count, int seed, bool dense)
    {
        var random = new Random(seed);
        var rules = new List<string>();
        var text = new StringBuilder("table inet filter {\n  chain input {\n    type filter hook input priority filter; policy drop;\n");
        text.Append("    ct state established,related accept\n    iifname \"lo\" accept\n");
        for (int i = 0; i < count; i++)
        {
            string rule = i % 20 == 19 && rules.Count > 0 ? rules[random.Next(rules.Count)] : dense ? Dense(random) : Sparse(random);
            rules.Add(rule);
            text.Append("    ").Append(rule).Append('\n');
        }
        return text.Append("  }\n}\n").ToString();
    }

    private static string Sparse(Random random)
    {
        int a = random.Next(256), b = random.Next(256), c = random.Next(256), d = random.Next(1, 255);
        int[] common = [22, 25, 53, 80, 123, 135, 389, 443, 445, 3389, 5060, 5061, 8080];
        int port = random.NextDouble() < 0.6 ? common[random.Next(common.Length)] : random.Next(1024, 65536);
        return random.Next(10) switch
        {
            < 5 => $"ip saddr 10.{a}.{b}.0/24 ip daddr 172.{16 + a % 16}.{c}.{d} tcp dport {port} accept",
            5 => $"ip saddr 10.{a}.{b}.0/24 ip daddr 172.{16 + a % 16}.{c}.{d} udp dport {port} accept",
            6 => $"ip saddr 10.{a}.0.0/16 tcp dport {{ {port}, {port + 1}, {port + 7} }} accept",
            7 => $"ip daddr 172.{16 + a % 16}.{c}.{d} tcp dport {port}-{Math.Min(65535, port + random.Next(1, 100))} accept",
            8 => $"ip saddr 192.168.{c}.{d} drop",
            _ => $"ip saddr 10.77.0.{d} ip daddr 10.77.0.{random.Next(1, 255)} tcp dport {port} accept",
        };
    }

    private static string Dense(Random random)
    {
        var parts = new List<string>();
        string Address() => random.Next(40) switch
        {
            0 => "10.0.0.0/8",
            1 => $"10.{random.Next(3)}.0.0/16",
            2 => $"10.{random.Next(3)}.{random.Next(3)}.0/24",
            3 => $"{{ 10.{random.Next(3)}.{random.Next(3)}.{random.Next(4)}, 10.{random.Next(3)}.0.0/16 }}",
            4 => $"!= 10.{random.Next(3)}.0.0/16",
            < 10 => $"10.{random.Next(3)}.{random.Next(3)}.0/24",
            _ => $"10.{random.Next(3)}.{random.Next(3)}.{random.Next(4)}",
        };
        string Ports() => random.Next(5) switch
        {
            0 => $"{{ {20 + random.Next(4)}, {80 + random.Next(2)} }}",
            1 => $"{20 + random.Next(4)}-{22 + random.Next(60)}",
            2 => $"!= {20 + random.Next(4)}",
            3 when random.Next(10) == 0 => "1-65535",
            _ => $"{20 + random.Next(4)}",
        };
        bool v6 = random.Next(8) == 0;
        if (v6) parts.Add(random.Next(2) == 0 ? "ip6 saddr 2001:db8::/32" : $"ip6 saddr 2001:db8:{random.Next(3)}::/48");
        else if (random.Next(20) > 0) parts.Add("ip saddr " + Address());
        if (!v6 && random.Next(3) == 0) parts.Add("ip daddr " + Address());
        switch (random.Next(10))
        {
            case 0: parts.Add("tcp dport " + Ports()); break;
            case 1: parts.Add("udp dport " + Ports()); break;
            case 2: parts.Add("meta l4proto { tcp, udp } th dport " + Ports()); break;
            case < 9: parts.Add((random.Next(2) == 0 ? "tcp" : "udp") + " dport " + Ports()); break;
        }
        if (random.Next(8) == 0) parts.Add("ct state new");
        if (random.Next(10) == 0) parts.Add("iifname \"eth0\"");
        if (random.Next(12) == 0) parts.Add("tcp flags syn");
        parts.Add(random.Next(10) switch { < 6 => "accept", < 8 => "drop", 8 => "reject", _ => "counter" });
        return string.Join(' ', parts);
    }
}
