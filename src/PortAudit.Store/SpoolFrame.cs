using System.Buffers.Binary;

namespace PortAudit.Store;

/// <summary>Where a spool file is damaged: the byte offset in the file, and what is wrong there.</summary>
internal readonly record struct SpoolDamage(long Offset, string What);

/// <summary>
/// One frame of a <see cref="FlowSpool"/>, read and checked: its header's numbers in bounds, its days dates, its rows
/// well-formed binary COPY rows of this build's columns, each value of its column's shape (<see cref="SpoolRows"/>),
/// as many as the header says, each starting on one of the frame's days. What the server would take is checked
/// before anything is sent, so that damage is found at the spool, by offset, row and field.
/// </summary>
internal sealed record SpoolFrame(int Count, int[] Days, byte[] Rows)
{
    /// <summary>Bytes of a frame's header: row count, day count, rows' length.</summary>
    public const int HeaderBytes = 12;

    // A batch's flows start within minutes of each other; a frame naming more days than this was not written by a writer.
    private const int MostDays = 4096;

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

    /// <summary>
    /// The next frame of <paramref name="file"/>, the <paramref name="number"/>th, or null when it is damaged
    /// (<paramref name="damage"/> says where in the file and how).
    /// </summary>
    public static SpoolFrame? Read(Stream file, int number, out SpoolDamage? damage)
    {
        damage = null;
        long start = file.Position;
        long left = file.Length - start;
        Span<byte> header = stackalloc byte[HeaderBytes];
        if (file.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes)
            return Damaged(out damage, start, $"frame {number}: its header cut short (a crash while it was written)");
        int count = BinaryPrimitives.ReadInt32BigEndian(header);
        int dayCount = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        int length = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        if (count < 0 || dayCount < 0 || dayCount > MostDays || length < 0)
            return Damaged(out damage, start, $"frame {number}: its header out of bounds ({count} rows, {dayCount} days, {length} bytes)");
        if (HeaderBytes + 4L * dayCount + length > left)
            return Damaged(out damage, start, $"frame {number}: {HeaderBytes + 4L * dayCount + length} bytes where {left} are left (a crash while it was written)");
        var days = new int[dayCount];
        Span<byte> day = stackalloc byte[4];
        for (int i = 0; i < days.Length; i++)
        {
            file.ReadExactly(day);
            days[i] = BinaryPrimitives.ReadInt32BigEndian(day);
            // The store names a partition by each day's date (StoreIngest): a day no date has would fail there.
            if (!StoreTime.IsDate(days[i]))
                return Damaged(out damage, start + HeaderBytes + 4L * i, $"frame {number}: day {days[i]} of its days is no date of the years 1 to 9999");
        }
        var rows = new byte[length];
        file.ReadExactly(rows);
        if (SpoolRows.Check(rows, count, days) is not { } problem) return new SpoolFrame(count, days, rows);
        return Damaged(out damage, start + HeaderBytes + 4L * dayCount + problem.At, $"frame {number}: {problem.What}");
    }

    /// <summary>The next frame, or null when it is damaged.</summary>
    public static SpoolFrame? Read(Stream file) => Read(file, 0, out _);

    private static SpoolFrame? Damaged(out SpoolDamage? damage, long offset, string what)
    {
        damage = new SpoolDamage(offset, what);
        return null;
    }

    private static byte[] VersionBytes(int version)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, version);
        return bytes;
    }
}
