using System.Buffers.Binary;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.DceRpc;
using PortAudit.Inspect.Ntlm;
using PortAudit.Inspect.Protocols;

namespace PortAudit.Inspect.Smb;

/// <summary>
/// Reads an SMB flow past its recognition, for its whole life, for the DCE/RPC it carries over named pipes ([MS-SMB2];
/// [MS-RPCE] 2.1.1.2): a CREATE names the pipe, its response gives the file id (a WRITE or IOCTL compounded after the
/// CREATE names it by the related-operations file id), and the WRITE and FSCTL_PIPE_TRANSCEIVE requests on that id
/// carry the client's PDUs, read by one <see cref="RpcAssociation"/> per pipe as one byte stream: a PDU may be cut
/// across writes anywhere (Metasploit's SMB::pipe_evasion). The READ and transceive responses on that id, paired with
/// their request, carry the server's answers (which contexts it bound). A CLOSE ends the pipe. SMB1 messages are read the same way
/// for the pipes they open and write (<see cref="Smb1PipeReader"/>); the pipes of either dialect are one table
/// (<see cref="SmbPipes"/>). Also notes SMB1 spoken, SMB3 encryption and compression (what they carry is not read) and
/// NTLMv1 in SESSION_SETUP.
/// </summary>
/// <remarks>
/// Bounded per flow: each compounded command is read up to <see cref="Look"/> bytes, enough for any header; the rest of
/// a pipe's WRITE or IOCTL input and of its READ or transceive answers streams through to its association as it passes,
/// everything else (file data, reads of files) is dropped unread and uncopied (<see cref="DirectionStream.Skip"/>). At most <see cref="MaxPipes"/> pipes
/// open at once (the oldest gives way; its calls are then marked unseen) and a few CREATEs awaiting
/// their answer. No count of messages or bytes ends the reading: a file copy on the same connection does not hide the
/// pipe opened after it.
/// </remarks>
public sealed class SmbPipeFollower : IFlowFollower
{
    /// <summary>Most bytes of one command read: enough for any header and a pipe's PDU start.</summary>
    public const int Look = 16384;

    /// <summary>Pipes followed at once.</summary>
    public const int MaxPipes = SmbPipes.MaxPipes;

    private const int HeaderSize = Smb2Header.Size;
    private const ushort SessionSetup = 1, TreeConnect = 3, Create = 5, Close = 6, Read = 8, Write = 9, Ioctl = 11;
    private const uint AsyncCommand = 0x2, RelatedOperations = 0x4, StatusPending = 0x00000103, StatusBufferOverflow = 0x80000005;

    // Request and response bodies, from the header's start ([MS-SMB2] 2.2.5, 2.2.13, 2.2.14, 2.2.15, 2.2.21, 2.2.31).
    private const int SecurityBufferOffset = HeaderSize + 12;
    private const int TreeConnectShareType = HeaderSize + 2;
    private const byte ShareTypePipe = 0x02;
    private const int CreateNameOffset = HeaderSize + 44;
    private const int CreateResponseFileId = HeaderSize + 64;
    private const int CloseFileId = HeaderSize + 8;
    private const int WriteDataOffset = HeaderSize + 2;
    private const int WriteLength = HeaderSize + 4;
    private const int WriteFileId = HeaderSize + 16;
    private const int ReadFileId = HeaderSize + 16;
    private const int ReadResponseDataOffset = HeaderSize + 2;
    private const int ReadResponseDataLength = HeaderSize + 4;
    private const int IoctlCtlCode = HeaderSize + 4;
    private const int IoctlFileId = HeaderSize + 8;
    private const int IoctlInputOffset = HeaderSize + 24;
    private const int IoctlInputCount = HeaderSize + 28;
    private const int IoctlOutputOffset = HeaderSize + 32;
    private const int IoctlOutputCount = HeaderSize + 36;
    private const uint FsctlPipeTransceive = 0x0011C017;

    // The file id a command compounded after a CREATE uses for the file that CREATE opens ([MS-SMB2] 3.2.4.1.4).
    private static readonly Guid RelatedFileId = new(Enumerable.Repeat((byte)0xFF, 16).ToArray());

