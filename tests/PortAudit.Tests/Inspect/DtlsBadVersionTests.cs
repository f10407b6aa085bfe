using PortAudit.Flows.Facts;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// DTLS 1.0 as OpenSSL wrote it before 0.9.8f (record version 0x0100), which Cisco AnyConnect's data channel still
/// speaks: DTLS, with that version named, and nothing else taken for it.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class DtlsBadVersionTests
{
    // A record of the given type and version around an abbreviated ClientHello's first bytes.
    private static byte[] Record(byte type, byte major, byte minor) =>
        [type, major, minor, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40, .. Enumerable.Range(0, 40).Select(i => (byte)i)];

    [Fact]
    public void ARecordOfVersion0x0100IsDtlsNamedSo()
    {
        var flow = DtlsHelloFragmentsTests.Inspect(Record(23, 0x01, 0x00));
        Assert.Equal((AppLabel.Dtls, "version=dtls1.0-openssl-pre-0.9.8f"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void NeighbouringVersionsAreNot()
    {
        Assert.Null(DtlsHelloFragmentsTests.Inspect(Record(23, 0x01, 0x01)).App);
        Assert.Null(DtlsHelloFragmentsTests.Inspect(Record(23, 0x00, 0x01)).App);
        Assert.Null(DtlsHelloFragmentsTests.Inspect(Record(19, 0x01, 0x00)).App);
    }
}

/// <summary>tshark as the oracle for the pre-RFC DTLS version on the bench capture.</summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class DtlsBadVersionTsharkTests
{
    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void EachConversationTsharkReadsAsPreRfcDtlsIsOurs()
    {
        string path = SharedData.Path("bench/base.pcap")!;
        var tshark = TsharkLabelAgreementTests.Tshark(path, "dtls.record.version == 0x0100");
        var ours = InspectTestData.Inspect(path).Flows
            .Where(f => f.App == AppLabel.Dtls && f.AppDetail?.ToString()?.Contains("dtls1.0-openssl-pre-0.9.8f") == true)
            .Select(TsharkLabelAgreementTests.Key).ToHashSet();
        Assert.NotEmpty(tshark);
        Assert.Equal(tshark.Order(), ours.Order());
    }
}
