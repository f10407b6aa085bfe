using System.Diagnostics;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows.Facts;

namespace PortAudit.Flows;

/// <summary>
/// The tunnels' own conversations (GRE, IP-in-IP, 6in4, VXLAN, Geneve), one per pair of tunnel ends and protocol (and ports, for
/// a tunnel in UDP): what a firewall
/// between the ends sees and judges, while the flow table holds the flows they carry. Each becomes a flow at the end of
/// the run, whose id follows every packet's (a packet that opens a tunnel opens the first flow inside it too, and that
/// flow has the packet's ordinal already).
/// </summary>
/// <remarks>
/// A carrier spans the run: it is never ended idle, so the tables of a split run keep parts of it that merge into the
/// one a single table keeps (<see cref="Merge"/>), the counts added and the earliest packet naming the client.
/// </remarks>
internal sealed class TunnelCarriers
{
    private readonly Dictionary<FlowKey, Tally> _tallies = new();
    private readonly int _limit;

    /// <summary>Keeps at most <paramref name="limit"/> carriers: a capture of spoofed tunnel ends must not grow memory without end.</summary>
    public TunnelCarriers(int limit) => _limit = limit;

    /// <summary>
    /// Counts one packet of the carrier <paramref name="carrier"/>, of run ordinal <paramref name="ordinal"/>; false when
    /// the carrier is new and the limit was reached, so that the packet is counted in none.
    /// </summary>
    public bool Add(in TunnelCarrier carrier, long timestampNs, long ordinal, int input, long frameNumber)
    {
        Debug.Assert(carrier.Present);
        var outer = carrier.Outer;
        var key = FlowKey.Create(outer.Source, outer.SourcePort, outer.Destination, outer.DestinationPort, outer.Protocol, out bool senderIsLow);
        if (!_tallies.TryGetValue(key, out var tally))
        {
            if (_tallies.Count >= _limit) return false;
            tally = new Tally(ordinal, timestampNs, input, frameNumber, clientIsLow: senderIsLow != carrier.SentByServer);
            _tallies.Add(key, tally);
        }
        tally.Count(senderIsLow, carrier.IpBytes, timestampNs);
        return true;
    }

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
        foreach (var (key, tally) in tallies) flows.Add(tally.ToFlow(nextId(), key));
        _tallies.Clear();
        return flows;
    }

    /// <summary>
    /// The label of a tunnel in UDP between ports <paramref name="a"/> and <paramref name="b"/> (<c>vxlan</c>,
    /// <c>geneve</c>); null for a tunnel in IP, whose protocol number names it. The decoder opens a tunnel in UDP only where
    /// its header says so: the label is that evidence.
    /// </summary>
    public static AppLabel? LabelOf(byte protocol, ushort a, ushort b) =>
        protocol != IpProtocol.Udp ? null : UdpTunnels.ByPort(a, b) == UdpTunnel.Vxlan ? AppLabel.Vxlan : AppLabel.Geneve;

    /// <summary>One carrier's counts, by direction between its lower and its higher address.</summary>
    private sealed class Tally(long firstOrdinal, long startNs, int input, long firstFrame, bool clientIsLow)
    {
        private long _lowPackets, _lowBytes, _highPackets, _highBytes;
        private long _endNs = startNs;
        // Where the carrier's earliest packet of the run was: its input and frame, and which end sent it (the client).
        private int _input = input;
        private long _firstFrame = firstFrame;
        private bool _clientIsLow = clientIsLow;

        public long FirstOrdinal { get; private set; } = firstOrdinal;
        public long StartNs { get; private set; } = startNs;

        public void Count(bool fromLow, int ipBytes, long timestampNs)
        {
            if (fromLow)
            {
                _lowPackets++;
                _lowBytes += ipBytes;
            }
            else
            {
                _highPackets++;
                _highBytes += ipBytes;
            }
            // As a flow's: its earliest and latest times, whatever order the capture wrote them in.
            if (timestampNs > _endNs) _endNs = timestampNs;
            if (timestampNs < StartNs) StartNs = timestampNs;
        }

        public void Merge(Tally other)
        {
            _lowPackets += other._lowPackets;
            _lowBytes += other._lowBytes;
            _highPackets += other._highPackets;
            _highBytes += other._highBytes;
            _endNs = Math.Max(_endNs, other._endNs);
            StartNs = Math.Min(StartNs, other.StartNs);
            if (other.FirstOrdinal >= FirstOrdinal) return;
            // The earliest packet of the run, whichever table counted it, names the client and the first frame.
            FirstOrdinal = other.FirstOrdinal;
            _input = other._input;
            _firstFrame = other._firstFrame;
            _clientIsLow = other._clientIsLow;
        }

        public Flow ToFlow(long id, in FlowKey key)
        {
            bool answered = _clientIsLow ? _highPackets > 0 : _lowPackets > 0;
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
                State = answered ? FlowState.Established : FlowState.Unanswered,
                Evidence = FlowEvidence.Inspected,
            };
            var flow = Flow.FromRecord(id, record);
            flow.App = LabelOf(key.Protocol, key.LowPort, key.HighPort);
            flow.Input = _input;
            flow.FirstFrame = _firstFrame;
            return flow;
        }
    }
}
