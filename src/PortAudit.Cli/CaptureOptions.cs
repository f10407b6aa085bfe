using System.CommandLine;
using PortAudit.Cli.Strict;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Pipeline.Filter;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using Serilog;

namespace PortAudit.Cli;

/// <summary>The capture arguments and flow-table options shared by every command that reads traffic.</summary>
public sealed class CaptureOptions
{
    private readonly Option<double> _udpTimeout = new Option<double>("--udp-timeout")
    {
        Description = "Seconds without a packet after which a UDP (or other non-TCP) flow ends.",
        DefaultValueFactory = _ => 120,
    }.Accepts(NumberRange.Seconds);

    private readonly Option<double> _tcpTimeout = new Option<double>("--tcp-timeout")
    {
        Description = "Seconds without a packet after which an open TCP flow ends.",
        DefaultValueFactory = _ => 3600,
    }.Accepts(NumberRange.Seconds);

    private readonly Option<int> _maxFlows = new("--max-flows")
    {
        Description = "Most flows held at once; past it the longest-idle flows end early (and are counted).",
        DefaultValueFactory = _ => FlowTableOptions.DefaultMaxFlows,
    };

    private readonly Option<int> _workers;

    private readonly bool _filters;

    private readonly Option<string?> _filter = new("--filter")
    {
        Description = "Only flows that match, in tcpdump's words: and, or, not, parentheses; [src|dst] host, net, port; transport " +
                      "(or tcp, udp...), app, state; in audit also verdict, rule, [src|dst] role and zone (which judged flows " +
                      "flows.jsonl keeps; findings still cover every flow); values joined by commas. " +
                      "E.g. 'src net 10.0.0.0/8 and (dst port 445 or dst port 139)'. See docs/filters.md.",
    };

    private readonly Option<string?> _since = new("--since")
    {
        Description = "Only flows that start at or after this time: ISO 8601 (UTC unless an offset is given) or epoch seconds.",
    };

    private readonly Option<string?> _until = new("--until")
    {
        Description = "Only flows that start before this time: ISO 8601 (UTC unless an offset is given) or epoch seconds.",
    };

    /// <summary>
    /// Creates the options; <paramref name="filters"/> adds --filter, --since and --until, which select among flows
    /// read from files (a live capture filters with BPF instead, and its own --filter is that).
    /// </summary>
    /// <paramref name="besideDigest"/> says the command digests each capture file while reading it (the audit): the
    /// default flow tables leave the core that takes.
    public CaptureOptions(bool filters = true, bool verdicts = false, bool besideDigest = false)
    {
        _filters = filters;
        _verdicts = verdicts;
        string leaves = besideDigest ? " but the one the capture's digest takes" : "";
        _workers = new Option<int>("--workers")
        {
            Description = $"Flow tables a capture file is split over, each with its inspection (default: one per core{leaves}; " +
                          "a file on disk is read by each table's own thread; a pipe or a compressed file is read once and its packets dealt to them). " +
                          "The flows and their order are the same for any number, " +
                          "unless --max-flows is reached: each table evicts from its own share.",
            DefaultValueFactory = _ => FlowTableOptions.WorkersBeside(besideDigest ? 1 : 0),
        }.Accepts(NumberRange.Count(256));
    }

    // True for commands that judge flows (audit): only they can answer a verdict term.
    private readonly bool _verdicts;

