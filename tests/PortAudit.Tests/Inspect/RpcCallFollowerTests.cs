using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;

namespace PortAudit.Tests.Inspect;

[Trait(Tier.Name, Tier.Unit)]
public class RpcCallFollowerTests
{
    private static readonly Guid Drsuapi = new("e3514235-4b06-11d1-ab04-00c04fc2dcd2");
    private static readonly Guid Netlogon = new("12345678-1234-abcd-ef00-01234567cffb");
    private static readonly Guid Spoolss = new("12345678-1234-abcd-ef00-0123456789ab");
    private static readonly Guid Samr = new("12345778-1234-abcd-ef00-0123456789ac");
    private static readonly Guid Lsarpc = new("12345778-1234-abcd-ef00-0123456789ab");

    private static Flow Follow(params byte[][] clientPdus)
    {
        var flow = InspectorHarness.NewFlow(tcp: true, 49668);
        flow.App = AppLabel.DceRpc;
        var follower = RpcCallFollower.For(flow)!;
        var stream = new DirectionStream(65536);
        uint seq = 1000;
        foreach (var pdu in clientPdus)
        {
            if (stream.Add(seq, pdu)) follower.OnStream(flow, true, stream);
            seq += (uint)pdu.Length;
        }
        return flow;
    }

    // Both directions in the order given: the client's PDUs (true) and the server's (false).
    private static Flow Converse(params (bool FromClient, byte[] Pdu)[] pdus)
    {
        var flow = InspectorHarness.NewFlow(tcp: true, 49668);
        flow.App = AppLabel.DceRpc;
        var follower = RpcCallFollower.For(flow)!;
        DirectionStream toServer = new(65536), toClient = new(65536);
        uint clientSeq = 1000, serverSeq = 5000;
        foreach (var (fromClient, pdu) in pdus)
        {
            var stream = fromClient ? toServer : toClient;
            ref uint seq = ref fromClient ? ref clientSeq : ref serverSeq;
            if (stream.Add(seq, pdu)) follower.OnStream(flow, fromClient, stream);
            seq += (uint)pdu.Length;
        }
        return flow;
    }

    private static RpcBinding Of(Flow flow, Guid iface) => Assert.Single(flow.RpcCalls!.Bindings, b => b.Uuid == iface);

    private static string Calls(RpcBinding binding) => string.Join(",", binding.Opnums);

    [Fact]
    public void AnIdOfferedTwiceNamesTheInterfaceTheServerAccepted()
    {
        // Context 0 offered as DRSUAPI, then as LSARPC: the server keeps the first (as Samba does) and refuses the second,
        // so the call on context 0 is DsGetNCChanges, not an LSARPC call.
        var flow = Converse(
            (true, RpcCallPdus.Bind([(0, Drsuapi, 4), (0, Lsarpc, 0)])),
            (false, RpcCallPdus.BindAck([0, 2])),
            (true, RpcCallPdus.Request(0, 3)));
        Assert.Equal(("3", false, false), (Calls(Of(flow, Drsuapi)), Of(flow, Drsuapi).Refused, Of(flow, Drsuapi).CallsUnseen));
        Assert.Equal((0, true), (Of(flow, Lsarpc).Opnums.Count, Of(flow, Lsarpc).Refused));
    }

    [Fact]
    public void AnAlterContextThatRebindsAnIdAndIsRefusedLeavesTheIdItsInterface()
    {
        var flow = Converse(
            (true, RpcCallPdus.Bind([(0, Drsuapi, 4)])),
            (false, RpcCallPdus.BindAck([0], secondaryAddress: "\\PIPE\\lsass")),
            (true, RpcCallPdus.Bind([(0, Lsarpc, 0)], type: 14)),
            (false, RpcCallPdus.BindAck([2], type: 15, secondaryAddress: "")),
            (true, RpcCallPdus.Request(0, 3)));
        Assert.Equal([(ushort)3], Of(flow, Drsuapi).Opnums);
        Assert.Equal((0, true), (Of(flow, Lsarpc).Opnums.Count, Of(flow, Lsarpc).Refused));
    }

