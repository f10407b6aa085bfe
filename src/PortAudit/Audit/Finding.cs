using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;

namespace PortAudit.Audit;

/// <summary>Kinds of finding, in the order a report lists them when severities tie.</summary>
public enum FindingKind
{
    /// <summary>A failed attempt (rejected or unanswered) that a required rule covers: the firewall blocks what the deployment needs.</summary>
    RequiredBlocked,

    /// <summary>Flows whose detected protocol contradicts the rule of their port.</summary>
    ProtocolMismatch,

    /// <summary>Flows between known hosts that no rule allows.</summary>
    Unexpected,

    /// <summary>A required rule instance that no flow showed.</summary>
    Missing,

    /// <summary>A required rule instance that a firewall's own policy blocks, whether traffic showed it or not.</summary>
    PolicyBlocksRequired,

    /// <summary>A flow established although a firewall's policy refuses it: a bypass, a capture point it does not guard, or drift.</summary>
    PolicyBypass,

    /// <summary>A rule of a firewall's policy that allows what no catalog rule of the deployment needs.</summary>
    PolicyUnjustified,

    /// <summary>A flow refused or unanswered although the firewall's policy allows it: something else blocks it.</summary>
    PolicyRefusedAllowed,

    /// <summary>Flows with an end the inventory does not name.</summary>
    Unmapped,

    /// <summary>
    /// A DCE/RPC interface or operation that the roles of the two ends do not explain, on a port that may well be
    /// allowed: DCSync from a workstation, the spooler on a host that is no print server.
    /// </summary>
    RpcInterface,

    /// <summary>A protocol a review flags even on an allowed port: SMB1, a cleartext LDAP bind, NTLMv1, Telnet or FTP across zones.</summary>
    WeakProtocol,

    /// <summary>
    /// Flows a rule allows that depart from what their role pair normally does (<c>audit --model</c>): an 8 MB directory
    /// read from a workstation, a DNS tunnel, a beacon.
    /// </summary>
    Anomalous,
}

/// <summary>How much a finding matters; reports list the worst first.</summary>
public enum Severity
{
    /// <summary>Breaks the deployment or its security: blocked requirements, protocol mismatches.</summary>
    High,

    /// <summary>Open paths no rule needs, requirements never exercised.</summary>
    Medium,

    /// <summary>Context: unnamed addresses, unexpected attempts that were refused anyway.</summary>
    Low,
}

/// <summary>Text forms of finding kinds and severities used in every output and on the command line.</summary>
public static class FindingNames
{
    /// <summary>Every kind in report order.</summary>
    public static readonly FindingKind[] AllKinds = Enum.GetValues<FindingKind>();

    /// <summary>required-blocked, protocol-mismatch, unexpected, missing, policy-*, unmapped.</summary>
    public static string Name(this FindingKind kind) => kind switch
    {
        FindingKind.RequiredBlocked => "required-blocked",
        FindingKind.ProtocolMismatch => "protocol-mismatch",
        FindingKind.Unexpected => "unexpected",
        FindingKind.Missing => "missing",
        FindingKind.PolicyBlocksRequired => "policy-blocks-required",
        FindingKind.PolicyBypass => "policy-bypass",
        FindingKind.PolicyUnjustified => "policy-unjustified",
        FindingKind.PolicyRefusedAllowed => "policy-refused-allowed",
        FindingKind.RpcInterface => "rpc-interface",
        FindingKind.WeakProtocol => "weak-protocol",
        FindingKind.Anomalous => "anomalous",
        _ => "unmapped",
    };

    /// <summary>high, medium, low.</summary>
    public static string Name(this Severity severity) => severity.ToString().ToLowerInvariant();
}

