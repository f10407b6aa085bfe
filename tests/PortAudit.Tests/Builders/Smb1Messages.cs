using System.Buffers.Binary;
using System.Text;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Builders;

/// <summary>
/// SMB1 messages ([MS-CIFS] 2.2.3) over direct TCP, for the pipe follower's tests: a header and command blocks, AndX
/// chains linked in order (<see cref="Message"/>); each block is built knowing where it lies, as its data offsets and
/// the pad before a UTF-16 name depend on that.
/// </summary>
internal static class Smb1Messages
{
    public const byte Negotiate = 0x72, Close = 0x04, Read = 0x0A, Write = 0x0B, WriteAndUnlock = 0x14, WriteRaw = 0x1D, WriteMpx = 0x1E,
        WriteAndClose = 0x2C, Transaction = 0x25, TransactionSecondary = 0x26, ReadAndX = 0x2E, WriteAndX = 0x2F, TreeConnectAndX = 0x75, NtCreateAndX = 0xA2;

    /// <summary>The ids every message built here carries (the UID unless a message is given another).</summary>
    public const ushort Tid = 0x0800, Pid = 0xFEFF, Uid = 0x0064;

    /// <summary>One command block: its code and, given its offset from the header, its parameter words and data bytes.</summary>
    public sealed record Block(byte Command, bool AndX, Func<int, (byte[] Words, byte[] Bytes)> At);

