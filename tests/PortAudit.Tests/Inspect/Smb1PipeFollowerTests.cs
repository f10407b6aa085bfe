using System.Buffers.Binary;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.DceRpc;
using PortAudit.Inspect.Smb;
using static PortAudit.Tests.Builders.Smb1Messages;
using Session = PortAudit.Tests.Inspect.SmbPipeFollowerTests.Session;

namespace PortAudit.Tests.Inspect;

/// <summary>DCE/RPC over SMB1 named pipes ([MS-CIFS]), read as the SMB2 pipes are: the same calls, the same evasions closed.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class Smb1PipeFollowerTests
{
    internal static readonly Guid Drsuapi = new("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), Svcctl = new("367abb81-9844-35f1-ad32-98f038001003");
    internal const ushort Fid = 0x4000;

    private static readonly byte[] BindDrsuapi = RpcCallPdus.Bind([(0, Drsuapi, 4)]);

    // A session whose client opened `name` and got Fid.
    private static Session Opened(string name = "\\lsass", bool oem = false) =>
        new Session().Client(Request(1, NtCreate(name, oem), oem)).Server(Response(1, NtCreateResponse(Fid)));

    private static RpcBinding Single(Session session) => Assert.Single(session.Flow.RpcCalls!.Bindings);

    [Fact]
    public void ABindAndARequestWrittenWithWriteAndXAreRecordedAgainstThePipe()
    {
        var session = Opened()
            .Client(Request(2, WriteAndXOf(Fid, BindDrsuapi)))
            .Client(Request(3, WriteAndXOf(Fid, RpcCallPdus.Request(0, 3))));
        var binding = Single(session);
        Assert.Equal(("DRSUAPI", "pipe lsass", false), (binding.Name, binding.Via, binding.CallsUnseen));
        Assert.Equal([(ushort)3], binding.Opnums);
        Assert.Null(session.Flow.RpcCalls!.Uninspectable);
        Assert.Equal(FlowWeakness.Smb1, session.Flow.Weakness);
    }

    public static TheoryData<string> Reads => ["TransactNmPipe", "ReadAndX", "Read"];

    // The client writes `pdu` and reads the pipe's answer `answer`, under `mid`, by `read`: TransactNmPipe does both in
    // one request; after a WRITE_ANDX, a READ_ANDX or a READ reads it.
    private static Session WriteAndRead(Session session, string read, ushort mid, byte[] pdu, byte[] answer) => read switch
    {
        "TransactNmPipe" => session.Client(Request(mid, TransactNmPipe(Fid, pdu))).Server(Response(mid, TransactionResponseOf(answer))),
        "ReadAndX" => session.Client(Request(mid, WriteAndXOf(Fid, pdu))).Server(Response(mid, WriteAndXResponse))
            .Client(Request((ushort)(mid + 1), ReadAndXOf(Fid))).Server(Response((ushort)(mid + 1), ReadAndXResponseOf(answer))),
        _ => session.Client(Request(mid, WriteOf(Fid, pdu))).Client(Request((ushort)(mid + 1), ReadOf(Fid)))
            .Server(Response((ushort)(mid + 1), ReadResponseOf(answer))),
    };

    [Theory]
    [MemberData(nameof(Reads))]
    public void ABindTheServerRefusedRunsNothing(string read)
    {
        // DRSUAPI offered and refused (a provider rejection; then a bind_nak): a DsGetNCChanges after it is no DCSync.
        var rejected = WriteAndRead(Opened(), read, 2, BindDrsuapi, RpcCallPdus.BindAck([2], secondaryAddress: ""))
            .Client(Request(4, WriteAndXOf(Fid, RpcCallPdus.Request(0, 3))));
        Assert.Equal((true, ""), (Single(rejected).Refused, string.Join(",", Single(rejected).Opnums)));
        var nak = WriteAndRead(Opened(), read, 2, BindDrsuapi, RpcCallPdus.BindNak())
            .Client(Request(4, WriteAndXOf(Fid, RpcCallPdus.Request(0, 3))));
        Assert.Equal((true, ""), (Single(nak).Refused, string.Join(",", Single(nak).Opnums)));
        Assert.False(Single(nak).CallsUnseen);
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public void ThePipesAnswersSayWhichContextTheServerTook(string read)
    {
        // DRSUAPI and LSARPC offered under one id: the bind_ack keeps DRSUAPI; an alter_context rebinding the id to
        // LSARPC is refused. Both calls are DsGetNCChanges.
        var lsarpc = new Guid("12345778-1234-abcd-ef00-0123456789ab");
        var session = WriteAndRead(Opened(), read, 2, RpcCallPdus.Bind([(0, Drsuapi, 4), (0, lsarpc, 0)]),
                RpcCallPdus.BindAck([0, 2], secondaryAddress: "\\PIPE\\lsass"))
            .Client(Request(4, WriteAndXOf(Fid, RpcCallPdus.Request(0, 3))));
        WriteAndRead(session, read, 5, RpcCallPdus.Bind([(0, lsarpc, 0)], type: 14), RpcCallPdus.BindAck([2], type: 15, secondaryAddress: ""))
            .Client(Request(7, TransactNmPipe(Fid, RpcCallPdus.Request(0, 3))));
        var log = session.Flow.RpcCalls!;
        Assert.Equal([("DRSUAPI", false, "3"), ("LSARPC", true, "")],
            log.Bindings.Select(b => (b.Name!, b.Refused, string.Join(",", b.Opnums))));
        Assert.DoesNotContain(log.Bindings, b => b.CallsUnseen);
    }

    [Fact]
    public void AnAnswerIsTheReadsWhoseMidPidTidAndUidItCarries()
    {
        // The READ_ANDX's answer comes for another user (UID) with the same MID, PID and TID: it answers another request,
        // so the bind's answer is not seen, and DRSUAPI and LSARPC offered under one id cannot be told apart.
        var lsarpc = new Guid("12345778-1234-abcd-ef00-0123456789ab");
        var session = Opened()
            .Client(Request(2, WriteAndXOf(Fid, RpcCallPdus.Bind([(0, Drsuapi, 4), (0, lsarpc, 0)]))))
            .Client(Request(3, ReadAndXOf(Fid)))
            .Server(Response(3, ReadAndXResponseOf(RpcCallPdus.BindAck([0, 2])), uid: (ushort)(Uid + 1)))
            .Client(Request(4, WriteAndXOf(Fid, RpcCallPdus.Request(0, 3))));
        Assert.All(session.Flow.RpcCalls!.Bindings, b => Assert.Equal((true, false), (b.CallsUnseen, b.Refused)));
    }

    [Fact]
    public void TransactNmPipeAndWriteCarryCallsToo()
    {
        var session = Opened("\\svcctl")
            .Client(Request(2, TransactNmPipe(Fid, RpcCallPdus.Bind([(0, Svcctl, 2)]))))
            .Client(Request(3, WriteOf(Fid, RpcCallPdus.Request(0, 15))))
            .Client(Request(4, TransactNmPipe(Fid, RpcCallPdus.Request(0, 12))));
        var binding = Single(session);
        Assert.Equal(("SVCCTL", "pipe svcctl"), (binding.Name, binding.Via));
        Assert.Equal([(ushort)15, (ushort)12], binding.Opnums);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WriteAndUnlockAndWriteAndCloseCarryCallsAndTheCloseEndsThePipe(bool twelveWords)
    {
        var session = Opened()
            .Client(Request(2, WriteOf(Fid, BindDrsuapi, WriteAndUnlock)))
            .Client(Request(3, WriteOf(Fid, RpcCallPdus.Request(0, 12), WriteAndUnlock)))
            .Client(Request(4, WriteAndCloseOf(Fid, RpcCallPdus.Request(0, 3), twelveWords)));
        var binding = Single(session);
        Assert.Equal(("pipe lsass", "12,3", false), (binding.Via, string.Join(",", binding.Opnums), binding.CallsUnseen));
        // Closed by the write: a bind on the FID after it is another pipe's (one whose open was not seen).
        session.Client(Request(5, WriteAndXOf(Fid, RpcCallPdus.Bind([(0, Svcctl, 2)]))));
        Assert.Equal(SmbPipes.UnseenOpen, session.Flow.RpcCalls!.Bindings[1].Via);
    }

    [Theory]
    [InlineData(WriteRaw, "an smb1 WRITE_RAW on a pipe")]
    [InlineData(WriteMpx, "an smb1 WRITE_MPX on a pipe")]
    public void AWriteWhoseDataIsNotFollowedOnAPipeLosesTheCalls(byte command, string why)
    {
        // WRITE_RAW's data comes after it in frames without an SMB header, WRITE_MPX's in several requests: not read, so
        // the calls so far and to come are not known.
        var session = Opened().Client(Request(2, WriteAndXOf(Fid, BindDrsuapi)))
            .Client(Request(3, WriteRawOf(Fid, RpcCallPdus.Request(0, 3)[..10], command)))
            .Client(Request(4, WriteAndXOf(Fid, RpcCallPdus.Bind([(1, Svcctl, 2)]))));
        Assert.Equal(why, session.Flow.RpcCalls!.Uninspectable);
        Assert.All(session.Flow.RpcCalls.Bindings, b => Assert.True(b.CallsUnseen));
        Assert.Equal(2, session.Flow.RpcCalls.Bindings.Count);

        // On a FID never seen opened: a pipe's when its tree holds pipes or its data begins a call; a disk's file's not.
        Assert.Null(new Session().Client(Request(3, WriteRawOf(Fid, new byte[40], command))).Flow.RpcCalls);
        Assert.Equal(why, new Session().Client(Request(3, WriteRawOf(Fid, BindDrsuapi, command))).Flow.RpcCalls?.Uninspectable);
        Assert.Null(new Session().Server(Response(1, TreeConnectResponse("A:"))).Client(Request(3, WriteRawOf(Fid, BindDrsuapi, command))).Flow.RpcCalls);
        Assert.Equal(why, new Session().Server(Response(1, TreeConnectResponse("IPC")))
            .Client(Request(3, WriteRawOf(Fid + 1, new byte[40], command))).Flow.RpcCalls?.Uninspectable);
    }

    [Fact]
    public void AWriteAndXChainedAfterItsNtCreateAndXWritesTheFileJustOpened()
    {
        // The chained write names no FID it could know yet: the server writes the file the create in its chain opened.
        var session = new Session()
            .Client(Message(1, false, false, [NtCreate("\\lsass"), WriteAndXOf(0xFFFF, BindDrsuapi)]))
            .Server(Response(1, NtCreateResponse(Fid)))
            .Client(Request(2, WriteAndXOf(Fid, RpcCallPdus.Request(0, 3))));
        var binding = Single(session);
        Assert.Equal(("pipe lsass", (ushort)3), (binding.Via, Assert.Single(binding.Opnums)));
    }

    [Fact]
    public void APduSplitOverTwoWritesIsReadOnceAndItsTailSkipped()
    {
        // The second piece, a WRITE after a WRITE_ANDX, is the request's tail and holds a fake header: skipped.
        var (head, tail) = SmbPipeFollowerTests.SplitRequest(3);
        var session = Opened()
            .Client(Request(2, WriteAndXOf(Fid, BindDrsuapi)))
            .Client(Request(3, WriteAndXOf(Fid, head)))
            .Client(Request(4, WriteOf(Fid, tail)));
        Assert.Equal([(ushort)3], Single(session).Opnums);
    }

    [Fact]
    public void AnOemNameNamesThePipe()
    {
        var session = Opened("\\spoolss", oem: true)
            .Client(Request(2, TransactNmPipe(Fid, RpcCallPdus.Bind([(0, SmbPipeFollowerTests.Spoolss, 1)]), oem: true), oem: true))
            .Client(Request(3, WriteAndXOf(Fid, RpcCallPdus.Request(0, 89)), oem: true));
        var binding = Single(session);
        Assert.Equal(("SPOOLSS", "pipe spoolss", (ushort)89), (binding.Name, binding.Via, Assert.Single(binding.Opnums)));
    }

    [Fact]
    public void AFidClosedAndReusedNamesTheNewPipe()
    {
        var session = Opened("\\spoolss")
            .Client(Request(2, WriteAndXOf(Fid, RpcCallPdus.Bind([(0, SmbPipeFollowerTests.Spoolss, 1)]))))
            .Client(Request(3, CloseOf(Fid)))
            .Client(Request(4, NtCreate("\\efsrpc"))).Server(Response(4, NtCreateResponse(Fid)))
            .Client(Request(5, WriteAndXOf(Fid, RpcCallPdus.Bind([(0, SmbPipeFollowerTests.Efsrpc, 1)]))))
            .Client(Request(6, WriteAndXOf(Fid, RpcCallPdus.Request(0, 0))));
        Assert.Equal([("SPOOLSS", "pipe spoolss", ""), ("EFSRPC", "pipe efsrpc", "0")],
            session.Flow.RpcCalls!.Bindings.Select(b => (b.Name!, b.Via, string.Join(",", b.Opnums))));
        Assert.Null(session.Flow.RpcCalls!.Uninspectable);
    }

    [Fact]
    public void AWriteAndXLongerThanWhatIsReadStreamsItsDataToThePipe()
    {
        var padded = RpcCallPdus.Request(0, 12).Concat(new byte[30000]).ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(padded.AsSpan(8), (ushort)padded.Length);
        var session = Opened().Client(Request(2, WriteAndXOf(Fid, BindDrsuapi)));
        foreach (var segment in Request(3, WriteAndXOf(Fid, [.. padded, .. RpcCallPdus.Request(0, 3)])).Chunk(1460)) session.Client(segment);
        session.Client(Request(4, WriteAndXOf(Fid, RpcCallPdus.Request(0, 1))));
        Assert.Equal([(ushort)12, (ushort)3, (ushort)1], Single(session).Opnums);
    }

    [Fact]
    public void AnAndXChainThatPointsBackIsRefusedAndMarksTheCallsUnseen()
    {
        // The second write's AndX points at the first: a server that followed it would write DCSync again and again.
        var session = Opened().Client(Request(2, WriteAndXOf(Fid, BindDrsuapi)));
        session.Client(Message(3, false, false, [WriteAndXOf(Fid, RpcCallPdus.Request(0, 12)), WriteAndXOf(Fid, RpcCallPdus.Request(0, 3))],
            andXOffsets: [null, Smb1Header.Size]));
        var binding = Single(session);
        Assert.Equal([(ushort)12, (ushort)3], binding.Opnums);
        Assert.True(binding.CallsUnseen);
        Assert.Equal("an smb1 AndX chain that points back", session.Flow.RpcCalls!.Uninspectable);
        Assert.False(session.Finished);
    }

    [Fact]
    public void AnAndXChainLongerThanTheCapMarksTheCallsUnseen()
    {
        var writes = Enumerable.Range(0, Smb1PipeReader.MaxChain + 1).Select(_ => WriteAndXOf(Fid, RpcCallPdus.Request(0, 1))).ToArray();
        var session = Opened().Client(Request(2, WriteAndXOf(Fid, BindDrsuapi))).Client(Message(3, false, false, writes));
        Assert.True(Single(session).CallsUnseen);
        Assert.Equal($"an smb1 AndX chain of more than {Smb1PipeReader.MaxChain} commands", session.Flow.RpcCalls!.Uninspectable);
    }

    [Fact]
    public void ATransactionContinuedInSecondaryRequestsMarksTheCallsUnseenUnlessOnlyAStubIsMissing()
    {
        // DCSync in the secondary request: not read, so DRSUAPI is judged as if anything was called.
        var dcsync = RpcCallPdus.Request(0, 3);
        int total = BindDrsuapi.Length + dcsync.Length;
        var hidden = Opened()
            .Client(Request(2, TransactNmPipe(Fid, BindDrsuapi, total)))
            .Client(Request(2, TransactionSecondaryOf(dcsync, BindDrsuapi.Length, total)));
        Assert.True(Single(hidden).CallsUnseen);
        Assert.Empty(Single(hidden).Opnums);
        Assert.Equal("an smb1 transaction continued in secondary requests", hidden.Flow.RpcCalls!.Uninspectable);

        // A long request whose head is in the primary: only its stub is in the secondary, and the calls after it are read.
        var request = RpcCallPdus.Request(0, 3).Concat(new byte[200]).ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(8), (ushort)request.Length);
        var stub = Opened()
            .Client(Request(2, WriteAndXOf(Fid, BindDrsuapi)))
            .Client(Request(3, TransactNmPipe(Fid, request[..60], request.Length)))
            .Client(Request(3, TransactionSecondaryOf(request[60..], 60, request.Length)))
            .Client(Request(4, WriteAndXOf(Fid, RpcCallPdus.Request(0, 12))));
        Assert.Equal(("3,12", false), (string.Join(",", Single(stub).Opnums), Single(stub).CallsUnseen));
    }

    [Fact]
    public void AWriteWhoseDataLiesOutsideItsMessageMarksTheCallsUnseen()
    {
        var session = Opened().Client(Request(2, WriteAndXOf(Fid, BindDrsuapi)))
            .Client(Request(3, WriteAndXOf(Fid, RpcCallPdus.Request(0, 3), dataOffset: 4000)));
        Assert.True(Single(session).CallsUnseen);
        Assert.Equal("an smb1 write whose data lies outside its message", session.Flow.RpcCalls!.Uninspectable);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AWriteThatBeginsNoCallOnTheTreeOfThePipesToAFidNeverSeenOpenedMarksTheCallsUnseen(bool byTreeConnect)
    {
        // The tree holds pipes: its tree connect's answer named the IPC service, or a pipe was opened on it.
        var (head, _) = SmbPipeFollowerTests.SplitRequest(3);
        var session = new Session();
        if (byTreeConnect) session.Server(Response(1, TreeConnectResponse("IPC")));
        session.Client(Request(2, NtCreate("\\lsass"))).Server(Response(2, NtCreateResponse(Fid)))
            .Client(Request(3, WriteAndXOf(Fid, BindDrsuapi)))
            .Client(Request(4, WriteAndXOf(Fid + 1, head[10..])));
        Assert.True(Single(session).CallsUnseen);
        Assert.Equal("an smb1 write on a pipe never seen opened", session.Flow.RpcCalls!.Uninspectable);
        // On a tree of unknown kind, a write that begins no call is a file's, not read.
        Assert.Null(new Session().Client(Request(3, WriteAndXOf(Fid, head[10..]))).Flow.RpcCalls);
    }

    [Fact]
    public void AWriteThatBeginsACallOnAFidNeverSeenOpenedIsFollowedAsAPipe()
    {
        // The capture began after NT_CREATE_ANDX: the bind, probed, shows the FID a pipe's, in every write form read.
        var session = new Session()
            .Client(Request(3, TransactNmPipe(Fid, BindDrsuapi)))
            .Client(Request(4, WriteOf(Fid, RpcCallPdus.Request(0, 3))))
            .Client(Request(5, WriteAndXOf(Fid, RpcCallPdus.Request(0, 12))));
        var binding = Single(session);
        Assert.Equal(("DRSUAPI", SmbPipes.UnseenOpen, "3,12", false), (binding.Name, binding.Via, string.Join(",", binding.Opnums), binding.CallsUnseen));
    }

    [Fact]
    public void AFileOnADiskShareIsNoPipe()
    {
        // Opened in sight with a name that is a file's, or not seen opened on a tree whose tree connect named a disk.
        Assert.Null(Opened("docs\\report.bin").Client(Request(2, WriteAndXOf(Fid, BindDrsuapi))).Flow.RpcCalls);
        Assert.Null(new Session().Server(Response(1, TreeConnectResponse("A:"))).Client(Request(2, WriteAndXOf(Fid, BindDrsuapi))).Flow.RpcCalls);
    }

    [Fact]
    public void HostileSmb1MessagesNeverThrowNorLoop() =>
        // Lie about word counts, byte counts, AndX offsets, data offsets and lengths, setup counts.
        SmbPipeFollowerTests.SendMutated(20261127,
            Request(1, NtCreate("\\lsass")), Response(1, NtCreateResponse(Fid)), Request(2, WriteAndXOf(Fid, BindDrsuapi)),
            Request(3, TransactNmPipe(Fid, RpcCallPdus.Request(0, 3), 200)), Request(3, TransactionSecondaryOf(new byte[100], 40, 200)),
            Message(4, false, false, [NtCreate("\\svcctl"), WriteAndXOf(Fid, RpcCallPdus.Request(0, 1))]), Request(5, WriteOf(Fid, new byte[30])),
            Request(6, CloseOf(Fid)));

    [Fact]
    public void HostileSmb1AnswersNeverThrow() =>
        // Lie about the answers' data offsets, counts, totals, displacements and word counts.
        SmbPipeFollowerTests.SendMutated(20261130,
            Request(1, NtCreate("\\lsass")), Response(1, NtCreateResponse(Fid)), Request(2, TransactNmPipe(Fid, BindDrsuapi)),
            Response(2, TransactionResponseOf(RpcCallPdus.BindAck([0]))), Request(3, ReadAndXOf(Fid)),
            Response(3, ReadAndXResponseOf(RpcCallPdus.BindAck([2], type: 15))), Request(4, ReadOf(Fid)), Response(4, ReadResponseOf(RpcCallPdus.BindNak())));

    [Fact]
    public void HostileSmb1WriteFormsNeverThrow() =>
        // Lie about the word counts and counts of WRITE_AND_UNLOCK and WRITE_AND_CLOSE, and WRITE_RAW's data offset and length.
        SmbPipeFollowerTests.SendMutated(20261129,
            Response(1, TreeConnectResponse("IPC")), Request(2, WriteOf(Fid, BindDrsuapi, WriteAndUnlock)),
            Request(3, WriteAndCloseOf(Fid, RpcCallPdus.Request(0, 3), twelveWords: true)), Request(4, WriteAndCloseOf(Fid + 1, RpcCallPdus.Request(0, 3))),
            Request(5, WriteRawOf(Fid, RpcCallPdus.Request(0, 3))), Request(6, WriteRawOf(Fid, BindDrsuapi, WriteMpx)));
}
