using System.Diagnostics;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows.Facts;

namespace PortAudit.Flows;

/// <summary>
/// The tunnels' own conversations (GRE, IP-in-IP, 6in4, VXLAN, Geneve, GTP-U, L2TP), one per pair of tunnel ends and protocol
/// (and ports, for a tunnel in UDP): what a firewall between the ends sees and judges, while the flow table holds the
/// flows they carry. Each becomes a flow at the end of the run, whose id follows every packet's (a packet that opens a
/// tunnel opens the first flow inside it too, and that flow has the packet's ordinal already).
/// </summary>
/// <remarks>
/// A carrier spans the run: it is never ended idle, so the tables of a split run keep parts of it that merge into the
/// one a single table keeps (<see cref="Merge"/>), the counts added and the earliest packet naming the client.
/// </remarks>
internal sealed class TunnelCarriers
{
    private readonly Dictionary<FlowKey, Tally> _tallies = new();
    private readonly int _limit;
    // Carriers with a packet counted here; a part holding only errors does not take a place under the bound.
    private int _counted;

    /// <summary>Keeps at most <paramref name="limit"/> carriers: a capture of spoofed tunnel ends must not grow memory without end.</summary>
    public TunnelCarriers(int limit) => _limit = limit;

    /// <summary>
    /// Counts one packet of the carrier <paramref name="carrier"/>, of run ordinal <paramref name="ordinal"/>; false when
    /// the carrier is new and the limit was reached, so that the packet is counted in none.
    /// </summary>
    public bool Add(in TunnelCarrier carrier, long timestampNs, long ordinal, int input, long frameNumber)
    {
        Debug.Assert(carrier.Present);
        var key = KeyOf(carrier.Outer, out bool senderIsLow);
        if (!_tallies.TryGetValue(key, out var tally))
        {
            if (_counted >= _limit) return false;
            tally = new Tally();
            _tallies.Add(key, tally);
        }
        if (tally.Packets == 0)
        {
            // A part that held only errors is of a carrier the run met before: it is counted whatever the bound.
            _counted++;
            tally.Begin(input, frameNumber, clientIsLow: senderIsLow != carrier.SentByServer);
        }
        tally.Count(senderIsLow, carrier.IpBytes, timestampNs, ordinal);
        return true;
    }

    /// <summary>True when a carrier with the ends of <paramref name="packet"/> is held.</summary>
    public bool Holds(in PacketEnds packet) => _tallies.Count > 0 && _tallies.ContainsKey(KeyOf(packet));

    /// <summary>
    /// Notes on the carrier whose packet <paramref name="error"/> quotes (<see cref="DecodedPacket.Quote"/>, a carrier the
    /// run met before it: <see cref="Holds"/> or <see cref="DecodedPacket.QuotesCarrier"/>) the ICMP error it is, of run
    /// ordinal <paramref name="ordinal"/>. In a split run the table the error goes to may hold none of that carrier's
    /// packets: its note is a part of the carrier like any other, merged at the end.
    /// </summary>
    public void AddError(in DecodedPacket error, long ordinal)
    {
        Debug.Assert(error.Quote.Present);
        var key = KeyOf(error.Quote, out bool aboutLow);
        if (!_tallies.TryGetValue(key, out var tally))
        {
            tally = new Tally();
            _tallies.Add(key, tally);
        }
        tally.NoteError(aboutLow, error.Protocol, error.IcmpType, error.IcmpCode, error.Source, ordinal);
    }

    /// <summary>The key of the carrier a packet with the ends <paramref name="packet"/> belongs to.</summary>
    public static FlowKey KeyOf(in PacketEnds packet) => KeyOf(packet, out _);

    private static FlowKey KeyOf(in PacketEnds packet, out bool senderIsLow) =>
        FlowKey.Create(packet.Source, packet.SourcePort, packet.Destination, packet.DestinationPort, packet.Protocol, out senderIsLow);

