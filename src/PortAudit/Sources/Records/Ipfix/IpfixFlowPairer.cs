using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Sources.Records.Ipfix;

/// <summary>
/// Pairs one-way flow records (most NetFlow v9 and IPFIX exporters send each direction apart) into bidirectional
/// flows. The client is chosen as the flow table chooses it for packets: the direction that started first opened the
/// flow; when both started in the same instant, a SYN without ACK names the client, else the side on a service port
/// is the server. A record waits for its reverse until the input's flow time (the newest end read) has moved
/// <see cref="PairWindowNs"/> past where it stood when the record came, counted only at the end of a message
/// (<see cref="EndOfMessage"/>), so a record always waits for the rest of its message, and one older than the records
/// before it (another exporter's clock, files out of time order) waits as long as any. Two records pair only within
/// <see cref="PairWindowNs"/> of each other's times. At most <see cref="MaxPending"/> records wait at once: memory is
/// bounded by live flows, not by the input.
/// </summary>
public sealed class IpfixFlowPairer
{
    private const byte Syn = 0x02, Rst = 0x04, Ack = 0x10;

    private readonly Queue<FlowRecord> _ready = new();
    private readonly Dictionary<FlowKey, LinkedListNode<Pending>> _pending = new();
    private readonly LinkedList<Pending> _byArrival = new();
    private readonly IServerPortHint _hint;
    private long _latestNs;

    // Clock: the input's flow time when the record came (the newest end read until then, or its own if newer): its wait
    // is counted from there, not from its own end, which another exporter's clock may put far behind.
    private sealed record Pending(FlowKey Key, FlowRecord Record, byte Flags, long Clock);

    /// <summary>A pairer that places unpaired flows with <paramref name="hint"/> (ports below 1024 when null).</summary>
    public IpfixFlowPairer(IServerPortHint? hint = null) => _hint = hint ?? WellKnownPortHint.Instance;

    /// <summary>Most one-way records waiting for their reverse; past it the oldest goes out unpaired.</summary>
    public int MaxPending { get; init; } = 200_000;

    /// <summary>
    /// How far the input's flow time may move past where it stood when a record came before that record goes out
    /// unpaired, and how far apart two records' times may be for them to pair.
    /// </summary>
    public long PairWindowNs { get; init; } = 300L * 1_000_000_000;

    /// <summary>Records waiting for their reverse.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>One-way records that found their reverse.</summary>
    public long Paired { get; private set; }

    /// <summary>One-way records that went out without one.</summary>
    public long Unpaired { get; private set; }

    /// <summary>A record that holds both directions already.</summary>
    public void AddWhole(ref FlowRecord record) => _ready.Enqueue(record);

    /// <summary>A one-way record, <paramref name="flags"/> the TCP flags its packets carried (OR-ed).</summary>
    public void AddOneWay(ref FlowRecord record, byte flags)
    {
        if (record.EndNs > _latestNs) _latestNs = record.EndNs;
        var key = FlowKey.Create(record.Client, record.ClientPort, record.Server, record.ServerPort, record.Protocol, out _);
        if (_pending.Remove(key, out var node))
        {
            _byArrival.Remove(node);
            var waiting = node.Value;
            if (waiting.Record.Client == record.Server && waiting.Record.ClientPort == record.ServerPort
                && waiting.Record.Server == record.Client && waiting.Record.ServerPort == record.ClientPort
                && Gap(waiting.Record, record) <= PairWindowNs)
            {
                Paired += 2;
                _ready.Enqueue(Merge(waiting.Record, waiting.Flags, record, flags));
                return;
            }
            // The same direction again, or a reverse too far from it in time: the earlier record's flow has ended
            // without a reverse.
            EmitUnpaired(waiting);
        }
        var pending = new Pending(key, record, flags, _latestNs);
        _pending[key] = _byArrival.AddLast(pending);
        while (_pending.Count > MaxPending && _byArrival.First is { } first) Drop(first);
    }

    /// <summary>
    /// The records of a message have all been added: those that came when the input's flow time stood more than
    /// <see cref="PairWindowNs"/> before where it stands now go out unpaired. Readers of messages call it after each;
    /// a reader of records without messages (nfdump's csv) need not, and its records then wait until the input ends
    /// or <see cref="MaxPending"/> are waiting.
    /// </summary>
    public void EndOfMessage()
    {
        // Clocks grow in arrival order (each is the newest end read until then): the oldest wait is first.
        while (_byArrival.First is { } first && _latestNs - first.Value.Clock > PairWindowNs)
            Drop(first);
    }

    /// <summary>Takes the next finished flow.</summary>
    public bool TryTake(out FlowRecord record) => _ready.TryDequeue(out record);

    /// <summary>At the end of the input: every waiting record goes out unpaired.</summary>
    public void Flush()
    {
        while (_byArrival.First is { } first) Drop(first);
    }