    private readonly SmbPipes _pipes = new();
    private readonly Smb1PipeReader _smb1;
    private readonly Reading _toServer = new(), _toClient = new();
    private bool _stopped;
    // The pipe the last CREATE of the compound being read opens: a related command after it uses that file.
    private SmbPipe? _chainPipe;

    private SmbPipeFollower() => _smb1 = new Smb1PipeReader(_pipes);

    /// <summary>A follower for <paramref name="flow"/> when it is SMB over TCP, else null.</summary>
    public static IFlowFollower? For(Flow flow) =>
        flow.App == AppLabel.Smb && flow.Protocol == IpProtocol.Tcp ? new SmbPipeFollower() : null;

    /// <inheritdoc />
    public bool Finished => _stopped;

    /// <inheritdoc />
    public void OnStream(Flow flow, bool fromClient, DirectionStream stream)
    {
        var d = fromClient ? _toServer : _toClient;
        while (!_stopped)
        {
            var data = stream.Data;
            if (d.Skip > 0)
            {
                if (!Pass(flow, d, stream)) return;
                continue;
            }
            if (d.FrameLeft == 0)
            {
                if (data.Length < NetBiosSession.Header) return;
                // Direct TCP (445) frames with a zero byte and a 24-bit length ([MS-SMB2] 2.1); 139 adds session control frames.
                if (data[0] == NetBiosSession.Message) d.FrameLeft = (data[1] << 16) | (data[2] << 8) | data[3];
                else if (NetBiosSession.TryHeader(data, out _, out int length)) d.Skip = length;
                else
                {
                    // Not a frame: the stream lost its framing (a gap, or bytes dropped before the follower began).
                    Lose(flow, fromClient, "bytes that are no SMB frame");
                    return;
                }
                stream.Consume(NetBiosSession.Header);
                d.First = true;
                _chainPipe = null;
                continue;
            }
            int look = (int)Math.Min(d.FrameLeft, Look);
            if (data.Length < look) return;
            int read = d.First ? OnFrameStart(flow, fromClient, d, data[..look]) : OnCommands(flow, fromClient, d, data[..look]);
            stream.Consume(read);
        }
    }

    /// <inheritdoc />
    public void OnBroken(Flow flow, bool fromClient, string why)
    {
        if (fromClient) Lose(flow, fromClient, why);
    }

    /// <inheritdoc />
    public void OnDatagram(Flow flow, bool fromClient, ReadOnlySpan<byte> datagram)
    {
    }

    // Passes skipped bytes: those of a pipe's WRITE data go to its association on the way, the rest are dropped unread
    // (what is not held yet is dropped as it comes, uncopied). False when it must wait for bytes.
    private bool Pass(Flow flow, Reading d, DirectionStream stream)
    {
        if (d.Tap is not { } pipe || d.TapLeft <= 0)
        {
            d.Tap = null;
            stream.Skip(d.Skip);
            d.Skip = 0;
            return true;
        }
        var data = stream.Data;
        if (data.IsEmpty) return false;
        if (d.TapFrom > 0)
        {
            int passed = (int)Math.Min(d.TapFrom, data.Length);
            stream.Consume(passed);
            d.Skip -= passed;
            d.TapFrom -= passed;
            return true;
        }
        int fed = (int)Math.Min(d.TapLeft, data.Length);
        SmbPipes.Feed(flow, pipe, data[..fed]);
        stream.Consume(fed);
        d.TapLeft -= fed;
        d.Skip -= fed;
        return true;
    }

