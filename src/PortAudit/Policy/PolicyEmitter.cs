using System.Globalization;
using System.Text;
using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// Writes a least-privilege policy (<see cref="AllowRule"/>s, which Audit.Firewall.LeastPrivilege draws from the catalog) in a firewall's own language: an nftables ruleset for
/// <c>nft -f</c>, an iptables-restore file and an ip6tables-restore one, Cisco ASA access-list commands, or netsh advfirewall commands. Each rule carries its
/// catalog rule id and seed row; stateful return traffic is allowed the way each firewall does it.
/// </summary>
public static class PolicyEmitter
{
    /// <summary>The names <c>--format</c> takes.</summary>
    public static readonly IReadOnlyList<string> Formats = ["nftables", "iptables", "ip6tables", "asa", "windows"];

    /// <summary>The chain (nftables, iptables), access-list (ASA) or direction (Windows) the rules are emitted in.</summary>
    public const string ChainName = "portaudit";

    /// <summary>Writes <paramref name="rules"/> as <paramref name="format"/>.</summary>
    public static string Write(IReadOnlyList<AllowRule> rules, string format) => Write(new LeastPrivilegePolicy(rules, []), format);

    /// <summary>Writes the rules of <paramref name="policy"/> as <paramref name="format"/>, after a comment line per instance it leaves out.</summary>
    public static string Write(LeastPrivilegePolicy policy, string format) => format switch
    {
        "nftables" => Header("#", policy, "the input and forward chains accept established, related and loopback traffic only") + Nftables(policy.Rules),
        "iptables" => Header("#", policy, XtablesWhenEmpty) + Iptables(policy.Rules, ipv6: false),
        "ip6tables" => Header("#", policy, XtablesWhenEmpty) + Iptables(policy.Rules, ipv6: true),
        "asa" => Header("!", policy, "no access-list, and no access-group, which would name a list that does not exist") + Asa(policy.Rules),
        "windows" => Header(":", policy, "no netsh command") + Windows(policy.Rules),
        _ => throw new InputException($"--format {format}: expected {string.Join(", ", Formats)}"),
    };

    private const string XtablesWhenEmpty = "INPUT and FORWARD accept established and related traffic only, and INPUT loopback";

    // The first lines, in the format's comment: what made the file, and each instance no rule is written for, so that a
    // reader looking for it learns why (a comment among the rules would split an ASA object-group from its entries); each
    // catalog rule that names its servers, which no format here can say; with no rule at all, what the file then does (an
    // empty inventory, or one no catalog rule applies to).
    private static string Header(string comment, LeastPrivilegePolicy policy, string whenEmpty)
    {
        var text = new StringBuilder($"{comment} Least-privilege rules made by portaudit policy emit: catalog rules that apply to the inventory.\n");
        foreach (var rule in policy.Omitted) text.Append(comment).Append(' ').Append(rule.Comment).Append('\n');
        foreach (var named in policy.Rules.Where(r => r.ServerNames.Count > 0).DistinctBy(r => r.CatalogRule))
            text.Append(comment).Append(' ').Append(PolicyComment.Printable(
                $"{named.CatalogRule} allows only the servers named {string.Join(", ", named.ServerNames)}: its rules below allow " +
                "its ports whatever name a client gives; the audit judges the names")).Append('\n');
        if (policy.Rules.Count == 0) text.Append($"{comment} No rule was written: {whenEmpty}.\n");
        return text.ToString();
    }

    private static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Nftables(IReadOnlyList<AllowRule> rules)
    {
        var text = new StringBuilder();
        text.Append("table inet portaudit {\n");
        text.Append($"\tchain {ChainName} {{\n");
        foreach (var rule in rules)
        foreach (var message in Messages(rule))
        {
            string family = rule.IsIpv6 ? "ip6" : "ip";
            text.Append('\t').Append('\t');
            if (rule.From is { } from) text.Append($"{family} saddr {NftSet(from)} ");
            if (rule.To is { } to) text.Append($"{family} daddr {NftSet(to)} ");
            string protocol = PolicyValues.ProtocolName(rule.Protocol);
            if (rule.Ports.Count > 0) text.Append($"{protocol} dport {NftSet(rule.Ports.Select(p => p.ToString()).ToList())} ");
            // nftables names ICMP types as the catalog does; codes go as numbers ("icmp type 3 icmp code 3" reads both ways).
            else if (message is { } icmp)
                text.Append(icmp.Code < 0 ? $"{protocol} type {icmp.TypeText} " : $"{protocol} type {Inv(icmp.Type)} {protocol} code {Inv(icmp.Code)} ");
            else text.Append($"meta l4proto {protocol} ");
            text.Append($"accept comment \"{rule.Comment}\"\n");
        }
        text.Append("\t}\n\n");
        foreach (string hook in HookPaths.Hooks)
        {
            text.Append($"\tchain {hook} {{\n\t\ttype filter hook {hook} priority filter; policy drop;\n");
            text.Append("\t\tct state established,related accept\n\t\tiif \"lo\" accept\n");
            text.Append($"\t\tjump {ChainName}\n\t}}\n");
        }
        text.Append("}\n");
        return text.ToString();
    }

