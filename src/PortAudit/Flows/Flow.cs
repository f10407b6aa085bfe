using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows.Facts;

namespace PortAudit.Flows;

/// <summary>
/// One bidirectional conversation on a 5-tuple: who opened it, what went each way, and how the opening was answered.
/// Later stages write what they learn (application protocol, RPC interface) into the same record.
/// </summary>
public sealed class Flow
{
    private bool _opened;
    private bool _answered;
    private bool _rejected;
    private bool _clientFin;
    private bool _serverFin;
    private bool _reset;
    private bool _blocked;
    // Inspected (the default) for packet flows; a record source states its own.
    private FlowEvidence _recordEvidence;
    // What few flows have: the ICMP errors that answered one, the tunnel one came in. Held inline, they would cost every
    // flow 40 bytes.
    private Rarities? _rare;
    // Marks read rarely, one bit each in one field, where a bool each would widen every flow the table holds (a flow is
    // 200 bytes, GC.GetAllocatedBytesForCurrentThread).
    private Marks _marks;
    private uint _clientSynSequence;
    private uint _serverSynSequence;

    /// <summary>Creates a flow from its first packet's view of the endpoints.</summary>
    public Flow(long id, byte protocol, IpAddr client, ushort clientPort, IpAddr server, ushort serverPort, long startNs, bool opened)
    {
        Id = id;
        Protocol = protocol;
        Client = client;
        ClientPort = clientPort;
        Server = server;
        ServerPort = serverPort;
        StartNs = startNs;
        EndNs = startNs;
        _opened = opened;
    }

    /// <summary>
    /// A flow that arrived whole from a flow-record source: counters, state and evidence as the record states them.
    /// </summary>
    public static Flow FromRecord(long id, in FlowRecord record)
    {
        var state = record.State;
        bool opened = state != FlowState.Midstream;
        var flow = new Flow(id, record.Protocol, record.Client, record.ClientPort, record.Server, record.ServerPort, record.StartNs, opened)
        {
            IcmpType = record.IcmpType,
            IcmpCode = record.IcmpCode,
            App = record.App,
            AppDetail = record.AppDetail,
            RecordId = record.RecordId,
            EndNs = Math.Max(record.StartNs, record.EndNs),
            PacketsToServer = record.PacketsToServer,
            BytesToServer = record.BytesToServer,
            PacketsToClient = record.PacketsToClient,
            BytesToClient = record.BytesToClient,
            _answered = state is FlowState.Established or FlowState.Midstream,
            _rejected = state == FlowState.Rejected,
            _blocked = state == FlowState.Blocked,
            _recordEvidence = record.Evidence,
            SidesFromPorts = record.SidesFromPorts,
            FirstSentByServer = record.FirstSentByServer,
            CutOff = record.CutOff,
            Weakness = record.Weakness,
            Announced = record.Announced,
            DceRpc = record.DceRpc,
            RpcCalls = record.RpcCalls,
            IcmpErrors = record.IcmpErrors,
        };
        if (record.Tunnel is { } tunnel) flow.Tunnel = FlowTunnel.FromId(tunnel, record.TunnelOuter);
        return flow;
    }

    /// <summary>The run ordinal (from 1) of the packet or flow record that opened the flow: unique within a run, rising with the flows' starts.</summary>
    public long Id { get; }

    /// <summary>
    /// The input (1-based, in the order the run read them) whose packet opened the flow, or whose flow record gave it
    /// (such a flow has no <see cref="FirstFrame"/>); 0 when unknown.
    /// </summary>
    public int Input { get; internal set; }

    /// <summary>
    /// Frame number of the flow's first packet within its <see cref="Input"/>: 1-based over every record of the input,
    /// undecodable ones included, as tshark numbers frames; 0 when unknown.
    /// </summary>
    public long FirstFrame { get; internal set; }

    /// <summary>IP protocol number.</summary>
    public byte Protocol { get; }

