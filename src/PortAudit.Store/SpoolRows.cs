using System.Buffers.Binary;
using System.Text.Unicode;

namespace PortAudit.Store;

/// <summary>Where in a frame's rows (a byte offset into them) a spool's rows are damaged, and how.</summary>
internal readonly record struct SpoolRowDamage(int At, string What);

/// <summary>
/// The rows of a spool frame walked as the server reads binary COPY rows, each value checked by its column's type
/// (<see cref="FlowColumns.All"/>): a number of its type's width, an address as the encoder writes one, a text array
/// whose elements fit it, text the store takes (UTF-8 without NUL), a start on a day the frame names. A frame that
/// passes reads back whole through <see cref="StoreRows"/>, which trusts it; one that does not is named by row and field.
/// </summary>
internal static class SpoolRows
{
    private const int TextOid = 25;
    private static readonly int StartColumn = FlowColumns.IndexOf("start");

    /// <summary>Null when <paramref name="rows"/> are <paramref name="count"/> well-formed rows starting on <paramref name="days"/>; otherwise the first damage.</summary>
    public static SpoolRowDamage? Check(ReadOnlySpan<byte> rows, int count, int[] days)
    {
        int at = 0;
        for (int row = 1; row <= count; row++)
        {
            if (rows.Length - at < 2) return new(at, $"row {row} of {count} missing");
            int fields = BinaryPrimitives.ReadInt16BigEndian(rows[at..]);
            if (fields != FlowColumns.All.Length) return new(at, $"row {row} has {fields} fields, not {FlowColumns.All.Length}");
            at += 2;
            for (int field = 0; field < fields; field++)
            {
                int start = at;
                if (rows.Length - at < 4) return new(at, $"row {row} cut short at {Named(field)}");
                int size = BinaryPrimitives.ReadInt32BigEndian(rows[at..]);
                at += 4;
                string? problem = size == -1 ? (field == StartColumn ? "null, where every row has a start" : null)
                    : size < 0 || size > rows.Length - at ? $"{size} bytes, which the frame does not hold"
                    : ValueProblem(field, rows.Slice(at, size), days);
                if (problem is not null) return new(start, $"row {row} {Named(field)}: {problem}");
                at += Math.Max(0, size);
            }
        }
        return at == rows.Length ? null : new(at, $"{rows.Length - at} bytes after the frame's {count} rows");
    }

    // "field 29 (icmp_type smallint)": its place in the row, 1-based, its column and type.
    private static string Named(int field) => $"field {field + 1} ({FlowColumns.All[field].Name} {FlowColumns.All[field].SqlType})";

    private static string? ValueProblem(int field, ReadOnlySpan<byte> value, int[] days)
    {
        var kind = FlowColumns.All[field].Kind;
        string? problem = kind switch
        {
            ColumnKind.Text => TextProblem(value),
            ColumnKind.Int8 or ColumnKind.Timestamp => Width(value, 8),
            ColumnKind.Int4 => Width(value, 4),
            ColumnKind.Int2 => Width(value, 2),
            ColumnKind.Bool => Width(value, 1) ?? (value[0] > 1 ? $"{value[0]} where a boolean is 0 or 1" : null),
            ColumnKind.Inet => AddressProblem(value),
            _ => TextArrayProblem(value),
        };
        if (problem is null && field == StartColumn && DayOf(value) is var day && !days.Contains(day))
            return $"a start on day {day}, which the frame does not name";
        return problem;
    }

    private static string? Width(ReadOnlySpan<byte> value, int width) =>
        value.Length == width ? null : $"{value.Length} bytes where its type has {width}";

    // PostgreSQL's text holds UTF-8 without NUL: anything else it refuses, and the spool would be refused at replay.
    private static string? TextProblem(ReadOnlySpan<byte> text) =>
        !Utf8.IsValid(text) ? "text that is not UTF-8"
        : text.Contains((byte)0) ? "text holding a NUL, which the store's text cannot"
        : null;

    // An inet as the encoder writes a host: family (2 IPv4, 3 IPv6), a full mask, not cidr, then the address.
    private static string? AddressProblem(ReadOnlySpan<byte> value)
    {
        if (value.Length is not (8 or 20)) return $"{value.Length} bytes where an address has 8 (IPv4) or 20 (IPv6)";
        bool v4 = value.Length == 8;
        ReadOnlySpan<byte> host = v4 ? [2, 32, 0, 4] : [3, 128, 0, 16];
        return value[..4].SequenceEqual(host) ? null
            : $"an address headed {value[0]} {value[1]} {value[2]} {value[3]}, not an IPv{(v4 ? 4 : 6)} host's {host[0]} {host[1]} {host[2]} {host[3]}";
    }

    // A text[]: dimensions (0 for an empty array, else 1), a null flag, the element type, then count and lower bound
    // (1), then each element: a length (-1 null) and its text. The count is walked, never allocated: each element needs
    // four bytes of the value, so a count the value cannot hold ends the walk at its end.
    private static string? TextArrayProblem(ReadOnlySpan<byte> value)
    {
        if (value.Length < 12) return $"{value.Length} bytes where a text array has at least 12";
        int dimensions = BinaryPrimitives.ReadInt32BigEndian(value), flags = BinaryPrimitives.ReadInt32BigEndian(value[4..]);
        int element = BinaryPrimitives.ReadInt32BigEndian(value[8..]);
        if (dimensions is not (0 or 1) || flags is not (0 or 1) || element != TextOid)
            return $"an array of {dimensions} dimensions, flags {flags}, element type {element}, not a list of text (1, 0 or 1, {TextOid})";
        if (dimensions == 0) return value.Length == 12 ? null : $"{value.Length - 12} bytes after an empty array";
        if (value.Length < 20) return $"{value.Length} bytes where a text array of one dimension has at least 20";
        int count = BinaryPrimitives.ReadInt32BigEndian(value[12..]), lower = BinaryPrimitives.ReadInt32BigEndian(value[16..]);
        if (count < 0 || lower != 1) return $"an array of {count} elements from index {lower}, not a count from 1";
        int at = 20;
        for (int i = 1; i <= count; i++)
        {
            if (value.Length - at < 4) return $"element {i} of {count} missing";
            int size = BinaryPrimitives.ReadInt32BigEndian(value[at..]);
            at += 4;
            if (size == -1) continue;
            if (size < 0 || size > value.Length - at) return $"element {i} of {size} bytes, which the array does not hold";
            if (TextProblem(value.Slice(at, size)) is { } text) return $"element {i}: {text}";
            at += size;
        }
        return at == value.Length ? null : $"{value.Length - at} bytes after the array's {count} elements";
    }

    // A timestamptz: microseconds since 2000-01-01 UTC.
    private static int DayOf(ReadOnlySpan<byte> timestamp) =>
        StoreTime.DayOf(BinaryPrimitives.ReadInt64BigEndian(timestamp) + StoreTime.PostgresEpochMicros);
}
