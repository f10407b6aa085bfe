using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Inspect.DceRpc;
using PortAudit.Report.Json;
using PortAudit.Report.Text;

namespace PortAudit.Report.Listings;

/// <summary>Writes the endpoint-mapper answers of a run, and the flows that used each, as a table or JSON.</summary>
public static class RpcMappingWriter
{
    /// <summary>The format names <see cref="Write"/> accepts.</summary>
    public static readonly string[] Formats = ["table", "json"];

    /// <summary>
    /// Writes <paramref name="mappings"/> in <paramref name="format"/> to <paramref name="output"/>; <paramref name="tables"/>
    /// lays out the table format.
    /// </summary>
    public static void Write(Stream output, string format, IReadOnlyList<RpcMapping> mappings, ListingRenderer tables)
    {
        if (format == "json") WriteJson(output, mappings);
        else
        {
            using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            tables(Listing(mappings), writer);
        }
    }

    private static string Endpoint(IpAddr address, ushort port) =>
        address.IsV4 ? $"{address}:{port}" : $"[{address}]:{port}";

    private static string Interface(RpcMapping m) => m.InterfaceName ?? m.InterfaceUuid.ToString("D");

    /// <summary>A row per mapping, or a line saying there was none.</summary>
    public static TextListing Listing(IReadOnlyList<RpcMapping> mappings)
    {
        // An empty table reads like a failure; say what was looked for instead.
        if (mappings.Count == 0) return new TextListing(["no endpoint-mapper answer (ept_map, ept_lookup) in the input"], null, []);
        var table = new TableRows("time", "mapper", "client", "interface", "mapped", "used by");
        foreach (var m in mappings)
        {
            string uses = m.Uses.Count == 0 ? "-" : string.Join(", ", m.Uses.Select(u => Endpoint(u.Client, u.ClientPort)))
                + (m.UseCount > m.Uses.Count ? $" and {m.UseCount - m.Uses.Count} more" : "");
            table.Add(Timestamps.ToIso(m.TimeNs), Endpoint(m.Mapper, m.MapperPort), m.Client.ToString(), Interface(m),
                $"{IpProtocol.Name(m.Transport)} {Endpoint(m.Address, m.Port)}", uses);
        }
        return new TextListing(table);
    }

    private static void WriteJson(Stream stream, IReadOnlyList<RpcMapping> mappings) => JsonOutput.Write(stream, json =>
    {
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
            json.WriteNumber("uses", m.UseCount);
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
    });
}
