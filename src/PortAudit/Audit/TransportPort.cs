using System.Globalization;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Audit;

/// <summary>A server port with its IP protocol, as summaries of many ports count it: "445/tcp".</summary>
/// <param name="Protocol">IP protocol number.</param>
/// <param name="Port">Server port (0 for protocols without ports).</param>
public readonly record struct TransportPort(byte Protocol, ushort Port) : IComparable<TransportPort>
{
    /// <summary>tcp, udp, icmp... (<see cref="IpProtocol.Name"/>).</summary>
    public string Transport => IpProtocol.Name(Protocol);

    /// <inheritdoc />
    public int CompareTo(TransportPort other) => Port != other.Port ? Port.CompareTo(other.Port) : Protocol.CompareTo(other.Protocol);

    /// <summary>"445/tcp"; the transport alone where it has no ports ("icmpv6", "ipv6"), as <see cref="Finding.Service"/> names it.</summary>
    public override string ToString() => Finding.ServiceOf(Port.ToString(CultureInfo.InvariantCulture), Transport);
}
