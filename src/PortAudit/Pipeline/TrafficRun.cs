using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using PortAudit.Pipeline.Shards;
using PortAudit.Sources;

namespace PortAudit.Pipeline;

/// <summary>
/// One read of traffic from sources to consumers: the one place that decides the stages and their order for every
/// command. Packet sources pass Decode → Flows → Inspect; flow-record sources come in whole. Inspection observes the
/// flow table before the consumers, so writers and the audit see each flow complete when it ends.
/// </summary>
public sealed class TrafficRun : IFlowSink
{
    private readonly FlowTable _table;
    private readonly TrafficReader _reader;
    private readonly InspectionEngine _inspection = new();
    private readonly FlowTableOptions _options;
    private readonly IFlowObserver[] _consumers;
    // Packet files are split over shards when there are cores for them and no consumer reads packets (consumers see
    // ended flows only, merged back into one order); the shards' inspection engines, for their endpoint-mapper answers.
    private readonly bool _shardable;
    private FlowShards? _shards;
    private readonly List<InspectionEngine> _shardInspections = new();
    private string _input = "";
    private int _inputNumber, _inputCount;
    private CancellationToken _cancel, _abandon;
    private readonly RecordStatistics _records = new();
    private readonly InputEndMarks _inputEnds = new();

    /// <summary>
    /// A run whose ended flows go to <paramref name="consumers"/>, in the order given: those that
    /// <see cref="FlowTableOptions.Selection"/> takes, when it is set.
    /// </summary>
    public TrafficRun(FlowTableOptions options, params IFlowObserver[] consumers)
    {
        IFlowObserver[] selected = options.Selection is { } selection && consumers.Length > 0
            ? [_inputEnds, new SelectedFlowObserver(selection, consumers)]
            : [_inputEnds, .. consumers];
        _table = new FlowTable(options, [_inspection, .. selected]);
        _reader = new TrafficReader(_table);
        _options = options;
        _consumers = selected;
        _shardable = options.Workers > 1 && !selected.Any(c => c.ReadsPackets);
    }

    /// <summary>Called now and then on the decoding thread while packets are read (see <see cref="RunProgress"/>).</summary>
    public Action<RunProgress>? Progress { get; set; }

    /// <summary>Counters so far; final once <see cref="Read"/> returned.</summary>
    public TrafficSummary Summary => new(_reader.Statistics, FlowStatistics, _reader.Errors) { Records = _records };

    private FlowTableStatistics FlowStatistics => _shards is null
        ? _table.Statistics
        : FlowTableStatistics.Sum([_table.Statistics, .. _shards.Tables.Select(t => t.Statistics)]);

    /// <summary>Flows held open at this moment.</summary>
    public int ActiveFlows => _table.ActiveFlows + (_shards?.ActiveFlows ?? 0);

    /// <summary>The endpoint-mapper answers inspection read, with the flows that used each, in capture time order.</summary>
    public IReadOnlyList<RpcMapping> RpcMappings => _shards is null
        ? _inspection.Expectations.Mappings
        : _inspection.Expectations.Mappings.Concat(_shardInspections.SelectMany(i => i.Expectations.Mappings))
            .OrderBy(m => m.TimeNs).ToList();

