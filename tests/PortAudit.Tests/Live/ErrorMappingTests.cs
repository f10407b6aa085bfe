using PortAudit.Capture.Live;
using PortAudit.Common;

namespace PortAudit.Tests.Live;

[Trait(Tier.Name, Tier.Unit)]
public class ErrorMappingTests
{
    [Fact]
    public void MissingLibraryNamesThePackage()
    {
        var ex = Assert.Throws<InputException>(() => LibPcap.Load(["libpcap-that-does-not-exist.so.9"]));
        Assert.StartsWith("libpcap not found: install libpcap0.8", ex.Message);
    }

    [Theory]
    [InlineData(LibPcap.ErrorPermissionDenied, "")]
    [InlineData(LibPcap.ErrorPromiscuousPermissionDenied, "")]
    [InlineData(LibPcap.Error, "socket: Operation not permitted")]
    public void PermissionFailuresNameCapNetRaw(int status, string detail)
    {
        var ex = PcapStatus.Failure("eth0", status, detail);
        Assert.StartsWith("eth0: permission denied: capturing needs root or CAP_NET_RAW", ex.Message);
    }

    [Fact]
    public void OtherFailuresKeepLibpcapsMessage() =>
        Assert.Equal("eth0: something odd", PcapStatus.Failure("eth0", LibPcap.Error, "something odd").Message);

}

/// <summary>Failures that only libpcap itself can report, met by opening the loopback interface for real.</summary>
[Trait(Tier.Name, Tier.Live)]
public class LiveErrorMappingTests
{
    [LiveFact]
    public void UnknownInterfaceIsNamed()
    {
        var ex = Assert.Throws<LiveCaptureException>(() =>
            LiveCaptureReader.Open(new LiveCaptureOptions { Interfaces = ["lo", "nosuch0"] }, default));
        Assert.Equal("nosuch0: no such interface (see 'portaudit interfaces')", ex.Message);
    }

    [LiveFact]
    public void InvalidFilterCarriesLibpcapsMessage()
    {
        var ex = Assert.Throws<LiveCaptureException>(() =>
            LiveCaptureReader.Open(new LiveCaptureOptions { Interfaces = ["lo"], Filter = "udp prot 53" }, default));
        Assert.StartsWith("invalid filter 'udp prot 53': ", ex.Message);
        Assert.Contains("syntax error", ex.Message);
    }

    [LiveFact]
    public void InterfacesListIncludesLoopbackWithItsAddress()
    {
        var lo = Assert.Single(CaptureDevices.List(), d => d.Name == "lo");
        Assert.True(lo.IsLoopback);
        Assert.True(lo.IsUp);
        Assert.Contains(lo.Addresses, a => a.ToString() == "127.0.0.1/8");
    }
}
