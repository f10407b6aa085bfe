using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Report.Records;

namespace PortAudit.Store;

/// <summary>
/// Encodes flows as rows of PostgreSQL's binary COPY format (<see cref="FlowColumns.All"/>, in order) into a growing
/// buffer: the record's fields come from <see cref="FlowFields.Write(PortAudit.Flows.Flow, IFlowFieldSink)"/>, as every flow writer gets them. One per writer
/// thread; encoding a flow allocates nothing.
/// </summary>
internal sealed class FlowRowEncoder : IFlowFieldSink
{
    /// <summary>The binary COPY header: signature, flags, header extension length.</summary>
    public static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>The binary COPY trailer: a field count of -1.</summary>
    public static ReadOnlySpan<byte> Trailer => [0xFF, 0xFF];

    private const int TextOid = 25;

    private readonly byte[] _sensor;
    private byte[] _buffer = new byte[1 << 16];
    private int _length;
    private Flow _flow = null!;

    /// <summary>An encoder of rows written by <paramref name="sensor"/>.</summary>
    public FlowRowEncoder(string sensor) => _sensor = Encoding.UTF8.GetBytes(sensor);

    /// <summary>The rows encoded so far.</summary>
    public ReadOnlySpan<byte> Rows => _buffer.AsSpan(0, _length);

    /// <summary>Bytes of <see cref="Rows"/>.</summary>
    public int Length => _length;

    /// <summary>Appends rows encoded before (read back from a spool).</summary>
    public void Append(ReadOnlySpan<byte> rows)
    {
        rows.CopyTo(Reserve(rows.Length));
        _length += rows.Length;
    }

    /// <summary>Forgets the rows encoded so far.</summary>
    public void Clear() => _length = 0;

    /// <summary>
    /// Appends the row of <paramref name="flow"/>, read from <paramref name="input"/> (UTF-8);
    /// <paramref name="recordOrdinal"/> is its place among its input's flows when it has no frame (0 when it has one).
    /// </summary>
    public void Encode(Flow flow, ReadOnlySpan<byte> input, long recordOrdinal)
    {
        _flow = flow;
        Int16((short)FlowColumns.All.Length);
        Bytes(_sensor);
        Bytes(input);
        FlowFields.Write(flow, this);
        Int16Field(flow.Protocol);
        Int64Field(flow.StartNs);
        Int64Field(flow.EndNs);
        Int64Field(flow.FirstFrame);
        var errors = flow.IcmpErrors;
        if (errors.Count == 0)
        {
            for (int i = 0; i < 4; i++) NullField();
        }
        else
        {
            Int16Field(errors.IcmpProtocol);
            Int16Field(errors.Type);
            Int16Field(errors.Code);
            InetField(errors.Sender);
        }
        if (flow.DceRpc?.MajorVersion is { } major) Int32Field(major); else NullField();
        if (flow.DceRpc?.MinorVersion is { } minor) Int32Field(minor); else NullField();
        DetailFields(flow.AppDetail);
        ((IFlowFieldSink)this).Text(0, flow.Sides.Name());
        BoolField(flow.FirstSentByServer);
        Int64Field(recordOrdinal);
        Int16Field((short)flow.Weakness);
        RpcCallFields(flow.RpcCalls);
        // An announcement the flow's own bytes refuted explains nothing: stored as none.
        BoolField(flow.Announced && !flow.AnnouncementRefuted);
        // As flows.parquet writes it. Field 0 is the record's id, no smallint: Text and Null write it plain, as sides' above.
        ReadBackFields.WriteTunnelOuter(flow.Tunnel, this, 0);
        _flow = null!;
    }

    void IFlowFieldSink.Text(int field, ReadOnlySpan<char> value)
    {
        int start = BeginField();
        TextPiece(value);
        EndField(start);
    }

    // Appends text as UTF-8, without a length.
    private void TextPiece(ReadOnlySpan<char> value)
    {
        var free = Reserve(Encoding.UTF8.GetMaxByteCount(value.Length));
        int written = Encoding.UTF8.GetBytes(value, free);
        // PostgreSQL's text cannot hold U+0000, and a row the server refuses would stay in the spool for good: a NUL
        // (a Zeek uid, a firewall log's field may carry one) is stored as U+FFFD, as undecodable bytes are.
        if (free[..written].Contains((byte)0)) written = ReplaceNuls(free, written);
        _length += written;
    }

    // A field whose length is known once written: its length word is kept free and set by EndField.
    private int BeginField()
    {
        int start = _length;
        Int32(0);
        return start;
    }

