using System.Buffers.Binary;
using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.DceRpc;
using PortAudit.Inspect.Ntlm;
using PortAudit.Inspect.Protocols;

namespace PortAudit.Inspect.Smb;

/// <summary>
/// Reads an SMB flow past its recognition for the DCE/RPC it carries over named pipes ([MS-SMB2]; [MS-RPCE] 2.1.1.2):
/// a CREATE names the pipe, its response gives the file id, and the WRITE and FSCTL_PIPE_TRANSCEIVE requests on that
/// id carry the client's PDUs, read by one <see cref="RpcAssociation"/> per pipe. Also notes SMB1 messages, SMB3
/// encryption (the RPC is then unreadable) and NTLMv1 in SESSION_SETUP. Bounded: at most <see cref="Look"/> bytes of a
/// message are read (the rest is skipped unheld), <see cref="MaxMessages"/> messages and <see cref="MaxBytes"/> bytes per flow.
/// </summary>
public sealed class SmbPipeFollower : IFlowFollower
{
    /// <summary>Messages read per flow, both directions; past it the flow is let go.</summary>
    public const int MaxMessages = 4096;

    /// <summary>Bytes passed per flow, both directions, read or skipped; past it the flow is let go (a file copy).</summary>
    public const long MaxBytes = 64L << 20;

    /// <summary>Most bytes of one message read: enough for any header and a pipe's PDU start; a READ's data is skipped.</summary>
    public const int Look = 16384;

    private const int MaxPipes = 8;
    private const int MaxCreates = 8;
    private const int MaxNameChars = 80;
    private const int MaxCompound = 16;

    private const int HeaderSize = Smb2Header.Size;
    private const ushort SessionSetup = 1, Create = 5, Write = 9, Ioctl = 11;

    // Request and response bodies, from the header's start ([MS-SMB2] 2.2.5, 2.2.13, 2.2.14, 2.2.21, 2.2.31).
    private const int SecurityBufferOffset = HeaderSize + 12;
    private const int CreateNameOffset = HeaderSize + 44;
    private const int CreateResponseFileId = HeaderSize + 64;
    private const int WriteDataOffset = HeaderSize + 2;
    private const int WriteLength = HeaderSize + 4;
    private const int WriteFileId = HeaderSize + 16;
    private const int IoctlCtlCode = HeaderSize + 4;
    private const int IoctlFileId = HeaderSize + 8;
    private const int IoctlInputOffset = HeaderSize + 24;
    private const int IoctlInputCount = HeaderSize + 28;
    private const uint FsctlPipeTransceive = 0x0011C017;

    private readonly ulong[] _createIds = new ulong[MaxCreates];
    private readonly string?[] _createNames = new string?[MaxCreates];
    private readonly Pipe?[] _pipes = new Pipe?[MaxPipes];
    private int _nextCreate, _nextPipe, _messages;
    private long _bytes, _skipToServer, _skipToClient;
    private bool _stopped;

    private SmbPipeFollower()
    {
    }

    /// <summary>A follower for <paramref name="flow"/> when it is SMB over TCP, else null.</summary>
    public static IFlowFollower? For(Flow flow) =>
        flow.App == AppLabel.Smb && flow.Protocol == IpProtocol.Tcp ? new SmbPipeFollower() : null;

    /// <inheritdoc />
    public bool Finished => _stopped || _messages >= MaxMessages || _bytes >= MaxBytes;

