using System.Buffers.Binary;
using System.Text;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using PortAudit.Inspect.Smb;

namespace PortAudit.Tests.Inspect;

[Trait(Tier.Name, Tier.Unit)]
public class SmbPipeFollowerTests
{
    internal static readonly Guid Spoolss = new("12345678-1234-abcd-ef00-0123456789ab");
    internal static readonly Guid Efsrpc = new("df1941c5-fe89-4e79-bf10-463657acf44d");
    private static readonly byte[] FileId = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();

    /// <summary>An SMB2 message over direct TCP: the frame header, the 64-byte header, then <paramref name="body"/>.</summary>
    public static byte[] Smb2(ushort command, ulong messageId, byte[] body, bool response = false)
    {
        var m = new byte[4 + 64 + body.Length];
        int length = 64 + body.Length;
        m[1] = (byte)(length >> 16);
        m[2] = (byte)(length >> 8);
        m[3] = (byte)length;
        var h = m.AsSpan(4);
        h[0] = 0xFE;
        "SMB"u8.CopyTo(h[1..]);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(h[12..], command);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], response ? 1u : 0u);
        BinaryPrimitives.WriteUInt64LittleEndian(h[24..], messageId);
        body.CopyTo(h[64..]);
        return m;
    }

    /// <summary>A TREE_CONNECT response ([MS-SMB2] 2.2.10) for <paramref name="tree"/>: share type 1 disk, 2 pipe (IPC$), 3 printer.</summary>
    public static byte[] TreeConnectResponse(ulong messageId, uint tree, byte shareType)
    {
        var body = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(body, 16);
        body[2] = shareType;
        var m = Smb2(3, messageId, body, response: true);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(4 + 36), tree);
        return m;
    }

    /// <summary><paramref name="framed"/> (an SMB2 message over direct TCP) sent on <paramref name="tree"/>.</summary>
    public static byte[] OnTree(byte[] framed, uint tree)
    {
        var m = (byte[])framed.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(4 + 36), tree);
        return m;
    }

    public static byte[] CreateRequest(ulong messageId, string name)
    {
        var utf16 = Encoding.Unicode.GetBytes(name);
        var body = new byte[56 + utf16.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(body, 57);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(44), 64 + 56);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(46), (ushort)utf16.Length);
        utf16.CopyTo(body, 56);
        return Smb2(5, messageId, body);
    }

    public static byte[] CreateResponse(ulong messageId, byte[] fileId)
    {
        var body = new byte[88];
        BinaryPrimitives.WriteUInt16LittleEndian(body, 89);
        fileId.CopyTo(body, 64);
        return Smb2(5, messageId, body, response: true);
    }

    public static byte[] Write(ulong messageId, byte[] fileId, byte[] data, uint? declared = null)
    {
        var body = new byte[48 + data.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(body, 49);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(2), 64 + 48);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), declared ?? (uint)data.Length);
        fileId.CopyTo(body, 16);
        data.CopyTo(body, 48);
        return Smb2(9, messageId, body);
    }

    /// <summary>
    /// An FSCTL_PIPE_TRANSCEIVE request ([MS-SMB2] 2.2.31) on <paramref name="fileId"/> carrying <paramref name="data"/>
    /// as its input, or with <paramref name="response"/> its answer (2.2.32) carrying it as its output.
    /// </summary>
    public static byte[] Transceive(ulong messageId, byte[] fileId, byte[] data, bool response = false)
    {
        // A request's input follows a 56-byte body that gives its offset and count at 24; a response's output a 48-byte one, at 32.
        int body = response ? 48 : 56, buffer = response ? 32 : 24;
        var m = new byte[body + data.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(m, response ? (ushort)49 : (ushort)57);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(4), 0x0011C017);
        fileId.CopyTo(m, 8);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(buffer), (uint)(64 + body));
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(buffer + 4), (uint)data.Length);
        data.CopyTo(m, body);
        return Smb2(11, messageId, m, response);
    }

    /// <summary>A READ request ([MS-SMB2] 2.2.19) of <paramref name="fileId"/>.</summary>
    public static byte[] Read(ulong messageId, byte[] fileId)
    {
        var body = new byte[49];
        BinaryPrimitives.WriteUInt16LittleEndian(body, 49);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), 4280);
        fileId.CopyTo(body, 16);
        return Smb2(8, messageId, body);
    }

    /// <summary>A READ response ([MS-SMB2] 2.2.20) carrying <paramref name="data"/>; it names no file, only its request's message id.</summary>
    public static byte[] ReadResponse(ulong messageId, byte[] data)
    {
        var body = new byte[16 + data.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(body, 17);
        body[2] = 64 + 16;
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), (uint)data.Length);
        data.CopyTo(body, 16);
        return Smb2(8, messageId, body, response: true);
    }

    public static byte[] Close(ulong messageId, byte[] fileId)
    {
        var body = new byte[24];
        BinaryPrimitives.WriteUInt16LittleEndian(body, 24);
        fileId.CopyTo(body, 8);
        return Smb2(6, messageId, body);
    }

    public static byte[] SessionSetup(ulong messageId, byte[] token)
    {
        var body = new byte[24 + token.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(body, 25);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(12), 64 + 24);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(14), (ushort)token.Length);
        token.CopyTo(body, 24);
        return Smb2(1, messageId, body);
    }

    internal sealed class Session
    {
        private readonly IFlowFollower _follower;
        private readonly DirectionStream _toServer = new(65536), _toClient = new(65536);
        private uint _clientSeq = 1, _serverSeq = 1;

        public Session()
        {
            Flow = InspectorHarness.NewFlow(tcp: true, 445);
            Flow.App = AppLabel.Smb;
            _follower = SmbPipeFollower.For(Flow)!;
        }

        public Flow Flow { get; }

        public bool Finished => _follower.Finished;

        public Session Client(byte[] bytes)
        {
            if (_toServer.Add(_clientSeq, bytes)) _follower.OnStream(Flow, true, _toServer);
            _clientSeq += (uint)bytes.Length;
            return this;
        }

        public Session Server(byte[] bytes)
        {
            if (_toClient.Add(_serverSeq, bytes)) _follower.OnStream(Flow, false, _toClient);
            _serverSeq += (uint)bytes.Length;
            return this;
        }
    }

    [Fact]
    public void ABindAndRequestsWrittenToAPipeAreRecordedAgainstThePipe()
    {
        var session = new Session()
            .Client(CreateRequest(5, "spoolss"))
            .Server(CreateResponse(5, FileId))
            .Client(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])))
            .Client(Transceive(7, FileId, RpcCallPdus.Request(0, 1)))
            .Client(Write(8, FileId, RpcCallPdus.Request(0, 89)));
        var binding = Assert.Single(session.Flow.RpcCalls!.Bindings);
        Assert.Equal(("SPOOLSS", "pipe spoolss"), (binding.Name, binding.Via));
        Assert.Equal([(ushort)1, (ushort)89], binding.Opnums);
    }

    [Fact]
    public void ThePipesAnswersSayWhichContextTheServerTook()
    {
        // DRSUAPI and LSARPC offered under one id: the bind_ack, read back by a READ, keeps DRSUAPI; an alter_context
        // rebinding the id to LSARPC, answered through a transceive, is refused. Both calls are DsGetNCChanges.
        var drsuapi = new Guid("e3514235-4b06-11d1-ab04-00c04fc2dcd2");
        var lsarpc = new Guid("12345778-1234-abcd-ef00-0123456789ab");
        var session = new Session()
            .Client(CreateRequest(5, "lsass"))
            .Server(CreateResponse(5, FileId))
            .Client(Write(6, FileId, RpcCallPdus.Bind([(0, drsuapi, 4), (0, lsarpc, 0)])))
            .Client(Read(7, FileId))
            .Server(ReadResponse(7, RpcCallPdus.BindAck([0, 2], secondaryAddress: "\\PIPE\\lsass")))
            .Client(Transceive(8, FileId, RpcCallPdus.Request(0, 3)))
            .Client(Transceive(9, FileId, RpcCallPdus.Bind([(0, lsarpc, 0)], type: 14)))
            .Server(Transceive(9, FileId, RpcCallPdus.BindAck([2], type: 15, secondaryAddress: ""), response: true))
            .Client(Transceive(10, FileId, RpcCallPdus.Request(0, 3)));
        var log = session.Flow.RpcCalls!;
        Assert.Equal([("DRSUAPI", false, "3"), ("LSARPC", true, "")],
            log.Bindings.Select(b => (b.Name!, b.Refused, string.Join(",", b.Opnums))));
        Assert.DoesNotContain(log.Bindings, b => b.CallsUnseen);
    }

    [Fact]
    public void EachPipeKeepsItsOwnContextIds()
    {
        var other = FileId.Reverse().ToArray();
        var session = new Session()
            .Client(CreateRequest(5, "spoolss"))
            .Client(CreateRequest(6, "efsrpc"))
            .Server(CreateResponse(6, other))
            .Server(CreateResponse(5, FileId))
            .Client(Write(7, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])))
            .Client(Write(8, other, RpcCallPdus.Bind([(0, Efsrpc, 1)])))
            .Client(Write(9, other, RpcCallPdus.Request(0, 0)))
            .Client(Write(10, FileId, RpcCallPdus.Request(0, 69)));
        var log = session.Flow.RpcCalls!;
        Assert.Equal([("SPOOLSS", "pipe spoolss", 69), ("EFSRPC", "pipe efsrpc", 0)],
            log.Bindings.Select(b => (b.Name!, b.Via, (int)Assert.Single(b.Opnums))));
    }

    [Fact]
    public void APduSplitOverTwoWritesIsReadOnceAndItsTailSkipped()
    {
        var (head, tail) = SplitRequest(89);
        var session = new Session()
            .Client(CreateRequest(5, "spoolss"))
            .Server(CreateResponse(5, FileId))
            .Client(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])))
            .Client(Write(7, FileId, head))
            .Client(Write(8, FileId, tail));
        Assert.Equal([(ushort)89], Assert.Single(session.Flow.RpcCalls!.Bindings).Opnums);
    }

    /// <summary>
    /// A request for <paramref name="opnum"/> cut in two: its fragment claims 40 bytes of padding too, and its tail, which
    /// holds a fake request header (opnum 12), is the second piece.
    /// </summary>
    public static (byte[] Head, byte[] Tail) SplitRequest(ushort opnum)
    {
        var request = RpcCallPdus.Request(0, opnum).Concat(new byte[40]).ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(8), (ushort)request.Length);
        var fake = RpcCallPdus.Request(0, 12);
        fake.CopyTo(request, request.Length - fake.Length);
        int split = request.Length - fake.Length;
        return (request[..split], request[split..]);
    }

    /// <summary>Commands compounded in one frame ([MS-SMB2] 3.2.4.1.4): each padded to 8 bytes, NextCommand set; later ones related when asked.</summary>
    public static byte[] Compound(bool related, params byte[][] framed)
    {
        var commands = framed.Select(f => f[4..].Concat(new byte[(8 - (f.Length - 4) % 8) % 8]).ToArray()).ToArray();
        for (int i = 0; i < commands.Length; i++)
        {
            if (i + 1 < commands.Length) BinaryPrimitives.WriteUInt32LittleEndian(commands[i].AsSpan(20), (uint)commands[i].Length);
            if (related && i > 0) commands[i][16] |= 0x04;
        }
        var body = commands.SelectMany(c => c).ToArray();
        return [0, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length, .. body];
    }

    [Fact]
    public void PdusWrittenAFewBytesAtATimeAreRead()
    {
        // Metasploit's SMB::pipe_evasion: the bind and the request in writes of a few bytes, cutting every header.
        byte[] pdus = [.. RpcCallPdus.Bind([(0, Spoolss, 1)]), .. RpcCallPdus.Request(0, 89)];
        var session = new Session().Client(CreateRequest(5, "spoolss")).Server(CreateResponse(5, FileId));
        ulong id = 6;
        foreach (var piece in pdus.Chunk(3)) session.Client(Write(id++, FileId, piece));
        Assert.Equal([(ushort)89], Assert.Single(session.Flow.RpcCalls!.Bindings).Opnums);
    }

    [Fact]
    public void AWriteCompoundedAfterItsCreateIsReadAgainstThePipe()
    {
        // The WRITE names the file its CREATE opens by the related-operations file id; the answer comes after.
        var session = new Session()
            .Client(Compound(true, CreateRequest(5, "spoolss"), Write(6, Enumerable.Repeat((byte)0xFF, 16).ToArray(), RpcCallPdus.Bind([(0, Spoolss, 1)]))))
            .Server(CreateResponse(5, FileId))
            .Client(Write(7, FileId, RpcCallPdus.Request(0, 89)));
        var binding = Assert.Single(session.Flow.RpcCalls!.Bindings);
        Assert.Equal(("pipe spoolss", (ushort)89), (binding.Via, Assert.Single(binding.Opnums)));
    }

    [Fact]
    public void AWriteLongerThanWhatIsReadOfACommandStreamsItsDataToThePipe()
    {
        // A 30 KB request, then in the same write the call that matters: past the part of the command read, the write's
        // data still goes to the pipe, and so does the command compounded after it.
        var padded = RpcCallPdus.Request(0, 12).Concat(new byte[30000]).ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(padded.AsSpan(8), (ushort)padded.Length);
        var write = Write(7, FileId, [.. padded, .. RpcCallPdus.Request(0, 89)]);
        var session = new Session()
            .Client(CreateRequest(5, "spoolss")).Server(CreateResponse(5, FileId))
            .Client(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])));
        foreach (var segment in Compound(false, write, Write(8, FileId, RpcCallPdus.Request(0, 65))).Chunk(1460)) session.Client(segment);
        Assert.Equal([(ushort)12, (ushort)89, (ushort)65], Assert.Single(session.Flow.RpcCalls!.Bindings).Opnums);
    }

    [Fact]
    public void AClosedPipeFreesItsPlaceAndAnOpenOnePushedOutHasItsCallsUnseen()
    {
        static Session Opened(bool close)
        {
            var session = new Session().Client(CreateRequest(5, "spoolss")).Server(CreateResponse(5, FileId))
                .Client(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])));
            for (int i = 0; i < SmbPipeFollower.MaxPipes; i++)
            {
                var other = Enumerable.Repeat((byte)(0x40 + i), 16).ToArray();
                session.Client(CreateRequest((ulong)(100 + i), "srvsvc")).Server(CreateResponse((ulong)(100 + i), other));
                if (close) session.Client(Close((ulong)(200 + i), other));
            }
            return session.Client(Write(7, FileId, RpcCallPdus.Request(0, 89)));
        }
        Assert.Equal([(ushort)89], Assert.Single(Opened(close: true).Flow.RpcCalls!.Bindings).Opnums);
        var pushed = Opened(close: false).Flow.RpcCalls!;
        Assert.True(Assert.Single(pushed.Bindings).CallsUnseen);
        Assert.Equal($"more than {SmbPipeFollower.MaxPipes} pipes open at once", pushed.Uninspectable);
    }

    [Fact]
    public void ACompressedClientMessageMarksTheCallsSoFarUnseen()
    {
        var compressed = new byte[4 + 16 + 100];
        compressed[3] = 116;
        compressed[4] = 0xFC;
        "SMB"u8.CopyTo(compressed.AsSpan(5));
        var session = new Session().Client(CreateRequest(5, "spoolss")).Server(CreateResponse(5, FileId))
            .Client(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)]))).Client(compressed);
        Assert.Equal("smb3 compressed", session.Flow.RpcCalls!.Uninspectable);
        Assert.True(Assert.Single(session.Flow.RpcCalls!.Bindings).CallsUnseen);
        Assert.False(session.Finished);
    }

    [Fact]
    public void NoCountOfMessagesEndsTheFollowing()
    {
        var session = new Session();
        var data = Enumerable.Repeat((byte)7, 16).ToArray();
        for (ulong i = 0; i < 5000; i++) session.Client(Write(10 + i, data, new byte[100]));
        session.Client(CreateRequest(5, "spoolss")).Server(CreateResponse(5, FileId))
            .Client(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)]))).Client(Write(7, FileId, RpcCallPdus.Request(0, 89)));
        Assert.Equal([(ushort)89], Assert.Single(session.Flow.RpcCalls!.Bindings).Opnums);
    }

    [Fact]
    public void WritesToAFileOnADiskShareAreNotRead()
    {
        // The tree connect's answer says the tree is a disk's: its files are no pipes, whatever their writes hold, opened
        // in sight (a name with an extension) or not.
        var session = new Session().Server(TreeConnectResponse(2, 5, shareType: 1))
            .Client(OnTree(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])), 5));
        Assert.Null(session.Flow.RpcCalls);
        session = new Session().Server(TreeConnectResponse(2, 0, shareType: 1))
            .Client(CreateRequest(5, "docs\\report.bin"))
            .Server(CreateResponse(5, FileId))
            .Client(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])));
        Assert.Null(session.Flow.RpcCalls);
        // A file's writes that begin no call are not read either, on a tree of unknown kind.
        Assert.Null(new Session().Client(Write(6, FileId, new byte[300])).Flow.RpcCalls);
    }

    [Fact]
    public void AWriteThatBeginsACallOnAFileNeverSeenOpenedIsFollowedAsAPipe()
    {
        // The capture began after the CREATE: the bind, probed, shows the file a pipe; the calls after it are read.
        var session = new Session()
            .Client(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])))
            .Client(Transceive(7, FileId, RpcCallPdus.Request(0, 89)))
            .Client(Write(8, FileId, RpcCallPdus.Request(0, 65)));
        var binding = Assert.Single(session.Flow.RpcCalls!.Bindings);
        Assert.Equal(("SPOOLSS", SmbPipes.UnseenOpen, "89,65", false), (binding.Name, binding.Via, string.Join(",", binding.Opnums), binding.CallsUnseen));
        Assert.Null(session.Flow.RpcCalls.Uninspectable);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AWriteThatBeginsNoCallOnAPipeTreeMarksTheCallsUnseen(bool byTreeConnect)
    {
        // The tree holds pipes (its tree connect said IPC$, or a pipe was opened on it); a write there on a file never seen
        // opened that begins no call (a PDU's second piece) may be a pipe's whose calls are not read.
        var (head, _) = SplitRequest(3);
        var session = new Session();
        if (byTreeConnect) session.Server(TreeConnectResponse(1, 0, shareType: 2));
        session.Client(CreateRequest(5, "spoolss")).Server(CreateResponse(5, FileId))
            .Client(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])));
        if (!byTreeConnect) Assert.False(Assert.Single(session.Flow.RpcCalls!.Bindings).CallsUnseen);
        session.Client(Write(7, FileId.Reverse().ToArray(), head[10..]));
        Assert.True(Assert.Single(session.Flow.RpcCalls!.Bindings).CallsUnseen);
        Assert.Equal("a write on a pipe never seen opened", session.Flow.RpcCalls.Uninspectable);
    }

    [Fact]
    public void TheAnswerToACreatePushedOutOfThoseAwaitingOneLeavesNoPipeUnread()
    {
        // Nine CREATEs of pipes before any answer: the first is pushed out of the eight awaited, so its answer opens no pipe
        // in the table. Its bind is probed and followed; a write there that begins no call marks the calls unseen.
        static Session Pushed()
        {
            var session = new Session();
            for (ulong i = 0; i < 9; i++) session.Client(CreateRequest(100 + i, i == 0 ? "lsass" : "srvsvc"));
            for (ulong i = 0; i < 9; i++) session.Server(CreateResponse(100 + i, Enumerable.Repeat((byte)(0x40 + i), 16).ToArray()));
            return session;
        }
        var first = Enumerable.Repeat((byte)0x40, 16).ToArray();
        var followed = Pushed().Client(Write(6, first, RpcCallPdus.Bind([(0, Smb1PipeFollowerTests.Drsuapi, 4)])))
            .Client(Transceive(7, first, RpcCallPdus.Request(0, 3)));
        var binding = Assert.Single(followed.Flow.RpcCalls!.Bindings);
        Assert.Equal(("DRSUAPI", SmbPipes.UnseenOpen, (ushort)3), (binding.Name, binding.Via, Assert.Single(binding.Opnums)));

        var pdus = RpcCallPdus.Bind([(0, Smb1PipeFollowerTests.Drsuapi, 4)]).Concat(RpcCallPdus.Request(0, 3)).ToArray();
        var cut = Pushed();
        ulong id = 6;
        foreach (var piece in pdus.Chunk(8)) cut.Client(Write(id++, first, piece));
        Assert.Equal("a write on a pipe never seen opened", cut.Flow.RpcCalls!.Uninspectable);

        // The same when every other open was refused, so no pipe opened on the tree shows it IPC$: the open pushed out did.
        var refused = new Session();
        for (ulong i = 0; i < 9; i++) refused.Client(OnTree(CreateRequest(100 + i, i == 0 ? "lsass" : "srvsvc"), 5));
        refused.Server(OnTree(CreateResponse(100, first), 5));
        for (ulong i = 1; i < 9; i++) refused.Server(OnTree(Refused(CreateResponse(100 + i, new byte[16])), 5));
        refused.Client(OnTree(Write(6, first, pdus[..8]), 5));
        Assert.Equal("a write on a pipe never seen opened", refused.Flow.RpcCalls?.Uninspectable);
    }

    [Fact]
    public void TreesNamedInOpensBeyondTheBoundAreAllTakenToHoldPipes()
    {
        // A client naming many trees in opens of pipes pushed out, to fill the trees known to hold pipes before the one it
        // uses: past the bound every tree is taken to hold one, so a write that begins no call still marks the calls unseen.
        var session = new Session();
        for (uint i = 0; i < 20; i++) session.Client(OnTree(CreateRequest(100 + i, "srvsvc"), 1000 + i));
        session.Client(OnTree(Write(6, FileId, new byte[40]), 7));
        Assert.Equal("a write on a pipe never seen opened", session.Flow.RpcCalls?.Uninspectable);
        // Below the bound, a tree none of them named is of unknown kind: the write is a file's.
        var few = new Session();
        for (uint i = 0; i < 9; i++) few.Client(OnTree(CreateRequest(100 + i, "srvsvc"), 1000 + i));
        Assert.Null(few.Client(OnTree(Write(6, FileId, new byte[40]), 7)).Flow.RpcCalls);
    }

    // A response refused with STATUS_OBJECT_NAME_NOT_FOUND.
    private static byte[] Refused(byte[] framed)
    {
        var m = (byte[])framed.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(4 + 8), 0xC0000034);
        return m;
    }

    [Fact]
    public void ALongReadIsSkippedWithoutHoldingIt()
    {
        var big = Smb2(8, 9, new byte[200_000], response: true);
        var session = new Session().Client(CreateRequest(5, "spoolss"));
        for (int at = 0; at < big.Length; at += 1460) session.Server(big[at..Math.Min(big.Length, at + 1460)]);
        session.Server(CreateResponse(5, FileId)).Client(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])));
        Assert.Equal("pipe spoolss", Assert.Single(session.Flow.RpcCalls!.Bindings).Via);
    }

    [Fact]
    public void AnEncryptedMessageMakesTheRpcUninspectable()
    {
        var transform = new byte[4 + 52 + 100];
        transform[3] = 152;
        transform[4] = 0xFD;
        "SMB"u8.CopyTo(transform.AsSpan(5));
        var session = new Session().Client(transform);
        Assert.Equal("smb3 encrypted", session.Flow.RpcCalls?.Uninspectable);
        Assert.True(session.Finished);
    }

    [Fact]
    public void AnSmb1MessageFromTheServerMarksTheFlowAndTheClientsNegotiateDoesNot()
    {
        var smb1 = new byte[4 + 35];
        smb1[3] = 35;
        smb1[4] = 0xFF;
        "SMB"u8.CopyTo(smb1.AsSpan(5));
        Assert.Equal(FlowWeakness.None, new Session().Client(smb1).Flow.Weakness);
        Assert.Equal(FlowWeakness.Smb1, new Session().Server(smb1).Flow.Weakness);
    }

    [Fact]
    public void AnNtlmV1AuthenticateInASessionSetupMarksTheFlowRawOrInSpnego()
    {
        Assert.Equal(FlowWeakness.NtlmV1, new Session().Client(SessionSetup(1, RpcCallPdus.NtlmAuthenticate(24))).Flow.Weakness);
        // SPNEGO NegTokenResp [1] { responseToken [2] OCTET STRING } around the same message.
        var wrapped = new byte[] { 0xA1, 0x81, 0x80, 0x30, 0x7E, 0xA2, 0x7C, 0x04, 0x7A }.Concat(RpcCallPdus.NtlmAuthenticate(24)).ToArray();
        Assert.Equal(FlowWeakness.NtlmV1, new Session().Client(SessionSetup(1, wrapped)).Flow.Weakness);
        Assert.Equal(FlowWeakness.None, new Session().Client(SessionSetup(1, RpcCallPdus.NtlmAuthenticate(180))).Flow.Weakness);
    }

    [Fact]
    public void BytesThatAreNoFrameEndTheFollowing()
    {
        var session = new Session().Client(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n"));
        Assert.True(session.Finished);
    }

    [Fact]
    public void HostileWritesOnFilesNeverSeenOpenedNeverThrow() =>
        // Lie about the probed header's version, type and frag_length, the tree connect's share type, the data's offset.
        SendMutated(20261128,
            TreeConnectResponse(1, 0, shareType: 2), Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])),
            Transceive(7, FileId.Reverse().ToArray(), RpcCallPdus.Request(0, 1)), Write(8, Enumerable.Repeat((byte)9, 16).ToArray(), RpcCallPdus.Request(0, 3)));

    [Fact]
    public void HostileMessagesNeverThrowNorLoop() =>
        // Lie about lengths and offsets: the frame, NextCommand, buffer offsets, frag_length, context counts.
        SendMutated(20261124,
            CreateRequest(5, "spoolss"), CreateResponse(5, FileId), Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])),
            Transceive(7, FileId, RpcCallPdus.Request(0, 1)), SessionSetup(1, RpcCallPdus.NtlmAuthenticate(24)));

    /// <summary>Sends <paramref name="valid"/> 3000 times to a new follower, each time with a few bytes changed at random, each message from either side.</summary>
    internal static void SendMutated(int seed, params byte[][] valid)
    {
        var random = new Random(seed);
        for (int i = 0; i < 3000; i++)
        {
            var session = new Session();
            foreach (var message in valid)
            {
                var bytes = (byte[])message.Clone();
                for (int flips = random.Next(1, 6); flips > 0; flips--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                if (random.Next(2) == 0) session.Client(bytes);
                else session.Server(bytes);
            }
        }
    }
}