    /// <summary>Transport name: tcp, udp, icmp, gre, esp, ah, or the protocol number.</summary>
    public string Transport => IpProtocol.Name(Protocol);

    /// <summary>The initiator.</summary>
    public IpAddr Client { get; private set; }

    /// <summary>The initiator's port (0 for protocols without ports).</summary>
    public ushort ClientPort { get; private set; }

    /// <summary>The responder.</summary>
    public IpAddr Server { get; private set; }

    /// <summary>The responder's port (0 for protocols without ports).</summary>
    public ushort ServerPort { get; private set; }

    /// <summary>ICMP or ICMPv6 type of the first packet (the client's); 0 for other protocols.</summary>
    public byte IcmpType { get; internal set; }

    /// <summary>ICMP or ICMPv6 code of the first packet (the client's); 0 for other protocols.</summary>
    public byte IcmpCode { get; internal set; }

    /// <summary>
    /// What keeps ICMP flows between the same two hosts apart in the table, in place of the ports they lack (see
    /// <see cref="FlowKey.Of"/>): for errors that quoted no flow held, an odd tag of the host pair they quote; for other
    /// messages, the even tag of their exchange (<see cref="IcmpExchange.KeyTag"/>); 0 for every flow with ports.
    /// </summary>
    internal ushort KeyTag { get; set; }

    /// <summary>True when the server sent the flow's first packet (the sides were taken from ports or content).</summary>
    internal bool FirstSentByServer
    {
        get => Has(Marks.FirstSentByServer);
        set => Mark(Marks.FirstSentByServer, value);
    }

    /// <summary>True when the sides were taken from the ports (no SYN was seen first); see <see cref="Sides"/>.</summary>
    internal bool SidesFromPorts
    {
        get => Has(Marks.SidesFromPorts);
        set => Mark(Marks.SidesFromPorts, value);
    }

    /// <summary>True once inspection read which end asks and which answers; see <see cref="Sides"/>.</summary>
    internal bool SidesFromContent
    {
        get => Has(Marks.SidesFromContent);
        set => Mark(Marks.SidesFromContent, value);
    }

    /// <summary>What the flow's sides rest on: its opening (or a record's word), inspection's reading of the content, or ports.</summary>
    public FlowSides Sides => SidesFromContent ? FlowSides.Content : SidesFromPorts ? FlowSides.Ports : FlowSides.Opening;

    /// <summary>True once an announcement (an endpoint-mapper answer, FTP PASV, SDP...) labelled the flow.</summary>
    internal bool Announced
    {
        get => Has(Marks.Announced);
        set => Mark(Marks.Announced, value);
    }

    /// <summary>
    /// True when the flow's own bytes refuted its announcement (an endpoint mapper named the port, but what came is no
    /// DCE/RPC): it stays announced, so that no later look labels it again, but the announcement explains nothing.
    /// </summary>
    internal bool AnnouncementRefuted
    {
        get => Has(Marks.AnnouncementRefuted);
        set => Mark(Marks.AnnouncementRefuted, value);
    }

    /// <summary>
    /// True when the flow's first packet came inside a tunnel (GRE, IP-in-IP, 6in4, VXLAN, Geneve, GTP-U, L2TP): a firewall
    /// between the tunnel's ends saw the tunnel's own flow (<see cref="TunnelCarriers"/>), not this one.
    /// </summary>
    public bool Carried => Tunnel is not null;

    /// <summary>The tunnel the flow's first packet came in; null for a flow outside any.</summary>
    public FlowTunnel? Tunnel
    {
        get => _rare?.Tunnel;
        internal set
        {
            if (_rare is not null || value is not null) (_rare ??= new Rarities()).Tunnel = value;
        }
    }

