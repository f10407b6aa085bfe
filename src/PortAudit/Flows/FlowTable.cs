using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    private readonly Dictionary<FlowKey, Flow> _flows;
    private readonly FragmentTracker _fragments = new();
    private readonly FlowTableOptions _options;
    private readonly IFlowObserver[] _observers;
    private readonly long _udpTimeoutNs;
    private readonly long _tcpTimeoutNs;
    private readonly long _closedLingerNs;
    private readonly long _sweepIntervalNs;
    private long _nextSweepNs;
    private Flow? _recent;
    private FlowKey _recentKey;
    private (long Time, long Id)[] _evictionOrder = [];
    private Flow[] _evictionFlows = [];
    private long _nextId;

    /// <summary>Creates an empty table.</summary>
    public FlowTable(FlowTableOptions options, params IFlowObserver[] observers)
    {
        _options = options;
        _flows = new(options.InitialFlowCapacity);
        _observers = observers;
        _udpTimeoutNs = ToNs(options.UdpIdleTimeout);
        _tcpTimeoutNs = ToNs(options.TcpIdleTimeout);
        _closedLingerNs = ToNs(options.TcpClosedLinger);
        _sweepIntervalNs = Math.Max(1_000_000_000L, Math.Min(_udpTimeoutNs, _closedLingerNs) / 2);
    }

    /// <summary>Counters.</summary>
    public FlowTableStatistics Statistics { get; } = new();

    /// <summary>Flows currently held.</summary>
    public int ActiveFlows => _flows.Count;

    /// <summary>The input (1-based) whose packets <see cref="Add"/> receives now: recorded on each flow it opens.</summary>
    public int Input { get; set; }

    /// <summary>
    /// Ends a flow that arrived whole from a flow-record source (no packets to count): it takes the next id of the run
    /// and goes to every observer as ended, as a flow of the table would.
    /// </summary>
    internal void AddEnded(Func<long, Flow> create)
    {
        var flow = create(++_nextId);
        Statistics.FlowsCreated++;
        foreach (var observer in _observers) observer.OnFlowEnd(flow);
    }

    /// <summary>
    /// Counts one decoded packet; <paramref name="frame"/> holds the bytes its payload offsets refer to, and
    /// <paramref name="frameNumber"/> is its 1-based place in the current <see cref="Input"/> (0 when unknown).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ref DecodedPacket packet, ReadOnlySpan<byte> frame, long timestampNs, long frameNumber = 0)
    {
        if (timestampNs >= _nextSweepNs) Sweep(timestampNs);
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
        if (packet.Quote.Present && FoldIcmpError(packet)) return;

        ushort sourcePort = packet.HasPorts ? packet.SourcePort : (ushort)0;
        ushort destinationPort = packet.HasPorts ? packet.DestinationPort : (ushort)0;
        var key = FlowKey.Create(packet.Source, sourcePort, packet.Destination, destinationPort, packet.Protocol, out _);
        bool isFirst = false;
        // Packets come in trains (a window of segments, their ACKs): most belong to the flow of the packet before.
        var flow = _recent;
        if (flow is null || !_recentKey.Equals(key) || (flow.IsClosed && IsOpening(packet.Flags)))
            flow = Find(key, packet, sourcePort, destinationPort, timestampNs, frameNumber, out isFirst);
        bool fromClient = flow.Client == packet.Source && flow.ClientPort == sourcePort;
        flow.Count(fromClient, packet.IpBytes, timestampNs, packet.Flags, packet.Sequence);
        if (pending.Packets > 0) flow.CountPending(fromClient, pending.Packets, pending.Bytes, pending.FirstNs, pending.LastNs);

        var payload = packet.Payload(frame);
        foreach (var observer in _observers) observer.OnPacket(flow, fromClient, isFirst, packet, payload);
    }

    /// <summary>The flow of <paramref name="key"/>, created if new or if a SYN reopens a closed one; it becomes the recent flow.</summary>
    private Flow Find(in FlowKey key, in DecodedPacket packet, ushort sourcePort, ushort destinationPort, long timestampNs, long frameNumber,
        out bool isFirst)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_flows, key, out bool exists);
        var flow = slot;
        isFirst = !exists || (flow!.IsClosed && IsOpening(packet.Flags));
        if (isFirst)
        {
            if (exists) NotifyEnd(flow!);
            flow = Create(packet, sourcePort, destinationPort, timestampNs);
            // Where the flow starts in its input, so a finding can point at the frames tshark shows.
            flow.Input = Input;
            flow.FirstFrame = frameNumber;
            slot = flow;
        }
        _recent = flow;
        _recentKey = key;
        if (!isFirst) return flow!;
        if (_flows.Count > Statistics.PeakActiveFlows) Statistics.PeakActiveFlows = _flows.Count;
        if (_flows.Count > _options.MaxFlows) EvictIdlest();
        return flow!;
    }

    /// <summary>Ends every flow still held (end of input), oldest first.</summary>
    public void Flush()
    {
        _fragments.Finish();
        Statistics.OrphanFragments = _fragments.Orphans;
        int count = _flows.Count;
        var remaining = new Flow[count];
        SortFlows(new (long, long)[count], remaining, byEnd: false);
        _flows.Clear();
        _recent = null;
        foreach (var observer in _observers) observer.OnFlowsEnd(remaining);
    }

    private static bool IsOpening(TcpFlags flags) => (flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst)) == TcpFlags.Syn;

    private Flow Create(in DecodedPacket packet, ushort sourcePort, ushort destinationPort, long timestampNs)
    {
        Statistics.FlowsCreated++;
        long id = ++_nextId;
        bool senderIsClient;
        bool opened = false;
        if (packet.Protocol == IpProtocol.Tcp && (packet.Flags & TcpFlags.Syn) != 0)
        {
            // A SYN names the initiator; a SYN-ACK names it too, as the receiver, but the opening itself was missed.
            opened = (packet.Flags & TcpFlags.Ack) == 0;
            senderIsClient = opened;
        }
        else
        {
            var hint = _options.ServerPorts;
            bool sourceServes = hint.IsServerPort(packet.Protocol, sourcePort);
            bool destinationServes = hint.IsServerPort(packet.Protocol, destinationPort);
            senderIsClient = !(sourceServes && !destinationServes);
        }
        var flow = senderIsClient
            ? new Flow(id, packet.Protocol, packet.Source, sourcePort, packet.Destination, destinationPort, timestampNs, opened)
            : new Flow(id, packet.Protocol, packet.Destination, destinationPort, packet.Source, sourcePort, timestampNs, opened);
        if (packet.Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6)
        {
            // ICMP flows have no ports: the first message's type and code stand in for them in the Community ID.
            flow.IcmpType = packet.IcmpType;
            flow.IcmpCode = packet.IcmpCode;
        }
        return flow;
    }

    /// <summary>Records an ICMP error on the flow whose packet it quotes; false when no flow held matches.</summary>
    private bool FoldIcmpError(in DecodedPacket packet)
    {
        ref readonly var quote = ref packet.Quote;
        var key = FlowKey.Create(quote.Source, quote.SourcePort, quote.Destination, quote.DestinationPort, quote.Protocol, out _);
        if (!_flows.TryGetValue(key, out var flow)) return false;
        Statistics.UnreachablesMatched++;
        flow.NoteIcmpError(flow.Client == quote.Source && flow.ClientPort == quote.SourcePort,
            packet.Protocol, packet.IcmpType, packet.IcmpCode, packet.Source);
        return true;
    }

    private void Sweep(long nowNs)
    {
        _nextSweepNs = nowNs + _sweepIntervalNs;
        List<KeyValuePair<FlowKey, Flow>>? ended = null;
        foreach (var entry in _flows)
        {
            var flow = entry.Value;
            long idle = nowNs - flow.EndNs;
            long limit = flow.Protocol != IpProtocol.Tcp ? _udpTimeoutNs : flow.IsClosed ? _closedLingerNs : _tcpTimeoutNs;
            if (idle > limit) (ended ??= new()).Add(entry);
        }
        if (ended is null) return;
        ended.Sort(static (a, b) => a.Value.StartNs.CompareTo(b.Value.StartNs));
        foreach (var (key, flow) in ended) End(key, flow);
    }

    private void EvictIdlest()
    {
        // Ending a tenth at once keeps eviction rare: one sort per many new flows instead of a scan per flow.
        // The arrays are reused, so that evictions cost no allocation at any table size.
        int n = _flows.Count;
        if (_evictionOrder.Length < n)
        {
            _evictionOrder = new (long, long)[n];
            _evictionFlows = new Flow[n];
        }
        SortFlows(_evictionOrder, _evictionFlows, byEnd: true);
        for (int i = 0; i < Math.Max(1, n / 10); i++)
        {
            End(FlowKey.Of(_evictionFlows[i]), _evictionFlows[i]);
            Statistics.FlowsEvicted++;
        }
        Array.Clear(_evictionFlows, 0, n);
    }

    /// <summary>
    /// Puts every held flow into <paramref name="flows"/>, by start or by last packet. Sorting a key array beside
    /// them avoids a comparer call per comparison; ids break ties, so the order does not depend on the table's.
    /// </summary>
    private void SortFlows((long Time, long Id)[] order, Flow[] flows, bool byEnd)
    {
        int n = 0;
        foreach (var flow in _flows.Values)
        {
            order[n] = (byEnd ? flow.EndNs : flow.StartNs, flow.Id);
            flows[n++] = flow;
        }
        Array.Sort(order, flows, 0, n);
    }

    private void End(FlowKey key, Flow flow)
    {
        _flows.Remove(key);
        if (ReferenceEquals(flow, _recent)) _recent = null;
        NotifyEnd(flow);
    }

    private void NotifyEnd(Flow flow)
    {
        foreach (var observer in _observers) observer.OnFlowEnd(flow);
    }

    private static long ToNs(TimeSpan span) => span.Ticks * 100;
}