    // How far apart two records' times are: 0 when they overlap.
    private static long Gap(in FlowRecord a, in FlowRecord b) => Math.Max(0, Math.Max(a.StartNs, b.StartNs) - Math.Min(a.EndNs, b.EndNs));

    private void Drop(LinkedListNode<Pending> node)
    {
        _byArrival.Remove(node);
        _pending.Remove(node.Value.Key);
        EmitUnpaired(node.Value);
    }

    private void EmitUnpaired(Pending pending)
    {
        Unpaired++;
        var record = pending.Record;
        byte flags = pending.Flags;
        bool opens = record.Protocol == IpProtocol.Tcp && (flags & (Syn | Ack)) == Syn;
        // Only one direction was exported: its sender is the server when it sends from a service port to a client port.
        bool senderIsServer = !opens && !_hint.SenderIsClient(record.Protocol, record.ClientPort, record.ServerPort);
        if (senderIsServer)
        {
            // The server's direction alone: the client's opening was not exported, whatever the transport (Flow.State).
            record.Swap();
            record.State = FlowState.Midstream;
        }
        else record.State = StateOf(record.Protocol, record.PacketsToServer, flags, 0, 0);
        // Without the opening the ports decided: a store keeps that, and its reader decides again with the audit's ports.
        record.SidesFromPorts = !opens;
        record.FirstSentByServer = senderIsServer;
        _ready.Enqueue(record);
    }

    private FlowRecord Merge(in FlowRecord first, byte firstFlags, in FlowRecord second, byte secondFlags)
    {
        bool tie = false;
        bool firstIsClient = first.StartNs != second.StartNs
            ? first.StartNs < second.StartNs
            : FirstOpened(first.Protocol, first.ClientPort, first.ServerPort, firstFlags, secondFlags, out tie);
        var client = firstIsClient ? first : second;
        var server = firstIsClient ? second : first;
        byte clientFlags = firstIsClient ? firstFlags : secondFlags, serverFlags = firstIsClient ? secondFlags : firstFlags;
        var merged = client;
        merged.PacketsToClient = server.PacketsToServer;
        merged.BytesToClient = server.BytesToServer;
        merged.StartNs = Math.Min(first.StartNs, second.StartNs);
        merged.EndNs = Math.Max(first.EndNs, second.EndNs);
        merged.App ??= server.App;
        if (merged.App is not null) merged.Evidence = FlowEvidence.ExporterAppId;
        merged.State = StateOf(merged.Protocol, merged.PacketsToServer, clientFlags, merged.PacketsToClient, serverFlags);
        // Two directions that began at once, neither with a SYN: the ports decided, and a store's reader decides again.
        merged.SidesFromPorts = tie;
        merged.FirstSentByServer = tie && !firstIsClient;
        return merged;
    }

    /// <summary>
    /// Whether the sender of one direction (<paramref name="firstPort"/> to <paramref name="secondPort"/>, its TCP flags
    /// <paramref name="firstFlags"/>) opened a flow whose record does not tell which came first: a SYN without ACK names
    /// the client; without one the side on a service port is the server, and <paramref name="fromPorts"/> says so.
    /// </summary>
    public bool FirstOpened(byte protocol, ushort firstPort, ushort secondPort, byte firstFlags, byte secondFlags, out bool fromPorts)
    {
        bool firstSyn = (firstFlags & (Syn | Ack)) == Syn, secondSyn = (secondFlags & (Syn | Ack)) == Syn;
        fromPorts = !firstSyn && !secondSyn;
        return fromPorts ? _hint.SenderIsClient(protocol, firstPort, secondPort) : firstSyn;
    }

    /// <summary>
    /// How the opening went, from packet counts and TCP flags each way (0 when the exporter sends none): the server
    /// answered a SYN with a RST and nothing else, rejected; nothing came back, unanswered, unless the client's own flags
    /// hold an ACK beside its SYN (it acknowledged an answer that reached it by a path the exporter did not see, as the
    /// flow table judges a capture of it); the client's SYN missing from flags the exporter did send, midstream.
    /// </summary>
    public static FlowState StateOf(byte protocol, long clientPackets, byte clientFlags, long serverPackets, byte serverFlags)
    {
        if (protocol != IpProtocol.Tcp) return serverPackets > 0 ? FlowState.Established : FlowState.Unanswered;
        bool flagsKnown = clientFlags != 0;
        bool clientOpened = !flagsKnown || (clientFlags & Syn) != 0;
        if (!clientOpened) return FlowState.Midstream;
        if (serverPackets == 0) return (clientFlags & Ack) != 0 ? FlowState.Established : FlowState.Unanswered;
        if (serverFlags != 0 && (serverFlags & Rst) != 0 && (serverFlags & Syn) == 0) return FlowState.Rejected;
        return FlowState.Established;
    }
}
