using System.Text;
using PortAudit.Report.Json;
using PortAudit.Report.Text;
using PortAudit.Sources.Live;

namespace PortAudit.Report.Listings;

/// <summary>Writes the interfaces libpcap can capture on, as a table or JSON.</summary>
public static class InterfaceListWriter
{
    /// <summary>The format names <see cref="Write"/> accepts.</summary>
    public static readonly string[] Formats = ["table", "json"];

    /// <summary>
    /// Writes <paramref name="devices"/> in <paramref name="format"/> to <paramref name="output"/>; <paramref name="tables"/>
    /// lays out the table format.
    /// </summary>
    public static void Write(Stream output, string format, IReadOnlyList<CaptureDevice> devices, ListingRenderer tables)
    {
        if (format == "json") WriteJson(output, devices);
        else
        {
            using var writer = new StreamWriter(output, new UTF8Encoding(false), 4096, leaveOpen: true);
            tables(Listing(devices), writer);
        }
    }

    /// <summary>The flags of <paramref name="device"/> as words, for people.</summary>
    public static string Flags(CaptureDevice device) =>
        string.Join(",", new[]
        {
            device.IsUp ? "up" : "down",
            device.IsRunning ? "running" : null,
            device.IsLoopback ? "loopback" : null,
            device.IsWireless ? "wireless" : null,
        }.Where(f => f is not null));

    /// <summary>A row per device.</summary>
    public static TextListing Listing(IReadOnlyList<CaptureDevice> devices)
    {
        var table = new TableRows("name", "flags", "addresses", "description");
        foreach (var d in devices)
            table.Add(d.Name, Flags(d), d.Addresses.Count == 0 ? "-" : string.Join(" ", d.Addresses), d.Description);
        return new TextListing(table);
    }

    private static void WriteJson(Stream output, IReadOnlyList<CaptureDevice> devices) => JsonOutput.Write(output, json =>
    {
        json.WriteStartArray();
        foreach (var device in devices)
        {
            json.WriteStartObject();
            json.WriteString("name", device.Name);
            json.WriteString("description", device.Description);
            json.WriteBoolean("up", device.IsUp);
            json.WriteBoolean("running", device.IsRunning);
            json.WriteBoolean("loopback", device.IsLoopback);
            json.WriteBoolean("wireless", device.IsWireless);
            JsonOutput.WriteStrings(json, "addresses", device.Addresses.Select(a => a.ToString()));
            json.WriteEndObject();
        }
        json.WriteEndArray();
    });
}
