using System.Diagnostics;
using PortAudit.Common;

namespace PortAudit.Inspect;

/// <summary>
/// Per TCP or UDP port, the inspectors whose port hint fits it (one bit each), worked out the first time a flow of the
/// run uses the port and then read from a direct table: every new flow with a payload asks for both of its ports, and
/// a dictionary keyed by transport and port took 1.5-2% of the corpus's <c>flows</c> (perf samples).
/// </summary>
internal sealed class PortHints(IInspector[] inspectors)
{
    private const int Ports = 1 << 16;
    private const int PageBits = 8;
    // Pages of 256 ports, made when a flow first uses one of their ports: a run meets a few thousand ports, mostly
    // ephemeral ones, so most of the two transports' 1 MB of masks is never made.
    private readonly ulong[]?[] _pages = new ulong[]?[2 * Ports >> PageBits];
    private readonly ulong[] _known = new ulong[2 * Ports / 64];

    /// <summary>The inspectors hinting <paramref name="port"/> of <paramref name="protocol"/> (TCP or UDP).</summary>
    public ulong Of(byte protocol, ushort port)
    {
        Debug.Assert(protocol is IpProtocol.Tcp or IpProtocol.Udp);
        int index = (protocol == IpProtocol.Tcp ? 0 : Ports) | port;
        ulong bit = 1UL << index;
        ref ulong known = ref _known[index >> 6];
        var page = _pages[index >> PageBits] ??= new ulong[1 << PageBits];
        ref ulong mask = ref page[index & ((1 << PageBits) - 1)];
        if ((known & bit) != 0) return mask;
        for (int i = 0; i < inspectors.Length; i++)
            if (inspectors[i].HintsPort(protocol, port)) mask |= 1UL << i;
        known |= bit;
        return mask;
    }
}