    private void EndField(int start) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(start), _length - start - 4);

    // U+FFFD is three bytes of UTF-8 where NUL was one: the text is moved up in place, from its end. The room is there:
    // what was reserved for the text holds three bytes per character.
    private static int ReplaceNuls(Span<byte> text, int length)
    {
        int grown = length + 2 * text[..length].Count((byte)0);
        for (int from = length - 1, to = grown - 1; from >= 0; from--)
        {
            if (text[from] != 0)
            {
                text[to--] = text[from];
                continue;
            }
            text[to--] = 0xBD;
            text[to--] = 0xBF;
            text[to--] = 0xEF;
        }
        return grown;
    }

    void IFlowFieldSink.Verbatim(int field, ReadOnlySpan<byte> ascii)
    {
        // Times and addresses reach a typed column from the flow itself; the rest is text as the record has it.
        switch (FlowColumns.Record[field].Kind)
        {
            case ColumnKind.Timestamp: TimestampField(FlowFields.Names[field] == "start" ? _flow.StartNs : _flow.EndNs); break;
            case ColumnKind.Inet: InetField(FlowFields.Names[field] == "client" ? _flow.Client : _flow.Server); break;
            default: Bytes(ascii); break;
        }
    }

    void IFlowFieldSink.Number(int field, long value)
    {
        switch (FlowColumns.Record[field].Kind)
        {
            case ColumnKind.Int2: Int16Field((short)value); break;
            case ColumnKind.Int4: Int32Field((int)value); break;
            case ColumnKind.Int8: Int64Field(value); break;
            default:
                Span<byte> digits = stackalloc byte[20];
                Utf8Formatter.TryFormat(value, digits, out int count);
                Bytes(digits[..count]);
                break;
        }
    }

    void IFlowFieldSink.Flag(int field, bool value) => BoolField(value);

    // The record's smallint columns (ICMP type and code) are NOT NULL since version 1, which stored 0 for a flow without
    // ICMP: the record's "none" is stored so, and the protocol column tells the two apart.
    void IFlowFieldSink.Null(int field)
    {
        if (FlowColumns.Record[field].Kind == ColumnKind.Int2) Int16Field(0);
        else NullField();
    }

    private void DetailFields(AppDetail? detail)
    {
        if (detail is null)
        {
            NullField();
            NullField();
            return;
        }
        // Keys and values as two arrays of the same length, a bare word's key null: the detail reads back part by part.
        // Read as spans of the detail's text: a row allocates nothing.
        TextArray(detail, keys: true);
        TextArray(detail, keys: false);
    }

    private void TextArray(AppDetail detail, bool keys)
    {
        int start = BeginArray(detail.Count, hasNulls: keys);
        for (int i = 0; i < detail.Count; i++)
        {
            if (keys && detail.KeyAt(i).IsEmpty) NullField();
            else ((IFlowFieldSink)this).Text(0, keys ? detail.KeyAt(i) : detail.ValueAt(i));
        }
        EndField(start);
    }

    // A one-dimensional text[] of count elements; the caller writes the elements, then EndField.
    private int BeginArray(int count, bool hasNulls)
    {
        int start = BeginField();
        Int32(1); // dimensions
        Int32(hasNulls ? 1 : 0);
        Int32(TextOid);
        Int32(count);
        Int32(1); // lower bound
        return start;
    }

    // Every interface the flow bound and the operations called on each (RpcCallText), whether more were seen than kept,
    // and why its RPC could not be read: what the audit judges interface by interface.
    private void RpcCallFields(RpcCallLog? calls)
    {
        if (calls is null)
        {
            NullField();
            NullField();
            NullField();
            return;
        }
        int start = BeginArray(calls.Bindings.Count, hasNulls: false);
        Span<char> head = stackalloc char[RpcCallText.MaxHead];
        foreach (var binding in calls.Bindings)
        {
            int element = BeginField();
            TextPiece(head[..RpcCallText.FormatHead(binding, head)]);
            TextPiece(binding.Via);
            EndField(element);
        }
        EndField(start);
        BoolField(calls.MoreBindings);
        if (calls.Uninspectable is { } why) ((IFlowFieldSink)this).Text(0, why);
        else NullField();
    }

    private void TimestampField(long unixNs)
    {
        Int32(8);
        Int64(Math.DivRem(unixNs, 1000, out long rest) - (rest < 0 ? 1 : 0) - StoreTime.PostgresEpochMicros);
    }

    private void InetField(IpAddr address)
    {
        bool v4 = address.IsV4;
        var free = Reserve(4 + 4 + 16);
        BinaryPrimitives.WriteInt32BigEndian(free, v4 ? 8 : 20);
        free[4] = (byte)(v4 ? 2 : 3); // PGSQL_AF_INET, PGSQL_AF_INET6
        free[5] = (byte)(v4 ? 32 : 128);
        free[6] = 0; // inet, not cidr
        free[7] = (byte)(v4 ? 4 : 16);
        if (v4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(free[8..], address.V4);
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(free[8..], address.High);
            BinaryPrimitives.WriteUInt64BigEndian(free[16..], address.Low);
        }
        _length += v4 ? 12 : 24;
    }

    private void BoolField(bool value)
    {
        Int32(1);
        Reserve(1)[0] = value ? (byte)1 : (byte)0;
        _length++;
    }

    private void Int16Field(short value)
    {
        Int32(2);
        Int16(value);
    }

    private void Int32Field(int value)
    {
        Int32(4);
        Int32(value);
    }

    private void Int64Field(long value)
    {
        Int32(8);
        Int64(value);
    }

    private void NullField() => Int32(-1);

    private void Bytes(ReadOnlySpan<byte> value)
    {
        Int32(value.Length);
        value.CopyTo(Reserve(value.Length));
        _length += value.Length;
    }

    private void Int16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(Reserve(2), value);
        _length += 2;
    }

    private void Int32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(Reserve(4), value);
        _length += 4;
    }

    private void Int64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(Reserve(8), value);
        _length += 8;
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _length < count) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        return _buffer.AsSpan(_length);
    }
}
