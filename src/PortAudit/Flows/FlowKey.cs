using System.Runtime.InteropServices;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>
/// The 5-tuple of a flow in a canonical order (lower endpoint first), so that both directions find the same entry.
/// </summary>
// Auto layout puts the ports after both addresses: 40 bytes instead of 48, in every entry of the flow table.
[StructLayout(LayoutKind.Auto)]
public readonly record struct FlowKey(IpAddr LowAddress, ushort LowPort, IpAddr HighAddress, ushort HighPort, byte Protocol)
{
    /// <summary>Builds the key for a packet and tells whether its sender is the low endpoint.</summary>
    public static FlowKey Create(IpAddr source, ushort sourcePort, IpAddr destination, ushort destinationPort, byte protocol,
        out bool senderIsLow)
    {
        int order = source.CompareTo(destination);
        senderIsLow = order < 0 || (order == 0 && sourcePort <= destinationPort);
        return senderIsLow
            ? new FlowKey(source, sourcePort, destination, destinationPort, protocol)
            : new FlowKey(destination, destinationPort, source, sourcePort, protocol);
    }

    /// <summary>The key under which <paramref name="flow"/> is held.</summary>
    public static FlowKey Of(Flow flow) => Create(flow.Client, (ushort)(flow.ClientPort | flow.KeyTag), flow.Server,
        (ushort)(flow.ServerPort | flow.KeyTag), flow.Protocol, out _);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        // Folding both addresses keeps the hash cheap; ports and protocol spread flows between the same hosts.
        ulong h = LowAddress.Low * 0x9E3779B97F4A7C15UL ^ HighAddress.Low * 0xC2B2AE3D27D4EB4FUL
            ^ LowAddress.High ^ (HighAddress.High << 1)
            ^ ((ulong)LowPort << 40 | (ulong)HighPort << 16 | Protocol);
        return (int)(h ^ (h >> 32));
    }
}
