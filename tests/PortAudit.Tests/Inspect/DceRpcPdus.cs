using System.Buffers.Binary;

namespace PortAudit.Tests.Inspect;

/// <summary>Builds little-endian connection-oriented DCE/RPC PDUs and endpoint-mapper stubs for tests.</summary>
public static class DceRpcPdus
{
    /// <summary>The NDR transfer syntax.</summary>
    public static readonly Guid Ndr = new("8a885d04-1ceb-11c9-9fe8-08002b104860");

    /// <summary>A bind (or alter-context, type 14) for one interface.</summary>
    public static byte[] Bind(Guid iface, ushort major, uint callId = 1, byte type = 11)
    {
        var body = new List<byte>();
        body.AddRange(new byte[] { 0xB8, 0x10, 0xB8, 0x10, 0, 0, 0, 0, 1, 0, 0, 0 });
        body.AddRange(new byte[] { 0, 0, 1, 0 });
        body.AddRange(iface.ToByteArray());
        body.AddRange(BitConverter.GetBytes(major));
        body.AddRange(new byte[] { 0, 0 });
        body.AddRange(Ndr.ToByteArray());
        body.AddRange(new byte[] { 2, 0, 0, 0 });
        return Pdu(type, callId, body.ToArray());
    }

    /// <summary>A request for <paramref name="opnum"/>.</summary>
    public static byte[] Request(ushort opnum, uint callId, byte[] stub)
    {
        var body = new byte[8 + stub.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)stub.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(6), opnum);
        stub.CopyTo(body, 8);
        return Pdu(0, callId, body);
    }

    /// <summary>A response carrying <paramref name="stub"/>.</summary>
    public static byte[] Response(uint callId, byte[] stub)
    {
        var body = new byte[8 + stub.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)stub.Length);
        stub.CopyTo(body, 8);
        return Pdu(2, callId, body);
    }

    /// <summary>
    /// A response that carries <paramref name="stub"/> in fragments of at most <paramref name="fragmentLength"/> bytes
    /// (header included), with first/last fragment flags, as a server with that max_xmit_frag sends a long answer.
    /// </summary>
    public static byte[][] FragmentedResponse(uint callId, byte[] stub, int fragmentLength)
    {
        int room = fragmentLength - 24;
        var fragments = new List<byte[]>();
        for (int at = 0; at < stub.Length; at += room)
        {
            var part = stub.AsSpan(at, Math.Min(room, stub.Length - at));
            var body = new byte[8 + part.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)(stub.Length - at));
            part.CopyTo(body.AsSpan(8));
            var pdu = Pdu(2, callId, body);
            pdu[3] = (byte)((at == 0 ? 1 : 0) | (at + room >= stub.Length ? 2 : 0));
            fragments.Add(pdu);
        }
        return fragments.ToArray();
    }

    /// <summary>A TCP/IP tower for <paramref name="iface"/> at <paramref name="port"/> and <paramref name="address"/> (big-endian value).</summary>
    public static byte[] Tower(Guid iface, ushort major, ushort port, uint address)
    {
        var t = new List<byte>();
        void U16(ushort v) => t.AddRange(BitConverter.GetBytes(v));
        void Floor(byte[] lhs, byte[] rhs)
        {
            U16((ushort)lhs.Length);
            t.AddRange(lhs);
            U16((ushort)rhs.Length);
            t.AddRange(rhs);
        }
        U16(5);
        Floor(new byte[] { 0x0D }.Concat(iface.ToByteArray()).Concat(BitConverter.GetBytes(major)).ToArray(), new byte[] { 0, 0 });
        Floor(new byte[] { 0x0D }.Concat(Ndr.ToByteArray()).Concat(new byte[] { 2, 0 }).ToArray(), new byte[] { 0, 0 });
        Floor(new byte[] { 0x0B }, new byte[] { 0, 0 });
        Floor(new byte[] { 0x07 }, new[] { (byte)(port >> 8), (byte)port });
        Floor(new byte[] { 0x09 }, BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(address)));
        return t.ToArray();
    }

    /// <summary>An ept_map response stub returning <paramref name="towers"/>.</summary>
    public static byte[] EptMapResponse(params byte[][] towers) => EpmStub(towers, (s, i) => U32(s, (uint)(i + 3)));

    /// <summary>An ept_lookup response stub: one entry per tower, each with an empty annotation.</summary>
    public static byte[] EptLookupResponse(params byte[][] towers) => EpmStub(towers, (s, i) =>
    {
        s.AddRange(new byte[16]);
        U32(s, (uint)(i + 7));
        U32(s, 0);
        U32(s, 1);
        s.Add(0);
        Pad(s);
    });

    // Context handle, count, array header, the array's elements, then the towers they point to, then the status.
    private static byte[] EpmStub(byte[][] towers, Action<List<byte>, int> element)
    {
        var s = new List<byte>(new byte[20]);
        U32(s, (uint)towers.Length);
        U32(s, (uint)towers.Length);
        U32(s, 0);
        U32(s, (uint)towers.Length);
        for (int i = 0; i < towers.Length; i++) element(s, i);
        foreach (var tower in towers)
        {
            U32(s, (uint)tower.Length);
            U32(s, (uint)tower.Length);
            s.AddRange(tower);
            Pad(s);
        }
        U32(s, 0);
        return s.ToArray();
    }

    private static void U32(List<byte> s, uint v) => s.AddRange(BitConverter.GetBytes(v));

    private static void Pad(List<byte> s)
    {
        while (s.Count % 4 != 0) s.Add(0);
    }

    /// <summary>A connectionless PDU on <paramref name="iface"/> with <paramref name="body"/>.</summary>
    public static byte[] Connectionless(byte type, Guid iface, ushort opnum, byte[] body)
    {
        var pdu = new byte[80 + body.Length];
        pdu[0] = 4;
        pdu[1] = type;
        pdu[4] = 0x10;
        iface.ToByteArray().CopyTo(pdu, 24);
        BinaryPrimitives.WriteUInt16LittleEndian(pdu.AsSpan(68), opnum);
        BinaryPrimitives.WriteUInt16LittleEndian(pdu.AsSpan(74), (ushort)body.Length);
        body.CopyTo(pdu, 80);
        return pdu;
    }

    private static byte[] Pdu(byte type, uint callId, byte[] body)
    {
        var pdu = new byte[16 + body.Length];
        pdu[0] = 5;
        pdu[2] = type;
        pdu[3] = 3;
        pdu[4] = 0x10;
        BinaryPrimitives.WriteUInt16LittleEndian(pdu.AsSpan(8), (ushort)pdu.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(12), callId);
        body.CopyTo(pdu, 16);
        return pdu;
    }
}
