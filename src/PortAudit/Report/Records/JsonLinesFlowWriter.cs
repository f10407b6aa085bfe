using System.Text.Json;
using PortAudit.Flows;

namespace PortAudit.Report.Records;

/// <summary>
/// One JSON object per line, written as UTF-8 straight into a buffer: a record allocates nothing. The bytes are
/// exactly those of a <see cref="Utf8JsonWriter"/> with default options, which still escapes any text that needs it,
/// except that verbatim fields are copied as they are: the '+' of a Community ID stays '+' (the default encoder would
/// write \u002B), as Zeek and Suricata write it, so that the id is found by a plain text search.
/// Many flows ending at once (the end of input) are formatted on two cores, and written in their order (<see cref="OrderedChunks"/>).
/// </summary>
public sealed class JsonLinesFlowWriter : IFlowRecordWriter
{
    // Records collect in memory and reach the stream in large writes, not one system call per record.
    private const int WriteThreshold = 1 << 16;
    // Flows per chunk when many end at once: enough to outweigh handing work to another thread, few enough that the
    // formatted text (about a megabyte) stays in one buffer that is reused, never regrown.
    private const int ParallelChunk = 1024;
    // Chunks formatted and not yet written, at most, each in a formatter of its own.
    private const int ParallelSlots = 4;
    // Flows formatted at once on one core: their text stays well under WriteThreshold.
    private const int SerialChunk = 64;

    private readonly Stream _output;
    private readonly JsonLineFormatter _formatter;
    private JsonLineFormatter[]? _slots;

    /// <summary>Creates the writer over <paramref name="output"/>.</summary>
    public JsonLinesFlowWriter(Stream output) : this(output, []) { }

    /// <summary>Creates a writer whose records end with <paramref name="extraFields"/>, written by <see cref="Write{TExtra}"/>.</summary>
    public JsonLinesFlowWriter(Stream output, IReadOnlyList<string> extraFields)
    {
        _output = output;
        _formatter = new JsonLineFormatter(FlowFields.Names.Concat(extraFields).ToArray());
    }

    /// <inheritdoc />
    public void Write(Flow flow)
    {
        _formatter.Format(flow);
        if (_formatter.Length >= WriteThreshold) _formatter.DrainTo(_output);
    }

    /// <summary>Writes <paramref name="flow"/> followed by the extra fields of <paramref name="extra"/>.</summary>
    public void Write<TExtra>(Flow flow, TExtra extra) where TExtra : IFlowFieldSource
    {
        _formatter.Format(flow, extra);
        if (_formatter.Length >= WriteThreshold) _formatter.DrainTo(_output);
    }

    /// <summary>
    /// Writes each of <paramref name="flows"/> followed by the extra fields of the same place in
    /// <paramref name="extras"/>, in order, as <see cref="Write{TExtra}"/> would one by one; their Community IDs are
    /// taken together.
    /// </summary>
    public void WriteAll<TExtra>(ReadOnlySpan<Flow> flows, ReadOnlySpan<TExtra> extras) where TExtra : IFlowFieldSource
    {
        if (extras.Length != flows.Length) throw new ArgumentException("one set of extra fields per flow", nameof(extras));
        // A few records at a time, drained as Write drains.
        for (int start = 0; start < flows.Length; start += SerialChunk)
        {
            int count = Math.Min(SerialChunk, flows.Length - start);
            _formatter.FormatAll(flows.Slice(start, count), extras.Slice(start, count));
            if (_formatter.Length >= WriteThreshold) _formatter.DrainTo(_output);
        }
    }

    /// <inheritdoc />
    public void WriteAll(ReadOnlyMemory<Flow> flows)
    {
        if (flows.Length < 2 * ParallelChunk || Environment.ProcessorCount < 2)
        {
            // A few records at a time, for their Community IDs to be taken together, and drained as Write drains.
            for (int start = 0; start < flows.Length; start += SerialChunk)
            {
                _formatter.FormatAll(flows.Span.Slice(start, Math.Min(SerialChunk, flows.Length - start)));
                if (_formatter.Length >= WriteThreshold) _formatter.DrainTo(_output);
            }
            return;
        }
        _formatter.DrainTo(_output);
        _slots ??= [_formatter, .. Enumerable.Range(1, ParallelSlots - 1).Select(_ => _formatter.Twin())];
        OrderedChunks.Write(flows, _slots, ParallelChunk, _output);
    }

    /// <inheritdoc />
    public void Complete()
    {
        _formatter.DrainTo(_output);
        _output.Flush();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _formatter.DrainTo(_output);
        _output.Dispose();
    }
}

