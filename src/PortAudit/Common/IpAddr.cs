using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace PortAudit.Common;

/// <summary>
/// An IPv4 or IPv6 address as two 64-bit words, so that flow keys hash and compare without allocation.
/// IPv4 addresses are held in their IPv4-mapped IPv6 form (::ffff:a.b.c.d).
/// </summary>
public readonly record struct IpAddr(ulong High, ulong Low) : IComparable<IpAddr>
{
    private const ulong MappedPrefix = 0x0000_FFFFUL << 32;

    /// <summary>True for an IPv4 address.</summary>
    public bool IsV4 => High == 0 && (Low & 0xFFFF_FFFF_0000_0000UL) == MappedPrefix;

    /// <summary>
    /// True for an address that stands for many hosts on any network: IPv4 limited broadcast (255.255.255.255), IPv4
    /// multicast (224.0.0.0/4), IPv6 multicast (ff00::/8). A subnet's broadcast address takes its prefix to know.
    /// </summary>
    public bool IsGroup => IsV4 ? V4 == 0xFFFF_FFFF || V4 >> 28 == 0xE : High >> 56 == 0xFF;

    /// <summary>Reads an IPv4 address from four bytes in network order.</summary>
    public static IpAddr FromV4(ReadOnlySpan<byte> bytes) => new(0, MappedPrefix | BinaryPrimitives.ReadUInt32BigEndian(bytes));

    /// <summary>Makes an IPv4 address from its 32-bit value.</summary>
    public static IpAddr FromV4(uint value) => new(0, MappedPrefix | value);

    /// <summary>Reads an IPv6 address from sixteen bytes in network order.</summary>
    public static IpAddr FromV6(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));

    /// <summary>Converts from <see cref="IPAddress"/>.</summary>
    public static IpAddr From(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return written == 4 ? FromV4(bytes) : FromV6(bytes);
    }

    /// <summary>Parses dotted IPv4 or IPv6 text.</summary>
    public static bool TryParse(string text, out IpAddr address)
    {
        if (IPAddress.TryParse(text, out var parsed))
        {
            address = From(parsed);
            return true;
        }
        address = default;
        return false;
    }

    /// <summary>Parses dotted IPv4 or IPv6 text; throws <see cref="FormatException"/> for anything else.</summary>
    public static IpAddr Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"not an IP address: {text}");

    /// <summary>The IPv4 value; meaningful only when <see cref="IsV4"/>.</summary>
    public uint V4 => (uint)Low;

    /// <summary>Converts to <see cref="IPAddress"/>.</summary>
    public IPAddress ToIPAddress()
    {
        if (IsV4)
        {
            return new IPAddress(new[] { (byte)(V4 >> 24), (byte)(V4 >> 16), (byte)(V4 >> 8), (byte)V4 });
        }
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), Low);
        return new IPAddress(bytes);
    }

    /// <inheritdoc />
    public int CompareTo(IpAddr other)
    {
        int c = High.CompareTo(other.High);
        return c != 0 ? c : Low.CompareTo(other.Low);
    }

    /// <summary>The usual text form: dotted quad or RFC 5952 IPv6.</summary>
    public override string ToString()
    {
        Span<byte> buffer = stackalloc byte[MaxTextLength];
        return Encoding.ASCII.GetString(buffer[..Format(buffer)]);
    }

    /// <summary>Longest text form (IPv6 with an embedded IPv4 address).</summary>
    public const int MaxTextLength = 45;

    /// <summary>Writes the text form as ASCII into <paramref name="destination"/> (at least 45 bytes); returns the length.</summary>
    public int Format(Span<byte> destination)
    {
        if (!IsV4)
        {
            // IPv6 is rarer; the framework's RFC 5952 formatter is worth an allocation.
            ToIPAddress().TryFormat(destination, out int written);
            return written;
        }
        int length = 0;
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            int octet = (byte)(V4 >> shift);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[length..], OctetTexts[octet]);
            length += (octet >= 100 ? 3 : octet >= 10 ? 2 : 1) + 1;
        }
        return length - 1; // without the last octet's dot
    }

    // Per octet value, its digits and a dot as four little-endian bytes (the fourth of a short one is overwritten
    // by the next octet): one table read and one store per octet, where the number formatter took most of a record's
    // address time.
    private static readonly uint[] OctetTexts = Enumerable.Range(0, 256)
        .Select(octet => BinaryPrimitives.ReadUInt32LittleEndian(Encoding.ASCII.GetBytes($"{octet}.\0\0")))
        .ToArray();
}
