using PortAudit.Sources.Live;
using SharpPcap;

namespace PortAudit.Tests.Sources.Live;

[Trait(Tier.Name, Tier.Unit)]
public class ErrorMappingTests
{
    [Theory]
    [InlineData(typeof(DllNotFoundException))]
    [InlineData(typeof(TypeInitializationException))]
    public void MissingLibraryNamesThePackage(Type loaderFailure)
    {
        Exception thrown = loaderFailure == typeof(DllNotFoundException)
            ? new DllNotFoundException("wpcap")
            : new TypeInitializationException("SharpPcap.LibPcap.LibPcapSafeNativeMethods", new DllNotFoundException("wpcap"));
        Assert.True(PcapLibrary.IsMissingLibrary(thrown));
        Assert.StartsWith("libpcap not found: install libpcap0.8", PcapLibrary.Missing(thrown).Message);
        Assert.False(PcapLibrary.IsMissingLibrary(new TypeInitializationException("Other", new InvalidOperationException())));
    }

    [Theory]
    [InlineData(PcapError.PermissionDenied, "")]
    [InlineData(PcapError.PromiscuousPermissionDenied, "")]
    [InlineData(PcapError.Generic, "Unable to open the adapter 'eth0' using pcap_create. socket: Operation not permitted")]
    public void PermissionFailuresNameCapNetRaw(PcapError status, string detail) =>
        Assert.StartsWith("permission denied: capturing needs root or CAP_NET_RAW", PcapFailure.Message(status, detail));

    [Fact]
    public void AnInterfaceThatIsDownOrMissingIsSaidPlainly()
    {
        Assert.Equal("interface is down", PcapFailure.Message(PcapError.InterfaceNotUp, "Unable to activate the adapter (eth0)."));
        Assert.Equal("no such interface (see 'portaudit interfaces')", PcapFailure.Message(PcapError.NoSuchDevice, ""));
    }

    [Fact]
    public void OtherFailuresKeepLibpcapsMessage() =>
        Assert.Equal("something odd", PcapFailure.Message(PcapError.Generic, "something odd"));
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
