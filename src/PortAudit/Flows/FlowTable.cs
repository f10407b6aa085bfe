using System.Diagnostics;
using System.Runtime.CompilerServices;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>
/// The bidirectional flow table: finds or creates the flow of each decoded packet, decides who initiated it,
/// counts what goes each way, and ends flows (closed, idle, or evicted when full), handing them to the observers.
/// Memory grows with the number of live flows, not with the number of packets.
/// </summary>
public sealed class FlowTable
{
    // Sized for a busy capture up front: growing a large table rehashes every flow.
    private readonly FlowSet _flows;
    private readonly FragmentTracker _fragments = new();
    private readonly TunnelCarriers _carriers;
    private readonly FlowTableOptions _options;
    private readonly IFlowObserver[] _observers;
    private readonly long _udpTimeoutNs;
    private readonly long _tcpTimeoutNs;
    private readonly long _closedLingerNs;
    private readonly long _shortestLimitNs;
    private SweepSchedule _sweeps;
    private readonly bool _shard;
    private Flow? _recent;
    private FlowKey _recentKey;
    private long[] _evictionOrder = [];
    private Flow[] _evictionFlows = [];
    private long _lastOrdinal;

    /// <summary>Creates an empty table.</summary>
    public FlowTable(FlowTableOptions options, params IFlowObserver[] observers) : this(options, observers, shard: false) { }

    /// <summary>
    /// Creates an empty table; with <paramref name="shard"/> it is one part of a split run: it never sweeps by itself and
    /// waits for <see cref="SweepAt"/>, so that the shards of one run all end idle flows at the moments one table would,
    /// and it sorts the flows it holds at the end on its own thread, the other shards sorting theirs beside it.
    /// </summary>
    internal FlowTable(FlowTableOptions options, IFlowObserver[] observers, bool shard)
    {
        _options = options;
        _flows = new(options.InitialFlowCapacity);
        _carriers = new TunnelCarriers(options.MaxFlows);
        _observers = observers;
        _udpTimeoutNs = ToNs(options.UdpIdleTimeout);
        _tcpTimeoutNs = ToNs(options.TcpIdleTimeout);
        _closedLingerNs = ToNs(options.TcpClosedLinger);
        _shortestLimitNs = Math.Min(_udpTimeoutNs, Math.Min(_tcpTimeoutNs, _closedLingerNs));
        _sweeps = new SweepSchedule(options);
        _shard = shard;
    }

    /// <summary>Counters.</summary>
    public FlowTableStatistics Statistics { get; } = new();

    /// <summary>Flows currently held.</summary>
    public int ActiveFlows => _flows.Count;

    /// <summary>The input (1-based) whose packets <see cref="Add"/> receives now: recorded on each flow it opens.</summary>
    public int Input { get; set; }

    /// <summary>
    /// Where in the run the flows being ended now end: the ordinal of the packet that ended them and why. An observer
    /// that merges the flows of several tables orders them by it (see <see cref="FlowEnding"/>).
    /// </summary>
    internal FlowEnding Ending { get; private set; }

    /// <summary>
    /// After <see cref="Flush()"/>: the first packet's time of each flow it handed on, at the same place (the keys
    /// <see cref="FlowOrder.SortHeld(FlowSet, out long[], bool)"/> sorted them by).
    /// </summary>
    internal long[] HeldStarts { get; private set; } = [];

    /// <summary>The run ordinal of the packet being counted now: where an announcement its stages make takes its place.</summary>
    internal long CurrentOrdinal => _lastOrdinal;

    /// <summary>
    /// Ends a flow that arrived whole from a flow-record source (no packets to count): it takes the next id of the run
    /// and goes to every observer as ended, as a flow of the table would.
    /// </summary>
    internal void AddEnded(Func<long, Flow> create, long ordinal = 0)
    {
        var flow = create(TakeOrdinal(ordinal));
        // A flow-record file is an input like a capture: the time it covers is counted per input (CaptureVisibility).
        flow.Input = Input;
        Ending = new FlowEnding(flow.Id, FlowEndCause.Record);
        Statistics.FlowsCreated++;
        foreach (var observer in _observers) observer.OnFlowEnd(flow);
    }