    /// <summary>
    /// Reads every source in turn, then ends every flow still open. Bad inputs are kept in <see cref="Summary"/>;
    /// after <paramref name="cancel"/> fires, the source being read stops and the rest are not read, but the flows read
    /// so far still end and reach the consumers, unless <paramref name="abandon"/> fires before they all did.
    /// </summary>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="abandon"/> fired (SIGTERM's grace ran out) before every flow had ended: the end of input's work
    /// (hundreds of thousands of held flows inspected and handed on) stops at the next flow instead of running on.
    /// </exception>
    public void Read(IReadOnlyList<IFlowSource> sources, CancellationToken cancel = default, CancellationToken abandon = default)
    {
        _inputCount = sources.Count;
        _cancel = cancel;
        _abandon = abandon;
        _inspection.Abandon = abandon;
        _reader.Progress = Progress is null ? null : OnProgress;
        try
        {
            for (int i = 0; i < sources.Count && !cancel.IsCancellationRequested; i++)
            {
                _input = sources[i].Name;
                _inputNumber = i + 1;
                _table.Input = _inputNumber;
                _reader.Statistics.Input = _inputNumber;
                foreach (var consumer in _consumers) consumer.OnInputStart(_inputNumber, _reader.Ordinal);
                sources[i].ReadInto(this, cancel);
                // Read to its end (or stopped): its flows still held are judged by where it ended, whenever the run ends them.
                _inputEnds.Ended(_inputNumber, _reader.Statistics.LastOf(_inputNumber));
            }
        }
        finally
        {
            _reader.Progress = null;
        }
        _shards?.EndRun();
        // The tunnels' carriers, counted in every table, end last with ids after every packet's. Openings cut off are
        // marked by InputEndMarks, by each input's own end.
        _table.EndRun(_shards?.Tables ?? [], _reader.NextOrdinal, markCutOff: false);
        // Consumers that do not watch the token (none at all, for rpc) would otherwise have the caller go on as if whole.
        abandon.ThrowIfCancellationRequested();
        Progress?.Invoke(new RunProgress(_input, _inputNumber, _inputCount, 0, _reader.Statistics.Packets,
            _reader.Statistics.CapturedBytes, FlowStatistics.FlowsCreated, Finished: true));
    }

    void IFlowSink.ReadPackets(ICaptureReader reader, bool live, Func<ICaptureReader>? reopen)
    {
        // A live read stays on one table: the capture thread only reads and decodes, so that the kernel's buffer is
        // drained while the table works, and packets that came reach the table when the interface goes quiet. A file on
        // disk is read by each shard on its own; a pipe or a compressed file, read once, is dealt to the shards.
        // With one core to run on, a second thread would only take turns with the first and copy every packet into a
        // batch to hand it over: flows on one core (taskset -c 0) took 0.85 s pipelined against 0.77 s read in turn.
        if (!live && !_shardable && Environment.ProcessorCount == 1)
        {
            _reader.Read(reader, _cancel);
            return;
        }
        if (live || !_shardable)
        {
            _reader.ReadPipelined(reader, _cancel);
            return;
        }
        var shards = _shards ??= CreateShards();
        if (reopen is not null) _reader.ReadReplicated(reader, reopen, shards, _inputNumber, _cancel);
        else _reader.ReadSharded(reader, shards, _inputNumber, _cancel);
    }

    private FlowShards CreateShards() => new(_options.Workers, _options, note =>
    {
        var inspection = new InspectionEngine { Abandon = _abandon };
        // What one shard announces may concern a flow of another: the merging thread takes it in run order.
        inspection.Announced.Published = (endpoint, announcement) => note(new AnnouncementHistory.Note(endpoint, announcement));
        _shardInspections.Add(inspection);
        return [inspection];
    }, _consumers, new AnnouncementHistory(new InspectionLimits().ExpectationLifetime));

    void IFlowSink.AddFlow(Func<long, Flow> create) => _table.AddEnded(create, _reader.NextOrdinal());

    RecordStatistics IFlowSink.Records => _records;

    IServerPortHint IFlowSink.ServerPorts => _options.ServerPorts;

    // Called on the thread that runs the source once its read has ended, before the summary is read.
    void IFlowSink.Dropped(long packets) => _reader.Statistics.AddDropped(packets);

    void IFlowSink.Fail(InputException error)
    {
        lock (_reader.Errors) _reader.Errors.Add(error);
    }

    private void OnProgress(ICaptureReader reader) =>
        Progress?.Invoke(new RunProgress(_input, _inputNumber, _inputCount, reader.BytesRead,
            _reader.Statistics.Packets, _reader.Statistics.CapturedBytes, FlowStatistics.FlowsCreated));
}