    /// <inheritdoc />
    public void OnStream(Flow flow, bool fromClient, DirectionStream stream)
    {
        ref long skip = ref fromClient ? ref _skipToServer : ref _skipToClient;
        while (!Finished)
        {
            var data = stream.Data;
            if (skip > 0)
            {
                int passed = (int)Math.Min(skip, data.Length);
                if (passed == 0) return;
                stream.Consume(passed);
                skip -= passed;
                _bytes += passed;
                continue;
            }
            if (data.Length < NetBiosSession.Header) return;
            long total;
            // Direct TCP (445) frames with a zero byte and a 24-bit length ([MS-SMB2] 2.1); 139 adds session control frames.
            if (data[0] == NetBiosSession.Message) total = NetBiosSession.Header + ((data[1] << 16) | (data[2] << 8) | data[3]);
            else if (NetBiosSession.TryHeader(data, out _, out int length)) total = NetBiosSession.Header + length;
            else
            {
                // Not a frame: the stream lost its framing (a gap, or bytes dropped before the follower began).
                _stopped = true;
                return;
            }
            int look = (int)Math.Min(total, Look);
            if (data.Length < look) return;
            _messages++;
            if (data[0] == NetBiosSession.Message) OnMessage(flow, fromClient, data[NetBiosSession.Header..look]);
            stream.Consume(look);
            _bytes += look;
            skip = total - look;
        }
    }

    /// <inheritdoc />
    public void OnDatagram(Flow flow, bool fromClient, ReadOnlySpan<byte> datagram)
    {
    }

    private void OnMessage(Flow flow, bool fromClient, ReadOnlySpan<byte> message)
    {
        if (message.Length < 4 || !message[1..4].SequenceEqual("SMB"u8)) return;
        switch (message[0])
        {
            case 0xFF:
                // A client opens with an SMB1 negotiate offering SMB2 dialects too ([MS-SMB2] 3.2.4.2.2.1); SMB1 is
                // spoken only when the server answers in it.
                if (!fromClient) flow.Weakness |= FlowWeakness.Smb1;
                return;
            case 0xFD:
                // A transform header: everything after it is encrypted ([MS-SMB2] 2.2.41), the pipes included.
                RpcAssociation.Log(flow).Uninspectable = "smb3 encrypted";
                _stopped = true;
                return;
            case 0xFE:
                OnCompound(flow, message);
                return;
        }
    }

    // Related or unrelated, compounded commands follow one another at NextCommand offsets ([MS-SMB2] 3.2.4.1.4).
    private void OnCompound(Flow flow, ReadOnlySpan<byte> message)
    {
        int at = 0;
        for (int i = 0; i < MaxCompound && at + HeaderSize <= message.Length; i++)
        {
            uint next = BinaryPrimitives.ReadUInt32LittleEndian(message[(at + Smb2Header.NextCommandOffset)..]);
            bool last = next < HeaderSize || next > message.Length - at;
            OnCommand(flow, last ? message[at..] : message.Slice(at, (int)next));
            if (last) return;
            at += (int)next;
        }
    }

    private void OnCommand(Flow flow, ReadOnlySpan<byte> smb)
    {
        if (smb[0] != 0xFE || !smb[1..4].SequenceEqual("SMB"u8)) return;
        ushort command = BinaryPrimitives.ReadUInt16LittleEndian(smb[Smb2Header.CommandOffset..]);
        bool response = (BinaryPrimitives.ReadUInt32LittleEndian(smb[Smb2Header.FlagsOffset..]) & Smb2Header.ServerToRedir) != 0;
        ulong messageId = BinaryPrimitives.ReadUInt64LittleEndian(smb[Smb2Header.MessageIdOffset..]);
        switch (command)
        {
            case SessionSetup when !response && smb.Length >= SecurityBufferOffset + 4:
                var token = Buffer(smb, BinaryPrimitives.ReadUInt16LittleEndian(smb[SecurityBufferOffset..]),
                    BinaryPrimitives.ReadUInt16LittleEndian(smb[(SecurityBufferOffset + 2)..]));
                if (NtlmMessage.ContainsV1Authenticate(token)) flow.Weakness |= FlowWeakness.NtlmV1;
                return;
            case Create when !response && smb.Length >= CreateNameOffset + 4:
                OnCreate(messageId, Buffer(smb, BinaryPrimitives.ReadUInt16LittleEndian(smb[CreateNameOffset..]),
                    BinaryPrimitives.ReadUInt16LittleEndian(smb[(CreateNameOffset + 2)..])));
                return;
            case Create when response && smb.Length >= CreateResponseFileId + 16
                && BinaryPrimitives.ReadUInt32LittleEndian(smb[Smb2Header.StatusOffset..]) == 0:
                OnOpened(messageId, new Guid(smb.Slice(CreateResponseFileId, 16)));
                return;
            case Write when !response && smb.Length >= WriteFileId + 16:
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(smb[WriteLength..]);
                OnPipeData(flow, new Guid(smb.Slice(WriteFileId, 16)),
                    Buffer(smb, BinaryPrimitives.ReadUInt16LittleEndian(smb[WriteDataOffset..]), length), length);
                return;
            case Ioctl when !response && smb.Length >= IoctlInputCount + 4
                && BinaryPrimitives.ReadUInt32LittleEndian(smb[IoctlCtlCode..]) == FsctlPipeTransceive:
                uint count = BinaryPrimitives.ReadUInt32LittleEndian(smb[IoctlInputCount..]);
                OnPipeData(flow, new Guid(smb.Slice(IoctlFileId, 16)),
                    Buffer(smb, BinaryPrimitives.ReadUInt32LittleEndian(smb[IoctlInputOffset..]), count), count);
                return;
        }
    }