    [Fact]
    public void ABindNakBindsNothingAndTheCallAfterItNamesNoInterface()
    {
        var flow = Converse(
            (true, RpcCallPdus.Bind([(0, Drsuapi, 4)])),
            (false, RpcCallPdus.BindNak()),
            (true, RpcCallPdus.Request(0, 3)));
        var drsuapi = Of(flow, Drsuapi);
        Assert.Equal((0, true, false), (drsuapi.Opnums.Count, drsuapi.Refused, drsuapi.CallsUnseen));
        Assert.Null(flow.RpcCalls!.Uninspectable);
    }

    [Fact]
    public void ACallOnARefusedContextRunsNothingAndHidesNoOtherCall()
    {
        // The server refused DRSUAPI on context 0 and took LSARPC on 1: the call on 0 got a fault, not a DCSync, and it is
        // no call on a context whose bind was missed, which would leave LSARPC's calls unknown.
        var flow = Converse(
            (true, RpcCallPdus.Bind([(0, Drsuapi, 4), (1, Lsarpc, 0)])),
            (false, RpcCallPdus.BindAck([2, 0])),
            (true, RpcCallPdus.Request(0, 3)),
            (true, RpcCallPdus.Request(1, 44)));
        Assert.Equal((0, true), (Of(flow, Drsuapi).Opnums.Count, Of(flow, Drsuapi).Refused));
        Assert.Equal(("44", false, false), (Calls(Of(flow, Lsarpc)), Of(flow, Lsarpc).Refused, Of(flow, Lsarpc).CallsUnseen));
    }

    [Fact]
    public void AnInterfaceRefusedUnderOneIdAndAcceptedUnderAnotherIsNotRefused()
    {
        // NDR and NDR64 offered as two contexts of one interface (Windows' clients do): the server takes one.
        var flow = Converse(
            (true, RpcCallPdus.Bind([(0, Drsuapi, 4), (1, Drsuapi, 4)])),
            (false, RpcCallPdus.BindAck([2, 0])),
            (true, RpcCallPdus.Request(1, 0)));
        Assert.Equal(("0", false), (Calls(Of(flow, Drsuapi)), Of(flow, Drsuapi).Refused));
    }

    [Fact]
    public void WithoutTheServersAnswerAnIdOfferedTwiceCannotTellItsCallsApart()
    {
        // One direction captured: which of the two the server kept is not known, so neither binding's calls are.
        var flow = Converse(
            (true, RpcCallPdus.Bind([(0, Drsuapi, 4), (0, Lsarpc, 0)])),
            (true, RpcCallPdus.Request(0, 3)));
        Assert.Equal((true, false), (Of(flow, Drsuapi).CallsUnseen, Of(flow, Drsuapi).Refused));
        Assert.Equal((true, false), (Of(flow, Lsarpc).CallsUnseen, Of(flow, Lsarpc).Refused));
    }

    [Fact]
    public void TheServersResponsesAreFramedPastTheirStubsAndTheAnswerAfterThemIsRead()
    {
        // A response of 3,000 bytes comes in pieces before the alter_context_resp: its stub is skipped, not mistaken for a PDU.
        var response = RpcCallPdus.Request(0, 0).Concat(new byte[3000]).ToArray();
        response[2] = 2;
        BitConverter.GetBytes((ushort)response.Length).CopyTo(response, 8);
        var flow = Converse(
            (true, RpcCallPdus.Bind([(0, Drsuapi, 4)])),
            (false, RpcCallPdus.BindAck([0])),
            (true, RpcCallPdus.Request(0, 0)),
            (false, response[..1000]),
            (false, response[1000..]),
            (true, RpcCallPdus.Bind([(1, Lsarpc, 0)], type: 14)),
            (false, RpcCallPdus.BindAck([2], type: 15, secondaryAddress: "")),
            (true, RpcCallPdus.Request(1, 3)));
        Assert.Equal([(ushort)0], Of(flow, Drsuapi).Opnums);
        Assert.Equal((0, true), (Of(flow, Lsarpc).Opnums.Count, Of(flow, Lsarpc).Refused));
    }