    // Each firewall here matches one ICMP type, or a type and code, per rule: a rule naming messages is one line per
    // message; any other rule is one line (null: no ICMP match).
    private static IEnumerable<IcmpMessage?> Messages(AllowRule rule) =>
        rule.Icmp.Count == 0 ? [null] : rule.Icmp.Select(message => (IcmpMessage?)message);

    private static string NftSet(IReadOnlyList<IpPrefix> prefixes) => NftSet(prefixes.Select(p => p.ToString()).ToList());

    private static string NftSet(IReadOnlyList<string> values) => values.Count == 1 ? values[0] : "{ " + string.Join(", ", values) + " }";

    // iptables is IPv4 only and ip6tables IPv6 only: each file leaves the other family's rules out, each with a comment
    // line naming it and the format that writes it.
    private static string Iptables(IReadOnlyList<AllowRule> rules, bool ipv6)
    {
        var text = new StringBuilder();
        text.Append("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        text.Append($":{ChainName} - [0:0]\n");
        foreach (string chain in new[] { "INPUT", "FORWARD" })
        {
            text.Append($"-A {chain} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
            if (chain == "INPUT") text.Append("-A INPUT -i lo -j ACCEPT\n");
            text.Append($"-A {chain} -j {ChainName}\n");
        }
        foreach (var rule in rules)
        {
            if (rule.IsIpv6 != ipv6)
            {
                text.Append(ipv6 ? $"# IPv4, in --format iptables: {rule.Comment}\n" : $"# IPv6, in --format ip6tables: {rule.Comment}\n");
                continue;
            }
            foreach (var message in Messages(rule)) IptablesRule(text, rule, message, ipv6);
        }
        text.Append("COMMIT\n");
        return text.ToString();
    }

    private static void IptablesRule(StringBuilder text, AllowRule rule, IcmpMessage? message, bool ipv6)
    {
        text.Append($"-A {ChainName}");
        if (rule.From is { } from) text.Append(" -s ").Append(string.Join(",", from));
        if (rule.To is { } to) text.Append(" -d ").Append(string.Join(",", to));
        text.Append(" -p ").Append(PolicyValues.ProtocolName(rule.Protocol));
        if (rule.Ports.Count == 1) text.Append(" --dport ").Append(IptablesPort(rule.Ports[0]));
        else if (rule.Ports.Count > 1) text.Append(" -m multiport --dports ").Append(string.Join(",", rule.Ports.Select(IptablesPort)));
        if (message is { } icmp) text.Append(ipv6 ? " --icmpv6-type " : " --icmp-type ").Append(ipv6 ? Ip6tablesIcmp(icmp) : IptablesIcmp(icmp));
        text.Append($" -m comment --comment \"{rule.Comment}\" -j ACCEPT\n");
    }

    // iptables knows the catalog's ICMP type names but for info-request and info-reply (15, 16); a code goes as "3/3".
    private static string IptablesIcmp(IcmpMessage icmp) =>
        icmp.Code >= 0 ? $"{Inv(icmp.Type)}/{Inv(icmp.Code)}" : icmp.Type is 15 or 16 ? Inv(icmp.Type) : icmp.TypeText;

    // ip6tables names fewer ICMPv6 types than the catalog, and some differently ("neighbour-solicitation" for
    // nd-neighbor-solicit); the others go as numbers, a code as "1/4".
    private static string Ip6tablesIcmp(IcmpMessage icmp) =>
        icmp.Code >= 0 ? $"{Inv(icmp.Type)}/{Inv(icmp.Code)}" : Ip6tablesIcmpNames.GetValueOrDefault(icmp.Type) ?? Inv(icmp.Type);

    // As `ip6tables -p icmpv6 -h` lists them.
    private static readonly Dictionary<int, string> Ip6tablesIcmpNames = new()
    {
        [1] = "destination-unreachable", [2] = "packet-too-big", [3] = "time-exceeded", [4] = "parameter-problem",
        [128] = "echo-request", [129] = "echo-reply", [133] = "router-solicitation", [134] = "router-advertisement",
        [135] = "neighbour-solicitation", [136] = "neighbour-advertisement", [137] = "redirect",
    };

    private static string IptablesPort(PortRange range) => range.IsSingle ? Inv(range.Low) : $"{Inv(range.Low)}:{Inv(range.High)}";

    // One entry per rule: several prefixes or ports go through object-groups, defined before the access-list.
    private static string Asa(IReadOnlyList<AllowRule> rules)
    {
        var groups = new StringBuilder();
        var list = new StringBuilder();
        for (int i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            string name = $"PA-{Inv(i + 1)}";
            // ASA calls ICMPv6 icmp6.
            string protocol = rule.Protocol == IpProtocol.IcmpV6 ? "icmp6" : PolicyValues.ProtocolName(rule.Protocol);
            string source = AsaAddress(rule.From, $"{name}-SRC", groups);
            string destination = AsaAddress(rule.To, $"{name}-DST", groups);
            string ports = "";
            if (rule.Ports.Count == 1) ports = " " + AsaPort(rule.Ports[0]);
            // ASA takes an ICMP type, and a code, as numbers after the destination; one entry per message.
            else if (rule.Icmp.Count > 0)
            {
                list.Append($"access-list {ChainName} remark {rule.Comment}\n");
                foreach (var icmp in rule.Icmp)
                    list.Append($"access-list {ChainName} extended permit {protocol} {source} {destination} {Inv(icmp.Type)}{(icmp.Code < 0 ? "" : " " + Inv(icmp.Code))}\n");
                continue;
            }
            else if (rule.Ports.Count > 1)
            {
                groups.Append($"object-group service {name}-PORTS {protocol}\n");
                foreach (var port in rule.Ports) groups.Append($" port-object {AsaPort(port)}\n");
                ports = $" object-group {name}-PORTS";
            }
            list.Append($"access-list {ChainName} remark {rule.Comment}\n");
            list.Append($"access-list {ChainName} extended permit {protocol} {source} {destination}{ports}\n");
        }
        // An access-list exists only through its entries, and the ASA refuses an access-group naming one that does not.
        if (list.Length == 0) return "";
        return groups.ToString() + list + $"access-group {ChainName} global\n";
    }

    // ASA 9 spells every address of one family any4 or any6 (bare "any" is both families); a side is of one family.
    private static string AsaAddress(IReadOnlyList<IpPrefix>? prefixes, string group, StringBuilder groups)
    {
        if (prefixes is null) return "any";
        if (prefixes is [var whole] && PolicyValues.Anywhere.Contains(whole)) return whole.IsV4 ? "any4" : "any6";
        if (prefixes.Count == 1) return AsaPrefix(prefixes[0], "host");
        groups.Append($"object-group network {group}\n");
        foreach (var prefix in prefixes) groups.Append($" network-object {AsaPrefix(prefix, "host")}\n");
        return $"object-group {group}";
    }

    private static string AsaPrefix(IpPrefix prefix, string hostWord)
    {
        if (prefix.IsSingleAddress) return $"{hostWord} {prefix.Network}";
        if (!prefix.Network.IsV4) return prefix.ToString();
        int length = prefix.Length - 96;
        uint mask = length == 0 ? 0 : uint.MaxValue << (32 - length);
        return $"{prefix.Network} {Common.IpAddr.FromV4(mask)}";
    }

    private static string AsaPort(PortRange range) => range.IsSingle ? $"eq {Inv(range.Low)}" : $"range {Inv(range.Low)} {Inv(range.High)}";

    // Inbound allow rules: the server is the local side. Windows allows established return traffic on its own.
    private static string Windows(IReadOnlyList<AllowRule> rules)
    {
        var text = new StringBuilder();
        foreach (var rule in rules)
        foreach (var message in Messages(rule))
        {
            // netsh names an ICMP message inside the protocol: "icmpv4:8,any", "icmpv6:1,4".
            string protocol = rule.Protocol is 6 or 17 ? PolicyValues.ProtocolName(rule.Protocol)
                : message is { } icmp ? $"{(rule.Protocol == 58 ? "icmpv6" : "icmpv4")}:{Inv(icmp.Type)},{(icmp.Code < 0 ? "any" : Inv(icmp.Code))}"
                : Inv(rule.Protocol);
            text.Append($"netsh advfirewall firewall add rule name=\"{rule.Comment}\" dir=in action=allow protocol={protocol}");
            if (rule.Ports.Count > 0) text.Append(" localport=").Append(string.Join(",", rule.Ports));
            text.Append(" localip=").Append(rule.To is null ? "any" : string.Join(",", rule.To));
            text.Append(" remoteip=").Append(rule.From is null ? "any" : string.Join(",", rule.From));
            text.Append('\n');
        }
        return text.ToString();
    }
}
