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
    public void ARequestOnAContextNeverBoundIsNotRecorded()
    {
        var flow = Follow(RpcCallPdus.Bind([(0, Netlogon, 1)]), RpcCallPdus.Request(5, 4));
        Assert.Empty(Assert.Single(flow.RpcCalls!.Bindings).Opnums);
        Assert.Null(Follow(RpcCallPdus.Request(0, 4)).RpcCalls);
    }

    [Fact]
    public void SeventeenInterfacesKeepSixteenAndSayThereWereMore()
    {
        var contexts = Enumerable.Range(0, 17).Select(i => ((ushort)i, new Guid(i + 1, 0, 0, new byte[8]), (ushort)1));
        var log = Follow(RpcCallPdus.Bind(contexts)).RpcCalls!;
        Assert.Equal(RpcCallLog.MaxBindings, log.Bindings.Count);
        Assert.True(log.MoreBindings);
    }

    [Fact]
    public void ThirtyThreeOperationsKeepThirtyTwoAndSayThereWereMore()
    {
        var pdus = new List<byte[]> { RpcCallPdus.Bind([(0, Drsuapi, 4)]) };
        pdus.AddRange(Enumerable.Range(0, 33).Select(i => RpcCallPdus.Request(0, (ushort)i)));
        var binding = Assert.Single(Follow([.. pdus]).RpcCalls!.Bindings);
        Assert.Equal(RpcBinding.MaxOpnums, binding.Opnums.Count);
        Assert.True(binding.MoreOpnums);
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
        Assert.Single(flow.RpcCalls!.Bindings);
    }

    [Fact]
    public void AFragmentLongerThanTheStreamCanHoldEndsTheFollowing()
    {
        var flow = InspectorHarness.NewFlow(tcp: true, 49668);
        flow.App = AppLabel.DceRpc;
        var follower = RpcCallFollower.For(flow)!;
        var stream = new DirectionStream(64);
        var request = RpcCallPdus.Request(0, 4);
        request[8] = 0xFF;
        request[9] = 0x0F;
        stream.Add(1, request);
        follower.OnStream(flow, true, stream);
        Assert.True(follower.Finished);
        Assert.Null(flow.RpcCalls);
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
