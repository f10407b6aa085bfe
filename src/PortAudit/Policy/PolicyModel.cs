using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Policy;

/// <summary>What a rule does when it matches.</summary>
public enum PolicyAction
{
    /// <summary>Lets the packet through (ends its chain; nftables goes on to later base chains of the hook).</summary>
    Accept,

    /// <summary>Discards the packet silently.</summary>
    Drop,

    /// <summary>Refuses the packet with an answer (TCP reset, ICMP unreachable).</summary>
    Reject,

    /// <summary>Evaluates another chain, then comes back.</summary>
    Jump,

    /// <summary>Evaluates another chain and does not come back to this one.</summary>
    Goto,

    /// <summary>Ends the current chain and goes back to the one that jumped to it.</summary>
    Return,

    /// <summary>No verdict (counter, log, mark): evaluation goes on with the next rule.</summary>
    Continue,

    /// <summary>A statement not understood (queue, a map of verdicts...): the rule is undecidable.</summary>
    Unknown,
}

/// <summary>Connection-tracking states a rule can ask for, as flags.</summary>
[Flags]
public enum ConnectionStates
{
    /// <summary>No state.</summary>
    None = 0,

    /// <summary>The first packet of a connection: what a flow's policy verdict is about.</summary>
    New = 1,

    /// <summary>A packet of a connection already accepted.</summary>
    Established = 2,

    /// <summary>A connection related to an accepted one (FTP data, ICMP errors).</summary>
    Related = 4,

    /// <summary>A packet conntrack cannot place.</summary>
    Invalid = 8,

    /// <summary>A packet exempted from tracking.</summary>
    Untracked = 16,
}

/// <summary>
/// The kernel's types of a destination address a rule can ask for (iptables <c>-m addrtype --dst-type</c>, nftables <c>fib
/// daddr type</c>), as flags: a rule asks for any of those it names.
/// </summary>
[Flags]
public enum AddressTypes
{
    /// <summary>No type.</summary>
    None = 0,

    /// <summary>An address of the host itself (LOCAL, <c>local</c>).</summary>
    Local = 1,

    /// <summary>A broadcast address (BROADCAST, <c>broadcast</c>): 255.255.255.255, 0.0.0.0/8, or a subnet's broadcast on the host.</summary>
    Broadcast = 2,

    /// <summary>A multicast group (MULTICAST, <c>multicast</c>).</summary>
    Multicast = 4,

    /// <summary>Any other type (unicast elsewhere, unreachable, blackhole...), which a rule can only ask for by negation.</summary>
    Other = 8,

    /// <summary>Every type.</summary>
    All = Local | Broadcast | Multicast | Other,
}

/// <summary>How sure a rule's conditions are about a flow.</summary>
public enum MatchResult
{
    /// <summary>The rule cannot match the flow.</summary>
    No,

    /// <summary>The rule matches the flow.</summary>
    Yes,

    /// <summary>The rule may match: a condition the flow cannot decide (interface, TCP flags, rate) or a construct not understood.</summary>
    Maybe,
}

/// <summary>Addresses a rule matches on one side: prefixes, or a named set whose members may be unknown.</summary>
/// <param name="Prefixes">The prefixes (resolved set members included).</param>
/// <param name="Negated">True for "not these".</param>
public sealed record AddressMatch(IReadOnlyList<IpPrefix> Prefixes, bool Negated = false)
{
    /// <summary>The set or object the addresses come from, as written ("@trusted", "object-group dmz"); null for literals.</summary>
    public string? SetName { get; init; }

    /// <summary>True when the set's members are not in the file (an ipset, a name defined elsewhere): the match is undecidable.</summary>
    public bool Unresolved { get; init; }

    /// <summary>Whether <paramref name="address"/> matches.</summary>
    public MatchResult Match(IpAddr address)
    {
        if (Unresolved) return MatchResult.Maybe;
        // A host is the prefix of its full length: one lookup per prefix length of a large object-group, not a test per member.
        bool inside = PrefixContainment.AnyContains(this, IpPrefix.Single(address));
        return inside != Negated ? MatchResult.Yes : MatchResult.No;
    }

    /// <summary>True when the match holds every address (0.0.0.0/0, ::/0).</summary>
    public bool IsAny => !Negated && !Unresolved && Prefixes.Any(p => p.Length == 0 || (p.Network.IsV4 && p.Length == 96));