    /// <summary>Takes in the carriers another table of the same run kept, and empties it.</summary>
    public void Merge(TunnelCarriers other)
    {
        foreach (var (key, part) in other._tallies)
        {
            if (_tallies.TryGetValue(key, out var tally)) tally.Merge(part);
            else _tallies.Add(key, part);
        }
        other._tallies.Clear();
    }

    /// <summary>
    /// Every carrier as an ended flow, by first packet (then its ordinal), each taking the id <paramref name="nextId"/>
    /// gives in that order; the carriers are then forgotten.
    /// </summary>
    public List<Flow> End(Func<long> nextId)
    {
        var tallies = _tallies.ToList();
        tallies.Sort(static (a, b) => a.Value.StartNs != b.Value.StartNs
            ? a.Value.StartNs.CompareTo(b.Value.StartNs)
            : a.Value.FirstOrdinal.CompareTo(b.Value.FirstOrdinal));
        var flows = new List<Flow>(tallies.Count);
        foreach (var (key, tally) in tallies)
        {
            // Errors about a carrier whose packets every table had to leave uncounted (each at its bound) make no flow.
            if (tally.Packets > 0) flows.Add(tally.ToFlow(nextId(), key));
        }
        _tallies.Clear();
        return flows;
    }

    /// <summary>
    /// The label of a tunnel in UDP between ports <paramref name="a"/> and <paramref name="b"/> (<c>vxlan</c>,
    /// <c>geneve</c>, <c>gtp-u</c>, <c>l2tp</c>); null for a tunnel in IP, whose protocol number names it. The decoder opens a tunnel in
    /// UDP only where its header says so: the label is that evidence.
    /// </summary>
    public static AppLabel? LabelOf(byte protocol, ushort a, ushort b) =>
        protocol != IpProtocol.Udp ? null : UdpTunnels.ByPort(a, b) switch
        {
            UdpTunnel.Vxlan => AppLabel.Vxlan,
            UdpTunnel.Geneve => AppLabel.Geneve,
            UdpTunnel.GtpU => AppLabel.GtpU,
            _ => AppLabel.L2tp,
        };

    /// <summary>
    /// One carrier's counts, by direction between its lower and its higher address, and the ICMP errors about its packets.
    /// A table that took in only errors of a carrier holds a part with no packets, which merging completes.
    /// </summary>
    private sealed class Tally
    {
        private long _lowPackets, _lowBytes, _highPackets, _highBytes;
        private long _endNs = long.MinValue;
        // Where the carrier's earliest packet of the run was: its input and frame, and which end sent it (the client).
        private int _input;
        private long _firstFrame;
        private bool _clientIsLow;
        // Run ordinals (long.MaxValue: none): each end's first packet, and the first unreachable about a packet each end
        // sent. An unreachable about the client's packets before the other end's first packet refused the tunnel.
        private long _lowFirst = long.MaxValue, _highFirst = long.MaxValue;
        private long _refusedLow = long.MaxValue, _refusedHigh = long.MaxValue;
        private IcmpErrors _errors;
        private long _firstError = long.MaxValue;

        // The run ordinal of the carrier's earliest packet counted here (long.MaxValue: none yet).
        public long FirstOrdinal => Math.Min(_lowFirst, _highFirst);
        public long StartNs { get; private set; } = long.MaxValue;
        public long Packets => _lowPackets + _highPackets;

        /// <summary>Takes the carrier's first packet in this table: where it was and which end sent it.</summary>
        public void Begin(int input, long firstFrame, bool clientIsLow)
        {
            Debug.Assert(Packets == 0);
            _input = input;
            _firstFrame = firstFrame;
            _clientIsLow = clientIsLow;
        }

