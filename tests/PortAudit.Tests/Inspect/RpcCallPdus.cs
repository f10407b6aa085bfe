using System.Buffers.Binary;

namespace PortAudit.Tests.Inspect;

/// <summary>Builds connection-oriented DCE/RPC PDUs in either byte order, with several contexts and auth verifiers, and NTLM messages.</summary>
public static class RpcCallPdus
{
    /// <summary>A bind (11) or alter_context (14) offering one context per entry, each with the NDR transfer syntax.</summary>
    public static byte[] Bind(IEnumerable<(ushort Id, Guid Iface, ushort Major)> contexts, byte type = 11, bool little = true,
        byte[]? auth = null, int? claimedCount = null)
    {
        var list = contexts.ToList();
        var body = new List<byte>();
        body.AddRange(new byte[] { 0xB8, 0x10, 0xB8, 0x10, 0, 0, 0, 0 });
        body.AddRange(new byte[] { (byte)(claimedCount ?? list.Count), 0, 0, 0 });
        foreach (var (id, iface, major) in list)
        {
            body.AddRange(U16(id, little));
            body.AddRange(new byte[] { 1, 0 });
            body.AddRange(iface.ToByteArray(bigEndian: !little));
            body.AddRange(U16(major, little));
            body.AddRange(U16(0, little));
            body.AddRange(DceRpcPdus.Ndr.ToByteArray(bigEndian: !little));
            body.AddRange(U16(2, little));
            body.AddRange(U16(0, little));
        }
        return Pdu(type, body.ToArray(), little, auth);
    }

    /// <summary>
    /// A bind_ack (12) or alter_context_resp (15) answering the contexts offered, in order, with <paramref name="results"/>
    /// (0 acceptance, 1 user rejection, 2 provider rejection, 3 negotiate_ack); its secondary address is
    /// <paramref name="secondaryAddress"/>, whose length decides the padding before the results.
    /// </summary>
    public static byte[] BindAck(ushort[] results, byte type = 12, string secondaryAddress = "49670", bool little = true)
    {
        var body = new List<byte>();
        body.AddRange(new byte[] { 0xB8, 0x10, 0xB8, 0x10, 0x53, 0xF0, 0, 0 });
        byte[] address = secondaryAddress.Length == 0 ? [] : System.Text.Encoding.ASCII.GetBytes(secondaryAddress + "\0");
        body.AddRange(U16((ushort)address.Length, little));
        body.AddRange(address);
        while ((16 + body.Count) % 4 != 0) body.Add(0);
        body.AddRange(new byte[] { (byte)results.Length, 0, 0, 0 });
        foreach (ushort result in results)
        {
            body.AddRange(U16(result, little));
            body.AddRange(U16(result == 0 ? (ushort)0 : (ushort)2, little));
            body.AddRange((result == 0 ? DceRpcPdus.Ndr : Guid.Empty).ToByteArray(bigEndian: !little));
            body.AddRange(U32(result == 0 ? 2u : 0u, little));
        }
        return Pdu(type, body.ToArray(), little, null);
    }

    /// <summary>A bind_nak (13): the server refuses the whole bind (reason 0, not specified), offering protocol version 5.0.</summary>
    public static byte[] BindNak() => Pdu(13, [0, 0, 1, 5, 0], true, null);

    /// <summary>A request for <paramref name="opnum"/> on context <paramref name="contextId"/>.</summary>
    public static byte[] Request(ushort contextId, ushort opnum, bool little = true)
    {
        var body = new List<byte>();
        body.AddRange(U32(4, little));
        body.AddRange(U16(contextId, little));
        body.AddRange(U16(opnum, little));
        body.AddRange(new byte[4]);
        return Pdu(0, body.ToArray(), little, null);
    }

    /// <summary>An auth3 PDU carrying <paramref name="auth"/> as its verifier.</summary>
    public static byte[] Auth3(byte[] auth) => Pdu(16, new byte[4], true, auth);

    /// <summary>An NTLM AUTHENTICATE message whose NT challenge response is <paramref name="ntLength"/> bytes.</summary>
    public static byte[] NtlmAuthenticate(int ntLength)
    {
        const int payloadAt = 88;
        var m = new byte[payloadAt + 24 + ntLength];
        "NTLMSSP\0"u8.CopyTo(m);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(8), 3);
        // LM response (24 bytes) then the NT response.
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(12), 24);
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(14), 24);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(16), payloadAt);
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(20), (ushort)ntLength);
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(22), (ushort)ntLength);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(24), payloadAt + 24);
        return m;
    }

    private static byte[] Pdu(byte type, byte[] body, bool little, byte[]? auth)
    {
        var pdu = new List<byte> { 5, 0, type, 3, (byte)(little ? 0x10 : 0), 0, 0, 0, 0, 0, 0, 0 };
        pdu.AddRange(U32(1, little));
        pdu.AddRange(body);
        if (auth is not null)
        {
            int pad = (4 - pdu.Count % 4) % 4;
            pdu.AddRange(new byte[pad]);
            // sec_trailer: auth_type 10 (NTLMSSP), level 2 (connect), pad length, reserved, context id.
            pdu.AddRange(new byte[] { 10, 2, (byte)pad, 0, 0, 0, 0, 0 });
            pdu.AddRange(auth);
        }
        var bytes = pdu.ToArray();
        U16((ushort)bytes.Length, little).CopyTo(bytes, 8);
        U16((ushort)(auth?.Length ?? 0), little).CopyTo(bytes, 10);
        return bytes;
    }

    private static byte[] U16(ushort v, bool little)
    {
        var b = new byte[2];
        if (little) BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        else BinaryPrimitives.WriteUInt16BigEndian(b, v);
        return b;
    }

    private static byte[] U32(uint v, bool little)
    {
        var b = new byte[4];
        if (little) BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        else BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return b;
    }
}
