using System.Text;
using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>What one line of a text log amounted to.</summary>
public enum LineOutcome
{
    /// <summary>The line completed a flow: it is in the record.</summary>
    Flow,
    /// <summary>The line was a record the reader used without a flow to show yet (an ASA built message).</summary>
    Consumed,
    /// <summary>Not a record of this format (a comment, a header, another program's syslog line): neither read nor rejected.</summary>
    Ignored,
    /// <summary>A record of this format that could not be used; the reader says why in <see cref="LineRecordReader.RejectReason"/>.</summary>
    Rejected,
}

/// <summary>
/// Base of the text formats: reads its input line by line (never whole), counts lines, and turns each outcome into
/// the run's record statistics, with the line number of every rejected record. A line longer than
/// <see cref="MaxLineLength"/> is passed over in blocks, never held whole, and rejected with its number.
/// </summary>
public abstract class LineRecordReader : IRecordReader
{
    /// <summary>The longest line read by default, in characters (1 MiB): a flow record is a few hundred.</summary>
    public const int DefaultMaxLineLength = 1 << 20;

    private readonly TextReader _text;
    private readonly RecordStatistics _statistics;
    private readonly char[] _block = new char[1 << 14];
    private readonly StringBuilder _line = new();
    private int _blockStart, _blockEnd;
    // The last line ended with '\r': a '\n' right after it belongs to that end.
    private bool _lineFeedMayFollow;

    /// <summary>A reader of <paramref name="text"/>, named <paramref name="name"/> in problems.</summary>
    protected LineRecordReader(TextReader text, string name, RecordStatistics statistics)
    {
        _text = text;
        Name = name;
        _statistics = statistics;
    }

    /// <summary>The input as problems name it.</summary>
    public string Name { get; }

    /// <summary>Where the run's record counts go, for what a reader repairs as it parses (<see cref="RecordStatistics.EndNotBefore"/>).</summary>
    protected RecordStatistics Statistics => _statistics;

    /// <summary>Lines longer than this many characters are skipped and counted as rejected.</summary>
    public int MaxLineLength
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "a line limit is at least 1");
    } = DefaultMaxLineLength;

    /// <summary>The 1-based number of the line being parsed.</summary>
    protected long LineNumber { get; private set; }

    /// <summary>Why the last line was rejected; set by <see cref="Parse"/> before it returns <see cref="LineOutcome.Rejected"/>.</summary>
    public string RejectReason { get; protected set; } = "";

    /// <inheritdoc />
    public virtual bool CarriesCutOff => false;

    /// <inheritdoc />
    public bool TryRead(ref FlowRecord record)
    {
        if (!TryReadFlow(ref record)) return false;
        if (!Flow.Timed(record.StartNs, record.EndNs)) _statistics.CountUndated();
        return true;
    }

    private bool TryReadFlow(ref FlowRecord record)
    {
        if (TryTakeReady(ref record)) return true;
        while (NextLine(out bool tooLong) is { } line)
        {
            LineNumber++;
            if (tooLong)
            {
                _statistics.Reject(new RecordProblem(Name, $"line {LineNumber}", $"line longer than {MaxLineLength} characters: skipped"));
                continue;
            }
            record = default;
            switch (Parse(line, ref record))
            {
                case LineOutcome.Flow:
                    _statistics.CountRead();
                    return true;
                case LineOutcome.Consumed:
                    _statistics.CountRead();
                    if (TryTakeReady(ref record)) return true;
                    break;
                case LineOutcome.Rejected:
                    _statistics.Reject(new RecordProblem(Name, $"line {LineNumber}", RejectReason));
                    break;
            }
        }
        record = default;
        return TryDrain(ref record);
    }

    // The next line without its end ("\n", "\r\n" or "\r", as TextReader.ReadLine), null at the end of the input. A line
    // over the limit is read through to its end without being kept: "" with tooLong set.
    private string? NextLine(out bool tooLong)
    {
        tooLong = false;
        _line.Clear();
        bool started = false;
        while (true)
        {
            if (_blockStart == _blockEnd)
            {
                _blockStart = 0;
                _blockEnd = _text.Read(_block, 0, _block.Length);
                if (_blockEnd == 0) return started ? (tooLong ? "" : _line.ToString()) : null;
            }
            if (_lineFeedMayFollow)
            {
                _lineFeedMayFollow = false;
                if (_block[_blockStart] == '\n')
                {
                    _blockStart++;
                    continue;
                }
            }
            started = true;
            var rest = _block.AsSpan(_blockStart, _blockEnd - _blockStart);
            int end = rest.IndexOfAny('\r', '\n');
            var part = end < 0 ? rest : rest[..end];
            if (end >= 0 && _line.Length == 0 && !tooLong && part.Length <= MaxLineLength)
            {
                // The usual case: the whole line is in the block, one copy.
                _blockStart += end + 1;
                _lineFeedMayFollow = rest[end] == '\r';
                return new string(part);
            }
            if (!tooLong)
            {
                if (_line.Length + part.Length <= MaxLineLength) _line.Append(part);
                else
                {
                    tooLong = true;
                    _line.Clear();
                }
            }
            if (end < 0)
            {
                _blockStart = _blockEnd;
                continue;
            }
            _blockStart += end + 1;
            _lineFeedMayFollow = rest[end] == '\r';
            return tooLong ? "" : _line.ToString();
        }
    }

    /// <summary>Parses one line into <paramref name="record"/> (which starts empty).</summary>
    protected abstract LineOutcome Parse(string line, ref FlowRecord record);

    /// <summary>
    /// Hands out one flow that lines consumed earlier completed (a reader that pairs one-way records), before the next
    /// line is read; false when none is ready.
    /// </summary>
    protected virtual bool TryTakeReady(ref FlowRecord record) => false;

    /// <summary>At the end of the input, hands out one flow still held (a connection built but never torn down); false when none is left.</summary>
    protected virtual bool TryDrain(ref FlowRecord record) => false;

    /// <summary>Sets <see cref="RejectReason"/> and returns <see cref="LineOutcome.Rejected"/>.</summary>
    protected LineOutcome Reject(string reason)
    {
        RejectReason = reason;
        return LineOutcome.Rejected;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _text.Dispose();
        GC.SuppressFinalize(this);
    }
}
