using System.Diagnostics;
using System.Numerics;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.DceRpc;
using PortAudit.Inspect.Ftp;
using PortAudit.Inspect.Ldap;
using PortAudit.Inspect.Protocols;
using PortAudit.Inspect.Sip;
using PortAudit.Inspect.Smb;
using PortAudit.Inspect.Ssdp;
using PortAudit.Inspect.Tftp;

namespace PortAudit.Inspect;

/// <summary>
/// The inspection stage: shows the first bytes of each flow's directions to the inspectors, in port-hint order,
/// until one claims the flow or all give up; labels flows that an endpoint mapper announced before they began.
/// Put it before the output observer so flows are labelled when written.
/// </summary>
public sealed class InspectionEngine : IFlowObserver
{
    private readonly IInspector[] _inspectors;
    // The built-in inspectors share an abstract base: calling through it is a plain virtual call, where a call through
    // the interface on a site that sees 27 types goes through the runtime's slow dispatch resolver.
    private readonly Inspector?[] _direct;
    // Per transport and port, the inspectors whose port hint fits it (one bit each), worked out the first time a flow of
    // the run uses the port: every new flow with a payload asks for both of its ports.
    private readonly Dictionary<int, ulong> _hints = new();
    // Marks a flow the inspectors are done with: its state has gone back to the pool, for the flows that come next.
    private static readonly object Finished = new();
    private readonly InspectionLimits _limits;
    private readonly FlowInspectionPool _pool;
    // The inspectors that read each transport (InspectorDescriptor.Transport), one bit each: a flow's bytes are shown only
    // to those of its transport. Asking every inspector about every new flow's first bytes, to hear most of them turn
    // the flow down, took most of inspection's time (docs/performance.md, "Inspection").
    private readonly ulong _tcpMask;
    private readonly ulong _udpMask;
    private readonly ulong _dceRpcMask;
    // Per first byte, the inspectors that can take a message starting with it (InspectorDescriptor.FirstBytes): the others
    // turn it down unasked.
    private readonly ulong[] _takesFirstByte = new ulong[256];
    // Each inspector's word in FlowInspection.Scratch, or -1 for those that keep none (see InspectorDescriptor.UsesScratch).
    private readonly int[] _scratchSlots;
    // What an inspector without a word is handed: zero before its call, and zero after, or it kept state undeclared.
    private ulong _noScratch;

    /// <summary>Calls after which an inspector that declared no scratch word had written one: always 0 unless an inspector is wrong.</summary>
    internal long UndeclaredScratchWrites { get; private set; }

    /// <summary>
    /// Stops inspection at the next flow that ends once it fires (<see cref="OperationCanceledException"/>): the flows
    /// still held at the end of input are all inspected at once, before any consumer sees them, and after SIGTERM's
    /// grace a command gives them up rather than finish (issue 43: every command ends within a second).
    /// </summary>
    public CancellationToken Abandon { get; set; }

    /// <summary>Creates an engine with every built-in inspector.</summary>
    public InspectionEngine(InspectionLimits? limits = null) : this(Inspectors.CreateAll(), limits) { }

    /// <summary>
    /// Creates an engine with the given inspectors (at most 64), asked in this order after the port-hinted ones
    /// (<see cref="Inspectors.InDeclaredOrder"/> puts any set in the order they declare).
    /// </summary>
    public InspectionEngine(IReadOnlyList<IInspector> inspectors, InspectionLimits? limits = null)
    {
        if (inspectors.Count > 64) throw new ArgumentException("at most 64 inspectors", nameof(inspectors));
        _inspectors = inspectors.ToArray();
        _direct = _inspectors.Select(i => i as Inspector).ToArray();
        _limits = limits ?? new InspectionLimits();
        int slots = 0;
        _scratchSlots = _inspectors.Select(i => i.Descriptor.UsesScratch ? slots++ : -1).ToArray();
        _pool = new FlowInspectionPool(slots);
        for (int i = 0; i < _inspectors.Length; i++)
        {
            var descriptor = _inspectors[i].Descriptor;
            if (descriptor.Label == AppLabel.DceRpc) _dceRpcMask |= 1UL << i;
            if (descriptor.Transport is 0 or IpProtocol.Tcp) _tcpMask |= 1UL << i;
            if (descriptor.Transport is 0 or IpProtocol.Udp) _udpMask |= 1UL << i;
            for (int b = 0; b < _takesFirstByte.Length; b++)
                if (descriptor.FirstBytes?.Contains((byte)b) != false) _takesFirstByte[b] |= 1UL << i;
        }
        Announced = new AnnouncedConnections(_limits.ExpectationLifetime);
        Expectations = new EndpointMapperExpectations(Announced);
    }

