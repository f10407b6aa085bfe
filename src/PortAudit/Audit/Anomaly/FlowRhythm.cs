using System.Collections.Concurrent;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Audit.Anomaly;

/// <summary>
/// Keeps the <see cref="Rhythm"/> of every flow while it lasts, only when anomaly models are in use (learn, or
/// <c>audit --model</c>): it reads every packet, which an audit without models does not pay for. A DNS flow's queries are
/// read over UDP and over TCP (<see cref="DnsTcpStream"/>), an ICMP echo flow's request data (<see cref="EchoPayloads"/>). The audit takes each
/// flow's rhythm when it judges the flow (<see cref="Take"/>).
/// </summary>
public sealed class FlowRhythm : IFlowObserver
{
    private const int DnsPort = 53;

    // Taken from the writing thread at the end of input (TrainingSet is a flow sink) while nothing adds any more.
    private readonly ConcurrentDictionary<long, Rhythm> _byFlow = new();

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload)
    {
        if (packet.PayloadLength <= 0) return;
        // The packet was counted already: the flow's end is its time.
        var rhythm = _byFlow.GetOrAdd(flow.Id, static _ => new Rhythm());
        rhythm.Add(flow.EndNs, packet.PayloadLength);
        if (!fromClient) return;
        if (flow.ServerPort == DnsPort)
        {
            if (flow.Protocol == IpProtocol.Udp)
            {
                if (DnsQuestion.TryMeasure(payload, out int length, out double entropy)) rhythm.AddQuery(length, entropy);
            }
            // A connection the capture joined midstream may start inside a message: its framing is unknown. A snap length
            // may have cut the segment: then its framing cannot be followed past it.
            else if (flow.Protocol == IpProtocol.Tcp && flow.State != FlowState.Midstream)
                (rhythm.DnsStream ??= new DnsTcpStream()).Read(packet.Sequence, payload, payload.Length == packet.PayloadLength, rhythm);
        }
        else if (IsEchoRequest(flow.Protocol, packet.IcmpType) && payload.Length >= EchoHeader)
            (rhythm.Echo ??= new EchoPayloads()).Add(payload[EchoHeader..], packet.PayloadLength - EchoHeader);
    }

    // An ICMP payload as the decoder gives it starts with the echo's identifier and sequence number.
    private const int EchoHeader = 4;
    private const byte EchoRequestV4 = 8, EchoRequestV6 = 128;

    private static bool IsEchoRequest(byte protocol, byte type) =>
        protocol == IpProtocol.Icmp ? type == EchoRequestV4 : protocol == IpProtocol.IcmpV6 && type == EchoRequestV6;

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow) { }

    /// <summary>The rhythm of <paramref name="flow"/>, forgotten here; null when it carried no data packet.</summary>
    public Rhythm? Take(Flow flow) => _byFlow.TryRemove(flow.Id, out var rhythm) ? rhythm : null;
}