    /// <summary>
    /// True when the flow was still held when its input ended, less than <see cref="CutOffWindowNs"/> after its first
    /// packet: the input stopped before an opening it holds unanswered could be called failed, since the answer may have
    /// come after the capture did. Set by the table at the end of input (<see cref="FlowTable"/>), so that it travels with
    /// the flow into every record, store and lake: an audit of them knows it without knowing where the input ended.
    /// </summary>
    public bool CutOff
    {
        get => Has(Marks.CutOff);
        internal set => Mark(Marks.CutOff, value);
    }

    /// <summary>
    /// How long an opening may go unanswered before it can be said to have failed: RFC 6298's initial retransmission
    /// timeout, 1 s, after which a TCP client sends its SYN again; a flow the input ended within it is <see cref="CutOff"/>.
    /// </summary>
    public const long CutOffWindowNs = 1_000_000_000;

    /// <summary>Time of the first packet, nanoseconds since the epoch.</summary>
    public long StartNs { get; private set; }

    /// <summary>Time of the last packet, nanoseconds since the epoch.</summary>
    public long EndNs { get; private set; }

    /// <summary>
    /// False for a flow whose start and end are both the epoch itself: a log line that carried no time (an ASA buffer
    /// kept without <c>logging timestamp</c>, a firewall line cut from its syslog header). Such a flow is judged and
    /// written like any other, but no time span is taken from it: it would stretch a capture window back to 1970.
    /// </summary>
    public bool HasTime => Timed(StartNs, EndNs);

    /// <summary>The rule of <see cref="HasTime"/> for any start and end (a record being read, a finding's sample flow).</summary>
    public static bool Timed(long startNs, long endNs) => startNs != 0 || endNs != 0;

    /// <summary>Packets from client to server.</summary>
    public long PacketsToServer { get; private set; }

    /// <summary>IP-layer bytes from client to server.</summary>
    public long BytesToServer { get; private set; }

    /// <summary>Packets from server to client.</summary>
    public long PacketsToClient { get; private set; }

    /// <summary>IP-layer bytes from server to client.</summary>
    public long BytesToClient { get; private set; }

    /// <summary>
    /// IP-layer bytes both ways, held at <see cref="long.MaxValue"/>: counters from flow records may be near 2^63, and
    /// the tallies that add flows must not turn negative.
    /// </summary>
    public long Bytes => Saturating.Add(BytesToServer, BytesToClient);

    /// <summary>Application protocol found by inspection (sip, tls, dcerpc...), or null.</summary>
    public AppLabel? App { get; set; }

    /// <summary>What inspection saw of the application: method, SNI, dialect...</summary>
    public AppDetail? AppDetail { get; set; }

    /// <summary>The DCE/RPC interface and how it was learned, when inspection found one.</summary>
    public DceRpcFacts? DceRpc { get; set; }

    /// <summary>Every DCE/RPC interface the flow bound and the operations called on each, when inspection read any.</summary>
    public RpcCallLog? RpcCalls { get; set; }

    /// <summary>Protocol weaknesses inspection saw (SMB1, a cleartext LDAP bind, NTLMv1).</summary>
    public FlowWeakness Weakness { get; set; }

    /// <summary>The ICMP or ICMPv6 errors that answered packets of this flow (count 0 when none did).</summary>
    public IcmpErrors IcmpErrors
    {
        get => _rare?.IcmpErrors ?? default;
        internal set
        {
            if (_rare is not null || value.Count != 0) (_rare ??= new Rarities()).IcmpErrors = value;
        }
    }

    /// <summary>The flow-record source's own id of the flow (Zeek uid, ASA connection id); null for packet flows.</summary>
    public string? RecordId { get; private init; }

    /// <summary>
    /// What a verdict on this flow can rest on: for packet flows, inspection's reading of the payload; for records,
    /// what the source stated (see <see cref="FlowEvidence"/>).
    /// </summary>
    /// <remarks>
    /// A packet flow whose payload no inspector recognised rests on its port alone, as a record without an application
    /// does: it says <see cref="FlowEvidence.PortOnly"/>, so that an allowed port is never read as a confirmed protocol.
    /// </remarks>
    public FlowEvidence Evidence => _recordEvidence == FlowEvidence.Inspected && App is null ? FlowEvidence.PortOnly : _recordEvidence;