    // The part of a buffer (offset from the header's start) present in what was read: a message past Look is cut.
    private static ReadOnlySpan<byte> Buffer(ReadOnlySpan<byte> smb, uint offset, uint length)
    {
        if (offset >= (uint)smb.Length) return default;
        return smb.Slice((int)offset, (int)Math.Min(length, (uint)smb.Length - offset));
    }

    private void OnCreate(ulong messageId, ReadOnlySpan<byte> utf16Name)
    {
        // Pipe names are short and have no extension: a long path or a file name with a dot is a file on a share, and a
        // file server opens thousands of those, none worth a string.
        if (utf16Name.IsEmpty || utf16Name.Length > 2 * MaxNameChars || HasDot(utf16Name)) return;
        string name = Encoding.Unicode.GetString(utf16Name);
        int slash = name.LastIndexOf('\\');
        _createIds[_nextCreate] = messageId;
        _createNames[_nextCreate] = slash >= 0 ? name[(slash + 1)..] : name;
        _nextCreate = (_nextCreate + 1) % MaxCreates;
    }

    private static bool HasDot(ReadOnlySpan<byte> utf16)
    {
        for (int i = 0; i + 1 < utf16.Length; i += 2)
            if (utf16[i] == '.' && utf16[i + 1] == 0) return true;
        return false;
    }

    private void OnOpened(ulong messageId, Guid fileId)
    {
        for (int i = 0; i < MaxCreates; i++)
        {
            if (_createNames[i] is not { } name || _createIds[i] != messageId) continue;
            _createNames[i] = null;
            // The oldest pipe gives way: a long session opens and closes pipes as it goes.
            _pipes[_nextPipe] = new Pipe(fileId, new RpcAssociation("pipe " + name));
            _nextPipe = (_nextPipe + 1) % MaxPipes;
            return;
        }
    }

    private void OnPipeData(Flow flow, Guid fileId, ReadOnlySpan<byte> data, uint declared)
    {
        Pipe? pipe = null;
        foreach (var candidate in _pipes)
            if (candidate is not null && candidate.FileId == fileId) pipe = candidate;
        if (pipe is null) return;
        // The rest of a PDU begun in an earlier write comes first.
        long at = Math.Min(pipe.Remaining, declared);
        pipe.Remaining -= at;
        while (at + CoHeader.Size <= data.Length && CoHeader.TryRead(data[(int)at..], out var header))
        {
            long end = at + header.FragLength;
            pipe.Association.Read(flow, header, data[(int)at..(int)Math.Min(end, data.Length)]);
            if (end > declared)
            {
                pipe.Remaining = end - declared;
                return;
            }
            at = end;
        }
    }

    private sealed class Pipe(Guid fileId, RpcAssociation association)
    {
        public Guid FileId { get; } = fileId;

        public RpcAssociation Association { get; } = association;

        public long Remaining { get; set; }
    }
}
