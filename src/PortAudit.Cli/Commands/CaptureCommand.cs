using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using PortAudit.Capture;
using PortAudit.Capture.Live;
using PortAudit.Flows;
using PortAudit.Report;
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
        var output = OutputOptions.ForFlows();
        var flowOptions = new CaptureOptions();
        var audit = new AuditOptions(required: false, shortAliases: false);
        live.AddTo(command);
        output.AddTo(command);
        flowOptions.AddTo(command);
        audit.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(parse, log =>
        {
            bool quiet = parse.GetValue(GlobalOptions.Quiet);
            // Opened before the interfaces, so that a bad inventory stops before anything is captured.
            using var session = audit.Requested(parse) ? audit.Open(parse) : null;
            using var stop = new CancellationTokenSource();
            using var signals = new StopSignals(stop);
            var options = live.Read(parse);
            using var reader = LiveCaptureReader.Open(options, stop.Token);
            foreach (var warning in reader.Warnings) log.Warning("{Warning}", warning);
            using var recorder = live.WritePath(parse) is { } path
                ? new RotatingPcapNgWriter(path, reader.Interfaces, live.Rotation(parse))
                : null;
            // With an audit, stdout carries its summary and DIR/flows.jsonl the flows: plain flow records only to a file.
            using var flows = session is null || output.ToFile(parse) ? output.OpenFlowWriter(parse) : null;
            var observers = new List<IFlowObserver>();
            if (flows is not null) observers.Add(new FlowRecordObserver(flows));
            if (session is not null) observers.Add(session.Observer);
            var tableOptions = flowOptions.Read(parse);
            var table = Pipeline.CreateTable(session?.WithServerPorts(tableOptions) ?? tableOptions, observers.ToArray());
            if (live.Duration(parse) is { } duration) stop.CancelAfter(duration);
            var run = new CaptureRun(reader, recorder, table, quiet);
            var failure = run.Read();
            table.Flush();
            flows?.Complete();
            failure ??= run.CloseRecorder();
            run.ReportEnd(log, signals.Received ? "signal" : failure is not null ? "error"
                : live.Duration(parse) is not null ? "duration" : "packet limit");
            // Written after an error too: the audit of what was gathered is the point of an interrupted capture.
            int findings = session?.Finish(options.Interfaces.Select(i => "live capture on " + i).ToList(), run.Traffic.Statistics, quiet, log) ?? ExitCodes.Ok;
            int exit = RunSummary.Report(log, run.Traffic, table);
            if (failure is not null)
            {
                Console.Error.WriteLine($"portaudit: {failure.Message}");
                return ExitCodes.BadInput;
            }
            return exit != ExitCodes.Ok ? exit : findings;
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

    private readonly Option<int> _snapLength = new("--snaplen")
    {
        Description = "Bytes kept of each packet.",
        DefaultValueFactory = _ => 262_144,
    };

    private readonly Option<bool> _promiscuous = new("--promisc") { Description = "Promiscuous mode (the default)." };
    private readonly Option<bool> _noPromiscuous = new("--no-promisc") { Description = "No promiscuous mode: only traffic to and from this host." };

    private readonly Option<int> _bufferSize = new("--buffer-size")
    {
        Description = "Kernel capture buffer per interface, MB.",
        DefaultValueFactory = _ => 32,
    };

    private readonly Option<double?> _duration = new("--duration") { Description = "Stop after this many seconds." };
    private readonly Option<long?> _packets = new("--packets") { Description = "Stop after this many packets." };
    private readonly Option<string?> _write = new("--write", "-w") { Description = "Save the captured packets to this pcapng file." };
    private readonly Option<double?> _rotateSize = new("--rotate-size") { Description = "With --write: start a new file before one passes this many MB." };
    private readonly Option<double?> _rotateSeconds = new("--rotate-seconds") { Description = "With --write: start a new file every this many seconds." };

    /// <summary>Adds the options and their checks to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        Positive(_snapLength, "--snaplen");
        Positive(_bufferSize, "--buffer-size");
        foreach (var option in new Option[]
                 {
                     _interfaces, _filter, _snapLength, _promiscuous, _noPromiscuous, _bufferSize, _duration, _packets,
                     _write, _rotateSize, _rotateSeconds,
                 })
            command.Options.Add(option);
        command.Validators.Add(result =>
        {
            if (result.GetValue(_duration) is <= 0) result.AddError("--duration must be positive");
            if (result.GetValue(_packets) is <= 0) result.AddError("--packets must be positive");
            if (result.GetValue(_duration) is not null && result.GetValue(_packets) is not null)
                result.AddError("--duration and --packets cannot be combined");
            if (result.GetValue(_promiscuous) && result.GetValue(_noPromiscuous))
                result.AddError("--promisc and --no-promisc cannot be combined");
            if (result.GetValue(_rotateSize) is <= 0 || result.GetValue(_rotateSeconds) is <= 0)
                result.AddError("--rotate-size and --rotate-seconds must be positive");
            if ((result.GetValue(_rotateSize) ?? result.GetValue(_rotateSeconds)) is not null && result.GetValue(_write) is null)
                result.AddError("--rotate-size and --rotate-seconds need --write");
        });
    }

    private static void Positive(Option<int> option, string name) =>
        option.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError($"{name} must be at least 1"); });

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