    /// <summary>The CAPTURE... argument: one or more files or directories, '-' for standard input.</summary>
    public static Argument<string[]> CapturesArgument() => new("capture")
    {
        Description = "Capture files (pcap or pcapng, optionally gzip-compressed), for flows and audit also flow-record files " +
                      "(Zeek conn.log, with its ssl.log, http.log and dce_rpc.log for the servers named and RPC called, IPFIX/NetFlow v9/v5, firewall logs), " +
                      "or directories of captures (recursive, recognised by content); '-' reads standard input.",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>
    /// The sources <paramref name="captures"/> names, every file checked before any is read (<see cref="CaptureInputs"/>);
    /// files in directories that are not captures are left out with a warning.
    /// </summary>
    /// <exception cref="InputException">A capture cannot be opened, or a directory holds none.</exception>
    public static IReadOnlyList<IFlowSource> OpenSources(ParseResult parse, Argument<string[]> captures, ILogger log) =>
        CaptureFileSource.Of(InputPaths(parse, captures, log));

    /// <summary>The files <paramref name="captures"/> names, directories walked and every file checked before any is read.</summary>
    public static IReadOnlyList<string> InputPaths(ParseResult parse, Argument<string[]> captures, ILogger log)
    {
        var inputs = CaptureInputs.Resolve(parse.GetValue(captures)!);
        if (inputs.Skipped.Count > 0)
        {
            const int Named = 3;
            string names = string.Join(", ", inputs.Skipped.Take(Named)) + (inputs.Skipped.Count > Named ? ", ..." : "");
            log.Warning("skipped {Count} file(s) in the input directories that are not captures: {Files}", inputs.Skipped.Count, names);
        }
        return inputs.Files;
    }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_udpTimeout);
        command.Options.Add(_tcpTimeout);
        command.Options.Add(_maxFlows);
        command.Options.Add(_workers);
        if (!_filters) return;
        _filter.Validators.Add(r =>
        {
            if (r.Tokens.Count == 0) return;
            string expression = r.Tokens[0].Value;
            try
            {
                if (FlowFilter.Create(expression, null, null) is { AsksTheAudit: true } && !_verdicts)
                    r.AddError("--filter: verdict, rule, role and zone terms need an audit (portaudit audit); this command judges no flow");
            }
            catch (FilterSyntaxException ex)
            {
                r.AddError(FilterError(expression, ex));
            }
        });
        foreach (var time in new[] { _since, _until })
        {
            time.Validators.Add(r =>
            {
                if (r.Tokens.Count > 0 && !FlowFilter.TryParseTime(r.Tokens[0].Value, out _))
                    r.AddError($"{time.Name}: expected an ISO 8601 time (2024-05-01T10:00:00Z) or epoch seconds, before 2262-04-11, not '{r.Tokens[0].Value}'");
            });
            command.Options.Add(time);
        }
        command.Options.Add(_filter);
        command.Validators.Add(r =>
        {
            if (Time(r.GetValue(_since)) >= (Time(r.GetValue(_until)) ?? long.MaxValue))
                r.AddError("--since must be before --until");
        });
    }

    private static long? Time(string? text) => text is not null && FlowFilter.TryParseTime(text, out long ns) ? ns : null;

    /// <summary>--since and --until as parsed (nanoseconds since the epoch), for sources that can narrow their read to the window.</summary>
    public (long? Since, long? Until) Window(ParseResult parse) =>
        _filters ? (Time(parse.GetValue(_since)), Time(parse.GetValue(_until))) : (null, null);

    /// <summary>The flow-table options as parsed.</summary>
    public FlowTableOptions Read(ParseResult parse) => new()
    {
        UdpIdleTimeout = TimeSpan.FromSeconds(parse.GetValue(_udpTimeout)),
        TcpIdleTimeout = TimeSpan.FromSeconds(parse.GetValue(_tcpTimeout)),
        MaxFlows = parse.GetValue(_maxFlows),
        Workers = parse.GetValue(_workers),
        Selection = _filters ? FlowFilter.Create(parse.GetValue(_filter), Time(parse.GetValue(_since)), Time(parse.GetValue(_until))) : null,
    };

    // Quoted whole when short; a script-made expression can be 100 KB, so a long one is named by its length and quoted
    // from the fault on.
    private static string FilterError(string expression, FilterSyntaxException ex)
    {
        const int quoted = 80;
        if (expression.Length <= quoted) return $"--filter '{expression}': {ex.Message}";
        int from = Math.Clamp(ex.Column - 1, 0, expression.Length);
        int to = Math.Min(expression.Length, from + quoted / 2);
        if (to < expression.Length && char.IsHighSurrogate(expression[to - 1])) to--;
        return $"--filter ({expression.Length} characters): column {ex.Column}, at '{expression[from..to]}{(to < expression.Length ? "…" : "")}': {ex.Problem}";
    }
}
