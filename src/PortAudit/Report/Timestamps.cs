using System.Buffers.Binary;
using System.Text;

namespace PortAudit.Report;

/// <summary>Formats capture times, held as nanoseconds since the epoch, for output.</summary>
public static class Timestamps
{
    /// <summary>Length of the ISO form: 2024-05-01T12:00:00.123456Z.</summary>
    public const int IsoLength = 27;

    /// <summary>ISO 8601 UTC with microseconds, e.g. 2024-05-01T12:00:00.123456Z.</summary>
    public static string ToIso(long nanoseconds)
    {
        Span<byte> buffer = stackalloc byte[IsoLength];
        return Encoding.ASCII.GetString(buffer[..Format(nanoseconds, buffer)]);
    }

    /// <summary>Writes the ISO form as ASCII into <paramref name="destination"/> (at least 27 bytes); returns the length.</summary>
    public static int Format(long nanoseconds, Span<byte> destination)
    {
        long ticks = DateTime.UnixEpoch.Ticks + Math.Max(0, nanoseconds) / 100;
        // One calendar computation for the date: DateTime's Year, Month and Day properties would each make their own.
        var (year, month, day) = new DateTime(ticks);
        long ofDay = ticks % TimeSpan.TicksPerDay;
        int second = (int)(ofDay / TimeSpan.TicksPerSecond);
        int micro = (int)(ofDay % TimeSpan.TicksPerSecond / 10);
        var d = destination[..IsoLength];
        TwoDigits(d, year / 100);
        TwoDigits(d[2..], year % 100);
        d[4] = (byte)'-';
        TwoDigits(d[5..], month);
        d[7] = (byte)'-';
        TwoDigits(d[8..], day);
        d[10] = (byte)'T';
        TwoDigits(d[11..], second / 3600);
        d[13] = (byte)':';
        TwoDigits(d[14..], second / 60 % 60);
        d[16] = (byte)':';
        TwoDigits(d[17..], second % 60);
        d[19] = (byte)'.';
        return Micros(d, micro);
    }

    // The six digits of the microseconds and the zone, after the 20 bytes of the second: 2024-05-01T12:00:00.
    private static int Micros(Span<byte> iso, int micro)
    {
        TwoDigits(iso[20..], micro / 10000);
        TwoDigits(iso[22..], micro / 100 % 100);
        TwoDigits(iso[24..], micro % 100);
        iso[26] = (byte)'Z';
        return IsoLength;
    }

    /// <summary>
    /// Writes the ISO form, as <see cref="Format"/> does, keeping the text of the last second written: the records of one
    /// run are written in time order, so most times fall in the second of the time before, and only their microseconds
    /// change (the date and time of day took most of a timestamp).
    /// </summary>
    internal sealed class LastSecond
    {
        private const int SecondLength = 20; // 2024-05-01T12:00:00.
        private readonly byte[] _text = new byte[IsoLength];
        private long _second = -1;

        /// <summary>Writes the ISO form into <paramref name="destination"/> (at least 27 bytes); returns the length.</summary>
        public int Format(long nanoseconds, Span<byte> destination)
        {
            long time = Math.Max(0, nanoseconds);
            long second = time / 1_000_000_000;
            if (second != _second)
            {
                Timestamps.Format(time, _text);
                _second = second;
            }
            var d = destination[..IsoLength];
            _text.AsSpan(0, SecondLength).CopyTo(d);
            return Micros(d, (int)(time % 1_000_000_000 / 1000));
        }
    }

    // "00" to "99" as little-endian pairs of bytes: one lookup and one store per two digits, where dividing digit
    // by digit was most of the cost of a timestamp.
    private static readonly ushort[] Pairs = Enumerable.Range(0, 100)
        .Select(i => (ushort)('0' + i / 10 | '0' + i % 10 << 8)).ToArray();

    private static void TwoDigits(Span<byte> destination, int value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(destination, Pairs[value]);
}