        public void Count(bool fromLow, int ipBytes, long timestampNs, long ordinal)
        {
            if (fromLow)
            {
                _lowPackets++;
                _lowBytes += ipBytes;
                _lowFirst = Math.Min(_lowFirst, ordinal);
            }
            else
            {
                _highPackets++;
                _highBytes += ipBytes;
                _highFirst = Math.Min(_highFirst, ordinal);
            }
            // As a flow's: its earliest and latest times, whatever order the capture wrote them in.
            if (timestampNs > _endNs) _endNs = timestampNs;
            if (timestampNs < StartNs) StartNs = timestampNs;
        }

        public void NoteError(bool aboutLow, byte icmpProtocol, byte type, byte code, IpAddr sender, long ordinal)
        {
            // A table meets its errors in run order: the first it notes is its earliest.
            if (_errors.Count == 0) _firstError = ordinal;
            _errors = _errors.Add(icmpProtocol, type, code, sender);
            if (!IcmpMessages.IsUnreachable(icmpProtocol, type, code)) return;
            if (aboutLow) _refusedLow = Math.Min(_refusedLow, ordinal);
            else _refusedHigh = Math.Min(_refusedHigh, ordinal);
        }

        public void Merge(Tally other)
        {
            _lowPackets += other._lowPackets;
            _lowBytes += other._lowBytes;
            _highPackets += other._highPackets;
            _highBytes += other._highBytes;
            _endNs = Math.Max(_endNs, other._endNs);
            StartNs = Math.Min(StartNs, other.StartNs);
            _refusedLow = Math.Min(_refusedLow, other._refusedLow);
            _refusedHigh = Math.Min(_refusedHigh, other._refusedHigh);
            // The run's earliest error is the one described, as one table that met them all in order keeps it.
            long errors = _errors.Count + other._errors.Count;
            if (other._firstError < _firstError) (_errors, _firstError) = (other._errors, other._firstError);
            if (errors > 0) _errors = _errors with { Count = errors };
            // The earliest packet of the run, whichever table counted it, names the client and the first frame.
            bool earlier = other.FirstOrdinal < FirstOrdinal;
            _lowFirst = Math.Min(_lowFirst, other._lowFirst);
            _highFirst = Math.Min(_highFirst, other._highFirst);
            if (!earlier) return;
            _input = other._input;
            _firstFrame = other._firstFrame;
            _clientIsLow = other._clientIsLow;
        }

        public Flow ToFlow(long id, in FlowKey key)
        {
            Debug.Assert(Packets > 0);
            bool answered = _clientIsLow ? _highPackets > 0 : _lowPackets > 0;
            // As for a flow of the table (Flow.NoteIcmpError): only an unreachable about the client's own packets, before
            // any packet came back, means the tunnel was refused; other errors say the path failed.
            bool refused = _clientIsLow ? _refusedLow < _highFirst : _refusedHigh < _lowFirst;
            var record = new FlowRecord
            {
                Protocol = key.Protocol,
                Client = _clientIsLow ? key.LowAddress : key.HighAddress,
                ClientPort = _clientIsLow ? key.LowPort : key.HighPort,
                Server = _clientIsLow ? key.HighAddress : key.LowAddress,
                ServerPort = _clientIsLow ? key.HighPort : key.LowPort,
                StartNs = StartNs,
                EndNs = _endNs,
                PacketsToServer = _clientIsLow ? _lowPackets : _highPackets,
                BytesToServer = _clientIsLow ? _lowBytes : _highBytes,
                PacketsToClient = _clientIsLow ? _highPackets : _lowPackets,
                BytesToClient = _clientIsLow ? _highBytes : _lowBytes,
                State = refused ? FlowState.Rejected : answered ? FlowState.Established : FlowState.Unanswered,
                Evidence = FlowEvidence.Inspected,
            };
            var flow = Flow.FromRecord(id, record);
            flow.App = LabelOf(key.Protocol, key.LowPort, key.HighPort);
            flow.IcmpErrors = _errors;
            flow.Input = _input;
            flow.FirstFrame = _firstFrame;
            return flow;
        }
    }
}