    /// <summary>
    /// Counts one decoded packet; <paramref name="frame"/> holds the bytes its payload offsets refer to,
    /// <paramref name="frameNumber"/> is its 1-based place in the current <see cref="Input"/> (0 when unknown), and
    /// <paramref name="ordinal"/> its place in the whole run, which becomes the id of a flow it opens (0: the next after
    /// the last one seen).
    /// </summary>
    public void Add(ref DecodedPacket packet, ReadOnlySpan<byte> frame, long timestampNs, long frameNumber = 0, long ordinal = 0)
    {
        ordinal = TakeOrdinal(ordinal);
        if (!_shard && _sweeps.IsDue(timestampNs)) Sweep(timestampNs, ordinal);
        if (packet.Carrier.Present)
        {
            if (!_carriers.Add(packet.Carrier, timestampNs, ordinal, Input, frameNumber)) Statistics.TunnelPacketsUntracked++;
            // A tunnel packet that could not be opened (a GRE payload that is not IP, a later fragment) is its carrier's alone.
            if (packet.TunnelDepth == 0) return;
        }
        FragmentTracker.Pending pending = default;
        if (packet.IsLaterFragment)
        {
            if (!_fragments.TryResolve(ref packet, timestampNs)) return;
        }
        else if (packet.IsFragment && packet.HasPorts)
        {
            pending = _fragments.RegisterFirst(packet, timestampNs);
        }
        // An ICMP error is evidence on the flow it answers, not a flow of its own; one that answers no flow held stays one.
        if (packet.Quote.Present && (FoldIcmpError(packet, timestampNs) || FoldCarrierError(packet, ordinal))) return;

        ushort sourcePort = packet.HasPorts ? packet.SourcePort : (ushort)0;
        ushort destinationPort = packet.HasPorts ? packet.DestinationPort : (ushort)0;
        // Errors that answer no flow held are kept apart per host pair they quote: the pair decides where a split run
        // takes them, so grouping them by it makes the flows the same however the run is split. Other ICMP messages are
        // kept apart per exchange: a timestamp request after a ping is not the ping's flow, nor allowed as one.
        ushort tag = packet.Quote.Present ? QuoteTag(packet.Quote)
            : packet.Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6 ? IcmpExchange.KeyTag(packet.Protocol, packet.IcmpType)
            : (ushort)0;
        var key = FlowKey.Create(packet.Source, (ushort)(sourcePort | tag), packet.Destination, (ushort)(destinationPort | tag),
            packet.Protocol, out _);
        bool isFirst = false;
        // Packets come in trains (a window of segments, their ACKs): most belong to the flow of the packet before.
        var flow = _recent;
        if (flow is null || !_recentKey.Equals(key) || (flow.IsClosed && IsOpening(packet.Flags)) || IsOver(flow, timestampNs))
        {
            flow = Find(key, packet, sourcePort, destinationPort, tag, timestampNs, frameNumber, ordinal, out isFirst);
        }
        bool fromClient = flow.Client == packet.Source && flow.ClientPort == sourcePort;
        flow.Count(fromClient, packet.IpBytes, timestampNs, packet.Flags, packet.Sequence);
        if (pending.Packets > 0) flow.CountPending(fromClient, pending.Packets, pending.Bytes, pending.FirstNs, pending.LastNs);

        var payload = packet.Payload(frame);
        foreach (var observer in _observers) observer.OnPacket(flow, fromClient, isFirst, packet, payload);
    }

    /// <summary>
    /// The flow of <paramref name="key"/>, created if new, if the one held is over (<see cref="IsOver"/>) or if a SYN reopens
    /// a closed one; it becomes the recent flow.
    /// </summary>
    private Flow Find(in FlowKey key, in DecodedPacket packet, ushort sourcePort, ushort destinationPort, ushort tag, long timestampNs,
        long frameNumber, long ordinal, out bool isFirst)
    {
        ref var slot = ref _flows.FindOrAdd(key, out bool exists);
        var flow = slot;
        bool over = exists && IsOver(flow!, timestampNs);
        isFirst = !exists || over || (flow!.IsClosed && IsOpening(packet.Flags));
        if (isFirst)
        {
            if (exists)
            {
                Ending = new FlowEnding(ordinal, over ? FlowEndCause.Idle : FlowEndCause.Reopened);
                NotifyEnd(flow!);
            }
            flow = Create(ordinal, packet, sourcePort, destinationPort, timestampNs);
            // Where the flow starts in its input, so a finding can point at the frames tshark shows.
            flow.Input = Input;
            flow.FirstFrame = frameNumber;
            // The tag is part of the key the table reads back from the flow: set before anything else looks.
            flow.KeyTag = tag;
            if (packet.TunnelDepth > 0) flow.Tunnel = FlowTunnel.Of(packet.Carrier);
            slot = flow;
        }
        _recent = flow;
        _recentKey = key;
        if (!isFirst) return flow!;
        if (_flows.Count > Statistics.PeakActiveFlows) Statistics.PeakActiveFlows = _flows.Count;
        if (_flows.Count > _options.MaxFlows) EvictIdlest(ordinal);
        return flow!;
    }

    /// <summary>
    /// Ends every flow still held (end of input), oldest first, then the tunnels' carriers (<see cref="TunnelCarriers"/>).
    /// The input ended at the newest packet of a held flow: one held that began less than 1 s before it is
    /// <see cref="Flow.CutOff"/>. A run marks them itself, by each input's own end (<c>Pipeline.InputEndMarks</c>).
    /// </summary>
    public void Flush() => EndRun([], null, markCutOff: true);