    [Fact]
    public void ABindOfThreeContextsRecordsThreeBindingsAndEachRequestOnItsOwn()
    {
        var flow = Follow(
            RpcCallPdus.Bind([(0, Drsuapi, 4), (1, Netlogon, 1), (2, Spoolss, 1)]),
            RpcCallPdus.Request(0, 12),
            RpcCallPdus.Request(2, 89),
            RpcCallPdus.Request(0, 13),
            RpcCallPdus.Request(2, 89));
        var log = flow.RpcCalls!;
        Assert.Equal([Drsuapi, Netlogon, Spoolss], log.Bindings.Select(b => b.Uuid));
        Assert.Equal([(ushort)4, (ushort)1, (ushort)1], log.Bindings.Select(b => b.MajorVersion!.Value));
        Assert.All(log.Bindings, b => Assert.Equal("bind", b.Via));
        Assert.Equal([(ushort)12, (ushort)13], log.Bindings[0].Opnums);
        Assert.Empty(log.Bindings[1].Opnums);
        Assert.Equal([(ushort)89], log.Bindings[2].Opnums);
        Assert.Equal("RpcAddPrinterDriverEx", RpcOperations.Name(log.Bindings[2].Uuid, 89));
    }

    [Fact]
    public void AnAlterContextAddsABindingLearnedByAlterContext()
    {
        var flow = Follow(
            RpcCallPdus.Bind([(0, Netlogon, 1)]),
            RpcCallPdus.Bind([(1, Samr, 1)], type: 14),
            RpcCallPdus.Request(1, 64),
            RpcCallPdus.Request(0, 26));
        var log = flow.RpcCalls!;
        Assert.Equal([("NETLOGON", "bind"), ("SAMR", "alter_context")], log.Bindings.Select(b => (b.Name!, b.Via)));
        Assert.Equal([(ushort)26], log.Bindings[0].Opnums);
        Assert.Equal([(ushort)64], log.Bindings[1].Opnums);
    }

    [Fact]
    public void BigEndianPdusAreReadInTheirOwnOrder()
    {
        var flow = Follow(
            RpcCallPdus.Bind([(7, Netlogon, 1)], little: false),
            RpcCallPdus.Request(7, 30, little: false));
        var binding = Assert.Single(flow.RpcCalls!.Bindings);
        Assert.Equal((Netlogon, (ushort?)1), (binding.Uuid, binding.MajorVersion));
        Assert.Equal([(ushort)30], binding.Opnums);
    }

    [Fact]
    public void ARequestOnAContextNeverBoundIsNotRecordedButMarksTheCallsUnseen()
    {
        // The capture began after the bind of context 5: its call may be on any interface, NETLOGON's included.
        var flow = Follow(RpcCallPdus.Bind([(0, Netlogon, 1)]), RpcCallPdus.Request(5, 4));
        var binding = Assert.Single(flow.RpcCalls!.Bindings);
        Assert.Equal((0, true, RpcAssociation.UnboundCalls), (binding.Opnums.Count, binding.CallsUnseen, flow.RpcCalls.Uninspectable));
        var alone = Follow(RpcCallPdus.Request(0, 4)).RpcCalls!;
        Assert.Equal((0, RpcAssociation.UnboundCalls), (alone.Bindings.Count, alone.Uninspectable));
        // Bound after the unknown call, an interface is read as usual until another such call.
        var later = Follow(RpcCallPdus.Request(5, 4), RpcCallPdus.Bind([(0, Netlogon, 1)]), RpcCallPdus.Request(0, 4)).RpcCalls!;
        Assert.False(Assert.Single(later.Bindings).CallsUnseen);
        Assert.True(Assert.Single(Follow(RpcCallPdus.Request(5, 4), RpcCallPdus.Bind([(0, Netlogon, 1)]), RpcCallPdus.Request(5, 4))
            .RpcCalls!.Bindings).CallsUnseen);
    }

