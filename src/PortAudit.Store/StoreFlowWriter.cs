using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Store;

/// <summary>How a <see cref="StoreFlowWriter"/> writes.</summary>
public sealed record StoreWriterSettings : FlowWriterSettings
{
    /// <summary>Where batches wait while the store is unreachable; see <see cref="DefaultSpoolPath"/>.</summary>
    public string? SpoolPath { get; init; }

    /// <summary>Time between two attempts to reach a store that is down.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long <see cref="StoreFlowWriter.Complete"/> goes on trying to replay the spool before leaving it for the next run.</summary>
    public TimeSpan ReplayWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The spool of <paramref name="sensor"/> writing to <paramref name="store"/>, kept across runs so that the next
    /// run of the same sensor sends what this one could not: under the user's local data directory (or /var/tmp).
    /// </summary>
    public static string DefaultSpoolPath(StoreLocation store, string sensor)
    {
        string root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData) is { Length: > 0 } data ? data : "/var/tmp";
        string safe = string.Concat(sensor.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        string store8 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(store.Display)))[..8];
        return Path.Combine(root, "portaudit", "spool", $"{safe}-{store8}.spool");
    }
}

/// <summary>What a writer did: flows handed to it, added to the store, already there, and left in the spool.</summary>
/// <param name="Flows">Flows the run ended.</param>
/// <param name="Added">Flows the store did not hold before.</param>
/// <param name="Replayed">Flows sent from the spool (this run's or an earlier one's).</param>
/// <param name="Spooled">Flows still in the spool: the store was down at the end.</param>
/// <param name="SpoolPath">The spool file.</param>
public sealed record StoreWriteResult(long Flows, long Added, long Replayed, long Spooled, string SpoolPath)
{
    /// <summary>Flows the store held already (re-imports, replays of batches it had taken).</summary>
    public long Duplicates(long sent) => sent - Added;
}

/// <summary>
/// Writes every ended flow to the store, as a consumer of a run (<c>--store</c> on flows, capture and collect). Flows
/// are encoded on the run's thread into batches and sent by a thread of the writer's own, so that a slow store does
/// not slow the capture; while a server is unreachable, batches go to a local spool and are replayed, in order, as
/// soon as it answers again (a store that is a local file, DuckDB, has no spool). Each engine sends a batch through
/// an <see cref="IStoreIngest"/> of its own. Nothing is lost as long as the spool's disk is there: a run that ends with the store still
/// down leaves the spool for the next run of the same sensor.
/// </summary>
public sealed class StoreFlowWriter : IStoreWriter
{
    private readonly string _display;
    private readonly StoreWriterSettings _settings;
    private readonly Action<string> _notice;
    private readonly FlowInputs _inputs;
    private readonly BlockingCollection<FlowBatch> _full = new(4);
    private readonly ConcurrentBag<FlowBatch> _empty = new();
    private readonly IStoreIngest _ingest;
    // Null for a store that is a local file (DuckDB): nothing to wait for, so nothing to spool.
    private readonly FlowSpool? _spool;
    private readonly Thread _sender;
    private FlowBatch _current;
    private long _flows, _added, _replayed;
    private bool _down;
    private long _nextAttempt;
    private Exception? _failure;
    // The spool's disk failed (full): the flows of the batches that could not be kept, and why.
    private string? _spoolFailure;
    private long _lost;
    private bool _completed;

    /// <summary>
    /// Opens the writer: connects (creating the schema in an empty database) and, when an earlier run left a spool,
    /// says so and sends it first. A store that is down now is not an error: flows are spooled until it answers.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="settings">Sensor, inputs, spool.</param>
    /// <param name="notice">Receives the messages a user must see: store down, store back, spool left.</param>
    /// <exception cref="InputException">The store's schema is not this build's, or lacks columns of its records.</exception>
    public StoreFlowWriter(StoreLocation store, StoreWriterSettings settings, Action<string> notice)
        : this(new StoreIngest(store), store.Display, settings.SpoolPath ?? StoreWriterSettings.DefaultSpoolPath(store, settings.Sensor), settings, notice)
    {
    }

