using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using PortAudit.Inspect.Protocols;

namespace PortAudit.Audit;

/// <summary>
/// Gives each flow its verdict: matches transport, server port and the roles of both ends against the rules,
/// then weighs what inspection found (<see cref="Flow.App"/>, <see cref="Flow.DceRpc"/>) against the rule's protocol,
/// and the server the flow named against the rule's server names (<see cref="ServerNameCheck"/>). Fixed-port rules are
/// tried before dynamic RPC ranges, which only explain a flow that inspection tied to the endpoint mapper or a bind. A
/// flow to the subnet broadcast of an inventory prefix is judged against the roles of the inventory hosts it reaches
/// (<see cref="AuditEndpoint.Resolver.ResolveServer"/>).
/// </summary>
public sealed class FlowClassifier
{
    private const string EndpointMapperProtocol = "epm";
    private const int EndpointMapperPort = 135;

    private readonly RuleIndex _index;
    private readonly AuditEndpoint.Resolver _resolver;
    private readonly SilencePolicy _silence;
    private readonly RpcInterfaceJudge _rpc;
    private readonly Dictionary<(AuditEndpoint, AuditEndpoint, bool), FlowVerdict> _unexplained = [];
    private const int MaxSharedVerdicts = 1 << 16;

    // The end each side resolved last, and whether it is an inventory prefix's broadcast address: consecutive flows often
    // share an end (one host opening many connections). A table of every address measured slower than resolving again:
    // the inventory's maps are small enough to stay in cache, a table of the bench corpus's 95,777 addresses is not.
    private LastLookup<IpAddr, (AuditEndpoint End, bool Broadcast)> _lastClient, _lastServer;
    private LastLookup<(AuditEndpoint, AuditEndpoint, bool), FlowVerdict> _lastUnexplained;

    /// <summary>
    /// Creates a classifier over the deployment's rule index and its inventory; <paramref name="silence"/> judges
    /// which unanswered flows are failed attempts.
    /// </summary>
    public FlowClassifier(RuleIndex index, AuditEndpoint.Resolver resolver, SilencePolicy silence)
    {
        _index = index;
        _resolver = resolver;
        _silence = silence;
        _rpc = new RpcInterfaceJudge(index, resolver.Inventory);
    }

    /// <summary>The verdict on <paramref name="flow"/>, read when it ended so that inspection has had its say.</summary>
    public FlowVerdict Classify(Flow flow)
    {
        var client = EndOf(flow.Client, ref _lastClient).End;
        var (server, broadcast) = EndOf(flow.Server, ref _lastServer);
        if (broadcast) server = _resolver.ResolveServer(flow.Server, client);
        var verdict = Review(flow, UnansweredAtEnd(flow, Judge(flow, client, server)), client, server);
        return server.Broadcast is { } reach ? Broadcast(verdict, reach) : verdict;
    }

    /// <summary>What the verdict of an opening left unanswered at the end of input says (<see cref="UnansweredAtEnd"/>).</summary>
    public const string UnansweredAtEndNote =
        "unanswered at end of input: the input ended less than 1 s (RFC 6298's initial retransmission timeout) after the flow began, so its answer may have come after; neither failed nor shown through";

    /// <summary>
    /// An opening unanswered when its input ended, less than 1 s after it began (<see cref="SilencePolicy.IsUnansweredAtEnd"/>),
    /// is no failed attempt, nor does it show its rules' instances in use: it credits none (Covered empty). An allowed
    /// one says so in its note; the flow record's cutOff says it for every verdict.
    /// </summary>
    private FlowVerdict UnansweredAtEnd(Flow flow, FlowVerdict verdict)
    {
        // Covered holds the rules failure was judged with; every other verdict was judged with none.
        if (!flow.CutOff || verdict.Verdict == Verdict.Ignored || !_silence.IsUnansweredAtEnd(flow, verdict.Covered)) return verdict;
        bool allowed = verdict.Verdict is Verdict.Expected or Verdict.ExpectedDynamicRpc;
        return verdict with
        {
            UnansweredAtEnd = true,
            Covered = [],
            Contradicted = [],
            // A finding's reason is taken from its flows' verdicts: only an allowed verdict's, which makes no finding of
            // its own, says it, as flows.jsonl's note.
            Reason = !allowed ? verdict.Reason : verdict.Reason is { } reason ? $"{UnansweredAtEndNote}; {reason}" : UnansweredAtEndNote,
        };
    }

