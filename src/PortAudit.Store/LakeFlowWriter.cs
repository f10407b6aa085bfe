using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Store;

/// <summary>How a <see cref="LakeFlowWriter"/> writes.</summary>
public sealed record LakeWriterSettings : FlowWriterSettings
{
    /// <summary>Size bound: a file is closed, and the next opened, at this many rows.</summary>
    public long FileRows { get; init; } = 1_000_000;

    /// <summary>
    /// Time bound: a file open this long is closed (a live capture's flows become readable within it); a batch of fewer
    /// than <see cref="FlowWriterSettings.BatchFlows"/> flows is handed over after a minute, or this, if shorter.
    /// </summary>
    public TimeSpan FileAge { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>What a lake writer did: flows handed to it, and the files it put in place.</summary>
/// <param name="Flows">Flows the run ended.</param>
/// <param name="Files">Complete files written, full paths.</param>
public sealed record LakeWriteResult(long Flows, IReadOnlyList<string> Files);

/// <summary>
/// Writes every ended flow to a lake of Parquet files (<c>--store DIR/</c>): the sensor's partition, one directory per
/// UTC day of the flows' starts (<see cref="LakeLayout"/>), the store's columns but the sensor (<see cref="LakeColumns"/>),
/// encoded as the database's rows are (<see cref="FlowBatch"/>) on the run's thread and written by Parquet.Net on a
/// thread of the writer's own. Files are closed at a size bound or a time bound and at the end of the run, and never
/// written again; each appears whole, renamed from a temporary name. The lake is append-only: reading an input again
/// adds its flows again.
/// </summary>
public sealed class LakeFlowWriter : IStoreWriter
{
    // A name longer than this in bytes cannot be a directory on the usual file systems (255) once escaped.
    private const int MostDirectoryBytes = 255;
    // Open files at once: each holds a row group of values (tens of MB). A run's flows start on one day, or two around
    // midnight; a record file spanning months closes its least recently written day's file to open the next.
    private const int MostOpenFiles = 4;

    private readonly string _lake, _sensorDirectory;
    private readonly LakeWriterSettings _settings;
    private readonly FlowInputs _inputs;
    private readonly BlockingCollection<FlowBatch> _full = new(4);
    private readonly ConcurrentBag<FlowBatch> _empty = new();
    private readonly Dictionary<int, LakePart> _open = [];
    private readonly List<string> _written = [];
    private readonly Thread _thread;
    private readonly long _ageTicks, _handTicks;
    private FlowBatch _current;
    private long _currentSince;
    private long _flows, _writtenRows, _used;
    private Exception? _failure;
    private bool _completed;

    /// <summary>Opens the writer on the lake <paramref name="directory"/>, created if missing.</summary>
    /// <exception cref="InputException">The directory cannot be made, or the sensor's name cannot be a directory.</exception>
    public LakeFlowWriter(string directory, LakeWriterSettings settings)
    {
        string partition = LakeLayout.SensorDirectory(settings.Sensor);
        // Counted as the file system counts a name: in bytes of UTF-8, not characters (a CJK character is three).
        int bytes = Encoding.UTF8.GetByteCount(partition);
        if (bytes > MostDirectoryBytes)
            throw new InputException($"sensor name too long for a lake partition ({bytes} bytes of UTF-8 escaped, at most {MostDirectoryBytes}): give a shorter --sensor");
        try
        {
            _sensorDirectory = Directory.CreateDirectory(Path.Combine(directory, partition)).FullName;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(ExpectedPath.FileOnPath(directory) is { } file
                ? $"lake {directory}: {file} is a file, where the lake needs a directory"
                : $"lake {directory}: cannot make {partition}: {ex.Message}", ex);
        }
        _lake = directory;
        _settings = settings;
        _inputs = new FlowInputs(settings.Inputs);
        _current = new FlowBatch(settings.Sensor);
        _ageTicks = (long)(settings.FileAge.TotalSeconds * Stopwatch.Frequency);
        _handTicks = Math.Min(_ageTicks, 60 * Stopwatch.Frequency);
        _thread = new Thread(WriteAll) { IsBackground = true, Name = "portaudit-lake" };
        _thread.Start();
    }

    /// <inheritdoc />
    public bool ReadsPackets => false;

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload) { }

    /// <inheritdoc />
    public void OnInputStart(int input, long ordinalsBefore) => _inputs.OnInputStart(input, ordinalsBefore);

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow)
    {
        long now = Stopwatch.GetTimestamp();
        if (_current.Count == 0) _currentSince = now;
        _current.Add(flow, _inputs.InputOf(flow), _inputs.RecordOrdinal(flow));
        _flows++;
        // A live capture's flows end slowly: a batch does not wait for its 10,000th flow longer than the files' time bound.
        if (_current.Count >= _settings.BatchFlows || now - _currentSince >= _handTicks) Hand();
    }

