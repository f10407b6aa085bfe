using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// Collects one rule's conditions while a parser reads it, whatever the dialect, and makes the <see cref="PolicyRule"/>.
/// Constructs the parser does not understand go to the policy's issues and make the rule undecidable.
/// </summary>
internal sealed class PolicyRuleBuilder(PolicyLocation location, PolicyIssues issues)
{
    private List<string> _undecidable = [];

    public PolicyLocation Location { get; } = location;

    /// <summary>"family table" of an nftables rule, which its jump targets share; empty elsewhere.</summary>
    public string FamilyTable { get; init; } = "";
    public PolicyAction? Action { get; set; }
    public string? Target { get; set; }
    public List<byte>? Protocols { get; set; }
    public int Family { get; set; }
    public AddressMatch? Source { get; set; }
    public AddressMatch? Destination { get; set; }
    public PortMatch? SourcePorts { get; set; }
    public PortMatch? DestinationPorts { get; set; }
    public ConnectionStates? States { get; set; }
    public bool? Translated { get; set; }
    public bool? SourceTranslated { get; set; }
    public bool AnyTranslation { get; set; }
    public string? InInterface { get; set; }
    public string? OutInterface { get; set; }
    public string? Comment { get; set; }
    public string? AppliesOn { get; set; }
    public NatTranslation? Nat { get; set; }
    public bool Untracks { get; set; }
    public AddressTypes? DestinationTypes { get; set; }
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// An nftables verdict map the rule's verdict is looked up in, on the field named by its selector (["tcp dport"]) or
    /// the fields of a concatenation (["ip saddr", "tcp dport"]).
    /// </summary>
    public (IReadOnlyList<string> Selectors, IReadOnlyList<NftVerdictElement> Elements)? VerdictMap { get; set; }

    /// <summary>
    /// The rule as read up to its verdict map (<see cref="Copy"/> taken there): what an element with a verdict of its own
    /// holds, as the kernel stops at that verdict and never reads the statements after the map. Null where the map is
    /// the rule's last statement, or the map's elements all <c>continue</c>.
    /// </summary>
    public PolicyRuleBuilder? BeforeMap { get; set; }

    /// <summary>Narrows the protocols to <paramref name="protocol"/> (a port match implies its protocol).</summary>
    public void RequireProtocol(byte protocol)
    {
        if (Protocols is null) Protocols = [protocol];
        else if (!Protocols.Contains(protocol)) Protocols.RemoveAll(p => true);
        else Protocols.RemoveAll(p => p != protocol);
    }

    /// <summary>Adds a match on the source addresses, <paramref name="text"/> as written: with one read already, the rule matches what both allow.</summary>
    public void MatchSource(AddressMatch match, string text) => Source = Both(Source, match, text);

    /// <summary>Adds a match on the destination addresses, as <see cref="MatchSource"/>.</summary>
    public void MatchDestination(AddressMatch match, string text) => Destination = Both(Destination, match, text);

    /// <summary>Adds a match on the source ports: with one read already, the rule matches the ports both allow.</summary>
    public void MatchSourcePorts(PortMatch match) => SourcePorts = SourcePorts is null ? match : MatchIntersection.Of(SourcePorts, match);

    /// <summary>Adds a match on the destination ports, as <see cref="MatchSourcePorts"/>.</summary>
    public void MatchDestinationPorts(PortMatch match) => DestinationPorts = DestinationPorts is null ? match : MatchIntersection.Of(DestinationPorts, match);

    /// <summary>Adds a match on connection states (conntrack and state, or two <c>ct state</c>): the states both allow.</summary>
    public void MatchStates(ConnectionStates states) => States = States is { } earlier ? earlier & states : states;

    /// <summary>Adds a match on whether the connection's destination was translated: two that disagree match nothing.</summary>
    public void MatchTranslated(bool translated)
    {
        if (Translated is { } earlier && earlier != translated) MatchNothing();
        Translated = translated;
    }

    /// <summary>Adds a match no first packet of a connection holds (no protocol is left).</summary>
    public void MatchNothing() => Protocols = [];

    /// <summary>Adds a match on the destination's address type (<see cref="PolicyRule.DestinationTypes"/>): the types both allow.</summary>
    public void MatchDestinationTypes(AddressTypes types) => DestinationTypes = (DestinationTypes ?? AddressTypes.All) & types;

    /// <summary>Adds a match on IP protocols: the protocols both allow.</summary>
    public void MatchProtocols(List<byte> protocols) => Protocols = Protocols is null ? protocols : Protocols.Intersect(protocols).ToList();