    /// <summary>
    /// What the port's verdict does not see: every DCE/RPC interface and operation the flow used, judged against the roles
    /// of both ends (one they do not explain makes an expected flow unexpected, and counts as an rpc-interface finding), and
    /// a weak protocol on an allowed port.
    /// </summary>
    private FlowVerdict Review(Flow flow, FlowVerdict verdict, AuditEndpoint client, AuditEndpoint server)
    {
        if (verdict.Verdict == Verdict.Ignored) return verdict;
        if ((flow.RpcCalls is not null || flow.DceRpc is not null) && RpcConcern(flow, client, server) is { } concern)
        {
            verdict = verdict with
            {
                Verdict = verdict.Verdict is Verdict.Expected or Verdict.ExpectedDynamicRpc ? Verdict.Unexpected : verdict.Verdict,
                Covered = [],
                BlockedRule = null,
                FindingKind = FindingKind.RpcInterface,
                Severity = concern.Severity,
                Reason = concern.Reason,
                Explanation = concern.Explanation,
            };
        }
        else if (verdict.Verdict is Verdict.Expected or Verdict.ExpectedDynamicRpc && Uninspectable(flow, verdict.Rule) is { } why)
            verdict = verdict with { Reason = $"RPC uninspectable ({why}): allowed by port only" };
        else if (verdict.Verdict is Verdict.Expected && ServerNameCheck.Nameless(flow, verdict.Rule) is { } nameless)
            verdict = verdict with { Reason = nameless };
        return WeakProtocols.Of(flow, client, server) is { } weakness ? verdict with { Weakness = weakness } : verdict;
    }

    // Apart from Review, so that the closure over the two ends is made for the flows that used RPC only: captured in
    // Review, it was allocated for every flow judged, 10 MB on the bench corpus's flows judged at the end of input.
    private RpcConcern? RpcConcern(Flow flow, AuditEndpoint client, AuditEndpoint server) =>
        _rpc.Judge(flow, client, server, rule => Applies(rule, client, server));

    private (AuditEndpoint End, bool Broadcast) EndOf(IpAddr address, ref LastLookup<IpAddr, (AuditEndpoint, bool)> last)
    {
        if (last.TryGet(address, out var known)) return known;
        known = (_resolver.Resolve(address), _resolver.IsSubnetBroadcast(address));
        last.Remember(address, known);
        return known;
    }

    /// <summary>
    /// The verdict on a broadcast says so, and which hosts it reached. It exercises no rule instance: it shows that the
    /// client sent, not that any one receiver got it or that the path between the two carries the flow (a broadcast
    /// crosses no router), so crediting every reached host would hide the unicast flow a requirement is about.
    /// </summary>
    private static FlowVerdict Broadcast(FlowVerdict verdict, BroadcastReach reach) => verdict with
    {
        Covered = [],
        Contradicted = [],
        Reason = verdict.Reason is { } reason ? $"{reason}; {reach.Description}" : reach.Description,
    };

