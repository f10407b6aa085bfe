using System.Text;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Sources.Files;
using PortAudit.Sources.Records.Ipfix;

namespace PortAudit.Sources.Records;

/// <summary>
/// An input file of any format PortAudit reads, chosen by content (or forced): packet captures go to
/// <see cref="CaptureFileSource"/>; flow records are read one at a time and handed to the run whole.
/// </summary>
public sealed class RecordFileSource : IFlowSource
{
    private readonly RecordFormat? _format;
    private readonly IpfixTemplateCache? _templates;
    private readonly ZeekLogJoin? _names;

    /// <summary>
    /// The file at <paramref name="path"/> ("-" is standard input), read as <paramref name="format"/> or as its content
    /// says; IPFIX and NetFlow v9 templates are looked up in <paramref name="templates"/> when given (shared with the other
    /// files of the run), else in the file's own; a Zeek conn.log takes its connections' server names from
    /// <paramref name="names"/> (the run's ssl.log and http.log) when given.
    /// </summary>
    public RecordFileSource(string path, RecordFormat? format = null, IpfixTemplateCache? templates = null, ZeekLogJoin? names = null)
    {
        Name = path;
        _format = format;
        _templates = templates;
        _names = names;
    }

    /// <summary>
    /// The sources of <paramref name="paths"/>, in order, each detected by content unless <paramref name="format"/> forces
    /// one. They share one IPFIX/NetFlow v9 template cache, as a collector keeps templates across packets: exporters write
    /// templates and data to separate files, read in turn. A file carries no exporter address, so its templates are
    /// scoped by observation domain (source id) alone. Zeek's logs are joined as Zeek joins them, by uid: what those files
    /// that are ssl.log, http.log or dce_rpc.log say of connections is read before any conn.log's flows
    /// (<see cref="ZeekLogJoin"/>), dce_rpc.log's interfaces and operations looked up by name in <paramref name="rpcNames"/>.
    /// </summary>
    public static IReadOnlyList<IFlowSource> Of(IEnumerable<string> paths, RecordFormat? format = null, LogTimeZones? zones = null,
        IRpcNames? rpcNames = null)
    {
        var templates = new IpfixTemplateCache();
        var all = paths.ToList();
        var names = new ZeekLogJoin(all, rpcNames);
        return all.Select(p => (IFlowSource)new RecordFileSource(p, format, templates, names) { Zones = zones ?? LogTimeZones.Default }).ToList();
    }

    /// <summary>Where the times of a log are (<see cref="LogTimeZones"/>): the zone of times that name none, the offsets of zone names.</summary>
    public LogTimeZones Zones { get; init; } = LogTimeZones.Default;

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The format this source read, once <see cref="ReadInto"/> decided it; null before or when nothing was recognised.</summary>
    public RecordFormat? Format { get; private set; }

    /// <summary>
    /// When the file turns out to be a capture, hash it as it is read (<see cref="CaptureFileSource.HashWhileReading"/>),
    /// so that an audit's provenance costs no second pass over it.
    /// </summary>
    public bool HashWhileReading { get; set; }

    private CaptureFileSource AsCapture() => new(Name) { HashWhileReading = HashWhileReading };