    /// <summary>Scratch space of the inspection stage; opaque to everything else.</summary>
    public object? InspectionState { get; set; }

    /// <summary>True for TCP flows that ended with FIN both ways or a RST.</summary>
    public bool IsClosed => _reset || (_clientFin && _serverFin);

    /// <summary>How the opening went.</summary>
    /// <remarks>
    /// A datagram flow that holds its server's packets and none of its client's (a DNS response whose query the capture
    /// lacks, a tap that sees one direction) is midstream, as a TCP flow joined after its handshake is: what it shows is
    /// that the server sent, not that the client's opening got an answer, so it is no evidence that a firewall let the
    /// opening through.
    /// </remarks>
    public FlowState State =>
        _blocked ? FlowState.Blocked
        : _rejected || (Has(Marks.Unreachable) && PacketsToClient == 0) ? FlowState.Rejected
        : Protocol == IpProtocol.Tcp ? (!_opened ? FlowState.Midstream : _answered ? FlowState.Established : FlowState.Unanswered)
        : PacketsToServer == 0 && PacketsToClient > 0 ? FlowState.Midstream
        : _answered ? FlowState.Established
        : FlowState.Unanswered;

    /// <summary>
    /// The sequence number of the first SYN sent by one side, when it was captured: where that side's byte stream
    /// begins, so that a later stage can place its first data segments even when they arrive out of order.
    /// </summary>
    internal bool TryGetSynSequence(bool fromClient, out uint sequence)
    {
        sequence = fromClient ? _clientSynSequence : _serverSynSequence;
        return Has(fromClient ? Marks.ClientSyn : Marks.ServerSyn);
    }

    /// <summary>
    /// Turns the flow around when its content shows that the side taken for the client is the server (a midstream
    /// capture whose first packet was an answer): the ends, their counters and their SYN and FIN marks change places.
    /// Only a flow whose opening was not seen can be turned; false for one that was.
    /// </summary>
    internal bool ReverseSides()
    {
        if (_opened) return false;
        (Client, Server) = (Server, Client);
        (ClientPort, ServerPort) = (ServerPort, ClientPort);
        (PacketsToServer, PacketsToClient) = (PacketsToClient, PacketsToServer);
        (BytesToServer, BytesToClient) = (BytesToClient, BytesToServer);
        (_clientFin, _serverFin) = (_serverFin, _clientFin);
        (bool clientSyn, bool serverSyn) = (Has(Marks.ClientSyn), Has(Marks.ServerSyn));
        Mark(Marks.ClientSyn, serverSyn);
        Mark(Marks.ServerSyn, clientSyn);
        (_clientSynSequence, _serverSynSequence) = (_serverSynSequence, _clientSynSequence);
        FirstSentByServer = !FirstSentByServer;
        if (Protocol != IpProtocol.Tcp) _answered = PacketsToClient > 0;
        return true;
    }

    /// <summary>Counts a packet and updates the TCP state machine.</summary>
    internal void Count(bool fromClient, int ipBytes, long timestampNs, TcpFlags flags, uint sequence)
    {
        if (timestampNs > EndNs) EndNs = timestampNs;
        if (timestampNs < StartNs) StartNs = timestampNs;
        if (fromClient)
        {
            PacketsToServer++;
            BytesToServer += ipBytes;
        }
        else
        {
            PacketsToClient++;
            BytesToClient += ipBytes;
        }
        if (Protocol != IpProtocol.Tcp)
        {
            if (!fromClient) _answered = true;
            return;
        }
        if ((flags & TcpFlags.Syn) != 0) NoteSyn(fromClient, sequence);
        if ((flags & TcpFlags.Rst) != 0)
        {
            // A reset from the server before it ever accepted is the classic "port closed" answer.
            if (!fromClient && !_answered && _opened) _rejected = true;
            _reset = true;
        }
        else if (_opened && !_answered && (flags & TcpFlags.Ack) != 0 && (!fromClient || (flags & TcpFlags.Syn) == 0))
        {
            // The server's SYN-ACK, or any acknowledgement after the SYN: one whose SYN-ACK the capture did not show took
            // another path (split routing, a one-way tap) or was dropped. No stack acknowledges before a handshake, so the
            // opening was answered, and taking it for refused would claim a firewall dropped what went through.
            _answered = true;
        }
        if ((flags & TcpFlags.Fin) != 0)
        {
            if (fromClient) _clientFin = true;
            else _serverFin = true;
        }
    }

