using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

[Trait(Tier.Name, Tier.Unit)]
public class DceRpcInspectorTests
{
    [Theory]
    [InlineData("e3514235-4b06-11d1-ab04-00c04fc2dcd2", "DRSUAPI")]
    [InlineData("12345778-1234-abcd-ef00-0123456789ac", "SAMR")]
    [InlineData("000001a0-0000-0000-c000-000000000046", "ISystemActivator")]
    [InlineData("3919286a-b10c-11d0-9ba8-00c04fd92ef5", "DSSETUP")]
    public void BindNamesTheInterface(string uuid, string name)
    {
        var (result, flow) = Once(new DceRpcCoInspector(), DceRpcPdus.Bind(new Guid(uuid), 3), tcp: true);
        Assert.Equal(InspectResult.Match, result);
        Assert.Equal(new DceRpcFacts(new Guid(uuid), 3, 0, RpcEvidence.Bind), flow.DceRpc);
        Assert.Equal((name, "bind"), (flow.DceRpc!.Name, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void AProbeOfAWriteTakesOnlyTheStartOfAClientsCallWhoseFragmentFitsTheWrite()
    {
        var bind = RpcCallPdus.Bind([(0, new Guid("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), 4)]);
        var request = RpcCallPdus.Request(0, 3);
        Assert.True(CoHeader.StartsCall(bind, bind.Length));
        Assert.True(CoHeader.StartsCall(request, request.Length));
        Assert.True(CoHeader.StartsCall(RpcCallPdus.Bind([(0, RpcInterfaces.EndpointMapper, 3)], type: 14), 1000));
        // Only the header need be read; the fragment must fit in what was written, and hold the PDU's fixed part.
        Assert.True(CoHeader.StartsCall(request[..CoHeader.Size], request.Length));
        Assert.False(CoHeader.StartsCall(request, request.Length - 1));
        Assert.False(CoHeader.StartsCall(request[..(CoHeader.Size - 1)], request.Length));
        Assert.False(CoHeader.StartsCall(With(request, 8, 20), 1000));
        Assert.False(CoHeader.StartsCall(With(bind, 8, 27), 1000));
        // Version 5.0 and 5.1 only; a response, auth3 or anything else a client does not begin with is no call.
        Assert.False(CoHeader.StartsCall(With(request, 0, 4), 1000));
        Assert.False(CoHeader.StartsCall(With(request, 1, 2), 1000));
        Assert.True(CoHeader.StartsCall(With(request, 1, 1), 1000));
        foreach (byte type in new byte[] { 2, 12, 16, 19, 20, 255 }) Assert.False(CoHeader.StartsCall(With(request, 2, type), 1000));
        Assert.False(CoHeader.StartsCall(new byte[300], 300));
        Assert.False(CoHeader.StartsCall(default, 0));
    }

    private static byte[] With(byte[] pdu, int at, byte value)
    {
        var changed = (byte[])pdu.Clone();
        changed[at] = value;
        return changed;
    }

    [Fact]
    public void AlterContextNamesTheInterfaceToo()
    {
        var (_, flow) = Once(new DceRpcCoInspector(), DceRpcPdus.Bind(new Guid("338cd001-2244-31f1-aaaa-900038001003"), 1, type: 14), tcp: true);
        Assert.Equal(("WINREG", "alter_context"), (flow.DceRpc?.Name, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void AShortBindWaitsAndABadHeaderIsRejected()
    {
        var bind = DceRpcPdus.Bind(RpcInterfaces.EndpointMapper, 3);
        Assert.Equal(InspectResult.NeedMore, Once(new DceRpcCoInspector(), bind[..30], tcp: true).Result);
        var bad = (byte[])bind.Clone();
        bad[0] = 4;
        Assert.Equal(InspectResult.NoMatch, Once(new DceRpcCoInspector(), bad, tcp: true).Result);
        Assert.Equal(InspectResult.NoMatch, Once(new DceRpcCoInspector(), bind, tcp: false).Result);
    }

    [Fact]
    public void ConnectionlessHeaderNamesTheInterface()
    {
        var pdu = new byte[80 + 8];
        pdu[0] = 4;
        pdu[4] = 0x10;
        new Guid("82273fdc-e32a-18c3-3f78-827929dc23ea").ToByteArray().CopyTo(pdu, 24);
        pdu[74] = 8;
        var (result, flow) = Once(new DceRpcClInspector(), pdu, tcp: false);
        Assert.Equal((InspectResult.Match, "EVENTLOG"), (result, flow.DceRpc?.Name));
        Assert.Equal(InspectResult.NoMatch, Once(new DceRpcClInspector(), pdu[..79], tcp: false).Result);
    }
}