    /// <inheritdoc />
    public void ReadInto(IFlowSink sink, CancellationToken cancel)
    {
        Stream? stream = null;
        InputHead head;
        try
        {
            stream = Name == CaptureFile.StandardInput
                ? CaptureFile.OpenStandardInput()
                : new FileStream(Name, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            // A named pipe, read once, has no digest; the provenance must not open it again to take one.
            if (stream is FileStream { CanSeek: false }) ReadDigests.RecordPipe(Name);
            stream = CancellablePipe.Of(stream, Name == CaptureFile.StandardInput, cancel);
            head = InputHead.Read(stream);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // A pipe still waiting for its first bytes heard the stop: the input ends there, before anything was read.
            stream?.Dispose();
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The capture reader words an input that cannot be opened as every command does.
            AsCapture().ReadInto(sink, cancel);
            return;
        }
        catch (InputException ex)
        {
            // Standard input closed by the caller.
            sink.Fail(ex);
            return;
        }
        // Told once: detecting a gzip'd input decompresses its head.
        var content = head.Detect();
        Format = _format ?? content;
        if (_format == RecordFormat.Ipfix && stream.CanSeek && content == RecordFormat.Capture)
        {
            // Export packets recorded with tcpdump: the capture's UDP payloads are the datagrams.
            stream.Dispose();
            ReadExportCapture(sink, cancel);
            return;
        }
        if (Format is null or RecordFormat.Capture)
        {
            // Unrecognised content goes to the capture reader too, whose error names the magic bytes it found. A file is
            // opened again by name (for its digest); what cannot be read twice is handed over with its head put back.
            Format = RecordFormat.Capture;
            if (stream.CanSeek)
            {
                stream.Dispose();
                AsCapture().ReadInto(sink, cancel);
            }
            else
            {
                AsCapture().ReadOpenPipe(head.Replay(stream, Name, decompress: false), stream, sink, cancel);
            }
            return;
        }
        var input = head.Replay(stream, Name, decompress: true);
        if (Format == RecordFormat.Parquet && !input.CanSeek)
        {
            // Parquet's index is its footer, at the end: a pipe would have to be read whole into memory first.
            input.Dispose();
            sink.Fail(new InputException($"{Name}: Parquet needs a file it can seek; write it to a file first"));
            return;
        }
        IRecordReader reader;
        try
        {
            if (Format is RecordFormat.ZeekTsv or RecordFormat.ZeekJson or RecordFormat.Parquet) _names?.Read(sink.Records);
            reader = RecordReaders.Open(Format.Value, input, Name, sink.Records, sink.ServerPorts, _templates, Zones, _names);
        }
        catch (InputException ex)
        {
            // A file that opens with a header of its own (Parquet's footer) says at once when it is not what it claims.
            sink.Fail(ex);
            return;
        }
        using (reader)
        {
            try
            {
                // A file of ours carries each flow's mark from the run that wrote it (IRecordReader.CarriesCutOff); a Zeek
                // log, in whatever syntax, is a log that ends where its records' times end.
                Feed(reader, sink, cancel, inputEnds: true);
            }
            catch (CaptureFormatException ex)
            {
                // Damage in a compressed log: the flows before it are kept, and the run says where it stopped.
                sink.Fail(ex);
            }
        }
    }

    /// <summary>
    /// Hands every flow of <paramref name="reader"/> to <paramref name="sink"/>, until its end or <paramref name="cancel"/>.
    /// With <paramref name="inputEnds"/>, the input's end is where its records' times end, and the flows it ended less than
    /// a second after they began are marked <see cref="Flow.CutOff"/> (<see cref="RecordInputEnd"/>), unless the reader's
    /// records carry their own marks (<see cref="IRecordReader.CarriesCutOff"/>).
    /// </summary>
    public static void Feed(IRecordReader reader, IFlowSink sink, CancellationToken cancel, bool inputEnds = false)
    {
        var record = new FlowRecord();
        // The reader knows whether its records carry their marks once it has read the first (its header comes before it).
        if (cancel.IsCancellationRequested || !reader.TryRead(ref record)) return;
        if (!inputEnds || reader.CarriesCutOff)
        {
            do Add(sink, record);
            while (!cancel.IsCancellationRequested && reader.TryRead(ref record));
            return;
        }
        var end = new RecordInputEnd();
        end.Add(record);
        try
        {
            while (!cancel.IsCancellationRequested && reader.TryRead(ref record))
            {
                end.Add(record);
                while (end.TryTake(out var ready)) Add(sink, ready);
            }
        }
        finally
        {
            // Damage that ends the input (a gzip'd log cut short) ends it there: the flows read before it are kept.
            end.End();
            while (end.TryTake(out var ready)) Add(sink, ready);
        }
    }

    private static void Add(IFlowSink sink, FlowRecord record) => sink.AddFlow(id => Flow.FromRecord(id, record));

    private void ReadExportCapture(IFlowSink sink, CancellationToken cancel)
    {
        if (CaptureFileSource.Open(Name, sink) is not { } capture) return;
        using var reader = new IpfixCaptureReader(capture, sink.Records, sink.ServerPorts);
        try
        {
            Feed(reader, sink, cancel, inputEnds: true);
        }
        catch (CaptureFormatException ex)
        {
            sink.Fail(ex);
        }
    }
}

/// <summary>Opens the reader of each flow-record format.</summary>
public static class RecordReaders
{

    /// <summary>
    /// A reader of <paramref name="stream"/> (which it then owns) as <paramref name="format"/>; readers of records that do
    /// not say which end opened (one-way IPFIX and nfdump records, packets a firewall logged after the opening, Zeek
    /// connections whose opening Zeek did not see) place clients with <paramref name="serverPorts"/> (ports below 1024
    /// when null); <paramref name="zones"/> places logs' times in UTC (<see cref="LogTimeZones"/>); <paramref name="names"/>
    /// gives Zeek's connections the server names of the run's ssl.log and http.log, read before.
    /// </summary>
    public static IRecordReader Open(RecordFormat format, Stream stream, string name, RecordStatistics statistics, IServerPortHint? serverPorts = null,
        IpfixTemplateCache? templates = null, LogTimeZones? zones = null, ZeekLogJoin? names = null)
    {
        zones ??= LogTimeZones.Default;
        TextReader Text() => new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        return format switch
        {
            RecordFormat.ZeekTsv => new ZeekTsvReader(Text(), name, statistics, serverPorts, names),
            RecordFormat.ZeekJson => new ZeekJsonReader(Text(), name, statistics, serverPorts, names),
            RecordFormat.Netfilter => new NetfilterLogReader(Text(), name, statistics, DateTime.UtcNow, serverPorts) { Zone = zones.Unnamed },
            RecordFormat.CiscoAsa => new AsaSyslogReader(Text(), name, statistics, DateTime.UtcNow, serverPorts) { Zones = zones },
            RecordFormat.WindowsFirewall => new WindowsFirewallLogReader(Text(), name, statistics, serverPorts) { Zone = zones.Unnamed, ZoneNamed = zones.UnnamedGiven },
            RecordFormat.NfdumpCsv => new NfdumpCsvReader(Text(), name, statistics, serverPorts) { Zone = zones.Unnamed },
            RecordFormat.Ipfix => new IpfixFileReader(stream, name, statistics, serverPorts, templates),
            RecordFormat.Parquet => new ParquetRecordReader(stream, name, statistics, serverPorts, names),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not a flow-record format"),
        };
    }
}
