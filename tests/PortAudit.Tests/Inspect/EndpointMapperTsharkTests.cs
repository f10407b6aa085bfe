using System.Text.Json;
using PortAudit.Tests.Sources.Live;
using Xunit.Abstractions;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// <c>portaudit rpc</c> against tshark's endpoint-mapper dissector on every shared capture that holds mapper answers:
/// NDR (zerologon) and NDR64 (printnightmare, whose client offers both and the server takes NDR64) alike. A mapping
/// is (mapper, client, interface, transport, port, address), counted with its repeats.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public class EndpointMapperTsharkTests(ITestOutputHelper output)
{
    private static readonly Guid Ndr = new("8a885d04-1ceb-11c9-9fe8-08002b104860");
    private static readonly Guid Ndr64 = new("71710533-beba-4937-8319-b5dbef9ccc36");

    [NeedsProgramFact("tshark", shared: "captures-extra")]
    public void RpcListsEveryMappingTsharkDecodes()
    {
        (string Capture, int Mappings)[] captures =
        [
            ("captures/sv-dcerpc-zerologon.pcap", 21),
            ("captures-extra/cl-printnightmare-packetcapture_2.pcap", 23),
            ("captures-extra/cl-zerologon-CVE-2020-1472_test_win2019.pcap", 62),
        ];
        foreach (var (capture, count) in captures)
        {
            string path = SharedData.Path(capture)!;
            var theirs = Tshark(path);
            var ours = Ours(path);
            output.WriteLine($"{capture}: tshark {theirs.Count} mappings, portaudit rpc {ours.Count}");
            Assert.Equal(count, theirs.Count);
            Assert.Equal(theirs.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
        }
    }

    private static List<string> Ours(string path)
    {
        using var json = JsonDocument.Parse(RpcCommandTests.Run("-f", "json", path));
        return json.RootElement.EnumerateArray().Select(m => Key(m.GetProperty("mapper").GetString()!, m.GetProperty("client").GetString()!,
            m.GetProperty("interfaceUuid").GetString()!, m.GetProperty("transport").GetString()!, m.GetProperty("port").GetInt32().ToString(),
            m.GetProperty("address").GetString()!)).ToList();
    }

    // One line per answer frame; each tower gives its interface and transfer-syntax UUIDs, a TCP port and an address.
    private static List<string> Tshark(string path)
    {
        var mappings = new List<string>();
        string fields = External.Run("tshark", "-r", path, "-Y", "epm && dcerpc.pkt_type == 2", "-T", "fields", "-E", "separator=/t",
            "-e", "ip.src", "-e", "ip.dst", "-e", "epm.uuid", "-e", "epm.proto.tcp_port", "-e", "epm.proto.udp_port", "-e", "epm.proto.ip");
        foreach (var line in fields.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            Assert.True(f[4].Length == 0, "a UDP tower: this comparison reads TCP towers only");
            var interfaces = f[2].Split(',').Select(Guid.Parse).Where(u => u != Ndr && u != Ndr64).ToList();
            var ports = f[3].Split(',');
            var addresses = f[5].Split(',');
            Assert.Equal(interfaces.Count, ports.Length);
            for (int i = 0; i < ports.Length; i++)
                mappings.Add(Key(f[0], f[1], interfaces[i].ToString("D"), "tcp", ports[i], addresses[i]));
        }
        return mappings;
    }

    private static string Key(string mapper, string client, string iface, string transport, string port, string address) =>
        $"{mapper} {client} {iface} {transport} {port} {address}";
}
