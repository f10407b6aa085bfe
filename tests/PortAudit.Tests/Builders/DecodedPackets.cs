using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Tests.Builders;

/// <summary>Feeds hand-made decoded packets straight into a flow table, for tests about the stages after decoding.</summary>
public static class DecodedPackets
{
    /// <summary>One IPv4 TCP segment carrying <paramref name="payload"/>, acknowledging <paramref name="ack"/>, with its urgent pointer.</summary>
    public static void SendTcp(FlowTable table, long time, IpAddr from, ushort fromPort, IpAddr to, ushort toPort, uint seq, TcpFlags flags, byte[] payload,
        uint ack = 0, ushort urgent = 0)
    {
        var packet = new DecodedPacket
        {
            IpVersion = 4, Source = from, Destination = to, Protocol = IpProtocol.Tcp, HasPorts = true,
            SourcePort = fromPort, DestinationPort = toPort, Flags = flags, Sequence = seq, Acknowledgment = ack, UrgentPointer = urgent,
            IpBytes = 40 + payload.Length, PayloadOffset = 0, PayloadLength = payload.Length,
        };
        table.Add(ref packet, payload, time);
    }

    /// <summary>One IPv4 UDP datagram carrying <paramref name="payload"/>.</summary>
    public static void SendUdp(FlowTable table, long time, IpAddr from, ushort fromPort, IpAddr to, ushort toPort, byte[] payload)
    {
        var packet = new DecodedPacket
        {
            IpVersion = 4, Source = from, Destination = to, Protocol = IpProtocol.Udp, HasPorts = true,
            SourcePort = fromPort, DestinationPort = toPort, IpBytes = 28 + payload.Length, PayloadOffset = 0, PayloadLength = payload.Length,
        };
        table.Add(ref packet, payload, time);
    }
}
