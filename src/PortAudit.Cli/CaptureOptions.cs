using System.CommandLine;
using PortAudit.Flows;

namespace PortAudit.Cli;

/// <summary>The capture arguments and flow-table options shared by every command that reads traffic.</summary>
public sealed class CaptureOptions
{
    private readonly Option<double> _udpTimeout = new("--udp-timeout")
    {
        Description = "Seconds without a packet after which a UDP (or other non-TCP) flow ends.",
        DefaultValueFactory = _ => 120,
    };

    private readonly Option<double> _tcpTimeout = new("--tcp-timeout")
    {
        Description = "Seconds without a packet after which an open TCP flow ends.",
        DefaultValueFactory = _ => 3600,
    };

    private readonly Option<int> _maxFlows = new("--max-flows")
    {
        Description = "Most flows held at once; past it the longest-idle flows end early (and are counted).",
        DefaultValueFactory = _ => FlowTableOptions.DefaultMaxFlows,
    };

    /// <summary>The CAPTURE... argument: one or more files, '-' for standard input.</summary>
    public static Argument<string[]> CapturesArgument() => new("capture")
    {
        Description = "Capture files (pcap or pcapng, optionally gzip-compressed) or, for flows and audit, flow-record files " +
                      "(Zeek conn.log, IPFIX/NetFlow v9, firewall logs), detected by content; '-' reads standard input.",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        _udpTimeout.Validators.Add(r => { if (r.GetValueOrDefault<double>() <= 0) r.AddError("--udp-timeout must be positive"); });
        _tcpTimeout.Validators.Add(r => { if (r.GetValueOrDefault<double>() <= 0) r.AddError("--tcp-timeout must be positive"); });
        _maxFlows.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--max-flows must be at least 1"); });
        command.Options.Add(_udpTimeout);
        command.Options.Add(_tcpTimeout);
        command.Options.Add(_maxFlows);
    }

    /// <summary>The flow-table options as parsed.</summary>
    public FlowTableOptions Read(ParseResult parse) => new()
    {
        UdpIdleTimeout = TimeSpan.FromSeconds(parse.GetValue(_udpTimeout)),
        TcpIdleTimeout = TimeSpan.FromSeconds(parse.GetValue(_tcpTimeout)),
        MaxFlows = parse.GetValue(_maxFlows),
    };
}