    private void NoteSyn(bool fromClient, uint sequence)
    {
        if (fromClient && !Has(Marks.ClientSyn))
        {
            _marks |= Marks.ClientSyn;
            _clientSynSequence = sequence;
        }
        else if (!fromClient && !Has(Marks.ServerSyn))
        {
            _marks |= Marks.ServerSyn;
            _serverSynSequence = sequence;
        }
    }

    /// <summary>Adds packets counted before the flow could be identified (IP fragments that arrived before the first).</summary>
    internal void CountPending(bool fromClient, long packets, long bytes, long firstNs, long lastNs)
    {
        if (fromClient)
        {
            PacketsToServer += packets;
            BytesToServer += bytes;
        }
        else
        {
            PacketsToClient += packets;
            BytesToClient += bytes;
            if (Protocol != IpProtocol.Tcp) _answered = true;
        }
        if (firstNs < StartNs) StartNs = firstNs;
        if (lastNs > EndNs) EndNs = lastNs;
    }

    /// <summary>
    /// A flow as a flow store kept it, ended: endpoints, times, counters, the state its opening reached and the ICMP
    /// errors that answered it. What inspection learned (<see cref="App"/>, <see cref="AppDetail"/>,
    /// <see cref="DceRpc"/>) and where the flow was read (<see cref="Input"/>, <see cref="FirstFrame"/>) the caller sets.
    /// </summary>
    internal static Flow Restore(long id, byte protocol, IpAddr client, ushort clientPort, IpAddr server, ushort serverPort,
        long startNs, long endNs, FlowState state, FlowCounters counters, IcmpErrors icmpErrors,
        FlowEvidence evidence = FlowEvidence.Inspected, string? recordId = null) =>
        new(id, protocol, client, clientPort, server, serverPort, startNs, opened: protocol == IpProtocol.Tcp && state != FlowState.Midstream)
        {
            EndNs = Math.Max(startNs, endNs),
            PacketsToServer = counters.PacketsToServer,
            BytesToServer = counters.BytesToServer,
            PacketsToClient = counters.PacketsToClient,
            BytesToClient = counters.BytesToClient,
            IcmpErrors = icmpErrors,
            // Midstream flows were answered or they would not have been seen both ways; the state reads the same back.
            _answered = state is FlowState.Established or FlowState.Midstream,
            _rejected = state == FlowState.Rejected,
            _blocked = state == FlowState.Blocked,
            _recordEvidence = evidence,
            RecordId = recordId,
        };