    private FlowVerdict Judge(Flow flow, AuditEndpoint client, AuditEndpoint server)
    {
        bool failed = _silence.IsFailedAttempt(flow, []);
        if (client.Ignored || server.Ignored)
            return new FlowVerdict(Verdict.Ignored, null, client, server, [], failed, null, null);

        List<Rule>? allowing = null;
        List<Rule>? contradicted = null;
        // The first rule the flow's server name contradicted, with the name: its reason is the name's, not the protocol's.
        (Rule Rule, string Named)? misnamed = null;
        Rule? dynamic = null;
        bool confirmedAtItsPort = false;
        int confirmed = 0;
        var carried = ProtocolExpectations.Carried(flow);
        var transport = ToTransport(flow.Protocol);
        // Between most pairs of ends (two zones the inventory names no host of, say) no rule can match either way, at any
        // port: the flow is then unexplained without a lookup of its port. An announced flow's rule may go either way.
        if (transport is { } on && !_index.MayMatch(on, client.Roles, server.Roles) && !_index.MayMatch(on, server.Roles, client.Roles))
            transport = null;
        if (transport is { } ruled)
        {
            foreach (var rule in _index.Match(ruled, flow.ServerPort, client.Roles, server.Roles))
            {
                // A rule that names ICMP messages allows those only: an echo rule does not explain an unreachable.
                if (rule.DynamicRange || (rule.Icmp is { } messages && !IcmpMessage.Any(messages, flow.IcmpType, flow.IcmpCode))
                                      || !Applies(rule, client, server))
                    continue;
                if (!ProtocolExpectations.AcceptsFound(rule.Protocol, flow.App, carried))
                {
                    (contradicted ??= []).Add(rule);
                    continue;
                }
                if (ServerNameCheck.Refuses(rule, flow, out string? named))
                {
                    misnamed ??= (rule, named);
                    (contradicted ??= []).Add(rule);
                    continue;
                }
                allowing ??= [];
                // Among several rules, those whose protocol inspection confirms come first: one of them is the one in use.
                if (ProtocolExpectations.Confirms(rule.Protocol, flow.App))
                {
                    allowing.Insert(confirmed++, rule);
                    confirmedAtItsPort |= rule.ListsSinglePort(flow.ServerPort);
                }
                else
                    allowing.Add(rule);
            }
            dynamic = DynamicRule(ruled, flow.ServerPort, client, server);
        }

        // Evidence beats ports: a flow the endpoint mapper or a bind tied to DCE/RPC is dynamic RPC even where a fixed
        // range (media, say) covers its port, unless a rule names this very port for the protocol inspection found.
        if (dynamic is not null && !confirmedAtItsPort && IsExplainedRpc(flow) && AllowsEndpointMapper(client, server))
            return Allowed(Verdict.ExpectedDynamicRpc, [dynamic], client, server, flow);
        if (allowing is not null)
            return Allowed(Verdict.Expected, allowing, client, server, flow);
        // Evidence beats ports here too: a connection another flow announced (the media of an SDP offer or answer, a TFTP
        // transfer, FTP data, an SSDP answer) is on the port its announcement chose, so the rule for its protocol between
        // the two ends explains it wherever the port falls; its appDetail names the announcement.
        var announcedApp = AnnouncedLabel(flow);
        if (announcedApp is { } app && transport is { } announcedOn && AnnouncedRule(announcedOn, app, client, server) is { } announced)
            return Allowed(Verdict.Expected, [announced], client, server, flow);
        if (contradicted is [var first, ..])
            return new FlowVerdict(Verdict.ProtocolMismatch, first, client, server, [], failed, null,
                misnamed is { } name && ReferenceEquals(name.Rule, first) ? ServerNameCheck.Reason(flow, first, name.Named)
                : ProtocolExpectations.Accepts(first.Protocol, flow.App) ? CarriedReason(flow, first)
                    : $"{Finder(flow)} '{flow.App}' where rule {first.Id} expects {first.Protocol}") { Contradicted = contradicted };

        if (dynamic is not null)
        {
            // An announced connection is on the port its announcement chose (the searcher's own port for an SSDP answer,
            // the client's for a TFTP transfer): a dynamic RPC range that holds the port says nothing of a service there,
            // so the flow is neither a mismatch with that range nor RPC left unexplained. No rule between the ends names
            // its protocol (AnnouncedRule found none above).
            if (announcedApp is { } unexplained)
                return Unexplained(client, server, failed,
                    $"no rule between the two ends allows {unexplained}, which another flow announced on port {flow.ServerPort} (appDetail)");
            if (!ProtocolExpectations.Accepts(dynamic.Protocol, flow.App))
                return new FlowVerdict(Verdict.ProtocolMismatch, dynamic, client, server, [], failed, null,
                    $"{Finder(flow)} '{flow.App}' on a port of the dynamic RPC range of rule {dynamic.Id}");
            return Unexplained(client, server, failed, $"port {flow.ServerPort} is in the dynamic RPC range of rule {dynamic.Id}, " +
                                                       "but no endpoint-mapper answer or bind explains the flow");
        }
        return SharedUnexplained(client, server, failed);
    }

