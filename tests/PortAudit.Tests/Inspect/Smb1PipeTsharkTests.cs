using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using PortAudit.Tests.Sources.Live;
using Xunit.Abstractions;
using static PortAudit.Tests.Builders.Smb1Messages;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// The SMB1 pipe messages the follower's tests build, as Wireshark reads them: a built conversation (an NT_CREATE_ANDX
/// with a WRITE_ANDX chained after it, TransactNmPipe, WRITE_ANDX and WRITE) gives tshark the same SMB commands,
/// interface and opnums that the follower records; WRITE_AND_UNLOCK and WRITE_AND_CLOSE give it the same FID and data;
/// the answers read back by TRANSACTION, READ_ANDX and READ give it the same bind_ack results.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public class Smb1PipeTsharkTests(ITestOutputHelper output)
{
    private static readonly Guid Drsuapi = Smb1PipeFollowerTests.Drsuapi;
    private const ushort Fid = Smb1PipeFollowerTests.Fid;

    [NeedsProgramFact("tshark")]
    public void TsharkReadsTheBuiltSmb1PipeCallsAsTheFollowerDoes()
    {
        var capture = Conversation("10.0.8.7", "10.0.1.10", 445,
            (true, Request(1, NegotiateOf(response: false))), (false, Response(1, NegotiateOf(response: true))),
            (true, Message(2, false, false, [NtCreate("\\lsass"), WriteAndXOf(Fid, RpcCallPdus.Bind([(0, Drsuapi, 4)]))])),
            (false, Response(2, NtCreateResponse(Fid))),
            (true, Request(3, TransactNmPipe(Fid, RpcCallPdus.Request(0, 0)))),
            (true, Request(4, WriteAndXOf(Fid, RpcCallPdus.Request(0, 3)))),
            (true, Request(5, WriteOf(Fid, RpcCallPdus.Request(0, 12)))));
        using var dir = new TempDirectory();
        string path = dir.File("smb1-pipe.pcap");
        File.WriteAllBytes(path, capture);

        string fields = External.Run("tshark", "-r", path, "-Y", "dcerpc.pkt_type == 0 || dcerpc.pkt_type == 11", "-T", "fields",
            "-E", "separator=/t", "-e", "smb.cmd", "-e", "dcerpc.cn_bind_to_uuid", "-e", "dcerpc.opnum");
        output.WriteLine(fields);
        // smb.cmd lists each command of an AndX chain, 0xff its end.
        Assert.Equal(["0xa2,0x2f,0xff\te3514235-4b06-11d1-ab04-00c04fc2dcd2\t", "0x25\t\t0", "0x2f,0xff\t\t3", "0x0b\t\t12"],
            fields.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var flow = Assert.Single(InspectTestData.Inspect(capture), f => f.ServerPort == 445);
        var binding = Assert.Single(flow.RpcCalls!.Bindings);
        Assert.Equal((Drsuapi, "pipe lsass", "0,3,12"), (binding.Uuid, binding.Via, string.Join(",", binding.Opnums)));
    }

    [NeedsProgramFact("tshark")]
    public void TsharkReadsTheBuiltSmb1AnswersAsTheFollowerDoes()
    {
        // DRSUAPI and LSARPC offered under one id, answered through TransactNmPipe: DRSUAPI kept, LSARPC refused; an
        // alter_context for LSARPC read back by READ_ANDX, refused; a bind of SVCCTL read back by READ, kept.
        var lsarpc = new Guid("12345778-1234-abcd-ef00-0123456789ab");
        var capture = Conversation("10.0.8.7", "10.0.1.10", 445,
            (true, Request(1, NegotiateOf(response: false))), (false, Response(1, NegotiateOf(response: true))),
            (true, Request(2, NtCreate("\\lsass"))), (false, Response(2, NtCreateResponse(Fid))),
            (true, Request(3, TransactNmPipe(Fid, RpcCallPdus.Bind([(0, Drsuapi, 4), (0, lsarpc, 0)])))),
            (false, Response(3, TransactionResponseOf(RpcCallPdus.BindAck([0, 2], secondaryAddress: "\\PIPE\\lsass")))),
            (true, Request(4, WriteAndXOf(Fid, RpcCallPdus.Bind([(0, lsarpc, 0)], type: 14)))), (false, Response(4, WriteAndXResponse)),
            (true, Request(5, ReadAndXOf(Fid))), (false, Response(5, ReadAndXResponseOf(RpcCallPdus.BindAck([2], type: 15, secondaryAddress: "")))),
            (true, Request(6, NtCreate("\\svcctl"))), (false, Response(6, NtCreateResponse(Fid + 1))),
            (true, Request(7, WriteOf(Fid + 1, RpcCallPdus.Bind([(0, Smb1PipeFollowerTests.Svcctl, 2)])))),
            (true, Request(8, ReadOf(Fid + 1))), (false, Response(8, ReadResponseOf(RpcCallPdus.BindAck([0], secondaryAddress: "\\PIPE\\ntsvcs")))),
            (true, Request(9, TransactNmPipe(Fid, RpcCallPdus.Request(0, 3)))));
        using var dir = new TempDirectory();
        string path = dir.File("smb1-answers.pcap");
        File.WriteAllBytes(path, capture);

        // The answers' SMB command and MID, their PDU type (bind_ack 12, alter_context_resp 15) and results (0 acceptance,
        // 2 provider rejection).
        string fields = External.Run("tshark", "-r", path, "-Y", "dcerpc.pkt_type == 12 || dcerpc.pkt_type == 15",
            "-T", "fields", "-E", "separator=/t", "-e", "smb.cmd", "-e", "smb.mid", "-e", "dcerpc.pkt_type", "-e", "dcerpc.cn_ack_result");
        output.WriteLine(fields);
        Assert.Equal(["0x25\t3\t12\t0,2", "0x2e,0xff\t5\t15\t2", "0x0a\t8\t12\t0"],
            fields.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd()));

        var flow = Assert.Single(InspectTestData.Inspect(capture), f => f.ServerPort == 445);
        Assert.Equal([("DRSUAPI", false, "3"), ("LSARPC", true, ""), ("SVCCTL", false, "")],
            flow.RpcCalls!.Bindings.Select(b => (b.Name!, b.Refused, string.Join(",", b.Opnums))));
    }

    [NeedsProgramFact("tshark")]
    public void TsharkPlacesTheDataOfWriteAndUnlockAndWriteAndCloseWhereTheFollowerReadsIt()
    {
        // Wireshark does not hand these writes' data to DCE/RPC: their FID, count and data are compared instead.
        byte[] bind = RpcCallPdus.Bind([(0, Drsuapi, 4)]), getNcChanges = RpcCallPdus.Request(0, 3), crackNames = RpcCallPdus.Request(0, 12);
        var capture = Conversation("10.0.8.7", "10.0.1.10", 445,
            (true, Request(1, NegotiateOf(response: false))), (false, Response(1, NegotiateOf(response: true))),
            (true, Request(2, NtCreate("\\lsass"))), (false, Response(2, NtCreateResponse(Fid))),
            (true, Request(3, WriteOf(Fid, bind, WriteAndUnlock))),
            (true, Request(4, WriteAndCloseOf(Fid, crackNames, twelveWords: true))));
        var reopened = Conversation("10.0.8.7", "10.0.1.10", 445,
            (true, Request(1, NegotiateOf(response: false))), (false, Response(1, NegotiateOf(response: true))),
            (true, Request(2, NtCreate("\\lsass"))), (false, Response(2, NtCreateResponse(Fid))),
            (true, Request(3, WriteOf(Fid, bind, WriteAndUnlock))),
            (true, Request(4, WriteAndCloseOf(Fid, getNcChanges))));
        using var dir = new TempDirectory();
        string Fields(byte[] pcap, string name)
        {
            string path = dir.File(name);
            File.WriteAllBytes(path, pcap);
            string fields = External.Run("tshark", "-r", path, "-Y", "smb.cmd == 0x14 || smb.cmd == 0x2c", "-T", "fields",
                "-E", "separator=/t", "-e", "smb.cmd", "-e", "smb.fid", "-e", "smb.data_len", "-e", "smb.count", "-e", "smb.file_data");
            output.WriteLine(fields);
            return fields;
        }
        Assert.Equal([$"0x14\t0x4000\t{bind.Length}\t{bind.Length}\t{Convert.ToHexStringLower(bind)}", $"0x2c\t0x4000\t\t{crackNames.Length}\t{Convert.ToHexStringLower(crackNames)}"],
            Fields(capture, "write-and-close-12.pcap").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith($"\t{Convert.ToHexStringLower(getNcChanges)}", Fields(reopened, "write-and-close-6.pcap").TrimEnd());

        Assert.Equal("12", string.Join(",", Assert.Single(Assert.Single(InspectTestData.Inspect(capture), f => f.ServerPort == 445).RpcCalls!.Bindings).Opnums));
        Assert.Equal("3", string.Join(",", Assert.Single(Assert.Single(InspectTestData.Inspect(reopened), f => f.ServerPort == 445).RpcCalls!.Bindings).Opnums));
    }
}
