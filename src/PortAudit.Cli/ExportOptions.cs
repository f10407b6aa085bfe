using System.CommandLine;
using PortAudit.Report.Ipfix;
using Serilog;

namespace PortAudit.Cli;

/// <summary>
/// --export-ipfix: every flow of a run also sent to an IPFIX collector (flows, capture, collect, audit). The exporter is a
/// flow observer in a run without an audit and a sink of judged flows in one, so that its records carry the verdict.
/// </summary>
public sealed class ExportOptions
{
    /// <summary>--export-ipfix.</summary>
    public Option<string?> Destination { get; } = new("--export-ipfix")
    {
        Description = "Also send every flow as an IPFIX bidirectional flow record (RFC 5103) over UDP to this collector, HOST:PORT " +
                      "(nfcapd, pmacct, ntopng); in an audit with its verdict, rule and finding kind (docs/ipfix-export.md).",
        HelpName = "HOST:PORT",
    };

    /// <summary>Adds the option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        Destination.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && !UdpIpfixTransport.TrySplit(result.Tokens[0].Value, out _, out _))
                result.AddError($"--export-ipfix: expected HOST:PORT, ADDR:PORT or [V6ADDR]:PORT, not '{result.Tokens[0].Value}'");
        });
        command.Options.Add(Destination);
    }

    /// <summary>The exporter, or null without --export-ipfix; <paramref name="verdicts"/> when it takes judged flows. A failed send is logged as a warning.</summary>
    public IpfixExporter? Open(ParseResult parse, bool verdicts, ILogger log) =>
        parse.GetValue(Destination) is { } destination
            ? new IpfixExporter(UdpIpfixTransport.Open(destination), new IpfixExportSettings { Verdicts = verdicts }, notice => log.Warning("{Notice}", notice))
            : null;

    /// <summary>Sends what <paramref name="exporter"/> holds and says what was exported.</summary>
    public static void Conclude(IpfixExporter? exporter, ILogger log, bool quiet)
    {
        if (exporter is null) return;
        exporter.Complete();
        string lost = exporter.LostMessages > 0 ? $", {exporter.LostMessages} could not be sent" : "";
        string line = $"ipfix: {exporter.Flows} flows in {exporter.Messages} messages to {exporter.Destination}{lost}";
        if (!quiet) TerminalText.Error($"portaudit: {line}");
        log.Information("{Export}", line);
    }
}
