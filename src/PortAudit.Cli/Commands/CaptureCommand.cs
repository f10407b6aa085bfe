using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PortAudit.Audit;
using PortAudit.Cli.Strict;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Report.Records;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using PortAudit.Sources.Live;
using Serilog;

namespace PortAudit.Cli.Commands;

/// <summary>
/// <c>portaudit capture</c>: flows built live from one or more interfaces, through the same flow table as
/// <c>portaudit flows</c>, optionally saving the packets as pcapng and auditing the flows as <c>portaudit audit</c> does.
/// </summary>
public static class CaptureCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("capture", "Capture live from interfaces, build flows, optionally save the packets as pcapng.");
        var live = new LiveOptionSet();
        // A live capture filters with BPF: its --filter is that, not the flow filter of file commands.
        var gathering = new GatheringOptionSet(filters: false);
        live.AddTo(command);
        gathering.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            bool quiet = parse.GetValue(GlobalOptions.Quiet);
            // Read before the interfaces open, so that a bad inventory stops before anything is captured.
            var audited = gathering.OpenAudit(parse, log);
            using var signals = new StopSignals();
            using var source = LiveCaptureSource.Open(live.Read(parse), live.WritePath(parse), live.Rotation(parse), signals.Token);
            foreach (var warning in source.Warnings) log.Warning("{Warning}", warning);
            using var outputs = gathering.Open(parse, audited, source.Name, log);
            var run = outputs.Run;
            var display = new LiveCaptureDisplay(source, run, quiet);
            if (live.Duration(parse) is { } duration) signals.CancelAfter(duration);
            // The source holds the stop token itself: a stop that comes before the read starts still drains what
            // libpcap has buffered, so the run is not handed the token.
            run.Read([source]);
            outputs.Complete(log, quiet);
            display.ReportEnd(log, signals.Received ? "signal" : run.Summary.Errors.Count > 0 ? "error"
                : live.Duration(parse) is not null ? "duration" : "packet limit");
            return outputs.Report(source.Name, log, quiet, signals.Abandon);
        }));
        return command;
    }
}

/// <summary>The options that say what to capture and where to save it.</summary>
internal sealed class LiveOptionSet
{
    private readonly Option<string[]> _interfaces = new("--interface", "-i")
    {
        Description = "Interface to capture on (see 'portaudit interfaces'); repeat for several.",
        Required = true,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string?> _filter = new("--filter") { Description = "BPF filter, tcpdump syntax (e.g. 'tcp port 5061')." };

    private readonly Option<int> _snapLength = new Option<int>("--snaplen")
    {
        Description = "Bytes kept of each packet.",
        DefaultValueFactory = _ => 262_144,
    }.Accepts(NumberRange.Count(262_144));

    private readonly Option<bool> _promiscuous = new("--promisc") { Description = "Promiscuous mode (the default)." };
    private readonly Option<bool> _noPromiscuous = new("--no-promisc") { Description = "No promiscuous mode: only traffic to and from this host." };

    private readonly Option<int> _bufferSize = new("--buffer-size")
    {
        Description = "Kernel capture buffer per interface, MB.",
        DefaultValueFactory = _ => 32,
    };

    private readonly Option<double?> _duration = new Option<double?>("--duration") { Description = "Stop after this many seconds." }.Accepts(NumberRange.Seconds);
    private readonly Option<long?> _packets = new("--packets") { Description = "Stop after this many packets." };
    private readonly Option<string?> _write = new("--write", "-w") { Description = "Save the captured packets to this pcapng file." };
    private readonly Option<double?> _rotateSize = new Option<double?>("--rotate-size") { Description = "With --write: start a new file before one passes this many MB." }
        .Accepts(NumberRange.Positive with { Unit = "MB" });
    private readonly Option<double?> _rotateSeconds = new Option<double?>("--rotate-seconds") { Description = "With --write: start a new file every this many seconds." }
        .Accepts(NumberRange.Seconds);

    /// <summary>
    /// Adds the options and the checks that combine them to <paramref name="command"/> (each value's own range is
    /// checked for the whole command tree, <see cref="StrictOptions"/>).
    /// </summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[]
                 {
                     _interfaces, _filter, _snapLength, _promiscuous, _noPromiscuous, _bufferSize, _duration, _packets,
                     _write, _rotateSize, _rotateSeconds,
                 })
            command.Options.Add(option);
        command.Validators.Add(result =>
        {
            if (result.GetValue(_duration) is not null && result.GetValue(_packets) is not null)
                result.AddError("--duration and --packets cannot be combined");
            if (result.GetValue(_promiscuous) && result.GetValue(_noPromiscuous))
                result.AddError("--promisc and --no-promisc cannot be combined");
            if ((result.GetValue(_rotateSize) ?? result.GetValue(_rotateSeconds)) is not null && result.GetValue(_write) is null)
                result.AddError("--rotate-size and --rotate-seconds need --write");
        });
    }

    /// <summary>How to open the interfaces.</summary>
    public LiveCaptureOptions Read(ParseResult parse) => new()
    {
        Interfaces = parse.GetValue(_interfaces)!,
        Filter = parse.GetValue(_filter),
        SnapLength = parse.GetValue(_snapLength),
        Promiscuous = !parse.GetValue(_noPromiscuous),
        BufferSizeBytes = (int)Math.Min(int.MaxValue, parse.GetValue(_bufferSize) * (1L << 20)),
        PacketLimit = parse.GetValue(_packets) ?? 0,
    };

    /// <summary>How long to capture, or null until stopped.</summary>
    public TimeSpan? Duration(ParseResult parse) => parse.GetValue(_duration) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    /// <summary>Where to save packets, or null.</summary>
    public string? WritePath(ParseResult parse) => parse.GetValue(_write);

    /// <summary>When to start a new capture file.</summary>
    public CaptureRotation Rotation(ParseResult parse) => new(
        (long)((parse.GetValue(_rotateSize) ?? 0) * (1 << 20)),
        TimeSpan.FromSeconds(parse.GetValue(_rotateSeconds) ?? 0));
}