    /// <summary>
    /// Ends every flow still held, then the carriers of the tunnels this table and the tables of <paramref name="parts"/>
    /// (the shards of the same run, already flushed) counted, with the ids <paramref name="nextOrdinal"/> gives, the run's
    /// ordinals after every packet's (null: after this table's last). A shard's table leaves its carriers to the run's.
    /// With <paramref name="markCutOff"/> the flows begun less than 1 s before the newest packet of a held flow or
    /// carrier are <see cref="Flow.CutOff"/>.
    /// </summary>
    internal void EndRun(IEnumerable<FlowTable> parts, Func<long>? nextOrdinal, bool markCutOff)
    {
        _fragments.Finish();
        Statistics.OrphanFragments = _fragments.Orphans;
        var remaining = FlowOrder.SortHeld(_flows, out var starts, split: !_shard);
        HeldStarts = starts;
        long inputEndNs = long.MinValue;
        if (markCutOff)
        {
            foreach (var flow in remaining) inputEndNs = Math.Max(inputEndNs, flow.EndNs);
            // Marked before the table's observers see them. By start, the flows begun in the input's last second are the
            // last ones: only they are touched.
            for (int i = remaining.Length - 1; i >= 0 && inputEndNs != long.MinValue && inputEndNs - starts[i] < Flow.CutOffWindowNs; i--)
                remaining[i].NoteInputEnd(inputEndNs);
        }
        _flows.Clear();
        _recent = null;
        Ending = FlowEnding.EndOfInput;
        foreach (var observer in _observers) observer.OnFlowsEnd(remaining);
        if (!_shard) EndCarriers(parts, nextOrdinal, inputEndNs);
    }

    private void EndCarriers(IEnumerable<FlowTable> parts, Func<long>? nextOrdinal, long inputEndNs)
    {
        foreach (var part in parts) _carriers.Merge(part._carriers);
        foreach (var flow in _carriers.End(() => TakeOrdinal(nextOrdinal?.Invoke() ?? 0)))
        {
            // A tunnel's own flow is held to the end of input as every other is (long.MinValue: not marked here).
            flow.NoteInputEnd(inputEndNs);
            Statistics.FlowsCreated++;
            NotifyEnd(flow);
        }
    }