/// <summary>One flow quoted as evidence of a finding.</summary>
/// <param name="StartNs">Start, nanoseconds since the epoch.</param>
/// <param name="EndNs">End, nanoseconds since the epoch.</param>
/// <param name="Transport">tcp, udp...</param>
/// <param name="Client">Client address.</param>
/// <param name="ClientPort">Client port.</param>
/// <param name="Server">Server address.</param>
/// <param name="ServerPort">Server port.</param>
/// <param name="State">established, rejected, unanswered, midstream, blocked.</param>
/// <param name="App">Application label found by inspection, or null.</param>
public sealed record FlowSample(
    long StartNs, long EndNs, string Transport, string Client, int ClientPort, string Server, int ServerPort, string State, AppLabel? App)
{
    /// <summary>What inspection read from the packets (SNI, method, RPC interface...): wire text, so hostile; or null.</summary>
    public string? AppDetail { get; init; }

    /// <summary>The flow's id in its run (the <c>id</c> of its flows.jsonl record); 0 when not taken from a flow.</summary>
    public long Id { get; init; }

    /// <summary>The flow's Community ID (<see cref="Flows.CommunityId"/>), or null when not taken from a flow.</summary>
    public string? CommunityId { get; init; }

    /// <summary>The input that holds the flow's first packet (1-based, <see cref="Flow.Input"/>); 0 when unknown.</summary>
    public int Input { get; init; }

    /// <summary>Frame number of the flow's first packet in that input, as tshark numbers it (<see cref="Flow.FirstFrame"/>); 0 when unknown.</summary>
    public long Frame { get; init; }

    /// <summary>What the flow's verdict rests on (<see cref="FlowEvidence"/>): inspected, exporter-app-id, port-only, firewall-log.</summary>
    public string Evidence { get; init; } = FlowEvidence.Inspected.Name();

    /// <summary>The flow-record source's own id of the flow (Zeek uid...), or null.</summary>
    public string? RecordId { get; init; }

    /// <summary>The tunnel the flow came in, in words (<see cref="FlowTunnel.ToString"/>), or null.</summary>
    public string? Tunnel { get; init; }

    /// <summary>What the flow's sides rest on (<see cref="FlowSides"/>): opening, content, or ports for a guess.</summary>
    public string Sides { get; init; } = FlowSides.Opening.Name();

    /// <summary>
    /// True when the sides were a guess from the ports that turned the flow: its first packet came from the side taken for
    /// the server, so "client to server" is the ports' reading, not the order of the packets (Zeek's history marks such
    /// a flow with '^').
    /// </summary>
    public bool TurnedByPorts { get; init; }

    /// <summary>The sample of <paramref name="flow"/>.</summary>
    public static FlowSample Of(Flow flow) => new(flow.StartNs, flow.EndNs, flow.Transport, flow.Client.ToString(), flow.ClientPort,
        flow.Server.ToString(), flow.ServerPort, flow.State.Name(), flow.App)
    {
        AppDetail = flow.AppDetail?.ToString(),
        Id = flow.Id,
        CommunityId = Flows.CommunityId.Of(flow),
        Input = flow.Input,
        Frame = flow.FirstFrame,
        Evidence = flow.Evidence.Name(),
        RecordId = flow.RecordId,
        Tunnel = flow.Tunnel?.ToString(),
        Sides = flow.Sides.Name(),
        TurnedByPorts = flow.Sides == FlowSides.Ports && flow.FirstSentByServer,
    };
}

/// <summary>
/// One problem the audit reports: flows of one kind between the same two ends on the same port and rule,
/// aggregated, or one required rule instance never seen. An end the inventory does not name counts as its zone
/// (its addresses are counted inside, bounded); flows where neither end is named aggregate per zone pair, their
/// ports counted inside. Memory per finding is bounded, whatever the number of flows or addresses.
/// </summary>
public sealed class Finding
{
    /// <summary>Most flows quoted per finding; the counts cover all of them.</summary>
    public const int MaxSamples = 5;

    /// <summary>Most flow ids kept per finding: enough to join a finding to its flows in flows.jsonl, bounded for chatty pairs.</summary>
    public const int MaxFlowIds = 100;

    private readonly EarliestFlows _earliest = new(MaxSamples);
    // The samples of _earliest's flows, made when first read and again after a flow displaced one.
    private FlowSample[]? _samples;
    private readonly List<long> _flowIds = [];
    private Flow? _firstTunnelled;

    /// <summary>Creates an empty finding; flows are added with <see cref="Add"/>.</summary>
    public Finding(FindingKind kind, string clientHost, string serverHost, IReadOnlyList<string> clientRoles,
        IReadOnlyList<string> serverRoles, string transport, string ports, string? rule, string? reason)
    {
        Kind = kind;
        ClientHost = clientHost;
        ServerHost = serverHost;
        ClientRoles = clientRoles;
        ServerRoles = serverRoles;
        Transport = transport;
        Ports = ports;
        Rule = rule;
        _reason = reason;
    }

    /// <summary>The kind.</summary>
    public FindingKind Kind { get; }