    // Either match alone holds every address the two hold together: where their intersection cannot be held exactly, the
    // earlier one is kept and the rule may match.
    private AddressMatch Both(AddressMatch? earlier, AddressMatch match, string text)
    {
        if (earlier is null) return match;
        if (MatchIntersection.Of(earlier, match) is { } both) return both;
        // An unresolved set was reported when it was read.
        if (earlier.Unresolved || match.Unresolved) _undecidable.Add(text);
        else Unknown(text, $"a second match on the same addresses whose intersection with the first is at most {MatchIntersection.MaxPrefixes} prefixes");
        return earlier;
    }

    /// <summary>A new builder with the same conditions, for a rule that expands into several (one per service).</summary>
    public PolicyRuleBuilder Copy()
    {
        var copy = (PolicyRuleBuilder)MemberwiseClone();
        copy._undecidable = [.. _undecidable];
        // RequireProtocol narrows the list in place: each copy narrows its own.
        copy.Protocols = Protocols is null ? null : [.. Protocols];
        return copy;
    }

    /// <summary>True when the rule's chain translates before the filter on the way in (nftables prerouting nat, iptables nat PREROUTING).</summary>
    public bool BeforeFilter { get; init; }

    /// <summary>
    /// A NAT statement understood: <paramref name="kind"/> (dnat, snat, masquerade, redirect...), as written in
    /// <paramref name="text"/>, to <paramref name="target"/> ("ADDR", "ADDR:PORT", ":PORT"; null for none). NAT decides
    /// no verdict, so the rule continues.
    /// </summary>
    public void Translate(string kind, string text, string? target)
    {
        var (address, port) = target is null ? (null, null) : NatTranslation.ParseTarget(target, portOnly: kind == "redirect");
        Nat = new NatTranslation(kind, text, address, port, BeforeFilter);
        Action ??= PolicyAction.Continue;
    }

    /// <summary>
    /// A flowtable's offload (nftables <c>flow add @ft</c>, formerly <c>flow offload @ft</c>): the kernel breaks off the
    /// rule for a packet whose connection conntrack has not confirmed (nft_flow_offload_eval sets NFT_BREAK), so a
    /// connection's first packet, which a verdict is about, goes on to the next rule: the rule holds for established
    /// connections alone.
    /// </summary>
    public void OffloadsToFlowtable() => MatchStates(ConnectionStates.Established);

    /// <summary>
    /// Connection tracking turned off for the rule's packets (nftables <c>notrack</c>, iptables <c>-j CT --notrack</c>,
    /// <c>-j NOTRACK</c>): no verdict, so the rule continues (<see cref="PolicyRule.Untracks"/>).
    /// </summary>
    public void Untracked()
    {
        Untracks = true;
        Action ??= PolicyAction.Continue;
    }

    /// <summary>A condition understood that a flow cannot decide (TCP flags, ICMP type, rate).</summary>
    public void Undecidable(string condition) => _undecidable.Add(condition);

    /// <summary>A construct not understood: reported with its place, and the rule may match.</summary>
    public void Unknown(string construct, string expected)
    {
        issues.Add(Location, construct, expected);
        _undecidable.Add(construct);
    }

    /// <summary>
    /// For one of the rules a verdict map stands for, its element's place in the map (1-based); 0 for a rule of its own.
    /// </summary>
    public int MapElement { get; set; }

    /// <summary>
    /// The rules of <paramref name="chain"/>, numbered as its listing numbers them: the rules of a verdict map's
    /// elements share the map's number, each with its element's (<c>forward#3.1</c>, <c>forward#3.2</c>), so that every
    /// rule after the map keeps the number a reader counts in the file.
    /// </summary>
    public static List<PolicyRule> BuildChain(string chain, IEnumerable<PolicyRuleBuilder> rules)
    {
        var built = new List<PolicyRule>();
        int position = 0;
        foreach (var rule in rules)
        {
            if (rule.MapElement <= 1) position++;
            built.Add(rule.Build(chain, position));
        }
        return built;
    }

    /// <summary>The rule, numbered <paramref name="position"/> (1-based) in <paramref name="chain"/>.</summary>
    public PolicyRule Build(string chain, int position) => new()
    {
        Id = MapElement == 0 ? $"{chain}#{position}" : $"{chain}#{position}.{MapElement}",
        Chain = chain,
        Location = Location,
        Action = Action ?? PolicyAction.Continue,
        Target = Target,
        Protocols = Protocols,
        Family = Family,
        Source = Source,
        Destination = Destination,
        SourcePorts = SourcePorts,
        DestinationPorts = DestinationPorts,
        States = States,
        Translated = Translated,
        SourceTranslated = SourceTranslated,
        AnyTranslation = AnyTranslation,
        InInterface = InInterface,
        OutInterface = OutInterface,
        AppliesOn = AppliesOn,
        Nat = Nat,
        Untracks = Untracks,
        DestinationTypes = DestinationTypes,
        Undecidable = _undecidable.Count == 0 ? [] : [.. _undecidable],
        Comment = Comment,
        Enabled = Enabled,
    };
}