    private void Hand()
    {
        _full.Add(_current);
        _current = _empty.TryTake(out var batch) ? batch : new FlowBatch(_settings.Sensor);
    }

    /// <summary>Writes what is left and closes every file. Call once, after the run.</summary>
    /// <exception cref="InputException">A file could not be written (a full disk): the flows not in a complete file are counted as lost.</exception>
    public LakeWriteResult Complete()
    {
        Finish();
        if (_failure is not null)
            throw new InputException($"lake {_sensorDirectory}: {_failure.Message}; {_flows - _writtenRows} flows of this run are in no complete file", _failure);
        return new LakeWriteResult(_flows, _written);
    }

    /// <summary>As <see cref="Complete"/>, in the stores' terms: every flow is new to a lake (it is append-only), none spooled.</summary>
    StoreWriteResult IStoreWriter.Complete()
    {
        var result = Complete();
        return new StoreWriteResult(result.Flows, result.Flows, 0, 0, "");
    }

    /// <inheritdoc />
    public string Conclude()
    {
        var result = Complete();
        return $"lake {_lake}: {result.Flows} flows in {result.Files.Count} new file{(result.Files.Count == 1 ? "" : "s")} under {_sensorDirectory}";
    }

    private void Finish()
    {
        if (_completed) return;
        _completed = true;
        if (_current.Count > 0) Hand();
        _full.CompleteAdding();
        _thread.Join();
        foreach (var day in _open.Keys.ToList()) Close(day);
    }

    private void WriteAll()
    {
        // Woken at least every few seconds without flows, so that a quiet live capture's files still close on time.
        var poll = TimeSpan.FromSeconds(Math.Clamp(_settings.FileAge.TotalSeconds / 4, 0.05, 5));
        while (!_full.IsCompleted)
        {
            if (_full.TryTake(out var batch, poll))
            {
                Write(batch);
                batch.Clear();
                _empty.Add(batch);
            }
            foreach (var (day, part) in _open.ToList())
                if (Stopwatch.GetTimestamp() - part.OpenedTimestamp >= _ageTicks) Close(day);
        }
    }

    private void Write(FlowBatch batch)
    {
        if (_failure is null)
        {
            try
            {
                StoreRows.Read(batch.Rows, PartOf);
                return;
            }
            catch (Exception ex)
            {
                // On the writer's thread: whatever went wrong (a full disk, above all) must end in Complete's message,
                // not the process.
                Fail(ex);
            }
        }
    }

    // The file a row starting at startMicros goes to: its day's, opened on demand, a new one past the size bound.
    private IStoreRowSink PartOf(long startMicros)
    {
        // A file failed to close in this batch: the rest of the batch is not written either.
        if (_failure is not null) throw new IOException("stopped after the failure before");
        int day = StoreTime.DayOf(startMicros);
        if (_open.TryGetValue(day, out var part) && part.Count < _settings.FileRows)
        {
            part.LastUsed = ++_used;
            return part.Rows;
        }
        if (part is not null) Close(day);
        if (_open.Count >= MostOpenFiles) Close(_open.MinBy(p => p.Value.LastUsed).Key);
        var partition = Path.Combine(_sensorDirectory, LakeLayout.DayDirectory(StoreTime.Date(day)));
        part = new LakePart(partition, DateTimeOffset.UtcNow, Stopwatch.GetTimestamp()) { LastUsed = ++_used };
        _open[day] = part;
        return part.Rows;
    }

    private void Close(int day)
    {
        var part = _open[day];
        _open.Remove(day);
        if (_failure is not null)
        {
            part.Dispose();
            return;
        }
        try
        {
            part.Close();
            _written.Add(part.Path);
            _writtenRows += part.Count;
        }
        catch (Exception ex)
        {
            part.Dispose();
            Fail(ex);
        }
    }

    // The first failure stops writing: the files open are removed (no half file is left); the flows of this run in no
    // complete file are counted at the end.
    private void Fail(Exception ex)
    {
        _failure ??= ex;
        foreach (var day in _open.Keys.ToList()) Close(day);
    }

    /// <summary>Without <see cref="Complete"/> (the run failed): the flows handed over are written and the files closed all the same.</summary>
    public void Dispose()
    {
        Finish();
        _full.Dispose();
    }
}
