using System.Globalization;
using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.DceRpc;
using PortAudit.Report.Text;

namespace PortAudit.Report.Records;

/// <summary>
/// Columns for people, laid out by the program's <see cref="ListingRenderer"/>. Keeps rows until the end to size the
/// columns, so it is for reading, not for huge runs.
/// The flow id leads each row; the Community ID is left out, as 30 characters of base64 would crowd out what a person reads.
/// </summary>
public sealed class TableFlowWriter : IFlowRecordWriter
{
    private readonly StreamWriter _writer;
    private readonly ListingRenderer _tables;
    private readonly TableRows _table = new(
        new TableColumn("id", AlignRight: true), new TableColumn("start"), new TableColumn("secs", AlignRight: true), new TableColumn("transport"), new TableColumn("client"),
        new TableColumn("server"), new TableColumn("state"),
        new TableColumn("pkts>", AlignRight: true), new TableColumn("bytes>", AlignRight: true),
        new TableColumn("pkts<", AlignRight: true), new TableColumn("bytes<", AlignRight: true),
        new TableColumn("app"), new TableColumn("detail"));

    /// <summary>Creates the writer over <paramref name="output"/>, its table laid out by <paramref name="tables"/>.</summary>
    public TableFlowWriter(Stream output, ListingRenderer tables)
    {
        _writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16);
        _tables = tables;
    }

    /// <inheritdoc />
    public void Write(Flow flow)
    {
        static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        _table.Add(
            N(flow.Id), Timestamps.ToIso(flow.StartNs), Seconds(flow.EndNs - flow.StartNs), flow.Transport,
            Endpoint(flow.Client.ToString(), flow.ClientPort), Endpoint(flow.Server.ToString(), flow.ServerPort),
            flow.State.Name(), N(flow.PacketsToServer), N(flow.BytesToServer), N(flow.PacketsToClient), N(flow.BytesToClient),
            flow.App?.Name ?? "-", Shortened(flow.DceRpc?.Name ?? flow.AppDetail?.ToString() ?? Icmp(flow) ?? ""));
    }

    // An ICMP flow's endpoints show port 0: its message is what a person reads it by, "echo-request (8/0)".
    private static string? Icmp(Flow flow) => flow.Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6
        ? string.Create(CultureInfo.InvariantCulture,
            $"{IcmpMessages.MessageName(flow.Protocol, flow.IcmpType, flow.IcmpCode) ?? "type"} ({flow.IcmpType}/{flow.IcmpCode})")
        : null;

    // Milliseconds are enough for a person; the machine formats keep microseconds.
    private static string Seconds(long nanoseconds) => (Math.Max(0, nanoseconds) / 1e9).ToString("0.000", CultureInfo.InvariantCulture);

    private static string Endpoint(string address, ushort port) =>
        address.Contains(':') ? $"[{address}]:{port}" : $"{address}:{port}";

    // The detail is the widest column; the table shows its start (the machine formats carry it whole). Packet-borne
    // text is kept from driving the terminal by the renderer, as every table's cells are.
    private static string Shortened(string text) => text.Length <= 60 ? text : text[..60];

    /// <inheritdoc />
    public void Complete()
    {
        _tables(new TextListing(_table), _writer);
        _writer.Flush();
    }

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
