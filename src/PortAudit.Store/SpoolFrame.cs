using System.Buffers.Binary;

namespace PortAudit.Store;

/// <summary>
/// One frame of a <see cref="FlowSpool"/>, read and checked: its header's numbers in bounds, its rows well-formed
/// binary COPY rows of this build's columns, as many as the header says, each starting on one of the frame's days.
/// What the server would take is checked before anything is sent, so that damage is found at the spool, by offset.
/// </summary>
internal sealed record SpoolFrame(int Count, int[] Days, byte[] Rows)
{
    /// <summary>Bytes of a frame's header: row count, day count, rows' length.</summary>
    public const int HeaderBytes = 12;

    // A batch's flows start within minutes of each other; a frame naming more days than this was not written by a writer.
    private const int MostDays = 4096;
    private static readonly int StartColumn = FlowColumns.IndexOf("start");

    /// <summary>What a spool file starts with: the format's name and the schema version of its rows.</summary>
    public static byte[] FileHeader { get; } = [.. "PortAudit spool\n"u8, .. VersionBytes(StoreSchema.Version)];

    /// <summary>Null when <paramref name="file"/> starts with <see cref="FileHeader"/>; otherwise what is wrong.</summary>
    public static string? CheckFileHeader(Stream file)
    {
        var header = new byte[FileHeader.Length];
        int read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read == header.Length && header.AsSpan().SequenceEqual(FileHeader)) return null;
        int prefix = FileHeader.Length - 4;
        if (read == header.Length && header.AsSpan(0, prefix).SequenceEqual(FileHeader.AsSpan(0, prefix)))
            return $"its rows are of schema version {BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(prefix))}, this build writes version {StoreSchema.Version}";
        return "it does not start as a spool of this build does (written by an older build, or not a spool)";
    }

    /// <summary>The next frame of <paramref name="file"/>, or null when it is damaged (<paramref name="damage"/> says how).</summary>
    public static SpoolFrame? Read(Stream file, out string? damage)
    {
        damage = null;
        long left = file.Length - file.Position;
        Span<byte> header = stackalloc byte[HeaderBytes];
        if (file.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes)
            return Damaged(out damage, "a frame header cut short (a crash while it was written)");
        int count = BinaryPrimitives.ReadInt32BigEndian(header);
        int dayCount = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        int length = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        if (count < 0 || dayCount < 0 || dayCount > MostDays || length < 0)
            return Damaged(out damage, $"a frame header out of bounds ({count} rows, {dayCount} days, {length} bytes)");
        if (HeaderBytes + 4L * dayCount + length > left)
            return Damaged(out damage, $"a frame of {HeaderBytes + 4L * dayCount + length} bytes where {left} are left (a crash while it was written)");
        var days = new int[dayCount];
        Span<byte> day = stackalloc byte[4];
        for (int i = 0; i < days.Length; i++)
        {
            file.ReadExactly(day);
            days[i] = BinaryPrimitives.ReadInt32BigEndian(day);
        }
        var rows = new byte[length];
        file.ReadExactly(rows);
        damage = CheckRows(rows, count, days);
        return damage is null ? new SpoolFrame(count, days, rows) : null;
    }

    /// <summary>The next frame, or null when it is damaged.</summary>
    public static SpoolFrame? Read(Stream file) => Read(file, out _);

    // Walks the rows as the server would: every row has this build's column count, every field fits in the frame.
    private static string? CheckRows(ReadOnlySpan<byte> rows, int count, int[] days)
    {
        int at = 0;
        for (int row = 0; row < count; row++)
        {
            if (rows.Length - at < 2) return $"row {row + 1} of {count} missing";
            int fields = BinaryPrimitives.ReadInt16BigEndian(rows[at..]);
            if (fields != FlowColumns.All.Length) return $"row {row + 1} has {fields} fields, not {FlowColumns.All.Length}";
            at += 2;
            for (int field = 0; field < fields; field++)
            {
                if (rows.Length - at < 4) return $"row {row + 1} cut short at field {field + 1}";
                int size = BinaryPrimitives.ReadInt32BigEndian(rows[at..]);
                at += 4;
                if (size == -1) continue;
                if (size < 0 || size > rows.Length - at) return $"row {row + 1} field {field + 1} of {size} bytes does not fit the frame";
                if (field == StartColumn && (size != 8 || !days.Contains(DayOf(rows.Slice(at, 8)))))
                    return $"row {row + 1} starts on a day the frame does not name";
                at += size;
            }
        }
        return at == rows.Length ? null : $"{rows.Length - at} bytes after the frame's {count} rows";
    }

    // A timestamptz field: microseconds since 2000-01-01 UTC.
    private static int DayOf(ReadOnlySpan<byte> timestamp) =>
        StoreTime.DayOf(BinaryPrimitives.ReadInt64BigEndian(timestamp) + StoreTime.PostgresEpochMicros);

    private static SpoolFrame? Damaged(out string? damage, string what)
    {
        damage = what;
        return null;
    }

    private static byte[] VersionBytes(int version)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, version);
        return bytes;
    }
}