    private static bool IsOpening(TcpFlags flags) => (flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst)) == TcpFlags.Syn;

    /// <summary>The packet's or record's ordinal in the run, or the next one when the caller gave none (0).</summary>
    private long TakeOrdinal(long ordinal)
    {
        if (ordinal <= 0) ordinal = _lastOrdinal + 1;
        Debug.Assert(ordinal > _lastOrdinal, "ordinals grow through a run, so flow ids are unique");
        _lastOrdinal = ordinal;
        return ordinal;
    }

    private Flow Create(long id, in DecodedPacket packet, ushort sourcePort, ushort destinationPort, long timestampNs)
    {
        Statistics.FlowsCreated++;
        bool senderIsClient;
        bool opened = false;
        bool syn = packet.Protocol == IpProtocol.Tcp && (packet.Flags & TcpFlags.Syn) != 0;
        if (syn)
        {
            // A SYN names the initiator; a SYN-ACK names it too, as the receiver, but the opening itself was missed.
            opened = (packet.Flags & TcpFlags.Ack) == 0;
            senderIsClient = opened;
        }
        else
        {
            senderIsClient = _options.ServerPorts.SenderIsClient(packet.Protocol, sourcePort, destinationPort);
        }
        var flow = senderIsClient
            ? new Flow(id, packet.Protocol, packet.Source, sourcePort, packet.Destination, destinationPort, timestampNs, opened)
            : new Flow(id, packet.Protocol, packet.Destination, destinationPort, packet.Source, sourcePort, timestampNs, opened)
            {
                FirstSentByServer = true,
            };
        // Without a SYN the sides are a guess from the ports: a store keeps that, so that another hint may take them again.
        flow.SidesFromPorts = !syn;
        if (packet.Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6)
        {
            // ICMP flows have no ports: the first message's type and code stand in for them in the Community ID.
            flow.IcmpType = packet.IcmpType;
            flow.IcmpCode = packet.IcmpCode;
        }
        return flow;
    }

    /// <summary>A tag of the host pair an ICMP error quotes, never 0 (ICMP flows have no ports, so it cannot meet a real key).</summary>
    private static ushort QuoteTag(in PacketEnds quote) => (ushort)((HostPair.Hash(quote.Source, quote.Destination) >> 48) | 1);

    /// <summary>
    /// Records an ICMP error on the flow whose packet it quotes; false when no flow held matches, or when the one held is
    /// over at the error's time (<see cref="IsOver"/>): the packet quoted was not that flow's, which had ended before it.
    /// </summary>
    private bool FoldIcmpError(in DecodedPacket packet, long timestampNs)
    {
        ref readonly var quote = ref packet.Quote;
        var key = FlowKey.Create(quote.Source, quote.SourcePort, quote.Destination, quote.DestinationPort, quote.Protocol, out _);
        if (_flows.Find(key) is not { } flow || IsOver(flow, timestampNs)) return false;
        Statistics.UnreachablesMatched++;
        flow.NoteIcmpError(flow.Client == quote.Source && flow.ClientPort == quote.SourcePort,
            packet.Protocol, packet.IcmpType, packet.IcmpCode, packet.Source);
        return true;
    }

    // An error quoting a tunnel's packet is about the tunnel, whose outer packet a router dropped: evidence on the tunnel's
    // own flow when the run met that tunnel before. A single table knows its carriers; a split run's reader marks the
    // error, as the table it goes to (by the tunnel's ends) may hold none of the tunnel's packets (CarrierSightings).
    private bool FoldCarrierError(in DecodedPacket packet, long ordinal)
    {
        if (!packet.QuotesCarrier && (_shard || !_carriers.Holds(packet.Quote))) return false;
        Statistics.UnreachablesMatched++;
        _carriers.AddError(packet, ordinal);
        return true;
    }

    /// <summary>
    /// Ends the flows idle at <paramref name="nowNs"/>, as if swept just before the packet of run ordinal
    /// <paramref name="ordinal"/>: for a table whose sweeps its run schedules (the shards of one run).
    /// </summary>
    internal void SweepAt(long nowNs, long ordinal)
    {
        Debug.Assert(_shard, "a table that sweeps by itself is not swept from outside");
        Sweep(nowNs, ordinal);
    }

    private void Sweep(long nowNs, long ordinal)
    {
        List<Flow>? ended = null;
        foreach (var flow in _flows)
        {
            if (IsOver(flow, nowNs)) (ended ??= new()).Add(flow);
        }
        if (ended is null) return;
        // Ids break ties, so that tables holding parts of one run's flows end them in the order one table would.
        ended.Sort(static (a, b) => a.StartNs != b.StartNs ? a.StartNs.CompareTo(b.StartNs) : a.Id.CompareTo(b.Id));
        Ending = new FlowEnding(ordinal, FlowEndCause.Idle);
        foreach (var flow in ended) End(flow);
    }

    // Idle past its limit at nowNs, a flow has ended, whether or not a sweep has come to it: the packet after the gap opens
    // the next flow. In a capture whose clock runs forward, which packets a flow holds then depends on its own timestamps
    // alone, not on where the run's sweeps fall, which every earlier packet of the run moves (Zeek's inactivity timers
    // likewise fire as network time passes them, before the packet that passes them). Sweeps end the flows no packet
    // comes back to.
    // On the per-packet path a flow's gap is almost never past even the shortest limit: that one comparison, inlined, is
    // all the packet pays. The whole test as a call per packet cost 3% of `flows` under taskset -c 0 (CPU 1.87 s against
    // 1.81 s, medians of 9 interleaved runs on the corpus); this way 1.86 s against 1.86 s.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsOver(Flow flow, long nowNs)
    {
        long idle = nowNs - flow.EndNs;
        return idle > _shortestLimitNs && idle > LimitOf(flow);
    }

    private long LimitOf(Flow flow) => flow.Protocol != IpProtocol.Tcp ? _udpTimeoutNs : flow.IsClosed ? _closedLingerNs : _tcpTimeoutNs;

    private void EvictIdlest(long ordinal)
    {
        Ending = new FlowEnding(ordinal, FlowEndCause.Evicted);
        // Ending a tenth at once keeps eviction rare: one sort per many new flows instead of a scan per flow.
        // The arrays are reused, so that evictions cost no allocation at any table size.
        int n = _flows.Count;
        if (_evictionOrder.Length < n)
        {
            _evictionOrder = new long[n];
            _evictionFlows = new Flow[n];
        }
        FlowOrder.SortByLastPacket(_flows, _evictionOrder, _evictionFlows);
        for (int i = 0; i < Math.Max(1, n / 10); i++)
        {
            End(_evictionFlows[i]);
            Statistics.FlowsEvicted++;
        }
        Array.Clear(_evictionFlows, 0, n);
    }

    private void End(Flow flow)
    {
        _flows.Remove(flow);
        if (ReferenceEquals(flow, _recent)) _recent = null;
        NotifyEnd(flow);
    }

    private void NotifyEnd(Flow flow)
    {
        foreach (var observer in _observers) observer.OnFlowEnd(flow);
    }

    private static long ToNs(TimeSpan span) => span.Ticks * 100;
}
