using PortAudit.Flows;

namespace PortAudit.Store;

/// <summary>
/// Flows on their way to the store, encoded as binary COPY rows, with the UTC days their starts fall on (the
/// partitions they need). The unit of sending, of spooling and of replay.
/// </summary>
internal sealed class FlowBatch
{
    private const long NsPerDay = 86_400_000_000_000;
    private readonly FlowRowEncoder _encoder;
    private readonly List<int> _days = new(2);

    /// <summary>An empty batch of rows written by <paramref name="sensor"/>.</summary>
    public FlowBatch(string sensor) => _encoder = new FlowRowEncoder(sensor);

    /// <summary>Flows in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>The encoded rows, without COPY's header and trailer.</summary>
    public ReadOnlySpan<byte> Rows => _encoder.Rows;

    /// <summary>Days since the Unix epoch (UTC) on which the batch's flows start.</summary>
    public IReadOnlyList<int> Days => _days;

    /// <summary>
    /// Adds the row of <paramref name="flow"/>, read from <paramref name="input"/>; <paramref name="recordOrdinal"/>
    /// is its place among the input's flows when it has no frame, 0 when it has one.
    /// </summary>
    public void Add(Flow flow, ReadOnlySpan<byte> input, long recordOrdinal = 0)
    {
        _encoder.Encode(flow, input, recordOrdinal);
        Count++;
        NoteDay((int)Math.Floor(flow.StartNs / (double)NsPerDay));
    }

    /// <summary>Replaces the content with rows read back from a spool.</summary>
    public void Load(int count, IReadOnlyList<int> days, ReadOnlySpan<byte> rows)
    {
        Clear();
        Count = count;
        _days.AddRange(days);
        _encoder.Append(rows);
    }

    /// <summary>Empties the batch for reuse.</summary>
    public void Clear()
    {
        _encoder.Clear();
        _days.Clear();
        Count = 0;
    }

    // Flows of a batch start within minutes of each other: a list of one or two days is searched faster than hashed.
    private void NoteDay(int day)
    {
        if (!_days.Contains(day)) _days.Add(day);
    }
}
