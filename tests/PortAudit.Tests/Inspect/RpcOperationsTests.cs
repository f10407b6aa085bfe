using PortAudit.Flows.Facts;
using PortAudit.Inspect.DceRpc;
using PortAudit.Inspect.Ntlm;

namespace PortAudit.Tests.Inspect;

[Trait(Tier.Name, Tier.Unit)]
public class RpcOperationsTests
{
    [Theory]
    [InlineData("e3514235-4b06-11d1-ab04-00c04fc2dcd2", 3, "IDL_DRSGetNCChanges")]
    [InlineData("12345678-1234-abcd-ef00-0123456789ab", 89, "RpcAddPrinterDriverEx")]
    [InlineData("12345678-1234-abcd-ef00-01234567cffb", 30, "NetrServerPasswordSet2")]
    [InlineData("df1941c5-fe89-4e79-bf10-463657acf44d", 0, "EfsRpcOpenFileRaw")]
    [InlineData("000001a0-0000-0000-c000-000000000046", 4, "RemoteCreateInstance")]
    [InlineData("86d35949-83c9-4044-b424-db363231fd0c", 1, "SchRpcRegisterTask")]
    [InlineData("12345778-1234-abcd-ef00-0123456789ab", 44, "LsarOpenPolicy2")]
    [InlineData("378e52b0-c0a9-11cf-822d-00aa0051e40f", 0, "SASetAccountInformation")]
    public void ReviewedOperationsHaveTheirSpecNames(string uuid, ushort opnum, string name) =>
        Assert.Equal(name, new RpcBinding(new Guid(uuid), 1, "bind").OperationName(opnum));

    [Fact]
    public void OtherOperationsStayNumbers()
    {
        Assert.Null(RpcOperations.Name(new Guid("12345678-1234-abcd-ef00-0123456789ab"), 2));
        Assert.Null(RpcOperations.Name(Guid.Empty, 0));
    }

    [Fact]
    public void EfsrpcAndDfsrNameTheirInterfaces()
    {
        Assert.Equal("EFSRPC", RpcInterfaces.Name(new Guid("df1941c5-fe89-4e79-bf10-463657acf44d")));
        Assert.Equal("DFSR", RpcInterfaces.Name(new Guid("897e2e5f-93f3-4376-9c9c-fd2277495c27")));
    }

    [Fact]
    public void SasecIsNamedAndAnAttackersInterface()
    {
        // [MS-TSCH] 1.9's GUID_SASec: the legacy task scheduler's account interface, a remote task's other half.
        Assert.Equal("SASec", RpcInterfaces.Name(new Guid("378e52b0-c0a9-11cf-822d-00aa0051e40f")));
        Assert.True(PortAudit.Audit.RpcExposure.IsSensitive("SASec"));
    }

    [Fact]
    public void NtlmMessagesAreReadOnlyWhereTheyAreWhole()
    {
        var v1 = RpcCallPdus.NtlmAuthenticate(24);
        Assert.True(NtlmMessage.TryRead(v1, out var message) && message.IsV1Authenticate);
        Assert.True(NtlmMessage.TryRead(RpcCallPdus.NtlmAuthenticate(0), out var anonymous) && !anonymous.IsV1Authenticate);
        Assert.False(NtlmMessage.TryRead(v1.AsSpan(0, 20), out _));
        Assert.False(NtlmMessage.TryRead("NTLMSSP\0\x09\0\0\0"u8, out _));
        // A signature at the very end, or repeated, never runs past the buffer.
        Assert.False(NtlmMessage.ContainsV1Authenticate([.. new byte[30], .. "NTLMSSP\0"u8]));
        Assert.True(NtlmMessage.ContainsV1Authenticate([.. "NTLMSSP\0"u8, .. "NTLMSSP\0"u8, .. v1]));
    }
}