    // The first command of a frame: an SMB1 message, an SMB2 compound, or a transform (encryption, compression).
    private int OnFrameStart(Flow flow, bool fromClient, Reading d, ReadOnlySpan<byte> message)
    {
        d.First = false;
        if (message.Length < 4 || !message[1..4].SequenceEqual("SMB"u8)) return SkipFrame(d, 0);
        switch (message[0])
        {
            case 0xFF:
                // A client opens with an SMB1 negotiate offering SMB2 dialects too ([MS-SMB2] 3.2.4.2.2.1); SMB1 is
                // spoken only when the server answers in it.
                if (!fromClient) flow.Weakness |= FlowWeakness.Smb1;
                return OnSmb1(flow, fromClient, d, message);
            case 0xFD:
                // A transform header: everything after it is encrypted ([MS-SMB2] 2.2.41), the pipes included.
                RpcAssociation.Log(flow).Uninspectable = "smb3 encrypted";
                _stopped = true;
                return 0;
            case 0xFC:
                // A compressed message ([MS-SMB2] 2.2.42): a client's may be a pipe's WRITE, whose calls are not read.
                if (fromClient) RpcAssociation.Log(flow).MissedCalls("smb3 compressed");
                return SkipFrame(d, 0);
            case 0xFE:
                return OnCommands(flow, fromClient, d, message);
        }
        return SkipFrame(d, 0);
    }

    // An SMB1 message is one frame: its AndX chain is read, and a pipe's write data past what was read streams on.
    private int OnSmb1(Flow flow, bool fromClient, Reading d, ReadOnlySpan<byte> message)
    {
        var pipe = _smb1.Read(flow, fromClient, message, d.FrameLeft, out long dataAt, out long dataLength);
        long end = d.FrameLeft;
        SkipFrame(d, message.Length);
        Tap(d, pipe, message.Length, dataAt, dataLength, end);
        return message.Length;
    }

    // The rest of a command past the `present` bytes read is skipped; the part of it that is a pipe's data (at dataAt,
    // dataLength bytes, before the command's end) streams to the pipe on the way.
    private static void Tap(Reading d, SmbPipe? pipe, long present, long dataAt, long dataLength, long end)
    {
        d.Tap = null;
        long tapEnd = Math.Min(dataAt + dataLength, end), tapStart = Math.Max(present, dataAt);
        if (pipe is null || tapEnd <= tapStart) return;
        d.Tap = pipe;
        d.TapFrom = tapStart - present;
        d.TapLeft = tapEnd - tapStart;
    }

    // The frame's bytes after the first read pass unread.
    private static int SkipFrame(Reading d, int read)
    {
        d.Skip = d.FrameLeft - read;
        d.FrameLeft = 0;
        d.Tap = null;
        return read;
    }

    // Related or unrelated, compounded commands follow one another at NextCommand offsets ([MS-SMB2] 3.2.4.1.4). Reads
    // those that begin within what was read; a command that runs past it is finished by the skip (its WRITE data
    // streamed to the pipe), and the frame's next command is read after it.
    private int OnCommands(Flow flow, bool fromClient, Reading d, ReadOnlySpan<byte> read)
    {
        int at = 0;
        while (true)
        {
            if (at + HeaderSize > read.Length)
            {
                // The next command begins past what was read: it is read next, from where it begins.
                if (at < d.FrameLeft && read.Length < d.FrameLeft)
                {
                    d.FrameLeft -= at;
                    return at;
                }
                return SkipFrame(d, at);
            }
            if (read[at] != 0xFE || !read.Slice(at + 1, 3).SequenceEqual("SMB"u8)) return SkipFrame(d, at);
            uint next = BinaryPrimitives.ReadUInt32LittleEndian(read[(at + Smb2Header.NextCommandOffset)..]);
            bool last = next < HeaderSize || next > d.FrameLeft - at;
            long end = last ? d.FrameLeft : at + next;
            var command = read[at..(int)Math.Min(end, read.Length)];
            var pipe = OnCommand(flow, command, out long dataAt, out long dataLength);
            if (end <= read.Length)
            {
                if (last) return SkipFrame(d, (int)end);
                at = (int)end;
                continue;
            }
            // The command runs past what was read: the rest of it is skipped, its pipe data streamed on the way, and the
            // frame's next command, if any, is read after it.
            d.Skip = end - read.Length;
            d.FrameLeft -= end;
            Tap(d, pipe, command.Length, dataAt, dataLength, end - at);
            return read.Length;
        }
    }