    /// <summary>"10.0.0.0/8", "!{10.0.0.1, 10.0.0.2}", "@trusted".</summary>
    public override string ToString()
    {
        string body = Unresolved && SetName is not null ? SetName
            : Prefixes.Count == 1 ? Prefixes[0].ToString() : "{" + string.Join(", ", Prefixes) + "}";
        return Negated ? "!" + body : body;
    }
}

/// <summary>Ports a rule matches on one side.</summary>
/// <param name="Ranges">The ranges.</param>
/// <param name="Negated">True for "not these".</param>
public sealed record PortMatch(IReadOnlyList<PortRange> Ranges, bool Negated = false)
{
    /// <summary>Whether <paramref name="port"/> matches.</summary>
    public bool Matches(int port) => Ranges.Any(r => r.Contains(port)) != Negated;

    /// <summary>"5061", "{80, 443}", "!22".</summary>
    public override string ToString()
    {
        string body = Ranges.Count == 1 ? Ranges[0].ToString() : "{" + string.Join(", ", Ranges) + "}";
        return Negated ? "!" + body : body;
    }
}

/// <summary>Where in an input a rule or a construct comes from.</summary>
/// <param name="File">The file as given.</param>
/// <param name="Line">1-based line; 0 when the format has no lines (a JSON array element is numbered by <paramref name="Line"/> of its start).</param>
public readonly record struct PolicyLocation(string File, int Line)
{
    /// <summary>"file:line".</summary>
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>
/// A named set or verdict map a ruleset declares without elements and adds none to (<see cref="FirewallPolicy.EmptySets"/>):
/// read as empty, as the kernel matches it while it is (a lookup in an empty verdict map goes on to the next rule), though
/// a loader (fail2ban, a blocklist script) may fill it at run time.
/// </summary>
/// <param name="Name">The set's name without its '@' ("f2b-sshd").</param>
/// <param name="Table">Its table ("inet f").</param>
/// <param name="Location">Where it is declared.</param>
/// <param name="IsMap">Whether it is a verdict map (<c>type ipv4_addr : verdict</c>), not a set.</param>
/// <param name="IsIpset">Whether it is an ipset (<c>create f2b-sshd hash:ip</c>) an iptables rule looks up, of no table.</param>
public sealed record EmptySet(string Name, string Table, PolicyLocation Location, bool IsMap = false, bool IsIpset = false)
{
    /// <summary>"set @f2b-sshd of inet f" (or "map @...", "ipset f2b-sshd"), as a finding names it.</summary>
    public string Construct => IsIpset ? $"ipset {Name}" : $"{(IsMap ? "map" : "set")} @{Name} of {Table}";

    /// <summary>How a rule's condition names it: "@f2b-sshd" in nftables, "--match-set f2b-sshd" in iptables.</summary>
    public string Reference => IsIpset ? $"--match-set {Name}" : "@" + Name;

    /// <summary>
    /// True when a rule of the chain named <paramref name="chain"/> looks this set up by its name: an nftables set
    /// belongs to its table, an ipset to the whole network namespace.
    /// </summary>
    public bool LookedUpIn(string chain) => IsIpset || chain.StartsWith(Table + " ", StringComparison.Ordinal);
}

/// <summary>A construct a parser did not understand: reported and counted, never taken as allow or deny.</summary>
/// <param name="Location">Where it is.</param>
/// <param name="Construct">The text of the construct.</param>
/// <param name="Expected">What the parser expected there, or what it would need to decide it.</param>
public sealed record PolicyIssue(PolicyLocation Location, string Construct, string Expected)
{
    /// <summary>"file:line: construct (expected ...)".</summary>
    public override string ToString() => $"{Location}: {Construct} ({Expected})";
}

/// <summary>
/// One rule of a firewall policy in the normalised model: conditions (each null when the rule does not constrain it) and an
/// action. Conditions a flow cannot decide (<see cref="Undecidable"/>) make a match <see cref="MatchResult.Maybe"/>.
/// </summary>
public sealed record PolicyRule
{
    /// <summary>A stable identifier inside its policy: "chain#position" (position 1-based).</summary>
    public required string Id { get; init; }

    /// <summary>The chain (nftables, iptables), access-list (ASA) or direction (Windows) the rule belongs to.</summary>
    public required string Chain { get; init; }

    /// <summary>Where the rule was written.</summary>
    public required PolicyLocation Location { get; init; }

    /// <summary>What the rule does.</summary>
    public required PolicyAction Action { get; init; }

    /// <summary>The chain a jump or goto goes to.</summary>
    public string? Target { get; init; }

    /// <summary>IP protocol numbers (6 tcp, 17 udp...); null for any.</summary>
    public IReadOnlyList<byte>? Protocols { get; init; }

    /// <summary>4 or 6 when the rule only sees one family (an nftables ip table, iptables vs ip6tables); 0 for both.</summary>
    public int Family { get; init; }

    /// <summary>Source addresses; null for any.</summary>
    public AddressMatch? Source { get; init; }

    /// <summary>Destination addresses; null for any.</summary>
    public AddressMatch? Destination { get; init; }

    /// <summary>Source ports; null for any.</summary>
    public PortMatch? SourcePorts { get; init; }

    /// <summary>Destination ports; null for any.</summary>
    public PortMatch? DestinationPorts { get; init; }

    /// <summary>Connection states the rule asks for; null for any.</summary>
    public ConnectionStates? States { get; init; }

    /// <summary>
    /// True when the rule asks for a connection whose destination the nat chains before the filter translated (nftables
    /// <c>ct status dnat</c>, iptables <c>--ctstate DNAT</c>), false for one whose they did not (<c>ct status ! dnat</c>,
    /// <c>! --ctstate DNAT</c>); null for either.
    /// </summary>
    public bool? Translated { get; init; }

    /// <summary>
    /// True when the rule asks for a connection whose source a nat chain translated (nftables <c>ct status snat</c>), false
    /// for one whose it did not (<c>ct status ! snat</c>); null for either. Only a nat chain of the same hook of a lower
    /// priority (<c>type nat hook input priority 100</c> before a filter chain of 110) has done so by the first packet
    /// (<see cref="PolicyQuery.AfterSourceNat"/>); where none runs first, no first packet has the flag.
    /// </summary>
    public bool? SourceTranslated { get; init; }

    /// <summary>
    /// True when either of <see cref="Translated"/> and <see cref="SourceTranslated"/>, both set, suffices: both true for
    /// nftables <c>ct status snat,dnat</c> (the test of any of the flags listed; <c>ct status &amp; (snat|dnat) != 0</c>), a
    /// connection whose destination was translated, or, after a source nat chain of its hook, one whose source may have
    /// been; one false for a flag that is clear (<c>ct status &amp; (snat|dnat) != dnat</c>: dnat clear or snat set).
    /// </summary>
    public bool AnyTranslation { get; init; }

    /// <summary>
    /// Input interface ("!eth0" for any other); null for any. Several conditions, each of which must hold, are separated by
    /// spaces, which no interface name holds: "!eth0 !eth1" for neither (nftables <c>iifname != "eth0" iifname !=
    /// "eth1"</c>). A condition naming several, separated by commas, holds on any of them ("eth0,eth1": nftables
    /// <c>iifname { "eth0", "eth1" }</c>); a name ending in * holds on every name it begins ("eth*": nftables
    /// <c>iifname "eth*"</c>, iptables <c>-i eth+</c>). "lo" is decided: a flow to a loopback address, or from an address to
    /// itself (a host's connection to its own address), arrives on it; a flow between two other addresses never does.
    /// </summary>
    public string? InInterface { get; init; }

    /// <summary>Output interface, as <see cref="InInterface"/>; null for any.</summary>
    public string? OutInterface { get; init; }

    /// <summary>
    /// Where the rule's list is applied, when the dialect binds lists to interfaces ("in outside" for an ASA access-group);
    /// shown, not matched: the path through that interface already applies it. Null when not bound.
    /// </summary>
    public string? AppliesOn { get; init; }

    /// <summary>The interfaces the rule is tied to, for reports: "iifname eth0", "oifname wan0", "on in outside"; null for none.</summary>
    public string? Interfaces => string.Join(' ', new[]
    {
        InInterface is { } i ? "iifname " + i : null, OutInterface is { } o ? "oifname " + o : null, AppliesOn is { } a ? "on " + a : null,
    }.Where(s => s is not null)) is { Length: > 0 } text ? text : null;

    /// <summary>
    /// The types of destination address the rule asks for, any of them: <see cref="AddressTypes.Local"/> for iptables
    /// <c>-m addrtype --dst-type LOCAL</c> and nftables <c>fib daddr type local</c>, every other type for their negations
    /// (<c>! --dst-type LOCAL</c>, <c>fib daddr type != local</c>), broadcast and multicast alike; null for any.
    /// </summary>
    public AddressTypes? DestinationTypes { get; init; }

    /// <summary>
    /// True for a rule that turns connection tracking off for its packets (nftables <c>notrack</c>, iptables <c>-j CT
    /// --notrack</c>, <c>-j NOTRACK</c>): in a chain before connection tracking, later rules see the connection
    /// untracked, not new, and no nat chain translates it.
    /// </summary>
    public bool Untracks { get; init; }

    /// <summary>The address translation the rule makes (a rule of a NAT chain or table); null for a filter rule.</summary>
    public NatTranslation? Nat { get; init; }

    /// <summary>Conditions understood but not decidable for a flow (TCP flags, ICMP type, rate limits) and constructs not understood.</summary>
    public IReadOnlyList<string> Undecidable { get; init; } = [];

    /// <summary>The rule's comment, remark or name; null when none.</summary>
    public string? Comment { get; init; }

    /// <summary>False for a rule written but disabled (ASA inactive, Windows enable=no): it never matches.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>True when the action ends the evaluation (accept, drop, reject).</summary>
    public bool IsTerminal => Action is PolicyAction.Accept or PolicyAction.Drop or PolicyAction.Reject;

    /// <summary>Whether the rule matches the first packet of <paramref name="query"/>.</summary>
    public MatchResult Match(in PolicyQuery query)
    {
        if (!Enabled) return MatchResult.No;
        if (Family == 4 && !query.Source.IsV4 || Family == 6 && query.Source.IsV4) return MatchResult.No;
        if (Protocols is not null && !Protocols.Contains(query.Protocol)) return MatchResult.No;
        if (States is { } states && (states & query.State) == 0) return MatchResult.No;
        var translation = TranslationMatch(query);
        if (translation == MatchResult.No) return MatchResult.No;
        if (SourcePorts is not null && (!HasPorts(query.Protocol) || !SourcePorts.Matches(query.SourcePort))) return MatchResult.No;
        if (DestinationPorts is not null && (!HasPorts(query.Protocol) || !DestinationPorts.Matches(query.DestinationPort))) return MatchResult.No;
        var result = MatchResult.Yes;
        // A host's connection to an address of its own crosses lo, whatever the address: its source is then that address.
        bool toItself = query.Source == query.Destination;
        foreach (var side in (ReadOnlySpan<MatchResult>)[Source?.Match(query.Source) ?? MatchResult.Yes, Destination?.Match(query.Destination) ?? MatchResult.Yes,
                     Interface(InInterface, query.InInterface, toItself || IpPrefix.IsLoopback(query.Source)),
                     Interface(OutInterface, query.OutInterface, toItself || IpPrefix.IsLoopback(query.Destination)),
                     DestinationTypes is { } types ? AddressType(types, query) : MatchResult.Yes])
        {
            if (side == MatchResult.No) return MatchResult.No;
            if (side == MatchResult.Maybe) result = MatchResult.Maybe;
        }
        return Undecidable.Count > 0 || translation == MatchResult.Maybe ? MatchResult.Maybe : result;
    }

    // The nat walk says whether the destination was translated. Whether a source nat chain before the filter translated
    // the source is not walked: after one (PolicyQuery.AfterSourceNat) the snat flag may be set or not; where none runs
    // first no first packet has it.
    private MatchResult TranslationMatch(in PolicyQuery query)
    {
        var source = SourceTranslated is not { } snat ? MatchResult.Yes
            : query.AfterSourceNat ? MatchResult.Maybe
            : snat ? MatchResult.No : MatchResult.Yes;
        if (AnyTranslation) return Translated == query.Translated ? MatchResult.Yes : source;
        return Translated is { } translated && translated != query.Translated ? MatchResult.No : source;
    }

    // The address alone decides a multicast group, and IPv4's limited broadcast (255.255.255.255, and 0.0.0.0/8, which the
    // kernel types broadcast too); whether a unicast address is the host's own is the point's to say (PolicyQuery), and
    // one that is not may still be a broadcast of one of the host's subnets, unless it is a host's own address
    // (PolicyQuery.HostAddress). IPv6 has no broadcast type. An IPv6 group is left to either type: nftables' fib types it
    // by its route, not by its address.
    private static MatchResult AddressType(AddressTypes wanted, in PolicyQuery query)
    {
        var destination = query.Destination;
        bool mayBeBroadcast = destination.IsV4 && query.HostAddress != destination;
        var possible = destination.IsV4 && (destination.V4 == 0xFFFF_FFFF || destination.V4 >> 24 == 0) ? AddressTypes.Broadcast
            : destination.IsGroup ? destination.IsV4 ? AddressTypes.Multicast : AddressTypes.Multicast | AddressTypes.Other
            : (query.LocalDestination switch { true => AddressTypes.Local, false => AddressTypes.All & ~AddressTypes.Local, null => AddressTypes.All }
               & ~AddressTypes.Multicast & (mayBeBroadcast ? AddressTypes.All : ~AddressTypes.Broadcast));
        return (possible & ~wanted) == 0 ? MatchResult.Yes : (possible & wanted) == 0 ? MatchResult.No : MatchResult.Maybe;
    }

    private static bool HasPorts(byte protocol) => protocol is IpProtocol.Tcp or IpProtocol.Udp or 132;

    // Every condition on the interface must hold (InInterface); none fails, but one may, and the rule may match.
    private static MatchResult Interface(string? wanted, string? actual, bool loopback)
    {
        if (wanted is null) return MatchResult.Yes;
        var result = MatchResult.Yes;
        foreach (var condition in wanted.AsSpan().Split(' '))
        {
            var one = InterfaceCondition(wanted.AsSpan(condition), actual, loopback);
            if (one == MatchResult.No) return MatchResult.No;
            if (one == MatchResult.Maybe) result = MatchResult.Maybe;
        }
        return result;
    }

    // Loopback is the one interface a flow's addresses decide; any other name needs the capture point's interface.
    private static MatchResult InterfaceCondition(ReadOnlySpan<char> wanted, string? actual, bool loopback)
    {
        if (wanted.StartsWith('!'))
            return InterfaceCondition(wanted[1..], actual, loopback) switch { MatchResult.Yes => MatchResult.No, MatchResult.No => MatchResult.Yes, _ => MatchResult.Maybe };
        if (wanted.Contains(','))
        {
            // Any of the names: one that holds decides, none that may leaves it failing.
            var any = MatchResult.No;
            foreach (var name in wanted.Split(','))
            {
                var one = InterfaceCondition(wanted[name], actual, loopback);
                if (one == MatchResult.Yes) return MatchResult.Yes;
                if (one == MatchResult.Maybe) any = MatchResult.Maybe;
            }
            return any;
        }
        if (wanted.EndsWith('*') && !Escaped(wanted))
        {
            // Every name the part before * begins: "*" is any interface; lo, when the flow is on it, is decided too.
            var start = wanted[..^1];
            if (actual is not null || loopback) return (actual ?? "lo").AsSpan().StartsWith(start) ? MatchResult.Yes : MatchResult.No;
            return start.IsEmpty ? MatchResult.Yes : MatchResult.Maybe;
        }
        if (actual is not null) return SameName(wanted, actual) ? MatchResult.Yes : MatchResult.No;
        if (wanted.SequenceEqual("lo")) return loopback ? MatchResult.Yes : MatchResult.No;
        return loopback ? MatchResult.No : MatchResult.Maybe;
    }

    // A star escaped as nft writes it ("eth\*") is the character itself: the kernel compares the name literally.
    private static bool Escaped(ReadOnlySpan<char> wanted) => wanted.EndsWith(@"\*");

    private static bool SameName(ReadOnlySpan<char> wanted, ReadOnlySpan<char> actual) => Escaped(wanted)
        ? actual.Length == wanted.Length - 1 && actual.EndsWith('*') && actual.StartsWith(wanted[..^2])
        : wanted.SequenceEqual(actual);
}

/// <summary>How a chain's rules combine.</summary>
public enum ChainSemantics
{
    /// <summary>The first matching rule decides (nftables, iptables, ASA).</summary>
    FirstMatch,

    /// <summary>Any matching block rule wins over every allow rule; order does not matter (Windows Defender Firewall).</summary>
    BlockOverAllow,
}

/// <summary>An ordered list of rules; a base chain has a hook and a default policy.</summary>
public sealed record PolicyChain
{
    /// <summary>The name rules jump to; unique in its policy (nftables names are "family table chain").</summary>
    public required string Name { get; init; }

    /// <summary>input, forward, output (nftables, iptables), "in IFACE"/"out IFACE"/global (ASA), inbound/outbound (Windows); null for a regular chain.</summary>
    public string? Hook { get; init; }

    /// <summary>What a base chain does with a packet no rule decided; null for a regular chain, which returns.</summary>
    public PolicyAction? DefaultPolicy { get; init; }

    /// <summary>Where the default policy was written (or the chain declared).</summary>
    public PolicyLocation Location { get; init; }

    /// <summary>The rules in order.</summary>
    public required IReadOnlyList<PolicyRule> Rules { get; init; }

    /// <summary>4 or 6 when the chain only sees one family (a chain of an nftables ip or ip6 table); 0 for both.</summary>
    public int Family { get; init; }

    /// <summary>Order among base chains of one hook (nftables priority; lower first).</summary>
    public int Priority { get; init; }

    /// <summary>First match or block-over-allow.</summary>
    public ChainSemantics Semantics { get; init; } = ChainSemantics.FirstMatch;

    /// <summary>True for a chain that translates addresses (nftables type nat, the iptables nat table, ASA nat): it filters nothing.</summary>
    public bool IsNat { get; init; }

    /// <summary>True when the chain filters nothing: it accepts by default and no rule of it drops, rejects or jumps.</summary>
    public bool AcceptsAll => DefaultPolicy == PolicyAction.Accept && Rules.All(r => r.Action is PolicyAction.Accept or PolicyAction.Continue);
}

/// <summary>
/// One way a packet can cross the enforcement point: chains it goes through in order, each of which must accept it
/// (the input hook of a host; the forward hook of a router; an ASA interface's inbound access-list and the global one).
/// </summary>
/// <param name="Name">"input", "forward", "in outside"...</param>
/// <param name="Chains">Names of the chains, in order.</param>
public sealed record PolicyPath(string Name, IReadOnlyList<string> Chains)
{
    /// <summary>The interface and direction the path is bound to ("in outside" for an ASA access-group); null when not bound to one.</summary>
    public string? Interface { get; init; }
}

/// <summary>The input formats, with the names <c>--firewall FILE:FORMAT</c> takes.</summary>
public enum PolicyFormat
{
    /// <summary><c>nft -j list ruleset</c>.</summary>
    NftJson,

    /// <summary><c>nft list ruleset</c> (or a file for <c>nft -f</c> without variables and includes).</summary>
    NftText,

    /// <summary><c>iptables-save</c> (filter table evaluated).</summary>
    Iptables,

    /// <summary>Cisco ASA running-config: access-list, access-group, object, object-group.</summary>
    Asa,

    /// <summary>Windows Defender Firewall: Get-NetFirewallRule JSON joined with its port and address filters.</summary>
    WindowsJson,

    /// <summary>Windows Defender Firewall: netsh advfirewall text (<c>show rule name=all verbose</c>, or <c>add rule</c> commands).</summary>
    Netsh,
}

/// <summary>
/// A firewall's policy read from one file: chains and rules in the normalised model, the paths a packet can take, and
/// what the parser did not understand.
/// </summary>
public sealed record FirewallPolicy
{
    /// <summary>The enforcement point's name in reports (by default the file name).</summary>
    public required string Name { get; init; }

    /// <summary>The file read.</summary>
    public required string File { get; init; }

    /// <summary>The dialect.</summary>
    public required PolicyFormat Format { get; init; }

    /// <summary>Every chain, in file order.</summary>
    public required IReadOnlyList<PolicyChain> Chains { get; init; }

    /// <summary>The paths a new connection can take; a flow is allowed when a path accepts it (see <see cref="PolicyEvaluator"/>).</summary>
    public required IReadOnlyList<PolicyPath> Paths { get; init; }

    /// <summary>Constructs not understood (and unresolved names), in file order.</summary>
    public IReadOnlyList<PolicyIssue> Issues { get; init; } = [];

    /// <summary>
    /// The base chains no path walks that can still drop a connection (nftables ingress, netdev and bridge chains), by
    /// name: a connection one of them may drop is undecided. Empty where every chain that filters is on a path.
    /// </summary>
    public IReadOnlyList<string> OffPath { get; init; } = [];

    /// <summary>
    /// The named sets declared without elements that the file adds none to ("@f2b-sshd"), each with its table and
    /// place: read as empty, as the kernel matches them while they are, though a loader (fail2ban, a blocklist script)
    /// may fill them at run time.
    /// </summary>
    public IReadOnlyList<EmptySet> EmptySets { get; init; } = [];

    /// <summary>
    /// The same ruleset with the members of <see cref="EmptySets"/> unknown, so that a rule on one may match: what a
    /// verdict could be once they are filled; null when there are none.
    /// </summary>
    public FirewallPolicy? IfSetsFilled { get; init; }

    /// <summary>Every rule, in chain order.</summary>
    public IEnumerable<PolicyRule> Rules => Chains.SelectMany(c => c.Rules);

    /// <summary>The rules that translate addresses, in chain order: what <see cref="PolicyEvaluator"/> applies (<see cref="NatTranslation.Evaluated"/>) or reports.</summary>
    public IEnumerable<PolicyRule> Nat => Rules.Where(r => r.Nat is not null);

    /// <summary>The chain named <paramref name="name"/>, or null.</summary>
    public PolicyChain? Chain(string name) => Chains.FirstOrDefault(c => c.Name == name);
}

/// <summary>The first packet of a connection, as a policy sees it.</summary>
/// <param name="Protocol">IP protocol number.</param>
/// <param name="Source">Client address.</param>
/// <param name="SourcePort">Client port (0 without ports).</param>
/// <param name="Destination">Server address.</param>
/// <param name="DestinationPort">Server port (0 without ports).</param>
public readonly record struct PolicyQuery(byte Protocol, IpAddr Source, int SourcePort, IpAddr Destination, int DestinationPort)
{
    /// <summary>The interface the packet arrives on, when the capture point knows it; null otherwise.</summary>
    public string? InInterface { get; init; }

    /// <summary>The interface the packet leaves on, when known; null otherwise.</summary>
    public string? OutInterface { get; init; }

    /// <summary>True when the nat chains before the filter changed the destination: the connection the filter sees is translated (<see cref="NatTranslation.Apply"/>).</summary>
    public bool Translated { get; init; }

    /// <summary>True when a chain before connection tracking exempted the connection from it (notrack): its first packet is untracked, not new.</summary>
    public bool Untracked { get; init; }

    /// <summary>
    /// True for the packet as a chain before connection tracking sees it (iptables raw PREROUTING, an nftables prerouting
    /// chain below priority -200): nothing tracks it yet, so its state is invalid, or untracked after a notrack.
    /// </summary>
    public bool BeforeConntrack { get; init; }

    /// <summary>
    /// True for the packet as a filter chain after a source nat chain of its hook sees it (<see cref="HookPaths.AfterSourceNat"/>):
    /// that nat chain may have translated its source, so <c>ct status snat</c> may hold on the first packet.
    /// </summary>
    public bool AfterSourceNat { get; init; }

    /// <summary>The connection state a rule sees on the first packet: new, untracked after a notrack, invalid before connection tracking.</summary>
    public ConnectionStates State => Untracked ? ConnectionStates.Untracked : BeforeConntrack ? ConnectionStates.Invalid : ConnectionStates.New;

    /// <summary>True when the destination is a unicast address of the firewall's own host (a host's firewall judging a connection to it); null when not known.</summary>
    public bool? LocalDestination { get; init; }

    /// <summary>
    /// The connection's destination when it is an address some host has as its own (an inventory host's address, not a
    /// subnet of hosts): a unicast address, which no router on the way types broadcast; null when not known. It names the
    /// address, so that a destination translated to another is typed as any other.
    /// </summary>
    public IpAddr? HostAddress { get; init; }
}