    // Without a reason of its own, an unexplained flow's verdict follows from its two ends alone, and the resolver gives
    // every flow of a host entry, segment or zone the same end: one verdict object per pair of ends, instead of one per
    // flow allocated in fresh memory (on the bench corpus nearly every flow, all judged at the end of input). Bounded, so
    // that an estate of many hosts does not keep a verdict per pair for the whole run.
    private FlowVerdict SharedUnexplained(AuditEndpoint client, AuditEndpoint server, bool failed)
    {
        var key = (client, server, failed);
        if (_lastUnexplained.TryGet(key, out var verdict))
            return verdict;
        if (!_unexplained.TryGetValue(key, out verdict))
        {
            verdict = Unexplained(client, server, failed, null);
            if (_unexplained.Count < MaxSharedVerdicts)
                _unexplained.Add(key, verdict);
        }
        _lastUnexplained.Remember(key, verdict);
        return verdict;
    }

    private static FlowVerdict Unexplained(AuditEndpoint client, AuditEndpoint server, bool failed, string? reason)
    {
        var stranger = !client.IsNamed ? client : !server.IsNamed ? server : null;
        if (stranger is null)
            return new FlowVerdict(Verdict.Unexpected, null, client, server, [], failed, null, reason ?? "no rule allows it");
        string side = stranger == client ? "client" : "server";
        // An address of a zone whose hosts are not listed (the Internet) is where it should be; only the traffic is wrong.
        if (!stranger.ZoneListed)
            return new FlowVerdict(Verdict.Unexpected, null, client, server, [], failed, null,
                reason ?? ZoneReason(client.Zone, server.Zone, side, stranger.Zone));
        return new FlowVerdict(Verdict.Unmapped, null, client, server, [], failed, null,
            reason ?? ZoneReason(null, null, side, stranger.Zone));
    }

    /// <summary>
    /// The reason of a flow with an end the inventory does not name. With <paramref name="from"/> null, the end is
    /// unmapped. Made once per pair of ends: the verdict that holds it is shared (<see cref="SharedUnexplained"/>).
    /// </summary>
    private static string ZoneReason(string? from, string? to, string side, string zone) => from is null
        ? $"{side} address is not in the inventory (zone {zone})"
        : $"no rule allows it from zone {from} to zone {to} ({side} address in zone {zone}, not listed)";

    /// <summary>
    /// The label an announcement other than the endpoint mapper's gave <paramref name="flow"/>, unless its bytes refuted
    /// it; null otherwise. An endpoint mapper's flow is judged as dynamic RPC instead.
    /// </summary>
    private static AppLabel? AnnouncedLabel(Flow flow) =>
        flow.Announced && !flow.AnnouncementRefuted && flow.App is { } app && app != AppLabel.DceRpc ? app : null;

    /// <summary>
    /// The rule between the two ends that <paramref name="app"/>, the label an announcement gave a flow, confirms, whatever
    /// its ports: either end may be the one the rule calls its server (a TFTP transfer comes from the server's new port),
    /// so both directions are asked.
    /// </summary>
    private Rule? AnnouncedRule(Transport transport, AppLabel app, AuditEndpoint client, AuditEndpoint server) =>
        ConfirmingRule(transport, app, client, server) ?? ConfirmingRule(transport, app, server, client);

    private Rule? ConfirmingRule(Transport transport, AppLabel app, AuditEndpoint from, AuditEndpoint to)
    {
        foreach (var rule in _index.MatchAnyPort(transport, from.Roles, to.Roles))
            if (ProtocolExpectations.Confirms(rule.Protocol, app) && Applies(rule, from, to)) return rule;
        return null;
    }