    /// <summary>
    /// A stable identifier: the same finding in two runs (same kind, ends, transport, port and rule) has the same id,
    /// so baselines, suppressions and tickets can refer to it. 16 hex digits of SHA-256 over those fields.
    /// </summary>
    public string Id => _id ??= FindingIdentity.Of(Kind, ClientHost, ServerHost, Transport, Ports, Rule);

    private string? _id;

    /// <summary>
    /// Unexpected flows none of which was seen through (each refused, or unanswered when its capture ended less than 1 s
    /// after it began) matter less than open ones.
    /// </summary>
    public Severity Severity => SeverityOf ?? Kind switch
    {
        FindingKind.RequiredBlocked or FindingKind.ProtocolMismatch or FindingKind.PolicyBlocksRequired or FindingKind.PolicyBypass => Severity.High,
        FindingKind.PolicyUnjustified => Severity.Medium,
        FindingKind.PolicyRefusedAllowed => Severity.Low,
        FindingKind.Unexpected => Tally.NoneSeenThrough ? Severity.Low : Severity.Medium,
        FindingKind.Missing or FindingKind.WeakProtocol or FindingKind.RpcInterface => Severity.Medium,
        FindingKind.Anomalous => Anomaly?.Severity ?? Severity.Low,
        _ => Severity.Low,
    };

    /// <summary>The severity of this finding when it is not its kind's (an RPC interface an attacker uses is high); null otherwise.</summary>
    public Severity? SeverityOf { get => _severityOf; init => _severityOf = value; }

    private Severity? _severityOf;

    /// <summary>
    /// Takes <paramref name="severity"/>, that of a flow counted in the finding, when it is worse than the finding's: a
    /// finding is as severe as the worst of its flows, whichever came first.
    /// </summary>
    public void Raise(Severity severity)
    {
        if (severity < Severity) _severityOf = severity;
    }

    /// <summary>For an <see cref="FindingKind.Anomalous"/> finding: the score, threshold and departing features of its worst flow; null for others.</summary>
    public Anomaly.AnomalyEvidence? Anomaly { get; init; }

    /// <summary>What would explain the finding's flows ("would be allowed if ex1 had role sql-server (rule ...)"), when one role would.</summary>
    public string? Explanation { get; init; }

    /// <summary>Client host name, the zone label of an unnamed client ("(unmapped:SEGMENT)", "(unmapped@ZONE)"), or "*" for any host.</summary>
    public string ClientHost { get; }

    /// <summary>Server host name, the zone label of an unnamed server, or "*" for any host.</summary>
    public string ServerHost { get; }

    /// <summary>Client roles (the rule's for missing findings).</summary>
    public IReadOnlyList<string> ClientRoles { get; }

    /// <summary>Server roles (the rule's for missing findings).</summary>
    public IReadOnlyList<string> ServerRoles { get; }

    /// <summary>tcp, udp, both, esp...; <see cref="AnyPort"/> for a zone pair's summary.</summary>
    public string Transport { get; }

    /// <summary>The server port, the rule's ports for missing findings, or <see cref="AnyPort"/> for a zone pair's summary.</summary>
    public string Ports { get; }

    /// <summary>Transport and ports of a zone-pair finding, whose ports are summarised in <see cref="ServerPorts"/>.</summary>
    public const string AnyPort = "*";

    /// <summary>
    /// How reports name what the finding is about: "445/tcp", "5000-5020/udp", "*/*"; the transport alone for one that has
    /// no ports (ESP, GRE, a tunnel's ipip or ipv6, ICMP), where a port 0 would read as a port.
    /// </summary>
    public string Service => ServiceOf(Ports, Transport);

    /// <summary>The <see cref="Service"/> of <paramref name="ports"/> on <paramref name="transport"/>, as any finding's.</summary>
    public static string ServiceOf(string ports, string transport) =>
        ports is "" or "0" && transport is not ("tcp" or "udp" or "sctp" or "both") ? transport : $"{ports}/{transport}";

    /// <summary>Addresses of an unnamed client and their flows (bounded); null when the client is an inventory host.</summary>
    public CappedCounter<IpAddr>? ClientAddresses { get; init; }

    /// <summary>Addresses of an unnamed server and their flows (bounded); null when the server is an inventory host.</summary>
    public CappedCounter<IpAddr>? ServerAddresses { get; init; }

    /// <summary>Server ports and their flows (bounded) of a zone-pair finding; null for others, which have one port.</summary>
    public CappedCounter<TransportPort>? ServerPorts { get; init; }

    /// <summary>The inventory prefixes of a named client (for display filters); empty for an unnamed or any client.</summary>
    public IReadOnlyList<IpPrefix> ClientPrefixes { get; init; } = [];

