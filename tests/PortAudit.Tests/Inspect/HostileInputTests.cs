using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using PortAudit.Sources.Files;

namespace PortAudit.Tests.Inspect;

[Trait(Tier.Name, Tier.Unit)]
public class HostileInputTests
{
    private const int Seed = 20261121;

    [Theory]
    [InlineData(0x8000_0000u)]  // behind by 2^31: an int offset of int.MinValue, which negates to itself
    [InlineData(0x8000_0001u)]  // just past half the sequence space
    [InlineData(0xC000_0000u)]  // a quarter of the sequence space behind
    public void ASegmentFarBehindTheStreamIsSeenAlreadyAndNeverThrows(uint behind)
    {
        // Found by the fuzz harness's draft target on a mutated tcpd-pptp.pcap: a segment whose sequence number lay
        // 2^31 behind the next expected byte threw out of the reassembly.
        var stream = new DirectionStream(4096);
        Assert.True(stream.Add(1000, "abc"u8));

        bool added = stream.Add(1003 + behind, "defg"u8);

        Assert.False(added);
        Assert.Equal("abc"u8.ToArray(), stream.Data.ToArray());
    }

    [Fact]
    public void RandomBytesNeverThrowOutOfAnInspector()
    {
        var random = new Random(Seed);
        int claimed = 0;
        foreach (var inspector in Inspectors.CreateAll())
        {
            for (int i = 0; i < 2000; i++)
            {
                var data = new byte[random.Next(0, 300)];
                random.NextBytes(data);
                if (data.Length > 0 && random.Next(4) == 0) data[0] = (byte)random.Next(0, 8);
                claimed += ShowEverywhere(inspector, data, random.Next(0, 12));
            }
        }
        // Random bytes are noise: almost nothing may claim them (of 27 inspectors x 2000 payloads x 4 ways).
        Assert.True(claimed < 200, $"{claimed} random payloads were claimed");
    }

    [SharedDataFact]
    public void MutatedCapturePayloadsNeverThrowOutOfAnInspector()
    {
        var random = new Random(Seed);
        var payloads = CapturePayloads(200);
        Assert.Equal(3096, payloads.Count);
        var inspectors = Inspectors.CreateAll();
        foreach (var payload in payloads)
        {
            foreach (var inspector in inspectors)
            {
                ShowEverywhere(inspector, payload, 0);
                ShowEverywhere(inspector, Mutate(payload, random), random.Next(0, 4));
            }
            ReadTowersFrom(payload);
            ReadTowersFrom(Mutate(payload, random));
        }
    }

    [SharedDataFact]
    public void TheEngineSurvivesEveryCapture()
    {
        var paths = Directory.GetFiles(SharedData.Path("captures")!).Where(p => p.EndsWith(".pcap", StringComparison.Ordinal) || p.EndsWith(".pcapng", StringComparison.Ordinal)).ToArray();
        var (flows, _) = InspectTestData.Inspect(paths);
        // ICMP errors that answer a captured flow are evidence on it, not flows of their own (553 before they were folded);
        // the tunnels of 6in4tunnel.pcap, 4in4tunnel.pcap and gre.pcapng are flows of their own besides those they carry.
        // Read in one run, captures whose times lie before an earlier one's had no sweep and kept their flows past the
        // limit (551), as ipsec_isakmp_esp.pcap's IKE flows over hours: 607 once a flow ended at its next packet past the
        // limit, 634 once the sweeps followed the clock back (flows the capture's time had passed end there).
        Assert.Equal(634, flows.Count);
        Assert.Contains(flows, f => f.App is not null);
    }

    [Fact]
    public void TruncatedAndOverlongTowersAreRejected()
    {
        var tower = EndpointMapperTests.NetlogonTower(49668);
        Assert.True(EpmTower.TryParse(tower, out _));
        for (int cut = 0; cut < tower.Length; cut++) Assert.False(EpmTower.TryParse(tower.AsSpan(0, cut), out _));
        var overlong = (byte[])tower.Clone();
        overlong[0] = 0xFF;
        Assert.False(EpmTower.TryParse(overlong, out _));
        var stub = EndpointMapperTests.EptMapResponse(tower);
        var towers = new List<EpmTower>();
        for (int cut = 0; cut < stub.Length; cut++) EpmResponse.ReadTowers(stub.AsSpan(0, cut), EpmResponse.Map, towers);
        var nested = (byte[])stub.Clone();
        nested[32] = 0xFF; // an actual count far past the bytes
        EpmResponse.ReadTowers(nested, EpmResponse.Map, towers);
        EpmResponse.ReadTowers(nested, EpmResponse.Lookup, towers);
        Assert.All(towers, t => Assert.Equal((ushort)49668, t.Port));
    }

    private static int ShowEverywhere(IInspector inspector, byte[] data, int index)
    {
        int claimed = 0;
        foreach (bool tcp in new[] { true, false })
        foreach (bool fromClient in new[] { true, false })
        {
            var flow = InspectorHarness.NewFlow(tcp);
            // Once with fresh memory (what counts as a claim), once with arbitrary memory (which must not break it either).
            ulong scratch = 0;
            var input = new InspectionInput(flow, data, fromClient, tcp, index, ref scratch, atLimit: index % 2 == 1);
            if (inspector.Inspect(ref input) is InspectResult.Match or InspectResult.Partial) claimed++;
            scratch = (ulong)(index + 1) * 0x9E3779B97F4A7C15UL;
            input = new InspectionInput(flow, data, fromClient, tcp, index, ref scratch, atLimit: index % 2 == 0);
            inspector.Inspect(ref input);
        }
        return claimed;
    }

    private static void ReadTowersFrom(byte[] data)
    {
        EpmTower.TryParse(data, out _);
        EpmResponse.ReadTowers(data, EpmResponse.Map, new List<EpmTower>());
        EpmResponse.ReadTowers(data, EpmResponse.Lookup, new List<EpmTower>());
    }

    private static byte[] Mutate(byte[] payload, Random random)
    {
        var data = payload.Length == 0 ? new byte[random.Next(1, 64)] : (byte[])payload.Clone();
        switch (random.Next(4))
        {
            case 0:
                for (int i = 0; i < 1 + data.Length / 16; i++) data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                return data;
            case 1:
                return data[..random.Next(data.Length + 1)];
            case 2:
                // Lengths and counts past the end: overwrite a word with a large value.
                int at = random.Next(data.Length);
                for (int i = at; i < Math.Min(data.Length, at + 4); i++) data[i] = 0xFF;
                return data;
            default:
                var longer = new byte[data.Length + random.Next(1, 64)];
                random.NextBytes(longer);
                data.CopyTo(longer, 0);
                return longer;
        }
    }

    private static List<byte[]> CapturePayloads(int perCapture)
    {
        var payloads = new List<byte[]>();
        foreach (var path in Directory.GetFiles(SharedData.Path("captures")!).Where(p => p.Contains(".pcap", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            try
            {
                using var reader = CaptureFile.Open(path);
                int taken = 0;
                while (taken < perCapture && reader.TryRead(out var record))
                {
                    if (PacketDecoder.Decode(record.LinkType, record.Data, out var packet) != DecodeStatus.Ok || packet.PayloadLength == 0) continue;
                    if (packet.PayloadOffset + packet.PayloadLength > record.Data.Length) continue;
                    payloads.Add(record.Data.Slice(packet.PayloadOffset, packet.PayloadLength).ToArray());
                    taken++;
                }
            }
            catch (InputException)
            {
                // A damaged capture (the fuzz corpus has one) still gave what came before the damage.
            }
        }
        return payloads;
    }
}