    /// <summary>A writer through <paramref name="ingest"/>, spooling to <paramref name="spoolPath"/> (none when null).</summary>
    internal StoreFlowWriter(IStoreIngest ingest, string display, string? spoolPath, StoreWriterSettings settings, Action<string> notice)
    {
        _display = display;
        _settings = settings;
        _notice = notice;
        _inputs = new FlowInputs(settings.Inputs);
        _ingest = ingest;
        _spool = spoolPath is null ? null : new FlowSpool(spoolPath, notice);
        _current = new FlowBatch(settings.Sensor);
        if (_spool is { Frames: > 0 })
        {
            notice($"{_spool.Flows} flows left in the spool {_spool.Path} by an earlier run: sending them first");
            _down = true;
        }
        try
        {
            _ingest.Connect();
        }
        catch (StoreUnavailableException ex)
        {
            GoneDown(ex);
        }
        _sender = new Thread(SendAll) { IsBackground = true, Name = "portaudit-store" };
        _sender.Start();
    }

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload) { }


    /// <inheritdoc />

    public bool ReadsPackets => false;

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow)
    {
        _current.Add(flow, _inputs.InputOf(flow), _inputs.RecordOrdinal(flow));
        _flows++;
        if (_current.Count >= _settings.BatchFlows) Hand();
    }

    /// <inheritdoc />
    public void OnInputStart(int input, long ordinalsBefore) => _inputs.OnInputStart(input, ordinalsBefore);

    private void Hand()
    {
        _full.Add(_current);
        _current = _empty.TryTake(out var batch) ? batch : new FlowBatch(_settings.Sensor);
    }

    /// <summary>
    /// Sends what is left, then goes on replaying the spool for up to <see cref="StoreWriterSettings.ReplayWait"/>
    /// while the store is down. Call once, after the run.
    /// </summary>
    /// <exception cref="InputException">
    /// The store refused the flows for a reason other than being down (kept in the spool), or the spool could not be
    /// written (a full disk: the flows it could not keep are counted as lost).
    /// </exception>
    public StoreWriteResult Complete()
    {
        if (!_completed)
        {
            _completed = true;
            if (_current.Count > 0) Hand();
            _full.CompleteAdding();
            _sender.Join();
            var deadline = Stopwatch.GetTimestamp() + (long)(_settings.ReplayWait.TotalSeconds * Stopwatch.Frequency);
            while (_failure is null && _spool is { Frames: > 0 } && Stopwatch.GetTimestamp() < deadline)
            {
                Thread.Sleep(_settings.RetryInterval);
                _nextAttempt = 0;
                Replay();
            }
            if (_spool is { Frames: > 0 })
                _notice($"store {_display} still unreachable: {_spool.Flows} flows kept in the spool {_spool.Path}; " +
                        $"the next run writing to it as sensor '{_settings.Sensor}' sends them");
        }
        if (_spoolFailure is not null)
            throw new InputException($"{_spool?.Path}: cannot write the spool: {_spoolFailure}; {_lost} flows of this run were neither stored nor kept " +
                                     $"(store {_display} {(_failure is null ? "unreachable" : "refused them: " + _failure.Message)})");
        if (_failure is not null)
            throw new InputException(_spool is null
                ? $"store {_display}: {_failure.Message}; {_lost} flows of this run were not stored"
                : $"store {_display}: {_failure.Message}; the flows are kept in {_spool.Path}", _failure);
        return new StoreWriteResult(_flows, _added, _replayed, _spool?.Flows ?? 0, _spool?.Path ?? "");
    }

    private void SendAll()
    {
        foreach (var batch in _full.GetConsumingEnumerable())
        {
            Deliver(batch);
            batch.Clear();
            _empty.Add(batch);
        }
    }

    private void Deliver(FlowBatch batch)
    {
        if (_down) Replay();
        if (!_down && _failure is null)
        {
            try
            {
                _added += _ingest.Send(batch);
                return;
            }
            catch (StoreUnavailableException ex)
            {
                GoneDown(ex);
            }
            catch (Exception ex)
            {
                // Not the store being away but a refusal: keep the flows, stop sending, say it at the end.
                _failure = ex;
            }
        }
        Keep(batch);
    }

    // Into the spool, on this (the sender's) thread: a spool that cannot be written (a full disk) must not end the process
    // here; the batch is counted lost and Complete says so, naming the spool.
    private void Keep(FlowBatch batch)
    {
        if (_spoolFailure is null && _spool is not null)
        {
            try
            {
                _spool.Append(batch);
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _spoolFailure = ex.Message;
            }
        }
        _lost += batch.Count;
    }

    // Sends the spool in order once the store answers again; at most one attempt per retry interval while it does not.
    private void Replay()
    {
        if (_failure is not null || Stopwatch.GetTimestamp() < _nextAttempt) return;
        long before = _added;
        try
        {
            var scratch = new FlowBatch(_settings.Sensor);
            if (_spool is { Frames: > 0 }) _spool.Replay(scratch, b => _added += _ingest.Send(b));
            else _ingest.Connect();
        }
        catch (StoreUnavailableException)
        {
            _nextAttempt = Stopwatch.GetTimestamp() + (long)(_settings.RetryInterval.TotalSeconds * Stopwatch.Frequency);
            return;
        }
        catch (Exception ex) when (IsRefusedData(ex))
        {
            // Rows no store will take would block every later run: they are set aside, named, and the run goes on.
            _spool!.Quarantine(ex is PostgresException pg ? $"the store refused a frame of it: {pg.MessageText} ({pg.SqlState})" : ex.Message);
            _down = false;
            return;
        }
        catch (Exception ex)
        {
            // Not the spool's rows but the store (a schema of another version): keep the flows, say it at the end.
            _failure = ex;
            return;
        }
        long sent = _spool?.Flows ?? 0;
        _replayed += sent;
        if (_spool is { Frames: > 0 }) _spool.Clear();
        _down = false;
        _notice($"store {_display} reachable again: {sent} spooled flows sent ({_added - before} new)");
    }

    // The server refused the rows themselves (a data exception or a broken constraint), or the spool changed under the run.
    private static bool IsRefusedData(Exception ex) =>
        ex is InvalidDataException || ex is PostgresException pg && (pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState.StartsWith("23", StringComparison.Ordinal));

    private void GoneDown(StoreUnavailableException ex)
    {
        if (!_down)
            _notice($"{ex.Message}; flows go to the spool {_spool?.Path} and are sent when the store is back");
        _down = true;
        _nextAttempt = Stopwatch.GetTimestamp() + (long)(_settings.RetryInterval.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>
    /// Stops the sender and closes the connection. Without <see cref="Complete"/> (the run failed), the batches handed
    /// over are still sent or spooled and the one being filled is spooled, without waiting for a store that is down.
    /// </summary>
    public void Dispose()
    {
        if (!_completed)
        {
            _completed = true;
            _full.CompleteAdding();
            _sender.Join();
            if (_current.Count > 0) Keep(_current);
        }
        _ingest.Dispose();
        _full.Dispose();
    }
}