    /// <summary>The inventory prefixes of a named server (for display filters); empty for an unnamed or any server.</summary>
    public IReadOnlyList<IpPrefix> ServerPrefixes { get; init; } = [];

    /// <summary>Rule id, when a rule is involved.</summary>
    public string? Rule { get; }

    /// <summary>
    /// Why, in words: the first flow's reason, then each other one its flows gave (a protocol-mismatch whose flows
    /// carried other protocols under the same rule, an rpc-interface finding whose flows bound other interfaces), up to
    /// <see cref="MaxReasons"/>.
    /// </summary>
    public string? Reason => _otherReasons is null ? _reason
        : string.Join("; ", [_reason, .. _otherReasons, .. _moreReasons ? ["and more"] : Array.Empty<string>()]);

    /// <summary>How many distinct reasons <see cref="Reason"/> gives at most; past them it ends with "and more".</summary>
    public const int MaxReasons = 4;

    private readonly string? _reason;
    private List<string>? _otherReasons;
    private bool _moreReasons;

    /// <summary>Adds a reason one of the finding's flows gave, when it is not one the finding gives already.</summary>
    public void AddReason(string reason)
    {
        if (reason == _reason || (_otherReasons?.Contains(reason) ?? false)) return;
        _otherReasons ??= [];
        if (_otherReasons.Count < MaxReasons - 1) _otherReasons.Add(reason);
        else _moreReasons = true;
    }

    /// <summary>Segment of an unnamed end, for unmapped findings.</summary>
    public string? Segment { get; init; }

    /// <summary>
    /// The role pair (<see cref="RolePairStatistics"/> key) whose traffic this finding came from; null for missing
    /// findings, which no traffic showed.
    /// </summary>
    public (string Client, string Server)? RolePair { get; init; }

    /// <summary>Flows aggregated into this finding, failed attempts among them, and when.</summary>
    public FlowTally Tally { get; } = new();

    /// <summary>
    /// Up to <see cref="MaxSamples"/> flows, the earliest (<see cref="EarliestFlows.Compare"/>: by start, then input and
    /// frame) in that order, whatever order the source gave them in: the first is the flow that set
    /// <see cref="FlowTally.FirstNs"/>. Read it once the flows are added (<see cref="FindingBuilder.Build"/> does).
    /// </summary>
    public IReadOnlyList<FlowSample> Samples => _samples ??= Quote(_earliest.Flows);

    private static FlowSample[] Quote(ReadOnlySpan<Flow> flows)
    {
        var samples = new FlowSample[flows.Length];
        for (int i = 0; i < flows.Length; i++) samples[i] = FlowSample.Of(flows[i]);
        return samples;
    }

    /// <summary>
    /// Ids (<see cref="Flow.Id"/>) of up to <see cref="MaxFlowIds"/> flows, the first the run judged (each run numbers
    /// its flows itself, so these join the finding to this run's flows.jsonl); <see cref="FlowTally.Flows"/> of
    /// <see cref="Tally"/> counts them all.
    /// </summary>
    public IReadOnlyList<long> FlowIds => _flowIds;

    /// <summary>Of the flows counted, those that came inside a tunnel (<see cref="Flow.Tunnel"/>).</summary>
    public long TunnelledFlows { get; private set; }

    /// <summary>The tunnel the earliest of <see cref="TunnelledFlows"/> came in, in words (<see cref="FlowTunnel.ToString"/>); null when none did.</summary>
    public string? FirstTunnel => _firstTunnelled?.Tunnel?.ToString();

    /// <summary>Counts <paramref name="flow"/> (and its unnamed addresses and port where kept), keeps its id while there is room and quotes it when it is among the earliest.</summary>
    public void Add(Flow flow, bool failed, bool unansweredAtEnd = false)
    {
        Tally.Add(flow, failed, unansweredAtEnd);
        if (flow.Tunnel is not null)
        {
            TunnelledFlows++;
            if (_firstTunnelled is null || EarliestFlows.Compare(flow, _firstTunnelled) < 0) _firstTunnelled = flow;
        }
        ClientAddresses?.Add(flow.Client);
        ServerAddresses?.Add(flow.Server);
        ServerPorts?.Add(new TransportPort(flow.Protocol, flow.ServerPort));
        if (_flowIds.Count < MaxFlowIds) _flowIds.Add(flow.Id);
        if (_earliest.Offer(flow)) _samples = null;
    }
}