    [Fact]
    public void SeventeenUnnamedInterfacesKeepSixteenButANamedOneAfterThemIsKeptAndFollowed()
    {
        // Metasploit's DCERPC::fake_bind_multi: unknown interfaces offered before the one that matters.
        var contexts = Enumerable.Range(0, 17).Select(i => ((ushort)i, new Guid(i + 1, 0, 0, new byte[8]), (ushort)1)).ToList();
        contexts.Add((17, Drsuapi, 4));
        var log = Follow(RpcCallPdus.Bind(contexts), RpcCallPdus.Request(17, 3)).RpcCalls!;
        Assert.Equal(RpcCallLog.MaxBindings + 1, log.Bindings.Count);
        Assert.True(log.MoreBindings);
        Assert.Equal(("DRSUAPI", (ushort)3), (log.Bindings[^1].Name, Assert.Single(log.Bindings[^1].Opnums)));
    }

    [Fact]
    public void EveryOperationBelow256IsKeptHoweverManyCameBefore()
    {
        // 40 harmless calls, then the one a grant leaves out ("SPOOLSS except 89"): none may push it out of the record.
        var pdus = new List<byte[]> { RpcCallPdus.Bind([(0, Spoolss, 1)]) };
        pdus.AddRange(Enumerable.Range(0, 40).Select(i => RpcCallPdus.Request(0, (ushort)i)));
        pdus.Add(RpcCallPdus.Request(0, 89));
        pdus.AddRange(Enumerable.Range(1000, RpcBinding.MaxOtherOpnums + 1).Select(i => RpcCallPdus.Request(0, (ushort)i)));
        var binding = Assert.Single(Follow([.. pdus]).RpcCalls!.Bindings);
        Assert.Contains((ushort)89, binding.Opnums);
        Assert.Equal(41 + RpcBinding.MaxOtherOpnums, binding.Opnums.Count);
        Assert.True(binding.MoreOpnums);
    }

    [Fact]
    public void NoCountOfPdusOrBytesEndsTheFollowing()
    {
        // Two thousand name translations and 2 MB of stub, then DCSync on the same association.
        var pdus = new List<byte[]> { RpcCallPdus.Bind([(0, Drsuapi, 4)]) };
        pdus.AddRange(Enumerable.Range(0, 2000).Select(_ => RpcCallPdus.Request(0, 12)));
        var padded = RpcCallPdus.Request(0, 12).Concat(new byte[60000]).ToArray();
        BitConverter.GetBytes((ushort)padded.Length).CopyTo(padded, 8);
        pdus.AddRange(Enumerable.Repeat(padded, 35));
        pdus.Add(RpcCallPdus.Request(0, 3));
        Assert.Equal([(ushort)12, (ushort)3], Assert.Single(Follow([.. pdus]).RpcCalls!.Bindings).Opnums);
    }

    [Fact]
    public void PdusCutAnywhereAreReadAsWhole()
    {
        // Inside the common header, inside the request header, one byte at a time: the association reads a byte stream.
        byte[] conversation = [.. RpcCallPdus.Bind([(0, Netlogon, 1), (1, Drsuapi, 4)]), .. RpcCallPdus.Request(1, 3), .. RpcCallPdus.Request(0, 26)];
        foreach (int piece in new[] { 1, 3, 5, 7, 10, 17, 23 })
        {
            var pieces = conversation.Chunk(piece).ToArray();
            var log = Follow(pieces).RpcCalls!;
            Assert.Equal([("NETLOGON", "26"), ("DRSUAPI", "3")], log.Bindings.Select(b => (b.Name!, string.Join(",", b.Opnums))));
        }
    }

    [Fact]
    public void AContextPastTheTableTakesAnUnnamedOnesPlaceOrHasItsCallsMarkedUnseen()
    {
        var unnamed = Enumerable.Range(0, RpcAssociation.MaxContexts).Select(i => ((ushort)i, new Guid(i + 1, 0, 0, new byte[8]), (ushort)1));
        var log = Follow(RpcCallPdus.Bind(unnamed.Take(200)), RpcCallPdus.Bind(unnamed.Skip(200), type: 14),
            RpcCallPdus.Bind([(900, Drsuapi, 4)], type: 14), RpcCallPdus.Request(900, 3)).RpcCalls!;
        Assert.Equal([(ushort)3], log.Bindings.Single(b => b.Name == "DRSUAPI").Opnums);

        var named = Enumerable.Range(0, RpcAssociation.MaxContexts).Select(i => ((ushort)i, Netlogon, (ushort)1));
        log = Follow(RpcCallPdus.Bind(named.Take(200)), RpcCallPdus.Bind(named.Skip(200), type: 14),
            RpcCallPdus.Bind([(900, Drsuapi, 4)], type: 14), RpcCallPdus.Request(900, 3)).RpcCalls!;
        var drsuapi = log.Bindings.Single(b => b.Name == "DRSUAPI");
        Assert.True(drsuapi.CallsUnseen);
        Assert.Empty(drsuapi.Opnums);
    }

