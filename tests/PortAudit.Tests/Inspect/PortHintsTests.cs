using PortAudit.Common;
using PortAudit.Inspect;

namespace PortAudit.Tests.Inspect;

/// <summary>The port-hint table answers what asking every inspector answers, for each transport apart.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class PortHintsTests
{
    [Fact]
    public void EachPortsMaskIsTheInspectorsThatHintIt()
    {
        var inspectors = Inspectors.CreateAll().ToArray();
        var hints = new PortHints(inspectors);

        foreach (byte protocol in new[] { IpProtocol.Tcp, IpProtocol.Udp })
            foreach (ushort port in new ushort[] { 0, 53, 88, 135, 443, 3478, 5061, 49152, 50000, 65535, 53, 443 })
            {
                ulong expected = 0;
                for (int i = 0; i < inspectors.Length; i++)
                    if (inspectors[i].HintsPort(protocol, port)) expected |= 1UL << i;

                Assert.Equal(expected, hints.Of(protocol, port));
            }
    }

    [Fact]
    public void TcpAndUdpOfOnePortAreKeptApart()
    {
        var hints = new PortHints(Inspectors.CreateAll().ToArray());

        // The dynamic RPC range is a TCP hint only (DCE/RPC over TCP); asking UDP first must not fill TCP's entry.
        ulong udp = hints.Of(IpProtocol.Udp, 50000);
        ulong tcp = hints.Of(IpProtocol.Tcp, 50000);

        Assert.NotEqual(0UL, tcp);
        Assert.NotEqual(udp, tcp);
    }
}
