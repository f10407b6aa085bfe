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
    private static readonly Guid Spoolss = new("12345678-1234-abcd-ef00-0123456789ab");
    private static readonly Guid Efsrpc = new("df1941c5-fe89-4e79-bf10-463657acf44d");
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

    public static byte[] Transceive(ulong messageId, byte[] fileId, byte[] input)
    {
        var body = new byte[56 + input.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(body, 57);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), 0x0011C017);
        fileId.CopyTo(body, 8);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(24), 64 + 56);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(28), (uint)input.Length);
        input.CopyTo(body, 56);
        return Smb2(11, messageId, body);
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

    private sealed class Session
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
        var request = RpcCallPdus.Request(0, 89).Concat(new byte[40]).ToArray();
        // The fragment claims the padding too; its tail, which holds a fake header, comes in the next write.
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(8), (ushort)request.Length);
        var fake = RpcCallPdus.Request(0, 12);
        fake.CopyTo(request, request.Length - fake.Length);
        int split = request.Length - fake.Length;
        var session = new Session()
            .Client(CreateRequest(5, "spoolss"))
            .Server(CreateResponse(5, FileId))
            .Client(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])))
            .Client(Write(7, FileId, request[..split]))
            .Client(Write(8, FileId, request[split..]));
        Assert.Equal([(ushort)89], Assert.Single(session.Flow.RpcCalls!.Bindings).Opnums);
    }

    [Fact]
    public void WritesToAFileNeverOpenedAsAPipeAreNotRead()
    {
        var session = new Session().Client(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])));
        Assert.Null(session.Flow.RpcCalls);
        // A file with an extension is no pipe, whatever its writes hold.
        session = new Session()
            .Client(CreateRequest(5, "docs\\report.bin"))
            .Server(CreateResponse(5, FileId))
            .Client(Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])));
        Assert.Null(session.Flow.RpcCalls);
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
    public void HostileMessagesNeverThrowNorLoop()
    {
        var random = new Random(20261124);
        var valid = new[]
        {
            CreateRequest(5, "spoolss"), CreateResponse(5, FileId), Write(6, FileId, RpcCallPdus.Bind([(0, Spoolss, 1)])),
            Transceive(7, FileId, RpcCallPdus.Request(0, 1)), SessionSetup(1, RpcCallPdus.NtlmAuthenticate(24)),
        };
        for (int i = 0; i < 3000; i++)
        {
            var session = new Session();
            foreach (var message in valid)
            {
                var bytes = (byte[])message.Clone();
                // Lie about lengths and offsets: the frame, NextCommand, buffer offsets, frag_length, context counts.
                for (int flips = random.Next(1, 6); flips > 0; flips--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                if (random.Next(2) == 0) session.Client(bytes);
                else session.Server(bytes);
            }
        }
    }
}
