using System.Buffers;
using System.Buffers.Binary;
using PortAudit.Audit;
using PortAudit.Flows;
using PortAudit.Sources.Records.Ipfix;

namespace PortAudit.Report.Ipfix;

/// <summary>
/// Builds one IPFIX message (RFC 7011 §3) at a time in a buffer rented once from the shared pool: the header, an
/// optional template set, then data sets, a new set whenever the template changes. A record that does not fit the
/// message size is refused whole, so the message can be sent and the record added to the next.
/// </summary>
internal sealed class IpfixMessageWriter : IDisposable
{
    private const ushort TemplateSetId = 2;
    private const int SetHeaderLength = 4;

    private readonly int _capacity;
    private byte[] _buffer;
    private int _length;
    private int _setStart = -1;
    private ushort _setId;

    /// <summary>A writer of messages of at most <paramref name="maxMessageSize"/> bytes.</summary>
    public IpfixMessageWriter(int maxMessageSize)
    {
        _capacity = maxMessageSize;
        _buffer = ArrayPool<byte>.Shared.Rent(maxMessageSize);
        Begin();
    }

    /// <summary>Data records in the message so far.</summary>
    public int Records { get; private set; }

    /// <summary>Starts a new, empty message.</summary>
    public void Begin()
    {
        _length = IpfixMessage.IpfixHeaderLength;
        _setStart = -1;
        Records = 0;
    }

    /// <summary>Adds a template set announcing both templates of <paramref name="layout"/>; call first in a message.</summary>
    public void AddTemplates(IpfixExportLayout layout)
    {
        var span = _buffer.AsSpan(0, _capacity);
        int start = _length;
        int position = start + SetHeaderLength;
        position = WriteTemplate(span, position, IpfixExportLayout.V4TemplateId, layout.V4);
        position = WriteTemplate(span, position, IpfixExportLayout.V6TemplateId, layout.V6);
        BinaryPrimitives.WriteUInt16BigEndian(span[start..], TemplateSetId);
        BinaryPrimitives.WriteUInt16BigEndian(span[(start + 2)..], (ushort)(position - start));
        _length = position;
    }

    private static int WriteTemplate(Span<byte> span, int position, ushort id, IpfixTemplate template)
    {
        BinaryPrimitives.WriteUInt16BigEndian(span[position..], id);
        BinaryPrimitives.WriteUInt16BigEndian(span[(position + 2)..], (ushort)template.Fields.Length);
        position += 4;
        foreach (var field in template.Fields)
        {
            // The enterprise bit, then the enterprise number after the specifier (RFC 7011 §3.2).
            BinaryPrimitives.WriteUInt16BigEndian(span[position..], (ushort)(field.Id | (field.Enterprise != 0 ? 0x8000 : 0)));
            BinaryPrimitives.WriteUInt16BigEndian(span[(position + 2)..], field.Length);
            position += 4;
            if (field.Enterprise == 0) continue;
            BinaryPrimitives.WriteUInt32BigEndian(span[position..], field.Enterprise);
            position += 4;
        }
        return position;
    }

    /// <summary>Adds the record of <paramref name="flow"/> under template <paramref name="templateId"/>; false when the message has no room for it.</summary>
    public bool TryAdd(ushort templateId, IpfixTemplate template, Flow flow, FlowVerdict? verdict)
    {
        bool newSet = _setStart < 0 || _setId != templateId;
        int recordAt = _length + (newSet ? SetHeaderLength : 0);
        if (recordAt >= _capacity
            || !IpfixFlowEncoder.TryWrite(template, flow, verdict, _buffer.AsSpan(recordAt, _capacity - recordAt), out int written))
            return false;
        if (newSet)
        {
            CloseSet();
            _setStart = _length;
            _setId = templateId;
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length), templateId);
        }
        _length = recordAt + written;
        Records++;
        return true;
    }

    /// <summary>Closes the message with its header; the span is valid until the next <see cref="Begin"/>.</summary>
    public ReadOnlySpan<byte> Finish(uint exportSeconds, uint sequence, uint domain)
    {
        CloseSet();
        var header = _buffer.AsSpan(0, IpfixMessage.IpfixHeaderLength);
        BinaryPrimitives.WriteUInt16BigEndian(header, IpfixMessage.IpfixVersion);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)_length);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], exportSeconds);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(header[12..], domain);
        return _buffer.AsSpan(0, _length);
    }

    private void CloseSet()
    {
        if (_setStart < 0) return;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_setStart + 2), (ushort)(_length - _setStart));
        _setStart = -1;
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