/// <summary>The constructs a parser did not understand, in file order.</summary>
internal sealed class PolicyIssues
{
    private readonly List<PolicyIssue> _issues = [];

    /// <summary>Records one.</summary>
    public void Add(PolicyLocation location, string construct, string expected) => _issues.Add(new PolicyIssue(location, construct, expected));

    /// <summary>All so far.</summary>
    public IReadOnlyList<PolicyIssue> All => _issues;
}

/// <summary>Reading of the values every dialect shares: protocol names, ports, addresses, masks.</summary>
internal static class PolicyValues
{
    // iptables-save and nft name a protocol as /etc/protocols does, and the kernel matches that number: IP in IP (4) is
    // "ipencap", 6in4 (41) "ipv6", while "ipip" is protocol 94 (KA9Q's IP-within-IP), not 4. Cisco's "ipinip" is 4.
    private static readonly Dictionary<string, byte> ProtocolNumbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["icmp"] = 1, ["icmpv4"] = 1, ["igmp"] = 2, ["tcp"] = 6, ["udp"] = 17, ["gre"] = 47, ["esp"] = 50, ["ah"] = 51,
        ["icmpv6"] = 58, ["ipv6-icmp"] = 58, ["icmp6"] = 58, ["ospf"] = 89, ["pim"] = 103, ["vrrp"] = 112, ["sctp"] = 132,
        ["udplite"] = 136, ["eigrp"] = 88, ["ipencap"] = 4, ["ipinip"] = 4, ["ipv6"] = 41, ["ipip"] = 94, ["l2tp"] = 115,
    };

    /// <summary>Reads "tcp", "6".</summary>
    // The address types a rule's verdict can be decided on (PolicyRule.DestinationTypes), as iptables (upper case) and nft
    // (lower case) name them; the others (unicast, anycast, unreachable...) need the host's routes.
    private static readonly (string Name, AddressTypes Type)[] TypeNames =
        [("local", AddressTypes.Local), ("broadcast", AddressTypes.Broadcast), ("multicast", AddressTypes.Multicast)];

    /// <summary>Reads address type names ("LOCAL", "broadcast"), any of which a rule asks for; false for any other name.</summary>
    public static bool TryAddressTypes(IEnumerable<string> names, out AddressTypes types)
    {
        types = AddressTypes.None;
        foreach (string name in names)
        {
            int index = Array.FindIndex(TypeNames, t => t.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (index < 0) return false;
            types |= TypeNames[index].Type;
        }
        return types != AddressTypes.None;
    }

    /// <summary>"local", "broadcast,multicast", or "!local" for every type but those named.</summary>
    public static string AddressTypeNames(AddressTypes types)
    {
        bool negated = (types & AddressTypes.Other) != 0;
        var named = negated ? AddressTypes.All & ~types : types;
        return (negated ? "!" : "") + string.Join(',', TypeNames.Where(t => (named & t.Type) != 0).Select(t => t.Name));
    }

    public static bool TryProtocol(string text, out byte protocol) =>
        ProtocolNumbers.TryGetValue(text, out protocol) || byte.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out protocol);

    /// <summary>The name of <paramref name="protocol"/> as nftables, iptables and netsh write it.</summary>
    public static string ProtocolName(byte protocol) => protocol switch
    {
        6 => "tcp", 17 => "udp", 1 => "icmp", 58 => "icmpv6", 47 => "gre", 50 => "esp", 51 => "ah", 132 => "sctp",
        _ => protocol.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static readonly Dictionary<string, int> ServiceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ftp-data"] = 20, ["ftp"] = 21, ["ssh"] = 22, ["telnet"] = 23, ["smtp"] = 25, ["domain"] = 53, ["dns"] = 53, ["bootps"] = 67,
        ["bootpc"] = 68, ["tftp"] = 69, ["http"] = 80, ["www"] = 80, ["kerberos"] = 88, ["pop3"] = 110, ["sunrpc"] = 111,
        ["nntp"] = 119, ["ntp"] = 123, ["netbios-ns"] = 137, ["netbios-dgm"] = 138, ["netbios-ssn"] = 139, ["imap"] = 143, ["imap4"] = 143,
        ["snmp"] = 161, ["snmptrap"] = 162, ["bgp"] = 179, ["ldap"] = 389, ["https"] = 443, ["microsoft-ds"] = 445, ["isakmp"] = 500,
        ["syslog"] = 514, ["lpd"] = 515, ["sip"] = 5060, ["ldaps"] = 636, ["imaps"] = 993, ["pop3s"] = 995, ["sqlnet"] = 1521,
        ["h323"] = 1720, ["pptp"] = 1723, ["radius"] = 1645, ["radius-acct"] = 1646, ["rsh"] = 514, ["echo"] = 7, ["discard"] = 9,
        ["daytime"] = 13, ["chargen"] = 19, ["whois"] = 43, ["gopher"] = 70, ["finger"] = 79, ["ident"] = 113, ["irc"] = 194,
        ["klogin"] = 543, ["kshell"] = 544, ["login"] = 513, ["exec"] = 512, ["lotusnotes"] = 1352, ["citrix-ica"] = 1494,
        ["ctiqbe"] = 2748, ["cifs"] = 3020, ["aol"] = 5190, ["pcanywhere-data"] = 5631, ["pcanywhere-status"] = 5632,
        ["rtsp"] = 554, ["kpasswd"] = 464, ["nfs"] = 2049, ["rdp"] = 3389, ["ms-wbt-server"] = 3389, ["mysql"] = 3306,
        ["xdmcp"] = 177, ["talk"] = 517, ["uucp"] = 540, ["hostname"] = 101, ["biff"] = 512, ["who"] = 513, ["mobile-ip"] = 434,
        ["netbios-ns"] = 137, ["time"] = 37, ["nameserver"] = 42, ["tacacs"] = 49, ["secureid-udp"] = 5510, ["snmp-trap"] = 162,
    };

    /// <summary>Reads "443", "https".</summary>
    public static bool TryPort(string text, out int port) =>
        (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
         || ServiceNames.TryGetValue(text, out port)) && port is >= 0 and <= PortRange.MaxPort;

    /// <summary>Reads "443", "1024-65535" (or with <paramref name="separator"/>: "1024:65535"), service names included.</summary>
    public static bool TryPortRange(string text, char separator, out PortRange range)
    {
        range = default;
        int split = text.IndexOf(separator, StringComparison.Ordinal);
        if (split < 0)
        {
            if (!TryPort(text, out int port)) return false;
            range = new PortRange(port, port);
            return true;
        }
        string low = text[..split], high = text[(split + 1)..];
        if (!TryPort(low.Length == 0 ? "0" : low, out int from) || !TryPort(high.Length == 0 ? "65535" : high, out int to) || from > to) return false;
        range = new PortRange(from, to);
        return true;
    }

    /// <summary>Reads an address range as every dialect writes it, "FIRST-LAST" ("10.0.0.1-10.0.0.9"); false for anything else.</summary>
    public static bool TryAddressRange(string text, out Common.IpAddr from, out Common.IpAddr to)
    {
        (from, to) = (default, default);
        return text.Split('-') is [var low, var high] && Common.IpAddr.TryParse(low, out from) && Common.IpAddr.TryParse(high, out to);
    }

    /// <summary>Reads "10.0.0.0/8", "10.1.2.3", "2001:db8::/32"; host bits beyond the length are cleared (firewalls take them).</summary>
    public static bool TryPrefix(string text, out IpPrefix prefix)
    {
        prefix = default;
        int slash = text.IndexOf('/');
        string address = slash < 0 ? text : text[..slash];
        if (!address.Contains(':') && address.Count(c => c == '.') != 3) return false;
        if (!Common.IpAddr.TryParse(address, out var ip)) return false;
        int max = ip.IsV4 ? 32 : 128;
        int length = max;
        if (slash >= 0)
        {
            string lengthText = text[(slash + 1)..];
            if (lengthText.Contains('.'))
                return TryMask(address, lengthText, out prefix);
            if (!int.TryParse(lengthText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length) || length > max)
                return false;
        }
        int full = ip.IsV4 ? length + 96 : length;
        prefix = new IpPrefix(IpPrefix.Mask(ip, full), full);
        return true;
    }

    /// <summary>Reads an address and a dotted mask ("10.0.0.0", "255.0.0.0"); false for a mask that is not contiguous.</summary>
    public static bool TryMask(string address, string mask, out IpPrefix prefix)
    {
        prefix = default;
        if (!Common.IpAddr.TryParse(address, out var ip) || !ip.IsV4 || !Common.IpAddr.TryParse(mask, out var m) || !m.IsV4) return false;
        uint bits = m.V4;
        int length = System.Numerics.BitOperations.PopCount(bits);
        if (length != 32 && bits != uint.MaxValue << (32 - length)) return false;
        prefix = new IpPrefix(IpPrefix.Mask(ip, length + 96), length + 96);
        return true;
    }

    /// <summary>0.0.0.0/0 and ::/0.</summary>
    public static readonly IReadOnlyList<IpPrefix> Anywhere = [new IpPrefix(Common.IpAddr.FromV4(0), 96), new IpPrefix(default, 0)];
}
