using System.CommandLine;
using System.Text;
using System.Text.Json;
using PortAudit.Capture.Live;

namespace PortAudit.Cli.Commands;

/// <summary><c>portaudit interfaces</c>: what <c>portaudit capture --interface</c> can open.</summary>
public static class InterfacesCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("interfaces", "List the interfaces available for live capture, with addresses and flags.");
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output format: table or json.",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "json");
        command.Options.Add(format);
        command.SetAction(parse => CommandRunner.Run(parse, _ =>
        {
            var devices = CaptureDevices.List();
            using var output = Console.OpenStandardOutput();
            if (parse.GetValue(format) == "json") WriteJson(devices, output);
            else WriteTable(devices, output);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The flags of <paramref name="device"/> as words, for people.</summary>
    internal static string Flags(CaptureDevice device) =>
        string.Join(",", new[]
        {
            device.IsUp ? "up" : "down",
            device.IsRunning ? "running" : null,
            device.IsLoopback ? "loopback" : null,
            device.IsWireless ? "wireless" : null,
        }.Where(f => f is not null));

    internal static void WriteTable(IReadOnlyList<CaptureDevice> devices, Stream output)
    {
        var rows = devices.Select(d => new[]
        {
            d.Name, Flags(d), d.Addresses.Count == 0 ? "-" : string.Join(" ", d.Addresses), d.Description,
        }).Prepend(new[] { "name", "flags", "addresses", "description" }).ToList();
        var widths = Enumerable.Range(0, 3).Select(i => rows.Max(r => r[i].Length)).ToArray();
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 4096, leaveOpen: true);
        foreach (var row in rows)
            writer.WriteLine($"{row[0].PadRight(widths[0])}  {row[1].PadRight(widths[1])}  {row[2].PadRight(widths[2])}  {row[3]}".TrimEnd());
    }

    internal static void WriteJson(IReadOnlyList<CaptureDevice> devices, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
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
            json.WriteStartArray("addresses");
            foreach (var address in device.Addresses) json.WriteStringValue(address.ToString());
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
        output.WriteByte((byte)'\n');
    }
}
