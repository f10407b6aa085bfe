using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Sources.Files;
using PortAudit.Tests.Flows;
using static PortAudit.Tests.Builders.DecodedPackets;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// The engine turns a flow down unasked for an inspector whose declared first bytes
/// (<see cref="InspectorDescriptor.FirstBytes"/>) do not hold the flow's first byte, and for one of the other transport
/// (<see cref="InspectorDescriptor.Transport"/>). Each declaration must therefore be exact: what starts with another
/// byte, the inspector itself turns down, and labels are the same as when every inspector is asked.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class FirstByteDeclarationTests
{
    private const long T0 = 1_700_000_000_000_000_000;
    private static readonly int[] Lengths = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 28, 32, 40, 48, 64, 100, 200, 600, 1400];

    [Fact]
    public void Every_inspector_turns_down_bytes_that_start_with_one_it_did_not_declare()
    {
        var random = new Random(46);
        var wrong = new SortedDictionary<string, string>(StringComparer.Ordinal);
        int declared = 0;
        foreach (var inspector in Inspectors.CreateAll())
        {
            var descriptor = inspector.Descriptor;
            if (descriptor.FirstBytes is not { } first) continue;
            declared++;
            for (int b = 0; b < 256; b++)
            {
                if (first.Contains((byte)b)) continue;
                foreach (int length in Lengths)
                {
                    for (int fill = 0; fill < 4; fill++)
                    {
                        var data = Fill(random, length, fill);
                        data[0] = (byte)b;
                        bool tcp = descriptor.Transport == 0 ? random.Next(2) == 0 : descriptor.Transport == IpProtocol.Tcp;
                        ulong scratch = fill == 0 ? 0 : (ulong)random.NextInt64();
                        ushort port = descriptor.PortHints.Count > 0 ? descriptor.PortHints[random.Next(descriptor.PortHints.Count)] : (ushort)40000;
                        var input = new InspectionInput(InspectorHarness.NewFlow(tcp, port), data, random.Next(2) == 0, tcp, random.Next(4),
                            ref scratch, atLimit: random.Next(2) == 0);
                        ulong before = scratch;
                        var result = inspector.Inspect(ref input);
                        if (result != InspectResult.NoMatch || scratch != before)
                            wrong.TryAdd(inspector.GetType().Name, $"answered {result} to {length} bytes starting "
                                + $"{Convert.ToHexString(data.AsSpan(0, Math.Min(length, 12)))}, scratch {before:x} -> {scratch:x}");
                    }
                }
            }
        }
        Assert.True(wrong.Count == 0, string.Join("; ", wrong.Select(w => $"{w.Key} {w.Value}")));
        Assert.True(declared >= 20, $"only {declared} inspectors declare their first bytes");
    }

    [Fact]
    public void A_flow_is_not_shown_to_an_inspector_of_the_other_transport_or_of_other_first_bytes()
    {
        var tcpOnly = new CountingInspector(new InspectorDescriptor(AppLabel.Http, IpProtocol.Tcp, [], InspectorPrecision.StartLine, 0));
        var udpOnly = new CountingInspector(new InspectorDescriptor(AppLabel.Dns, IpProtocol.Udp, [], InspectorPrecision.Loose, 1));
        var startsWithG = new CountingInspector(new InspectorDescriptor(AppLabel.Sip, 0, [], InspectorPrecision.StartLine, 2)
            { FirstBytes = System.Buffers.SearchValues.Create("G"u8) });
        var table = new FlowTable(new FlowTableOptions(), new InspectionEngine([tcpOnly, udpOnly, startsWithG]));
        IpAddr client = IpAddr.FromV4(0x0A000001), server = IpAddr.FromV4(0x0A000002);
        SendTcp(table, T0, client, 40000, server, 80, 1000, TcpFlags.Syn, []);
        SendTcp(table, T0 + 1, server, 80, client, 40000, 9000, TcpFlags.Syn | TcpFlags.Ack, []);
        SendTcp(table, T0 + 2, client, 40000, server, 80, 1001, TcpFlags.Ack | TcpFlags.Psh, "GET / HTTP/1.1\r\n\r\n"u8.ToArray());
        SendUdp(table, T0 + 3, client, 40001, server, 53, "PUT"u8.ToArray());
        table.Flush();
        Assert.Equal((1, 0), (tcpOnly.Tcp, tcpOnly.Udp));
        Assert.Equal((0, 1), (udpOnly.Tcp, udpOnly.Udp));
        Assert.Equal((1, 0), (startsWithG.Tcp, startsWithG.Udp));
    }

    [SharedDataFact]
    public void Labels_on_every_capture_are_those_of_every_inspector_asked()
    {
        int labelled = 0;
        foreach (string file in ScratchDeclarationTests.EveryCapture())
        {
            var declared = Labels(file, new InspectionEngine());
            var asked = Labels(file, new InspectionEngine(Inspectors.CreateAll().Select(i => (IInspector)new AskedAlways(i)).ToList()));
            Assert.Equal(asked.Count, declared.Count);
            for (int i = 0; i < asked.Count; i++) Assert.True(asked[i] == declared[i], $"{file}: {declared[i]}, every inspector asked: {asked[i]}");
            labelled += declared.Count(l => !l.Contains("app=none", StringComparison.Ordinal));
        }
        Assert.True(labelled > 500, $"only {labelled} flows were labelled: the inspectors hardly ran");
    }

    private static List<string> Labels(string file, InspectionEngine engine)
    {
        var runner = new FlowRunner(null, engine);
        try
        {
            using var reader = CaptureFile.Open(file);
            runner.Reader.ReadPipelined(reader);
        }
        catch (CaptureFormatException)
        {
            // A damaged capture's flows up to the damage are compared.
        }
        runner.Table.Flush();
        return runner.Flows.Select(Describe).ToList();
    }

    private static string Describe(Flow f) =>
        $"{f.Id} {f.Protocol} {f.Client}:{f.ClientPort} > {f.Server}:{f.ServerPort} app={f.App?.ToString() ?? "none"} {f.AppDetail} {f.DceRpc} {f.Sides} {f.Weakness}";

    private static byte[] Fill(Random random, int length, int fill)
    {
        var data = new byte[length];
        switch (fill)
        {
            case 1: random.NextBytes(data); break;
            case 2: data.AsSpan().Fill(0xFF); break;
            case 3:
                // Text: what the start-line inspectors read further into.
                const string text = " ABCDEFGHIJKLMNOPQRSTUVWXYZ/.:0123456789\r\n";
                for (int i = 0; i < length; i++) data[i] = (byte)text[random.Next(text.Length)];
                break;
        }
        return data;
    }

    // Every inspector asked, as before the engine read declarations: the same inspector, its first bytes not told.
    private sealed class AskedAlways(IInspector inner) : IInspector
    {
        public InspectorDescriptor Descriptor { get; } = inner.Descriptor with { FirstBytes = null, Transport = 0 };

        public bool HintsPort(byte protocol, ushort port) => inner.HintsPort(protocol, port);

        public InspectResult Inspect(ref InspectionInput input) => inner.Inspect(ref input);
    }

    private sealed class CountingInspector(InspectorDescriptor descriptor) : IInspector
    {
        public int Tcp, Udp;

        public InspectorDescriptor Descriptor => descriptor;

        public bool HintsPort(byte protocol, ushort port) => false;

        public InspectResult Inspect(ref InspectionInput input)
        {
            if (input.IsTcp) Tcp++;
            else Udp++;
            return InspectResult.NoMatch;
        }
    }
}