    /// <summary>
    /// A framed message: header with <paramref name="mid"/>, then <paramref name="blocks"/>, each AndX block pointing at the
    /// next (<paramref name="andXOffsets"/> overrides where they point, at a block of the same command); Unicode strings
    /// unless <paramref name="oem"/>; its UID <paramref name="uid"/>.
    /// </summary>
    public static byte[] Message(ushort mid, bool response, bool oem, Block[] blocks, int?[]? andXOffsets = null, uint status = 0, ushort uid = Uid)
    {
        var m = new List<byte>(new byte[32]);
        var starts = new List<int>();
        foreach (var block in blocks)
        {
            starts.Add(m.Count);
            var (words, bytes) = block.At(m.Count);
            m.Add((byte)(words.Length / 2));
            m.AddRange(words);
            m.Add((byte)bytes.Length);
            m.Add((byte)(bytes.Length >> 8));
            m.AddRange(bytes);
        }
        var message = m.ToArray();
        var h = message.AsSpan();
        h[0] = 0xFF;
        "SMB"u8.CopyTo(h[1..]);
        h[4] = blocks[0].Command;
        BinaryPrimitives.WriteUInt32LittleEndian(h[5..], status);
        h[9] = (byte)(response ? 0x98 : 0x18);
        BinaryPrimitives.WriteUInt16LittleEndian(h[10..], (ushort)(oem ? 0x4807 : 0xC807));
        BinaryPrimitives.WriteUInt16LittleEndian(h[24..], Tid);
        BinaryPrimitives.WriteUInt16LittleEndian(h[26..], Pid);
        BinaryPrimitives.WriteUInt16LittleEndian(h[28..], uid);
        BinaryPrimitives.WriteUInt16LittleEndian(h[30..], mid);
        for (int i = 0; i < blocks.Length; i++)
        {
            if (!blocks[i].AndX) continue;
            bool last = i + 1 == blocks.Length;
            // An offset given names a block of the same command: the last block then chains on too.
            message[starts[i] + 1] = andXOffsets?[i] is not null ? blocks[i].Command : last ? (byte)0xFF : blocks[i + 1].Command;
            int offset = andXOffsets?[i] ?? (last ? 0 : starts[i + 1]);
            BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(starts[i] + 3), (ushort)offset);
        }
        return Framed(message);
    }

    /// <summary>One request or response of a single block.</summary>
    public static byte[] Request(ushort mid, Block block, bool oem = false) => Message(mid, false, oem, [block]);

    public static byte[] Response(ushort mid, Block block, uint status = 0, ushort uid = Uid) => Message(mid, true, false, [block], status: status, uid: uid);

    /// <summary>The direct-TCP frame around a message ([MS-SMB2] 2.1): a zero byte and a 24-bit length.</summary>
    public static byte[] Framed(byte[] message) =>
        [0, (byte)(message.Length >> 16), (byte)(message.Length >> 8), (byte)message.Length, .. message];

    // A string in the message's encoding, after the pad that aligns UTF-16 on an even offset from the header.
    private static byte[] Name(string name, bool oem, int bytesAt) =>
        oem ? [.. Encoding.ASCII.GetBytes(name), 0] : [.. new byte[bytesAt % 2], .. Encoding.Unicode.GetBytes(name), 0, 0];

    /// <summary>NEGOTIATE request offering NT LM 0.12 ([MS-CIFS] 2.2.4.52.1), and the server's answer choosing it.</summary>
    public static Block NegotiateOf(bool response) =>
        new(Negotiate, false, _ => response ? (new byte[34], []) : ([], [0x02, .. "NT LM 0.12"u8, 0]));

    /// <summary>NT_CREATE_ANDX request opening <paramref name="name"/> ([MS-CIFS] 2.2.4.64.1).</summary>
    public static Block NtCreate(string name, bool oem = false) => new(NtCreateAndX, true, at =>
    {
        var words = new byte[48];
        var bytes = Name(name, oem, at + 1 + 48 + 2);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(5), (ushort)(oem ? name.Length + 1 : 2 * name.Length + 2));
        BinaryPrimitives.WriteUInt32LittleEndian(words.AsSpan(15), 0x0002019F); // DesiredAccess: read, write
        BinaryPrimitives.WriteUInt32LittleEndian(words.AsSpan(31), 3); // ShareAccess: read, write
        BinaryPrimitives.WriteUInt32LittleEndian(words.AsSpan(35), 1); // CreateDisposition: FILE_OPEN
        BinaryPrimitives.WriteUInt32LittleEndian(words.AsSpan(43), 2); // ImpersonationLevel: impersonation
        return (words, bytes);
    });

    /// <summary>NT_CREATE_ANDX response giving <paramref name="fid"/> ([MS-CIFS] 2.2.4.64.2), of a named pipe.</summary>
    public static Block NtCreateResponse(ushort fid) => new(NtCreateAndX, true, _ =>
    {
        var words = new byte[68];
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(5), fid);
        BinaryPrimitives.WriteUInt32LittleEndian(words.AsSpan(7), 1); // CreateAction: opened
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(63), 2); // ResourceType: message-mode named pipe
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(65), 0x05FF); // NMPipeStatus
        return (words, []);
    });

    /// <summary>WRITE_ANDX request of <paramref name="data"/> on <paramref name="fid"/> ([MS-SMB] 2.2.4.3.1), data right after ByteCount.</summary>
    public static Block WriteAndXOf(ushort fid, byte[] data, int? dataOffset = null, ushort mode = 0x0008) => new(WriteAndX, true, at =>
    {
        var words = new byte[28];
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(4), fid);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(14), mode);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(16), (ushort)data.Length); // Remaining
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(18), (ushort)(data.Length >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(20), (ushort)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(22), (ushort)(dataOffset ?? at + 1 + 28 + 2));
        return (words, data);
    });

    /// <summary>TREE_CONNECT_ANDX response ([MS-CIFS] 2.2.4.55.2) naming the share's <paramref name="service"/>: IPC, A: (a disk), LPT1:.</summary>
    public static Block TreeConnectResponse(string service) => new(TreeConnectAndX, true, _ =>
        (new byte[6], [.. Encoding.ASCII.GetBytes(service), 0, .. Encoding.Unicode.GetBytes("NTFS"), 0, 0]));

    /// <summary>WRITE_ANDX response ([MS-SMB] 2.2.4.3.2): the count written is left at zero, no reader here looks at it.</summary>
    public static readonly Block WriteAndXResponse = new(WriteAndX, true, _ => (new byte[12], []));

    /// <summary>
    /// WRITE request of <paramref name="data"/> on <paramref name="fid"/> ([MS-CIFS] 2.2.4.12.1), or with
    /// <paramref name="command"/> WRITE_AND_UNLOCK, of the same layout (2.2.4.21.1).
    /// </summary>
    public static Block WriteOf(ushort fid, byte[] data, byte command = Write) => new(command, false, _ =>
    {
        var words = new byte[10];
        BinaryPrimitives.WriteUInt16LittleEndian(words, fid);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(2), (ushort)data.Length);
        return (words, [0x01, (byte)data.Length, (byte)(data.Length >> 8), .. data]);
    });

    /// <summary>WRITE_AND_CLOSE request of <paramref name="data"/> on <paramref name="fid"/> ([MS-CIFS] 2.2.4.40.1), of 6 or 12 words.</summary>
    public static Block WriteAndCloseOf(ushort fid, byte[] data, bool twelveWords = false) => new(WriteAndClose, false, _ =>
    {
        var words = new byte[twelveWords ? 24 : 12];
        BinaryPrimitives.WriteUInt16LittleEndian(words, fid);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(2), (ushort)data.Length);
        return (words, [0, .. data]);
    });

    /// <summary>
    /// WRITE_RAW (or, with <paramref name="command"/>, WRITE_MPX) request on <paramref name="fid"/> carrying
    /// <paramref name="data"/> ([MS-CIFS] 2.2.4.25.1, 2.2.4.26.1): the two share the place of the FID and the data.
    /// </summary>
    public static Block WriteRawOf(ushort fid, byte[] data, byte command = WriteRaw) => new(command, false, at =>
    {
        var words = new byte[24];
        BinaryPrimitives.WriteUInt16LittleEndian(words, fid);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(2), (ushort)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(20), (ushort)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(22), (ushort)(at + 1 + 24 + 2));
        return (words, data);
    });

    /// <summary>CLOSE request of <paramref name="fid"/> ([MS-CIFS] 2.2.4.5.1).</summary>
    public static Block CloseOf(ushort fid) => new(Close, false, _ =>
    {
        var words = new byte[6];
        BinaryPrimitives.WriteUInt16LittleEndian(words, fid);
        BinaryPrimitives.WriteUInt32LittleEndian(words.AsSpan(2), 0xFFFFFFFF);
        return (words, []);
    });

    /// <summary>
    /// TRANSACTION request on \PIPE\ with TransactNmPipe on <paramref name="fid"/> ([MS-CIFS] 2.2.5.6.1): <paramref name="data"/>
    /// is the first part of <paramref name="totalData"/> bytes when that is larger (the rest in secondary requests).
    /// </summary>
    public static Block TransactNmPipe(ushort fid, byte[] data, int? totalData = null, bool oem = false) => new(Transaction, false, at =>
    {
        var words = new byte[32];
        int bytesAt = at + 1 + 32 + 2;
        var name = Name("\\PIPE\\", oem, bytesAt);
        int pad = (4 - (bytesAt + name.Length) % 4) % 4;
        int dataOffset = bytesAt + name.Length + pad;
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(2), (ushort)(totalData ?? data.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(6), 1024); // MaxDataCount
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(20), (ushort)dataOffset); // ParameterOffset (no parameters)
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(22), (ushort)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(24), (ushort)dataOffset);
        words[26] = 2;
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(28), 0x0026);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(30), fid);
        return (words, [.. name, .. new byte[pad], .. data]);
    });

    /// <summary>
    /// TRANSACTION response ([MS-CIFS] 2.2.4.33.2) carrying <paramref name="data"/>, what the pipe sent back, after a pad
    /// that aligns it on 4 bytes; no parameters, no setup words.
    /// </summary>
    public static Block TransactionResponseOf(byte[] data) => new(Transaction, false, at =>
    {
        var words = new byte[20];
        int bytesAt = at + 1 + 20 + 2;
        int pad = (4 - bytesAt % 4) % 4;
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(2), (ushort)data.Length); // TotalDataCount
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(8), (ushort)(bytesAt + pad)); // ParameterOffset
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(12), (ushort)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(14), (ushort)(bytesAt + pad));
        return (words, [.. new byte[pad], .. data]);
    });

    /// <summary>READ_ANDX request of up to 1024 bytes of <paramref name="fid"/> ([MS-CIFS] 2.2.4.42.1), of 12 words.</summary>
    public static Block ReadAndXOf(ushort fid) => new(ReadAndX, true, _ =>
    {
        var words = new byte[24];
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(4), fid);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(10), 1024); // MaxCountOfBytesToReturn
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(12), 1024); // MinCountOfBytesToReturn
        return (words, []);
    });

    /// <summary>READ_ANDX response ([MS-CIFS] 2.2.4.42.2) carrying <paramref name="data"/> after a pad byte.</summary>
    public static Block ReadAndXResponseOf(byte[] data) => new(ReadAndX, true, at =>
    {
        var words = new byte[24];
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(4), 0xFFFF); // Available: a pipe's is not counted
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(10), (ushort)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(12), (ushort)(at + 1 + 24 + 2 + 1));
        return (words, [0, .. data]);
    });

    /// <summary>READ request of up to 1024 bytes of <paramref name="fid"/> ([MS-CIFS] 2.2.4.11.1).</summary>
    public static Block ReadOf(ushort fid) => new(Read, false, _ =>
    {
        var words = new byte[10];
        BinaryPrimitives.WriteUInt16LittleEndian(words, fid);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(2), 1024);
        return (words, []);
    });

    /// <summary>READ response ([MS-CIFS] 2.2.4.11.2) carrying <paramref name="data"/>: a buffer format and length before it.</summary>
    public static Block ReadResponseOf(byte[] data) => new(Read, false, _ =>
    {
        var words = new byte[10];
        BinaryPrimitives.WriteUInt16LittleEndian(words, (ushort)data.Length);
        return (words, [0x01, (byte)data.Length, (byte)(data.Length >> 8), .. data]);
    });

    /// <summary>TRANSACTION_SECONDARY request carrying <paramref name="data"/> at <paramref name="displacement"/> ([MS-CIFS] 2.2.4.34.1).</summary>
    public static Block TransactionSecondaryOf(byte[] data, int displacement, int totalData) => new(TransactionSecondary, false, at =>
    {
        var words = new byte[16];
        int dataOffset = at + 1 + 16 + 2;
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(2), (ushort)totalData);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(6), (ushort)dataOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(10), (ushort)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(12), (ushort)dataOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(14), (ushort)displacement);
        return (words, data);
    });

    /// <summary>
    /// A captured TCP conversation on <paramref name="port"/>: the handshake, then each message from the client (true) or
    /// the server in order, acknowledged as it goes, and the close.
    /// </summary>
    public static byte[] Conversation(string client, string server, ushort port, params (bool FromClient, byte[] Bytes)[] messages)
    {
        var pcap = new PcapBuilder();
        double time = 1;
        uint clientSeq = 1000, serverSeq = 5000;
        void Add(bool fromClient, byte flags, byte[] data)
        {
            var tcp = fromClient
                ? Tcp(50000, port, flags, clientSeq, serverSeq, data)
                : Tcp(port, 50000, flags, serverSeq, clientSeq, data);
            pcap.Add(Ethernet(fromClient ? Ip(client, server, 6, tcp) : Ip(server, client, 6, tcp)), time += 0.001);
            uint used = (uint)data.Length + ((flags & (Syn | Fin)) != 0 ? 1u : 0u);
            if (fromClient) clientSeq += used;
            else serverSeq += used;
        }
        Add(true, Syn, []);
        Add(false, Syn | Ack, []);
        Add(true, Ack, []);
        foreach (var (fromClient, bytes) in messages) Add(fromClient, Psh | Ack, bytes);
        Add(true, Fin | Ack, []);
        Add(false, Fin | Ack, []);
        return pcap.Build();
    }
}
