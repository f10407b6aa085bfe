using System.Globalization;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Sources.Records;

/// <summary>Parsers of the field values flow-record formats share: epoch times, ISO-8601 times, protocol names.</summary>
public static class RecordFields
{
    private const long NsPerSecond = 1_000_000_000;

    /// <summary>
    /// Epoch seconds with a fraction ("1300475167.096535") to nanoseconds, exactly (no floating point: a double
    /// loses the microseconds of today's epoch).
    /// </summary>
    public static bool TryParseEpoch(ReadOnlySpan<char> text, out long nanoseconds)
    {
        nanoseconds = 0;
        int dot = text.IndexOf('.');
        var whole = dot < 0 ? text : text[..dot];
        if (!long.TryParse(whole, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) || seconds > long.MaxValue / NsPerSecond)
            return false;
        long fraction = 0;
        if (dot >= 0)
        {
            var digits = text[(dot + 1)..];
            if (digits.Length > 9) digits = digits[..9];
            if (digits.IsEmpty || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out fraction)) return false;
            for (int i = digits.Length; i < 9; i++) fraction *= 10;
        }
        // The last second a long holds ends at .854775807: a fraction past it would wrap.
        if (seconds * NsPerSecond > long.MaxValue - fraction) return false;
        nanoseconds = seconds * NsPerSecond + fraction;
        return true;
    }

    /// <summary>
    /// An ISO-8601 time ("2020-01-01T12:00:00.123Z", a space for the 'T', a zone or none: UTC) to nanoseconds since the
    /// epoch. It must begin with the date and the time to the second: the lenient parser behind it alone read "1,5" as
    /// 5 January of this year, "12:00" as today at noon and "1/2/3" as 2003.
    /// </summary>
    public static bool TryParseIso(ReadOnlySpan<char> text, out long nanoseconds) => TryParseIso(text, TimeZoneInfo.Utc, out nanoseconds);

    /// <summary>
    /// As <see cref="TryParseIso(ReadOnlySpan{char}, out long)"/>, a time that names no zone (no 'Z', no offset) being
    /// <paramref name="zone"/>'s; false for one the zone skips (clocks put forward).
    /// </summary>
    public static bool TryParseIso(ReadOnlySpan<char> text, TimeZoneInfo zone, out long nanoseconds)
    {
        nanoseconds = 0;
        if (!StartsWithDateAndTime(text)) return false;
        if (NamesNoZone(text) && zone != TimeZoneInfo.Utc)
            return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var wall)
                && UnixTime.TryFromWallTime(wall, zone, out nanoseconds);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            && UnixTime.TryFromTicks(time.UtcTicks, out nanoseconds);
    }

    // After the date and time to the second, only a fraction: no 'Z' and no signed offset.
    private static bool NamesNoZone(ReadOnlySpan<char> text) => text["yyyy-MM-ddTHH:mm:ss".Length..].IndexOfAny("Zz+-") < 0;

    // "yyyy-MM-ddTHH:mm:ss" or with a space: digits where digits go, the separators where they go.
    private static bool StartsWithDateAndTime(ReadOnlySpan<char> text)
    {
        const string Shape = "dddd-dd-ddTdd:dd:dd";
        if (text.Length < Shape.Length) return false;
        for (int i = 0; i < Shape.Length; i++)
        {
            bool fits = Shape[i] switch
            {
                'd' => char.IsAsciiDigit(text[i]),
                'T' => text[i] is 'T' or ' ',
                _ => text[i] == Shape[i],
            };
            if (!fits) return false;
        }
        return true;
    }

    /// <summary>Seconds with a fraction (a duration) to nanoseconds.</summary>
    public static bool TryParseSeconds(ReadOnlySpan<char> text, out long nanoseconds) => TryParseEpoch(text, out nanoseconds);

    /// <summary>The IP protocol number of a name logs use (tcp, udp, icmp, icmpv6, or a number).</summary>
    public static bool TryParseProtocol(ReadOnlySpan<char> text, out byte protocol)
    {
        protocol = 0;
        if (text.Equals("tcp", StringComparison.OrdinalIgnoreCase)) protocol = IpProtocol.Tcp;
        else if (text.Equals("udp", StringComparison.OrdinalIgnoreCase)) protocol = IpProtocol.Udp;
        else if (text.Equals("icmp", StringComparison.OrdinalIgnoreCase)) protocol = IpProtocol.Icmp;
        else if (text.Equals("icmpv6", StringComparison.OrdinalIgnoreCase) || text.Equals("ipv6-icmp", StringComparison.OrdinalIgnoreCase))
            protocol = IpProtocol.IcmpV6;
        else if (text.Equals("gre", StringComparison.OrdinalIgnoreCase)) protocol = IpProtocol.Gre;
        else if (text.Equals("esp", StringComparison.OrdinalIgnoreCase)) protocol = IpProtocol.Esp;
        else return byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out protocol);
        return true;
    }

    /// <summary>An IPv4 or IPv6 address in text (an IPv6 zone "%eth0" is dropped).</summary>
    public static bool TryParseAddress(ReadOnlySpan<char> text, out IpAddr address)
    {
        int zone = text.IndexOf('%');
        if (zone >= 0) text = text[..zone];
        address = default;
        if (!System.Net.IPAddress.TryParse(text, out var parsed)) return false;
        address = IpAddr.From(parsed);
        return true;
    }

    /// <summary>A port number.</summary>
    public static bool TryParsePort(ReadOnlySpan<char> text, out ushort port) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port);

    /// <summary>A non-negative count.</summary>
    public static bool TryParseCount(ReadOnlySpan<char> text, out long count) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count);

    /// <summary>A bad value as a problem quotes it: short, so that a hostile line cannot flood the report.</summary>
    public static string Clip(ReadOnlySpan<char> value) => value.Length <= 40 ? value.ToString() : value[..40].ToString() + "…";
}
