using System.Buffers.Binary;
using System.Net;

namespace PortAudit.Tests.Builders;

/// <summary>Builds raw frames and IP packets for tests, byte by byte, so each test states exactly what is on the wire.</summary>
internal static class Packets
{
    public const byte Fin = 0x01, Syn = 0x02, Rst = 0x04, Psh = 0x08, Ack = 0x10;

    public static byte[] Ipv4(string src, string dst, byte protocol, byte[] payload, ushort id = 1, ushort fragmentField = 0, int? totalLength = null)
    {
        var p = new byte[20 + payload.Length];
        p[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)(totalLength ?? p.Length));
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), fragmentField);
        p[8] = 64;
        p[9] = protocol;
        IPAddress.Parse(src).GetAddressBytes().CopyTo(p, 12);
        IPAddress.Parse(dst).GetAddressBytes().CopyTo(p, 16);
        payload.CopyTo(p, 20);
        return p;
    }

    public static byte[] Ipv6(string src, string dst, byte nextHeader, byte[] payload)
    {
        var p = new byte[40 + payload.Length];
        p[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)payload.Length);
        p[6] = nextHeader;
        p[7] = 64;
        IPAddress.Parse(src).GetAddressBytes().CopyTo(p, 8);
        IPAddress.Parse(dst).GetAddressBytes().CopyTo(p, 24);
        payload.CopyTo(p, 40);
        return p;
    }

    public static byte[] Ip(string src, string dst, byte protocol, byte[] payload) =>
        src.Contains(':') ? Ipv6(src, dst, protocol, payload) : Ipv4(src, dst, protocol, payload);

    public static byte[] Tcp(ushort sport, ushort dport, byte flags, uint seq = 1000, uint ack = 0, byte[]? data = null)
    {
        data ??= Array.Empty<byte>();
        var t = new byte[20 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(t, sport);
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(8), ack);
        t[12] = 0x50;
        t[13] = flags;
        data.CopyTo(t, 20);
        return t;
    }

    public static byte[] Udp(ushort sport, ushort dport, byte[]? data = null)
    {
        data ??= new byte[] { 1, 2, 3, 4 };
        var u = new byte[8 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(u, sport);
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(4), (ushort)u.Length);
        data.CopyTo(u, 8);
        return u;
    }

    /// <summary>ICMP (type 3) or ICMPv6 (type 1) destination unreachable quoting <paramref name="quoted"/>.</summary>
    public static byte[] Unreachable(bool v6, byte code, byte[] quoted) => IcmpError(v6 ? (byte)1 : (byte)3, code, quoted);

    /// <summary>An ICMP or ICMPv6 message of <paramref name="type"/> and <paramref name="code"/> quoting <paramref name="quoted"/>.</summary>
    public static byte[] IcmpError(byte type, byte code, byte[] quoted)
    {
        var m = new byte[8 + quoted.Length];
        m[0] = type;
        m[1] = code;
        quoted.CopyTo(m, 8);
        return m;
    }

    public static byte[] Gre(ushort protocolType, byte[] inner)
    {
        var g = new byte[4 + inner.Length];
        BinaryPrimitives.WriteUInt16BigEndian(g.AsSpan(2), protocolType);
        inner.CopyTo(g, 4);
        return g;
    }

    public static byte[] Ethernet(byte[] ipPacket, params ushort[] vlanTypes)
    {
        var f = new List<byte>();
        f.AddRange(new byte[] { 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6 });
        foreach (var tpid in vlanTypes)
        {
            f.Add((byte)(tpid >> 8)); f.Add((byte)tpid);
            f.Add(0); f.Add(10);
        }
        ushort type = (ipPacket[0] >> 4) == 6 ? (ushort)0x86DD : (ushort)0x0800;
        f.Add((byte)(type >> 8)); f.Add((byte)type);
        f.AddRange(ipPacket);
        return f.ToArray();
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