    /// <summary>The connections flows announced (endpoint-mapper answers, FTP PORT/PASV, SDP media, TFTP requests, SSDP searches) and not yet seen.</summary>
    public AnnouncedConnections Announced { get; }

    /// <summary>The endpoint-mapper answers seen, and the flows that used them.</summary>
    public EndpointMapperExpectations Expectations { get; }

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload)
    {
        bool tcp = flow.Protocol == IpProtocol.Tcp;
        if ((!tcp && flow.Protocol != IpProtocol.Udp) || ReferenceEquals(flow.InspectionState, Finished)) return;
        if (flow.InspectionState is not FlowInspection state)
        {
            // A flow the endpoint mapper announced is DCE/RPC: only the DCE/RPC inspectors may refine it. Other
            // announcements (an FTP data connection) label the flow for good.
            var announcement = isFirst ? Announced.TryApply(flow) : null;
            if (announcement is { Refinable: false })
            {
                flow.InspectionState = Finished;
                return;
            }
            if (announcement is not null)
            {
                state = Start(flow, ReadersOf(flow.Protocol) & _dceRpcMask);
                state.Announced = true;
            }
            // Until bytes come there is nothing to show: most scans and refused openings never need a state.
            else if (payload.IsEmpty) return;
            else state = Start(flow, ReadersOf(flow.Protocol));
        }
        if (state.Done && state.Follower is null) return;
        if (tcp) OnSegment(state, flow, fromClient, packet, payload);
        else if (!payload.IsEmpty) OnDatagram(state, flow, fromClient, payload);
    }

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow)
    {
        Abandon.ThrowIfCancellationRequested();
        if (flow.InspectionState is FlowInspection state)
        {
            // Inspectors that were waiting for more (a session setup with nothing after it) decide with what came.
            if (!state.Done && state.ToServer is { } toServer) Run(state, flow, View(toServer), true, true, atLimit: true);
            if (!state.Done && state.ToClient is { } toClient) Run(state, flow, View(toClient), false, true, atLimit: true);
            // A datagram flow holds no bytes: an inspector that asked for it is told the flow ended (its server's side spent).
            if (!state.Done && state.Claimed >= 0 && flow.Protocol != IpProtocol.Tcp && _inspectors[state.Claimed].Descriptor.LooksAtEnd)
                Run(state, flow, default, false, false, atLimit: true);
            // A flow claimed but never settled (an SMB client's messages with no answer: a one-sided capture) gets its
            // follower now, which reads what was held: its pipe writes are no less calls for the answers missing.
            if (!state.Done && state.Claimed >= 0) Finish(state, flow);
            // Run may have finished the flow and handed its state back already.
            if (flow.InspectionState == state) _pool.Return(state);
        }
        flow.InspectionState = null;
    }

    private ulong ReadersOf(byte protocol) => protocol == IpProtocol.Tcp ? _tcpMask : _udpMask;

    private FlowInspection Start(Flow flow, ulong alive)
    {
        ulong hinted = Hints(flow.Protocol, flow.ServerPort) | Hints(flow.Protocol, flow.ClientPort);
        var state = _pool.Rent(alive, hinted);
        flow.InspectionState = state;
        return state;
    }

    private ulong Hints(byte protocol, ushort port)
    {
        int key = (protocol << 16) | port;
        if (_hints.TryGetValue(key, out ulong mask)) return mask;
        for (int i = 0; i < _inspectors.Length; i++)
            if (_inspectors[i].HintsPort(protocol, port)) mask |= 1UL << i;
        // Bounded: at most every port of TCP and UDP.
        _hints[key] = mask;
        return mask;
    }

    private void OnSegment(FlowInspection state, Flow flow, bool fromClient, in DecodedPacket packet, ReadOnlySpan<byte> payload)
    {
        var flags = packet.Flags;
        if (IsLinkPadding(payload, flags)) payload = default;
        if ((flags & TcpFlags.Syn) != 0)
        {
            // The SYN-ACK says whether the server took the data of the client's SYN (TCP Fast Open); data of its own
            // comes after its sequence number.
            if (!fromClient && (flags & TcpFlags.Ack) != 0 && state.ToServer is { } held && held.Acknowledged(packet.Acknowledgment))
            {
                Deliver(state, flow, true, held, true);
                // The data may have ended the inspection, and the state gone back to the pool.
                if (flow.InspectionState != state) return;
            }
            if (payload.IsEmpty) return;
            if (fromClient && (flags & TcpFlags.Ack) == 0)
            {
                Stream(state, flow, true).SynData(packet.Sequence, payload);
                return;
            }
            var synStream = Stream(state, flow, fromClient);
            synStream.Syn(packet.Sequence);
            Deliver(state, flow, fromClient, synStream, synStream.Add(packet.Sequence + 1, payload));
            return;
        }
        // A receiver drops a segment without ACK once it has answered the SYN (RFC 9293 3.10.7.4), and a reset's bytes go to
        // no application: they are read by no one.
        if ((flags & (TcpFlags.Ack | TcpFlags.Rst)) != TcpFlags.Ack) return;
        if ((flags & TcpFlags.Urg) != 0 && packet.UrgentPointer != 0)
        {
            flow.Weakness |= FlowWeakness.TcpUrgent;
            Stream(state, flow, fromClient).Urgent(packet.Sequence + packet.UrgentPointer);
        }
        if (payload.IsEmpty) return;
        var stream = Stream(state, flow, fromClient);
        Deliver(state, flow, fromClient, stream, stream.Add(packet.Sequence, payload));
    }

    // Link padding counted as data: some capture points write a pure ACK (or SYN-ACK) in a minimum-size frame with an IP
    // length that takes in the frame's padding, so 2 to 6 zero bytes stand as TCP data where the sender's first real bytes
    // go (base.pcap holds such flows, to and from 60-byte Ethernet and 56-byte Linux cooked frames). Placed first, they hid
    // those bytes from the inspectors and made a differing overlap of every such flow. Zeros that were really sent leave
    // a hole instead, which a follower reports as one (its calls unseen): never a call read that was not made.
    private static bool IsLinkPadding(ReadOnlySpan<byte> payload, TcpFlags flags) =>
        payload.Length is > 0 and <= 6 && (flags & TcpFlags.Psh) == 0 && !payload.ContainsAnyExcept((byte)0);

    // A follower reads whole PDUs: a direction that first speaks after the match gets the follower's room, not the inspectors'.
    private DirectionStream Stream(FlowInspection state, Flow flow, bool fromClient) =>
        state.Stream(flow, fromClient, state.Follower is null ? _limits.StreamBytes : _limits.FollowerBytes);

    // What the inspectors are shown of a direction: its first bytes, up to the stream limit (a segment that crossed the
    // limit is held whole for the follower that may come after them, but the inspectors' reading stays bounded).
    private ReadOnlySpan<byte> View(DirectionStream stream) =>
        stream.Data.Length <= _limits.StreamBytes ? stream.Data : stream.Data[.._limits.StreamBytes];

    private void Deliver(FlowInspection state, Flow flow, bool fromClient, DirectionStream stream, bool added)
    {
        if (stream.Inconsistent) flow.Weakness |= FlowWeakness.TcpOverlap;
        if (state.Follower is not null)
        {
            if (added) state.Follower.OnStream(flow, fromClient, stream);
            if (Lost(stream) is { } why && TellBroken(state, fromClient)) state.Follower.OnBroken(flow, fromClient, why);
            if (state.Follower.Finished) Stop(state, flow);
            return;
        }
        // Only segments that brought new bytes count: a retransmission, or a segment waiting for a gap, shows nothing new.
        int packets = !added ? (fromClient ? state.ClientPackets : state.ServerPackets)
            : fromClient ? ++state.ClientPackets : ++state.ServerPackets;
        bool atLimit = Spent(stream, packets);
        if (!SkipProxyHeader(state, flow, ref fromClient, stream, atLimit)) return;
        if ((added && !stream.Data.IsEmpty) || atLimit) Run(state, flow, View(stream), fromClient, true, atLimit);
        if (!state.Done && BothDirectionsSpent(state)) Finish(state, flow);
    }

    // A load balancer's PROXY protocol header opens the client's stream before the client's own bytes: the inspectors
    // read what follows it, and the source it claims is kept for the flow's detail. Only the side that opened the
    // connection sends one, so while the ports guessed the sides it is looked for at the start of either: a capture
    // that began with the backend's ACK took the backend for the client, and the header, found on the server's side,
    // turns the flow (fromClient with it). False while the header may still be coming (bounded by the bytes
    // inspected: at the limit it is read as no header).
    private bool SkipProxyHeader(FlowInspection state, Flow flow, ref bool fromClient, DirectionStream stream, bool atLimit)
    {
        byte side = fromClient ? (byte)1 : (byte)2;
        if ((state.ProxyHeaderRead & side) != 0 || (!fromClient && flow.Sides != FlowSides.Ports)) return true;
        int length = ProxyProtocolHeader.Measure(stream.Data);
        if (length == 0 && !atLimit) return false;
        state.ProxyHeaderRead |= side;
        if (length <= 0) return true;
        state.ProxyHeaderRead = 3;
        state.ProxySource = ProxyProtocolHeader.Source(stream.Data);
        stream.Skip(length);
        if (flow.Sides != FlowSides.Ports) return true;
        // The header named the sides: a store keeps that they are no guess.
        flow.SidesFromContent = true;
        if (!fromClient)
        {
            Reverse(state, flow);
            fromClient = true;
        }
        return true;
    }

    // What a follower cannot trust past: a hole in the stream, or retransmissions that disagree (what it read may not be
    // what the receiver did).
    private static string? Lost(DirectionStream stream) =>
        stream.Broken ?? (stream.Inconsistent ? "TCP retransmissions whose bytes differ" : null);

    private static bool TellBroken(FlowInspection state, bool fromClient)
    {
        byte bit = fromClient ? (byte)1 : (byte)2;
        if ((state.BrokenTold & bit) != 0) return false;
        state.BrokenTold |= bit;
        return true;
    }

    // A TCP direction is done with when the inspectors have seen the stream limit, when bytes are lost for good, or after
    // enough segments once it holds enough bytes: segments of a few bytes each do not end it early.
    private bool Spent(DirectionStream? stream, int packets) =>
        stream is null ? packets >= _limits.PacketsPerDirection
        : stream.Full || stream.Broken is not null
          || (packets >= _limits.PacketsPerDirection && stream.Data.Length >= _limits.MinimumStreamBytes);

    private void OnDatagram(FlowInspection state, Flow flow, bool fromClient, ReadOnlySpan<byte> payload)
    {
        if (state.Follower is not null)
        {
            state.Follower.OnDatagram(flow, fromClient, payload);
            if (state.Follower.Finished) Stop(state, flow);
            return;
        }
        int packets = fromClient ? ++state.ClientPackets : ++state.ServerPackets;
        bool turned = state.Turned;
        Run(state, flow, payload, fromClient, false, packets >= _limits.PacketsPerDirection);
        if (state.Follower is { } started)
        {
            // A follower that began with this datagram reads it too: a SIP INVITE carries its offer in the message that
            // named the flow. The content may have turned the flow: the datagram then came from the other side.
            if (state.Turned != turned) fromClient = !fromClient;
            started.OnDatagram(flow, fromClient, payload);
            if (started.Finished) Stop(state, flow);
            return;
        }
        if (!state.Done && BothDirectionsSpent(state)) Finish(state, flow);
    }

    // Both directions spent, or one spent after twice the packets in all while the other said little: a one-sided flow.
    private bool BothDirectionsSpent(FlowInspection state)
    {
        bool client = Spent(state.ToServer, state.ClientPackets), server = Spent(state.ToClient, state.ServerPackets);
        return (client && server) || ((client || server) && state.ClientPackets + state.ServerPackets >= 2 * _limits.PacketsPerDirection);
    }

    private void Run(FlowInspection state, Flow flow, ReadOnlySpan<byte> data, bool fromClient, bool tcp, bool atLimit)
    {
        int index = fromClient ? state.ClientInspections++ : state.ServerInspections++;
        if (state.Claimed >= 0)
        {
            var result = Ask(state, flow, state.Claimed, data, fromClient, tcp, index, atLimit);
            if (result != InspectResult.Partial && (result != InspectResult.NeedMore || atLimit)) Finish(state, flow);
            return;
        }
        // Those that cannot take a message starting with this byte would each turn it down: they are spared the call.
        if (!data.IsEmpty) state.Alive(fromClient) &= _takesFirstByte[data[0]];
        // Port-hinted inspectors first, then the rest in their listed order: ports order, content decides.
        ulong alive = state.Alive(fromClient);
        if (RunMask(state, flow, alive & state.Hinted, data, fromClient, tcp, index, atLimit)) return;
        if (RunMask(state, flow, alive & ~state.Hinted, data, fromClient, tcp, index, atLimit)) return;
        if (state.Announced && state.Alive(fromClient) == 0 && data.Length >= CoHeader.Size)
        {
            Contradicted(state, flow);
            Run(state, flow, data, fromClient, tcp, atLimit);
            return;
        }
        if ((state.AliveToServer | state.AliveToClient) == 0) Finish(state, flow);
    }

    // An endpoint mapper announced the flow's port, but the DCE/RPC inspectors ruled out its bytes (a header that is no
    // PDU's): the bytes say what the flow is, not the announcement. Its label goes and every other inspector reads it.
    // Whatever else listens where a mapper pointed (a process that registered an endpoint, a tunnel) is judged as what it speaks.
    private void Contradicted(FlowInspection state, Flow flow)
    {
        state.Announced = false;
        flow.AnnouncementRefuted = true;
        flow.App = null;
        flow.AppDetail = null;
        if (flow.DceRpc?.Evidence == RpcEvidence.EndpointMapper) flow.DceRpc = null;
        state.AliveToServer = state.AliveToClient = ReadersOf(flow.Protocol) & ~_dceRpcMask;
        state.Hinted &= ~_dceRpcMask;
        state.ClientInspections = state.ServerInspections = 0;
    }

    private bool RunMask(FlowInspection state, Flow flow, ulong mask, ReadOnlySpan<byte> data, bool fromClient, bool tcp, int index, bool atLimit)
    {
        while (mask != 0)
        {
            int i = BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            switch (Ask(state, flow, i, data, fromClient, tcp, index, atLimit))
            {
                case InspectResult.NoMatch:
                    state.Alive(fromClient) &= ~(1UL << i);
                    break;
                case InspectResult.Match:
                    flow.App ??= _inspectors[i].Descriptor.Label;
                    Finish(state, flow);
                    return true;
                case InspectResult.Partial:
                    flow.App ??= _inspectors[i].Descriptor.Label;
                    state.Claimed = i;
                    return true;
            }
        }
        return false;
    }

    private InspectResult Ask(FlowInspection state, Flow flow, int i, ReadOnlySpan<byte> data, bool fromClient, bool tcp, int index, bool atLimit)
    {
        int slot = _scratchSlots[i];
        var input = new InspectionInput(flow, data, fromClient, tcp, index, ref slot >= 0 ? ref state.Scratch[slot] : ref _noScratch, atLimit);
        input.State = state;
        input.InspectorIndex = i;
        var result = _direct[i] is { } direct ? direct.Inspect(ref input) : _inspectors[i].Inspect(ref input);
        if (_noScratch != 0) NoteUndeclaredScratch();
        if (input.SentByClient is { } sentByClient && result is InspectResult.Match or InspectResult.Partial)
        {
            // The content named the sides, whichever way the flow was taken: a store keeps that they are no guess.
            flow.SidesFromContent = true;
            if (sentByClient != fromClient) Reverse(state, flow);
        }
        return result;
    }

    // A programming error, not bad input: the run goes on (the word is cleared for the next inspector) and tests count it.
    private void NoteUndeclaredScratch()
    {
        _noScratch = 0;
        UndeclaredScratchWrites++;
        Debug.Fail("an inspector kept a word between calls without declaring it (InspectorDescriptor.UsesScratch)");
    }

    // The content showed the flow taken the wrong way round: it is turned, and one that the endpoint mapper announced at
    // its true server's address and port learns its interface.
    private void Reverse(FlowInspection state, Flow flow)
    {
        if (!flow.ReverseSides()) return;
        state.SwapDirections();
        if (flow.DceRpc is null) Announced.TryApplyToServer(flow);
    }

    private void Finish(FlowInspection state, Flow flow)
    {
        state.Done = true;
        if (state.ProxySource is { } source && flow.App is not null)
            flow.AppDetail = flow.AppDetail is { } detail ? detail.With(source) : AppDetail.Of(source);
        TftpTransferAnnouncement.AnnounceFrom(flow, Announced);
        SsdpAnswerAnnouncement.AnnounceFrom(flow, Announced);
        state.Follower = EndpointMapperFollower.For(flow, Expectations) ?? RpcCallFollower.For(flow) ?? SmbPipeFollower.For(flow)
            ?? FtpControlFollower.For(flow, Announced) ?? SipMediaFollower.For(flow, Announced) ?? LdapBindFollower.For(flow)
            ?? OpenVpnControlFollower.For(flow) ?? ServerCertificateFollower.For(flow);
        if (state.Follower is null)
        {
            flow.InspectionState = Finished;
            _pool.Return(state);
            return;
        }
        // The mapper's answer may already sit in the bytes the inspectors were shown.
        if (flow.Protocol != IpProtocol.Tcp) return;
        foreach (var (stream, fromClient) in new[] { (state.ToServer, true), (state.ToClient, false) })
        {
            if (stream is null) continue;
            stream.Capacity = _limits.FollowerBytes;
            state.Follower.OnStream(flow, fromClient, stream);
            if (Lost(stream) is { } why && TellBroken(state, fromClient)) state.Follower.OnBroken(flow, fromClient, why);
        }
    }

    private void Stop(FlowInspection state, Flow flow)
    {
        flow.InspectionState = Finished;
        _pool.Return(state);
    }
}
