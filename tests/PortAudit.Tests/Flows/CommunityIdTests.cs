using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Tests.Builders;

namespace PortAudit.Tests.Flows;

/// <summary>
/// Our Community ID against the published test vectors of the specification, github.com/corelight/community-id-spec:
/// the tables of baseline/README.md (default seed and seed 1) and baseline/baseline_deflt.json and baseline_seed1.json
/// (the tuples of pcaps/combined.pcap.gz as pycommunityid's community-id-pcap reads them).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class CommunityIdTests
{
    // baseline/README.md, "Default settings" and "A custom seed=1 value": proto, source, destination, source port
    // (ICMP type), destination port (ICMP code), seed, Community ID. A port of -1 is a port-less protocol.
    public static readonly TheoryData<byte, string, string, int, int, ushort, string> Tables = new()
    {
        { 6, "1.2.3.4", "5.6.7.8", 1122, 3344, 0, "1:wCb3OG7yAFWelaUydu0D+125CLM=" },
        { 6, "5.6.7.8", "1.2.3.4", 3344, 1122, 0, "1:wCb3OG7yAFWelaUydu0D+125CLM=" },
        { 17, "1.2.3.4", "5.6.7.8", 1122, 3344, 0, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=" },
        { 17, "5.6.7.8", "1.2.3.4", 3344, 1122, 0, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=" },
        { 132, "1.2.3.4", "5.6.7.8", 1122, 3344, 0, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=" },
        { 132, "5.6.7.8", "1.2.3.4", 3344, 1122, 0, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=" },
        { 1, "1.2.3.4", "5.6.7.8", 8, 0, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=" },
        { 1, "5.6.7.8", "1.2.3.4", 0, 0, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=" },
        { 1, "1.2.3.4", "5.6.7.8", 11, 0, 0, "1:f/YiSyWqczrTgfUCZlBUnvHRcPk=" },
        { 58, V6A, V6B, 128, 0, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=" },
        { 58, V6B, V6A, 129, 0, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=" },
        { 58, V6A, V6B, 146, 0, 0, "1:fYC8+pz24E+EhANP1EZhpX0Dw10=" },
        { 46, "1.2.3.4", "5.6.7.8", -1, -1, 0, "1:ikv3kmf89luf73WPz1jOs49S768=" },
        { 46, "5.6.7.8", "1.2.3.4", -1, -1, 0, "1:ikv3kmf89luf73WPz1jOs49S768=" },
        { 46, V6A, V6B, -1, -1, 0, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=" },
        { 46, V6B, V6A, -1, -1, 0, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=" },
        { 6, "1.2.3.4", "5.6.7.8", 1122, 3344, 1, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" },
        { 6, "5.6.7.8", "1.2.3.4", 3344, 1122, 1, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" },
        { 17, "1.2.3.4", "5.6.7.8", 1122, 3344, 1, "1:OShq+iKDAMVouh/4bMxB9Sz4amw=" },
        { 132, "1.2.3.4", "5.6.7.8", 1122, 3344, 1, "1:uitchpn5MMGAQKBJh7bIr/bAr7s=" },
        { 1, "1.2.3.4", "5.6.7.8", 8, 0, 1, "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=" },
        { 1, "5.6.7.8", "1.2.3.4", 0, 0, 1, "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=" },
        { 1, "1.2.3.4", "5.6.7.8", 11, 0, 1, "1:1DD7cWGC/Yg91YGsQeni8du3pIA=" },
        { 58, V6A, V6B, 128, 0, 1, "1:IO27GQzPuCtNnwFvjWALMHu5tJE=" },
        { 58, V6B, V6A, 129, 0, 1, "1:IO27GQzPuCtNnwFvjWALMHu5tJE=" },
        { 58, V6A, V6B, 146, 0, 1, "1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s=" },
        { 46, "1.2.3.4", "5.6.7.8", -1, -1, 1, "1:/buhqeOmaRCopOZFy9HnoJd5XW8=" },
        { 46, V6B, V6A, -1, -1, 1, "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=" },
    };

    // baseline/baseline_deflt.json and baseline_seed1.json: proto, source, destination, ports as the file gives them
    // (for ICMP the type and its counterpart type, or the code of a one-way type), id with seed 0, id with seed 1.
    public static readonly TheoryData<byte, string, string, int, int, string, string> Captured = new()
    {
        { 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
        { 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
        { 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
        { 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
        { 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=", "1:lVEtCZpYu84Xqaa++3lXFyuu2n4=" },
        { 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:hLZd0XGWojozrvxqE0dWB1iM6R0=", "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8=" },
        { 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
        { 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
        { 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=", "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8=" },
        { 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:pkvHqCL88/tg1k4cPigmZXUtL00=", "1:K/ee5UCqAMAQXDorP5nSa2CGLjc=" },
        { 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
        { 1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
        { 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM=", "1:XjUibYHaafLQ3pxQeiMI8g25q20=" },
        { 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
        { 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
        { 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
        { 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
        { 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
        { 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
        { 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
        { 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
        { 46, "10.1.12.1", "10.1.12.2", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI=" },
        { 46, "10.1.12.2", "10.1.12.1", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI=" },
    };

    private const string V6A = "fe80:0001:0203:0405:0607:0809:0A0B:0C0D";
    private const string V6B = "fe80:1011:1213:1415:1617:1819:1A1B:1C1D";

    [Theory]
    [MemberData(nameof(Tables))]
    public void Matches_the_specification_tables(byte protocol, string source, string target, int sourcePort, int targetPort,
        ushort seed, string expected) =>
        Assert.Equal(expected, Tuple(protocol, source, target, sourcePort, targetPort, seed));

    [Theory]
    [MemberData(nameof(Captured))]
    public void Matches_the_specification_baseline_of_its_captures(byte protocol, string source, string target, int sourcePort,
        int targetPort, string seed0, string seed1)
    {
        Assert.Equal(seed0, Tuple(protocol, source, target, sourcePort, targetPort, seed: 0));
        Assert.Equal(seed1, Tuple(protocol, source, target, sourcePort, targetPort, seed: 1));
    }

    [Fact]
    public void An_ICMP_flow_hashes_the_type_and_code_of_its_first_message()
    {
        // An echo exchange first met at its reply has the id of one first met at its request (baseline README, ICMP rows).
        var reply = new Flow(1, IpProtocol.Icmp, Ip("5.6.7.8"), 0, Ip("1.2.3.4"), 0, 0, opened: false) { IcmpType = 0 };
        var request = new Flow(2, IpProtocol.Icmp, Ip("1.2.3.4"), 0, Ip("5.6.7.8"), 0, 0, opened: false) { IcmpType = 8 };
        var exceeded = new Flow(3, IpProtocol.Icmp, Ip("1.2.3.4"), 0, Ip("5.6.7.8"), 0, 0, opened: false) { IcmpType = 11 };
        Assert.Equal("1:crodRHL2FEsHjbv3UkRrfbs4bZ0=", CommunityId.Of(reply));
        Assert.Equal("1:crodRHL2FEsHjbv3UkRrfbs4bZ0=", CommunityId.Of(request));
        Assert.Equal("1:f/YiSyWqczrTgfUCZlBUnvHRcPk=", CommunityId.Of(exceeded));
        Assert.Equal("1:9pr4ZGTICiuZoIh90RRYE2RyXpU=", CommunityId.Of(request, seed: 1));
    }

    [Fact]
    public void A_flow_hashes_as_its_tuple_whichever_side_opened_it()
    {
        var flow = new Flow(7, IpProtocol.Tcp, Ip("5.6.7.8"), 3344, Ip("1.2.3.4"), 1122, 0, opened: true);
        Assert.Equal("1:wCb3OG7yAFWelaUydu0D+125CLM=", CommunityId.Of(flow));
    }

    [Fact]
    public void The_flow_table_keeps_the_ICMP_type_and_code_of_the_first_message()
    {
        var echo = Packets.Ethernet(Packets.Ipv4("192.168.0.89", "192.168.0.1", IpProtocol.Icmp, [8, 0, 0, 0, 0, 1, 0, 1]));
        var reply = Packets.Ethernet(Packets.Ipv4("192.168.0.1", "192.168.0.89", IpProtocol.Icmp, [0, 0, 0, 0, 0, 1, 0, 1]));
        var flow = Assert.Single(FlowRunner.Run(new PcapBuilder().Add(echo).Add(reply, seconds: 0.001).Build()).Flows);
        Assert.Equal((8, 0), (flow.IcmpType, flow.IcmpCode));
        Assert.Equal("1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", CommunityId.Of(flow)); // baseline_deflt.json, icmp.pcap
    }

    [Fact]
    public void Flows_formatted_together_get_the_ids_they_get_one_at_a_time()
    {
        // Every row of the specification's tables as a flow, then IPv4 flows and an IPv4-mapped beside an IPv6 address:
        // a count that leaves the last group of lanes part empty.
        var flows = Tables.Select((row, i) =>
        {
            byte protocol = (byte)row[0];
            int sourcePort = (int)row[3], targetPort = (int)row[4];
            var flow = new Flow(i, protocol, Ip((string)row[1]), (ushort)Math.Max(0, sourcePort), Ip((string)row[2]),
                (ushort)Math.Max(0, targetPort), 0, opened: true);
            if (protocol is IpProtocol.Icmp or IpProtocol.IcmpV6) (flow.IcmpType, flow.IcmpCode) = ((byte)sourcePort, (byte)targetPort);
            return flow;
        }).Concat(Enumerable.Range(0, 21).Select(i =>
            new Flow(100 + i, i % 2 == 0 ? IpProtocol.Tcp : IpProtocol.Udp, IpAddr.FromV4(0x0A00_0000u + (uint)i), (ushort)(40000 + i),
                IpAddr.FromV4(0xC0A8_0001), 443, 0, opened: true)))
            .Append(new Flow(200, IpProtocol.Tcp, Ip("::ffff:1.2.3.4"), 1122, Ip(V6A), 80, 0, opened: true))
            .ToArray();
        Assert.NotEqual(0, flows.Length % ShortSha1.Lanes);
        foreach (ushort seed in new ushort[] { 0, 1 })
        {
            var together = new byte[flows.Length * CommunityId.Length];
            CommunityId.FormatMany(flows, together, seed);
            for (int i = 0; i < flows.Length; i++)
                Assert.Equal(CommunityId.Of(flows[i], seed), Encoding.ASCII.GetString(together, i * CommunityId.Length, CommunityId.Length));
        }
        // The rows whose flow is their tuple as given (not an ICMP counterpart pair) keep the published id.
        Assert.Equal("1:wCb3OG7yAFWelaUydu0D+125CLM=", CommunityId.Of(flows[0]));
    }

    [Fact]
    public void Formatting_allocates_nothing()
    {
        var flow = new Flow(1, IpProtocol.Tcp, Ip(V6A), 1, Ip(V6B), 2, 0, opened: true);
        Span<byte> text = stackalloc byte[CommunityId.Length];
        CommunityId.Format(flow, text);
        var buffer = new byte[CommunityId.Length];
        long allocated = ThreadAllocation.Least(3, () =>
        {
            for (int i = 0; i < 1000; i++) CommunityId.Format(flow, buffer);
        });
        Assert.Equal(0, allocated);
        Assert.Equal(CommunityId.Length, CommunityId.Format(flow, text));
    }

    private static string Tuple(byte protocol, string source, string target, int sourcePort, int targetPort, ushort seed)
    {
        Span<byte> text = stackalloc byte[CommunityId.Length];
        int length = CommunityId.Format(protocol, Ip(source), (ushort)Math.Max(0, sourcePort), Ip(target),
            (ushort)Math.Max(0, targetPort), text, seed);
        return Encoding.ASCII.GetString(text[..length]);
    }

    private static IpAddr Ip(string text) => IpAddr.Parse(text);
}