    /// <summary>
    /// Takes the sides of a flow read back from a store again with <paramref name="hint"/>, as the flow table would have
    /// taken them from the first packet (<see cref="ServerPortHints.SenderIsClient"/>): only a flow whose sides rested on
    /// ports (<see cref="FlowSides.Ports"/>) and whose opening was not seen turns. Returns true when it turned.
    /// </summary>
    internal bool TakeSidesAgain(IServerPortHint hint)
    {
        if (Sides != FlowSides.Ports || !hint.WouldTurn(Protocol, ClientPort, ServerPort, FirstSentByServer)) return false;
        // Sides from ports mean no SYN was seen: a TCP flow counted as opened is a record without TCP flags, whose reader
        // assumed an opening, or one whose flags held an ACK beside a SYN (softflowd ORs a direction's flags), taken as
        // answered by a path its exporter did not see. Turned, it is what that reader makes of such a record it turns
        // itself: packets both ways, still established; one way only, the server's direction alone, midstream. The
        // store keeps no flags: the counters tell the two apart.
        (bool opened, bool answered) = (_opened, _answered);
        bool assumed = opened && Protocol == IpProtocol.Tcp;
        if (assumed) _opened = false;
        bool turned = ReverseSides();
        // A firewall's log line says how the flow went whichever end is the client (LoggedPacket, an ASA teardown): the
        // state stays. A line that counts no packets (the teardown) holds one byte total, counted toward the server
        // whichever end that is.
        if (_recordEvidence == FlowEvidence.FirewallLog)
        {
            (_opened, _answered) = (opened, answered);
            if (PacketsToServer == 0 && PacketsToClient == 0) (BytesToServer, BytesToClient) = (BytesToClient, BytesToServer);
        }
        else if (assumed)
        {
            if (PacketsToServer > 0 && PacketsToClient > 0) _opened = true;
            else _answered = true;
        }
        return turned;
    }

    private bool Has(Marks mark) => (_marks & mark) != 0;

    private void Mark(Marks mark, bool on) => _marks = on ? _marks | mark : _marks & ~mark;

    [Flags]
    private enum Marks : ushort
    {
        None = 0,
        ClientSyn = 1,
        ServerSyn = 2,
        FirstSentByServer = 4,
        Announced = 8,
        SidesFromPorts = 16,
        SidesFromContent = 32,
        AnnouncementRefuted = 64,
        Unreachable = 128,
        CutOff = 256,
    }

    private sealed class Rarities
    {
        public IcmpErrors IcmpErrors;
        public FlowTunnel? Tunnel;
    }

    /// <summary>
    /// Marks the flow <see cref="CutOff"/> when the input, whose newest packet came at <paramref name="inputEndNs"/>, ended
    /// while the table held it less than <see cref="CutOffWindowNs"/> after it began.
    /// </summary>
    internal void NoteInputEnd(long inputEndNs)
    {
        // No packet read, no end known (long.MinValue): nothing is marked, and the difference cannot overflow.
        if (inputEndNs != long.MinValue && inputEndNs - StartNs < CutOffWindowNs) CutOff = true;
    }

    /// <summary>
    /// An ICMP or ICMPv6 error from <paramref name="sender"/> answered a packet of this flow. It is recorded as evidence,
    /// not counted as a packet: the flow's counters stay those of its own transport.
    /// </summary>
    internal void NoteIcmpError(bool aboutClientPacket, byte icmpProtocol, byte type, byte code, IpAddr sender)
    {
        IcmpErrors = IcmpErrors.Add(icmpProtocol, type, code, sender);
        // Only an unreachable about the client's own packets, before any reply, means the opening was refused;
        // time exceeded, packet too big or fragmentation needed say the path failed, not that the server said no. It holds
        // until the server sends: a host unreachable is a soft error (RFC 1122 4.2.3.9), the client sends again, and a
        // SYN-ACK or reply to that says the opening went through after all. The client's own packets do not undo it.
        if (aboutClientPacket && !_answered && PacketsToClient == 0 && IcmpMessages.IsUnreachable(icmpProtocol, type, code))
            Mark(Marks.Unreachable, true);
    }
}

/// <summary>A flow's packet and byte counters each way, as a flow record or store states them.</summary>
/// <param name="PacketsToServer">Packets from client to server.</param>
/// <param name="BytesToServer">IP-layer bytes from client to server.</param>
/// <param name="PacketsToClient">Packets from server to client.</param>
/// <param name="BytesToClient">IP-layer bytes from server to client.</param>
public readonly record struct FlowCounters(long PacketsToServer, long BytesToServer, long PacketsToClient, long BytesToClient);