    [Fact]
    public void AnNtlmV1AuthenticateInAnAuth3PduMarksTheFlow()
    {
        var flow = Follow(RpcCallPdus.Bind([(0, Netlogon, 1)]), RpcCallPdus.Auth3(RpcCallPdus.NtlmAuthenticate(24)));
        Assert.Equal(FlowWeakness.NtlmV1, flow.Weakness);
    }

    [Fact]
    public void AnNtlmV2AuthenticateDoesNotMarkTheFlow()
    {
        var flow = Follow(
            RpcCallPdus.Bind([(0, Netlogon, 1)], auth: RpcCallPdus.NtlmAuthenticate(200)),
            RpcCallPdus.Auth3(RpcCallPdus.NtlmAuthenticate(200)),
            RpcCallPdus.Auth3(RpcCallPdus.NtlmAuthenticate(0)));
        Assert.Equal(FlowWeakness.None, flow.Weakness);
    }

    [Fact]
    public void ABindWhoseCountLiesOnlyRecordsTheContextsPresent()
    {
        var flow = Follow(RpcCallPdus.Bind([(0, Netlogon, 1)], claimedCount: 255), RpcCallPdus.Request(0, 4));
        Assert.Equal([(ushort)4], Assert.Single(flow.RpcCalls!.Bindings).Opnums);
    }

    [Fact]
    public void BytesThatAreNoPduEndTheFollowing()
    {
        var flow = InspectorHarness.NewFlow(tcp: true, 49668);
        flow.App = AppLabel.DceRpc;
        var follower = RpcCallFollower.For(flow)!;
        var stream = new DirectionStream(65536);
        stream.Add(1, RpcCallPdus.Bind([(0, Netlogon, 1)]).Concat(new byte[32]).ToArray());
        follower.OnStream(flow, true, stream);
        Assert.True(follower.Finished);
        // What came after may have been any call: the log says so, for the audit to judge.
        Assert.Equal("bytes that are no DCE/RPC PDU", flow.RpcCalls!.Uninspectable);
        Assert.True(Assert.Single(flow.RpcCalls!.Bindings).CallsUnseen);
    }

    [Fact]
    public void TruncatedPdusWaitAndThrowNothing()
    {
        var bind = RpcCallPdus.Bind([(0, Netlogon, 1), (1, Samr, 1)]);
        for (int cut = 0; cut < bind.Length; cut++)
        {
            var flow = Follow(bind[..cut]);
            Assert.Null(flow.RpcCalls);
        }
    }

    [Fact]
    public void ConnectionlessRequestsRecordTheirInterfaceAndOpnum()
    {
        var flow = InspectorHarness.NewFlow(tcp: false, 135);
        flow.App = AppLabel.DceRpc;
        var follower = RpcCallFollower.For(flow)!;
        var datagram = new byte[80];
        datagram[0] = 4;
        datagram[4] = 0x10;
        Netlogon.ToByteArray().CopyTo(datagram, 24);
        datagram[60] = 2;
        datagram[68] = 4;
        follower.OnDatagram(flow, true, datagram);
        datagram[68] = 26;
        follower.OnDatagram(flow, true, datagram);
        var binding = Assert.Single(flow.RpcCalls!.Bindings);
        Assert.Equal(("cl", (ushort?)2), (binding.Via, binding.MajorVersion));
        Assert.Equal([(ushort)4, (ushort)26], binding.Opnums);
    }
}
