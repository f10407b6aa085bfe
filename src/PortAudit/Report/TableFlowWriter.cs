using System.Globalization;
using System.Text;
using PortAudit.Flows;

namespace PortAudit.Report;

/// <summary>
/// Aligned columns for people. Keeps rows until the end to size the columns, so it is for reading, not for huge runs.
/// </summary>
public sealed class TableFlowWriter : IFlowRecordWriter
{
    private static readonly string[] Headers =
        { "start", "transport", "client", "server", "state", "pkts>", "bytes>", "pkts<", "bytes<", "app", "detail" };

    private readonly StreamWriter _writer;
    private readonly List<string[]> _rows = new();

    /// <summary>Creates the writer over <paramref name="output"/>.</summary>
    public TableFlowWriter(Stream output) => _writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16);

    /// <inheritdoc />
    public void Write(Flow flow)
    {
        static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        _rows.Add(new[]
        {
            Timestamps.ToIso(flow.StartNs), flow.Transport,
            Endpoint(flow.Client.ToString(), flow.ClientPort), Endpoint(flow.Server.ToString(), flow.ServerPort),
            flow.State.Name(), N(flow.PacketsToServer), N(flow.BytesToServer), N(flow.PacketsToClient), N(flow.BytesToClient),
            flow.App?.Name ?? "-", Printable(flow.DceRpc?.Name ?? flow.AppDetail?.ToString() ?? ""),
        });
    }

    private static string Endpoint(string address, ushort port) =>
        address.Contains(':') ? $"[{address}]:{port}" : $"{address}:{port}";

    // Packet-borne text must not drive the terminal.
    private static string Printable(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 60));
        foreach (char c in text.AsSpan(0, Math.Min(text.Length, 60))) builder.Append(char.IsControl(c) ? '.' : c);
        return builder.ToString();
    }

    /// <inheritdoc />
    public void Complete()
    {
        var widths = new int[Headers.Length];
        for (int i = 0; i < Headers.Length; i++)
            widths[i] = Math.Max(Headers[i].Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length));
        WriteRow(Headers, widths);
        foreach (var row in _rows) WriteRow(row, widths);
        _writer.Flush();
    }

    private void WriteRow(string[] cells, int[] widths)
    {
        for (int i = 0; i < cells.Length; i++)
        {
            bool numeric = i is >= 5 and <= 8;
            string cell = numeric ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]);
            _writer.Write(i == cells.Length - 1 ? cell.TrimEnd() : cell + "  ");
        }
        _writer.WriteLine();
    }

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