/// <summary>What a live capture shows while it runs and when it stops: counters of the run and of libpcap.</summary>
internal sealed class LiveCaptureDisplay
{
    private readonly LiveCaptureSource _source;
    private readonly TrafficRun _run;
    private readonly bool _quiet;
    private readonly long _started = Stopwatch.GetTimestamp();

    public LiveCaptureDisplay(LiveCaptureSource source, TrafficRun run, bool quiet)
    {
        _source = source;
        _run = run;
        _quiet = quiet;
        if (!quiet) source.Heartbeat = () => TerminalText.Error($"portaudit: {Line()}");
    }

    /// <summary>Prints and logs the final counters, libpcap's included.</summary>
    public void ReportEnd(ILogger log, string reason)
    {
        double seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        string line = $"capture stopped ({reason}) after {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s: {Line()}";
        if (_source.Undelivered > 0) line += $"; {_source.Undelivered} received but never delivered (lost with the failed interface)";
        if (_source.Saves) line += $"; saved {_source.SavedPackets} packets to {string.Join(", ", _source.SavedFiles)}";
        if (!_quiet) TerminalText.Error($"portaudit: {line}");
        log.Information("{Summary}", line);
        // A pause of the collector stops the capture thread too, while the kernel's buffer fills: worth knowing beside drops.
        log.Debug("Garbage collection: {Gen0} young, {Gen1} middle and {Gen2} full collections, {PauseSeconds:0.000} s paused in all",
            GC.CollectionCount(0) - GC.CollectionCount(1), GC.CollectionCount(1) - GC.CollectionCount(2), GC.CollectionCount(2),
            GC.GetTotalPauseDuration().TotalSeconds);
        foreach (var s in _source.Statistics)
            log.Information("{Interface}: libpcap received {Received}, dropped {Dropped}, interface dropped {InterfaceDropped}",
                s.Interface, s.Received, s.Dropped, s.InterfaceDropped);
    }

    private string Line()
    {
        var summary = _run.Summary;
        var pcap = _source.Statistics;
        return string.Create(CultureInfo.InvariantCulture,
            $"{summary.Traffic.Packets} packets, {summary.Traffic.CapturedBytes} bytes, {summary.Flows.FlowsCreated} flows ({_run.ActiveFlows} open); " +
            $"libpcap received {pcap.Sum(s => s.Received)}, dropped {pcap.Sum(s => s.Dropped)}, interface dropped {pcap.Sum(s => s.InterfaceDropped)}");
    }
}