/// <summary>
/// Turns Ctrl+C and SIGTERM into a clean stop. A second Ctrl+C is left to the runtime, which ends the process,
/// for when a clean stop itself hangs.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _terminate;
    private int _received;

    public StopSignals(CancellationTokenSource stop)
    {
        _stop = stop;
        Console.CancelKeyPress += OnCancelKeyPress;
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            Request();
        });
    }

    /// <summary>True once a signal asked to stop.</summary>
    public bool Received => Volatile.Read(ref _received) != 0;

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e) => e.Cancel = Request();

    // True when this was the first request, which the capture honours by stopping cleanly.
    private bool Request()
    {
        bool first = Interlocked.Exchange(ref _received, 1) == 0;
        if (first) _stop.Cancel();
        return first;
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _terminate.Dispose();
    }
}

/// <summary>One capture: reads until stopped, showing progress, and keeps what it needs for the final summary.</summary>
internal sealed class CaptureRun
{
    private readonly LiveCaptureReader _reader;
    private readonly RotatingPcapNgWriter? _recorder;
    private readonly FlowTable _table;
    private readonly bool _quiet;
    private readonly long _started = Stopwatch.GetTimestamp();
    private IReadOnlyList<InterfaceStatistics> _final = [];

    public CaptureRun(LiveCaptureReader reader, RotatingPcapNgWriter? recorder, FlowTable table, bool quiet)
    {
        _reader = reader;
        _recorder = recorder;
        _table = table;
        _quiet = quiet;
        Traffic = new TrafficReader(table);
        reader.Heartbeat = OnHeartbeat;
    }

    /// <summary>What was read, for the run summary.</summary>
    public TrafficReader Traffic { get; }

    /// <summary>Reads until the capture ends; returns the error that ended it, or null for a clean stop.</summary>
    public InputException? Read()
    {
        InputException? failure = null;
        try
        {
            Traffic.Read(_recorder is null ? _reader : new RecordingCaptureReader(_reader, _recorder));
        }
        catch (InputException ex)
        {
            failure = ex;
        }
        _final = _reader.Statistics();
        return failure;
    }

    /// <summary>Completes the saved file; returns the error if its last bytes could not be written.</summary>
    public InputException? CloseRecorder()
    {
        try
        {
            _recorder?.Dispose();
            return null;
        }
        catch (InputException ex)
        {
            return ex;
        }
    }

    private void OnHeartbeat()
    {
        // Keeps the saved file readable by other tools while the capture runs.
        _recorder?.Flush();
        if (!_quiet) Console.Error.WriteLine($"portaudit: {Line(_reader.Statistics())}");
    }

    /// <summary>Prints and logs the final counters, libpcap's included.</summary>
    public void ReportEnd(ILogger log, string reason)
    {
        double seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        string line = $"capture stopped ({reason}) after {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s: {Line(_final)}";
        if (_recorder is not null) line += $"; saved {_recorder.Packets} packets to {string.Join(", ", _recorder.Files)}";
        if (!_quiet) Console.Error.WriteLine($"portaudit: {line}");
        log.Information("{Summary}", line);
        foreach (var s in _final)
            log.Information("{Interface}: libpcap received {Received}, dropped {Dropped}, interface dropped {InterfaceDropped}",
                s.Interface, s.Received, s.Dropped, s.InterfaceDropped);
    }

    private string Line(IReadOnlyList<InterfaceStatistics> pcap)
    {
        var stats = Traffic.Statistics;
        return string.Create(CultureInfo.InvariantCulture,
            $"{stats.Packets} packets, {stats.CapturedBytes} bytes, {_table.Statistics.FlowsCreated} flows ({_table.ActiveFlows} open); " +
            $"libpcap received {pcap.Sum(s => s.Received)}, dropped {pcap.Sum(s => s.Dropped)}, interface dropped {pcap.Sum(s => s.InterfaceDropped)}");
    }
}