    /// <summary>
    /// The dynamic RPC rule between the two ends whose range, as the server host has it (its own range, else the
    /// deployment's), holds <paramref name="port"/>.
    /// </summary>
    private Rule? DynamicRule(Transport transport, int port, AuditEndpoint client, AuditEndpoint server)
    {
        foreach (var rule in _index.MatchDynamic(transport, client.Roles, server.Roles))
        {
            if (!Applies(rule, client, server)) continue;
            var range = server.Host?.RpcDynamicPorts;
            if (range is { } own ? own.Contains(port) : rule.Covers(transport, port))
                return rule;
        }
        return null;
    }

    private FlowVerdict Allowed(Verdict verdict, IReadOnlyList<Rule> rules, AuditEndpoint client, AuditEndpoint server, Flow flow)
    {
        bool failed = _silence.IsFailedAttempt(flow, rules);
        var blocked = failed ? rules.FirstOrDefault(r => r.Required) : null;
        return new FlowVerdict(verdict, rules[0], client, server, rules, failed, blocked, null);
    }

    // RPC whose headers no inspector can read: inside SMB3 encryption, or inside the TLS of RPC over HTTPS.
    private static string? Uninspectable(Flow flow, Rule? rule) =>
        flow.RpcCalls?.Uninspectable
        ?? (rule?.Protocol is "rpc-over-https" or "ncacn-http" && flow.App == AppLabel.Tls ? "rpc over https" : null);

    // A mismatch that only what TLS or DTLS carries makes, in words: "inspection found 'tls' carrying h2 (HTTP/2, selected
    // by the server by ALPN) where rule ... expects ldaps".
    private static string CarriedReason(Flow flow, Rule rule)
    {
        var id = AlpnProtocols.Selected(flow.AppDetail);
        AlpnProtocols.TryGetApplication(id, out _, out var name);
        return $"{Finder(flow)} '{flow.App}' carrying {id} ({name}, selected by the server by ALPN) where rule {rule.Id} expects {rule.Protocol}";
    }

    // Who named the application: our reading of the payload, or the record's exporter (Zeek, an IPFIX App-ID).
    private static string Finder(Flow flow) => flow.Evidence.ReadsContent() ? "inspection found" : "the exporter named";

    // Inspection records DCE/RPC facts only with evidence: an endpoint-mapper answer named this port, or the flow bound an interface.
    private static bool IsExplainedRpc(Flow flow) => flow.DceRpc?.Evidence is RpcEvidence.EndpointMapper or RpcEvidence.Bind;

    // Features may be enabled on one host only: whether a rule's conditions hold depends on the pair; for a broadcast, on the
    // client and some host it reaches.
    // A client of an unlisted zone (the Internet) reaches a listener row's server only where the inventory publishes it.
    private bool Applies(Rule rule, AuditEndpoint client, AuditEndpoint server) =>
        RuleConditions.Hold(_resolver.Inventory, rule, client, server);

    private bool AllowsEndpointMapper(AuditEndpoint client, AuditEndpoint server)
    {
        foreach (var rule in _index.Match(Transport.Tcp, EndpointMapperPort, client.Roles, server.Roles))
            if (rule.Protocol == EndpointMapperProtocol && Applies(rule, client, server))
                return true;
        return false;
    }

    /// <summary>The catalog transport of an IP protocol number, or null for protocols no rule can name (IGMP, OSPF...).</summary>
    public static Transport? ToTransport(byte protocol) => protocol switch
    {
        (byte)Transport.Tcp => Transport.Tcp,
        (byte)Transport.Udp => Transport.Udp,
        (byte)Transport.Gre => Transport.Gre,
        (byte)Transport.Esp => Transport.Esp,
        (byte)Transport.Ah => Transport.Ah,
        (byte)Transport.Icmp => Transport.Icmp,
        (byte)Transport.IcmpV6 => Transport.IcmpV6,
        _ => null,
    };
}
