using System.Buffers.Binary;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// One protocol tower of an endpoint-mapper answer, read floor by floor (DCE 1.1 RPC, appendix L; [MS-RPCE] 2.2.1.1.7):
/// the interface, the RPC protocol, the TCP or UDP port and the IP address.
/// </summary>
public readonly record struct EpmTower(Guid Interface, ushort MajorVersion, bool Connectionless, byte Transport, ushort Port, IpAddr Address, bool HasAddress)
{
    private const byte UuidFloor = 0x0D, ConnectionOriented = 0x0B, ConnectionlessProtocol = 0x0A;
    private const byte TcpPort = 0x07, UdpPort = 0x08, IpAddress = 0x09;
    private const int MaxFloors = 16;

    /// <summary>Reads a tower's octets; false when it is truncated, malformed, or names no TCP/UDP port.</summary>
    public static bool TryParse(ReadOnlySpan<byte> tower, out EpmTower result)
    {
        result = default;
        if (tower.Length < 2) return false;
        int floors = BinaryPrimitives.ReadUInt16LittleEndian(tower);
        if (floors == 0 || floors > MaxFloors) return false;
        int at = 2;
        Guid iface = Guid.Empty;
        ushort major = 0, port = 0;
        byte transport = 0;
        bool connectionless = false, hasAddress = false, sawRpc = false;
        IpAddr address = default;
        for (int floor = 0; floor < floors; floor++)
        {
            if (!TryFloor(tower, ref at, out var lhs, out var rhs)) return false;
            byte id = lhs[0];
            if (floor == 0)
            {
                // The first floor is the interface: identifier 0x0D, UUID, major version; the minor version on the right.
                if (id != UuidFloor || lhs.Length < 19) return false;
                iface = new Guid(lhs.Slice(1, 16));
                major = BinaryPrimitives.ReadUInt16LittleEndian(lhs[17..]);
                continue;
            }
            switch (id)
            {
                case ConnectionOriented or ConnectionlessProtocol:
                    sawRpc = true;
                    connectionless = id == ConnectionlessProtocol;
                    break;
                case TcpPort or UdpPort when rhs.Length >= 2:
                    transport = id == TcpPort ? IpProtocol.Tcp : IpProtocol.Udp;
                    port = BinaryPrimitives.ReadUInt16BigEndian(rhs);
                    break;
                case IpAddress when rhs.Length >= 4:
                    address = IpAddr.FromV4(rhs);
                    hasAddress = true;
                    break;
            }
        }
        if (!sawRpc || transport == 0 || port == 0) return false;
        result = new EpmTower(iface, major, connectionless, transport, port, address, hasAddress && address.V4 != 0);
        return true;
    }

    private static bool TryFloor(ReadOnlySpan<byte> tower, ref int at, out ReadOnlySpan<byte> lhs, out ReadOnlySpan<byte> rhs)
    {
        lhs = rhs = default;
        if (at + 2 > tower.Length) return false;
        int lhsLength = BinaryPrimitives.ReadUInt16LittleEndian(tower[at..]);
        at += 2;
        if (lhsLength == 0 || at + lhsLength + 2 > tower.Length) return false;
        lhs = tower.Slice(at, lhsLength);
        at += lhsLength;
        int rhsLength = BinaryPrimitives.ReadUInt16LittleEndian(tower[at..]);
        at += 2;
        if (at + rhsLength > tower.Length) return false;
        rhs = tower.Slice(at, rhsLength);
        at += rhsLength;
        return true;
    }
}