    // Reads one command; for a WRITE or IOCTL on a pipe, feeds the pipe the part of its data present, and returns the
    // pipe with where its data lies in the command (from the header), so that the rest can be streamed on.
    private SmbPipe? OnCommand(Flow flow, ReadOnlySpan<byte> smb, out long dataAt, out long dataLength)
    {
        SmbPipe? pipe = null;
        dataAt = dataLength = 0;
        ushort command = BinaryPrimitives.ReadUInt16LittleEndian(smb[Smb2Header.CommandOffset..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(smb[Smb2Header.FlagsOffset..]);
        bool response = (flags & Smb2Header.ServerToRedir) != 0;
        ulong messageId = BinaryPrimitives.ReadUInt64LittleEndian(smb[Smb2Header.MessageIdOffset..]);
        // An async message carries an async id where a sync one has its tree id ([MS-SMB2] 2.2.1.1).
        uint? tree = (flags & AsyncCommand) == 0 ? BinaryPrimitives.ReadUInt32LittleEndian(smb[Smb2Header.TreeIdOffset..]) : null;
        switch (command)
        {
            case SessionSetup when !response && smb.Length >= SecurityBufferOffset + 4:
                var token = Buffer(smb, BinaryPrimitives.ReadUInt16LittleEndian(smb[SecurityBufferOffset..]),
                    BinaryPrimitives.ReadUInt16LittleEndian(smb[(SecurityBufferOffset + 2)..]));
                if (NtlmMessage.ContainsV1Authenticate(token)) flow.Weakness |= FlowWeakness.NtlmV1;
                break;
            // The answer names the share's type ([MS-SMB2] 2.2.10): IPC$ holds pipes, a disk or printer share files.
            case TreeConnect when response && smb.Length > TreeConnectShareType && tree is { } connected
                && BinaryPrimitives.ReadUInt32LittleEndian(smb[Smb2Header.StatusOffset..]) == 0:
                _pipes.Connected(connected, pipes: smb[TreeConnectShareType] == ShareTypePipe);
                break;
            case Create when !response && smb.Length >= CreateNameOffset + 4:
                _chainPipe = _pipes.Create(messageId, Buffer(smb, BinaryPrimitives.ReadUInt16LittleEndian(smb[CreateNameOffset..]),
                    BinaryPrimitives.ReadUInt16LittleEndian(smb[(CreateNameOffset + 2)..])), unicode: true, tree);
                break;
            case Create when response && smb.Length >= Smb2Header.StatusOffset + 4:
                uint status = BinaryPrimitives.ReadUInt32LittleEndian(smb[Smb2Header.StatusOffset..]);
                // An interim answer (STATUS_PENDING) comes before the one that says.
                if (status == StatusPending) break;
                _pipes.Opened(flow, messageId, status == 0 && smb.Length >= CreateResponseFileId + 16 ? new Guid(smb.Slice(CreateResponseFileId, 16)) : null, tree);
                break;
            case Close when !response && smb.Length >= CloseFileId + 16:
                _pipes.Closed(new Guid(smb.Slice(CloseFileId, 16)));
                break;
            case Write when !response && smb.Length >= WriteFileId + 16:
                dataAt = BinaryPrimitives.ReadUInt16LittleEndian(smb[WriteDataOffset..]);
                dataLength = BinaryPrimitives.ReadUInt32LittleEndian(smb[WriteLength..]);
                pipe = PipeOf(flow, smb, WriteFileId, flags, tree, dataAt, dataLength);
                break;
            case Ioctl when !response && smb.Length >= IoctlInputCount + 4
                && BinaryPrimitives.ReadUInt32LittleEndian(smb[IoctlCtlCode..]) == FsctlPipeTransceive:
                dataAt = BinaryPrimitives.ReadUInt32LittleEndian(smb[IoctlInputOffset..]);
                dataLength = BinaryPrimitives.ReadUInt32LittleEndian(smb[IoctlInputCount..]);
                pipe = PipeOf(flow, smb, IoctlFileId, flags, tree, dataAt, dataLength);
                break;
            // What the pipe sends back comes in a READ's answer (paired with its request by message id) or a
            // transceive's: the server's answers to binds.
            case Read when !response && smb.Length >= ReadFileId + 16:
                if (_pipes.Find(new Guid(smb.Slice(ReadFileId, 16))) is { } reading) _pipes.Reading(messageId, reading);
                break;
            case Read when response && smb.Length >= ReadResponseDataLength + 4 && Answers(smb):
                if (_pipes.ReadAnswered(messageId) is { } read)
                    Answer(flow, read, smb, smb[ReadResponseDataOffset], BinaryPrimitives.ReadUInt32LittleEndian(smb[ReadResponseDataLength..]));
                break;
            case Ioctl when response && smb.Length >= IoctlOutputCount + 4 && Answers(smb)
                && BinaryPrimitives.ReadUInt32LittleEndian(smb[IoctlCtlCode..]) == FsctlPipeTransceive:
                if (_pipes.Find(new Guid(smb.Slice(IoctlFileId, 16))) is { } transceived)
                    Answer(flow, transceived, smb, BinaryPrimitives.ReadUInt32LittleEndian(smb[IoctlOutputOffset..]),
                        BinaryPrimitives.ReadUInt32LittleEndian(smb[IoctlOutputCount..]));
                break;
        }
        if (pipe is null || dataLength == 0 || dataAt < HeaderSize) return null;
        SmbPipes.Feed(flow, pipe, Buffer(smb, (uint)dataAt, (uint)dataLength));
        return pipe;
    }

    // Hands the pipe's answer, `length` bytes at `offset` from the response's start, to its association.
    private static void Answer(Flow flow, SmbPipe pipe, ReadOnlySpan<byte> smb, uint offset, uint length)
    {
        if (offset >= HeaderSize) SmbPipes.FeedAnswers(flow, pipe, Buffer(smb, offset, length), length);
    }

    // A response carrying what the pipe sent: a success, or a message longer than the read asked for (the rest comes in
    // the next read, [MS-SMB2] 3.3.4.4).
    private static bool Answers(ReadOnlySpan<byte> smb) =>
        BinaryPrimitives.ReadUInt32LittleEndian(smb[Smb2Header.StatusOffset..]) is 0 or StatusBufferOverflow;

    // The part of a buffer (offset from the header's start) present in what was read: a command past Look is cut.
    private static ReadOnlySpan<byte> Buffer(ReadOnlySpan<byte> smb, uint offset, uint length)
    {
        if (offset >= (uint)smb.Length) return default;
        return smb.Slice((int)offset, (int)Math.Min(length, (uint)smb.Length - offset));
    }

    // The pipe a WRITE or IOCTL names by the file id at fileIdAt: the one its compound's CREATE opens, an open one, or, for
    // a file never seen opened, one its data shows it is (the capture began after the CREATE, or the CREATE's request
    // was pushed out of those awaiting an answer).
    private SmbPipe? PipeOf(Flow flow, ReadOnlySpan<byte> smb, int fileIdAt, uint flags, uint? tree, long dataAt, long dataLength)
    {
        var fileId = new Guid(smb.Slice(fileIdAt, 16));
        // The CREATE of the compound is in sight: its name said whether it opens a pipe.
        if ((flags & RelatedOperations) != 0 && fileId == RelatedFileId) return _chainPipe;
        return _pipes.Find(fileId) ?? _pipes.Unopened(flow, fileId, tree,
            dataAt >= HeaderSize ? Buffer(smb, (uint)dataAt, (uint)dataLength) : default, dataLength,
            "a write on a pipe never seen opened");
    }

    private void Lose(Flow flow, bool fromClient, string why)
    {
        // What the server sends names no call; a hole in the client's bytes hides what comes after it.
        if (fromClient) RpcAssociation.Log(flow).LoseCalls(why);
        _stopped = true;
    }

    // Where one direction's reading stands.
    private sealed class Reading
    {
        // Bytes of the current frame not yet read or skipped; 0 between frames.
        public long FrameLeft;

        // True when the next bytes of the frame are its first command.
        public bool First;

        // Bytes to pass unread; of them, TapLeft bytes from TapFrom on are a pipe's data, fed to Tap.
        public long Skip, TapFrom, TapLeft;
        public SmbPipe? Tap;
    }
}
