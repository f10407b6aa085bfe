using System.CommandLine;
using System.Text;
using System.Text.Json;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using PortAudit.Report;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit rpc</c>: the endpoint-mapper answers seen, and which later flows used each.</summary>
public static class RpcCommand
{
    private static readonly string[] Formats = { "table", "json" };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("rpc", "List the DCE/RPC endpoint-mapper mappings in captures and the flows that used them.");
        var options = new CaptureCommandOptions(command, new OutputOptions(Formats, "table", "Output format: table or json."));
        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            var engine = new InspectionEngine();
            var table = new FlowTable(options.Flow.Read(parse), engine);
            var reader = new TrafficReader(table);
            reader.ReadAll(parse.GetValue(options.Captures)!);
            using (var stream = options.Output.OpenStream(parse))
            {
                var mappings = engine.Expectations.Mappings;
                if (parse.GetValue(options.Output.Format) == "json") WriteJson(stream, mappings);
                else WriteTable(stream, mappings);
            }
            return RunSummary.Report(log, reader, table);
        }));
        return command;
    }

    private static string Endpoint(IpAddr address, ushort port) =>
        address.IsV4 ? $"{address}:{port}" : $"[{address}]:{port}";

    private static string Interface(RpcMapping m) => m.InterfaceName ?? m.InterfaceUuid.ToString("D");

    private static void WriteTable(Stream stream, IReadOnlyList<RpcMapping> mappings)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        var rows = new List<string[]> { new[] { "time", "mapper", "client", "interface", "mapped", "used by" } };
        foreach (var m in mappings)
        {
            string uses = m.Uses.Count == 0 ? "-" : string.Join(", ", m.Uses.Select(u => Endpoint(u.Client, u.ClientPort)));
            rows.Add(new[]
            {
                Timestamps.ToIso(m.TimeNs), Endpoint(m.Mapper, m.MapperPort), m.Client.ToString(), Interface(m),
                $"{IpProtocol.Name(m.Transport)} {Endpoint(m.Address, m.Port)}", uses,
            });
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
            writer.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))));
    }

    private static void WriteJson(Stream stream, IReadOnlyList<RpcMapping> mappings)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var m in mappings)
        {
            json.WriteStartObject();
            json.WriteString("time", Timestamps.ToIso(m.TimeNs));
            json.WriteString("mapper", m.Mapper.ToString());
            json.WriteNumber("mapperPort", m.MapperPort);
            json.WriteString("client", m.Client.ToString());
            json.WriteString("interface", m.InterfaceName);
            json.WriteString("interfaceUuid", m.InterfaceUuid.ToString("D"));
            json.WriteString("transport", IpProtocol.Name(m.Transport));
            json.WriteString("address", m.Address.ToString());
            json.WriteNumber("port", m.Port);
            json.WriteStartArray("usedBy");
            foreach (var use in m.Uses)
            {
                json.WriteStartObject();
                json.WriteString("start", Timestamps.ToIso(use.StartNs));
                json.WriteString("client", use.Client.ToString());
                json.WriteNumber("clientPort", use.ClientPort);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
