using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Text;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Inspect;

namespace PortAudit.Audit.Drafting;

/// <summary>A name the traffic gave an address, and where it came from (<c>dns-a</c>, <c>netbios</c>, <c>tls-sni</c>...).</summary>
/// <param name="Name">The name as seen (lower-cased DNS name, NetBIOS name, machine account without its <c>$</c>).</param>
/// <param name="Source">What said so.</param>
public sealed record HostName(string Name, string Source)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Source})";
}

/// <summary>One resource record of a DNS answer that names a host: A/AAAA (name to address), PTR (address to name), SRV (service to target).</summary>
/// <param name="Owner">The record's owner name (for SRV the service, <c>_sipinternaltls._tcp.example.com</c>).</param>
/// <param name="Type">1 A, 28 AAAA, 12 PTR, 33 SRV.</param>
/// <param name="Address">The address of an A/AAAA record.</param>
/// <param name="Target">The name a PTR or SRV record points at.</param>
public readonly record struct DnsNameRecord(string Owner, ushort Type, IpAddr Address, string? Target);

/// <summary>
/// Reads the answer and additional sections of DNS responses (RFC 1035; mDNS and LLMNR share the format) for the records
/// that name hosts. Only responses are read, and only off the per-packet path of inspection: the drafting run alone
/// observes them.
/// </summary>
public static class DnsNameReader
{
    /// <summary>A record type.</summary>
    public const ushort A = 1, Ptr = 12, Aaaa = 28, Srv = 33;
    private const int Header = 12, MaxRecords = 64;

    /// <summary>Adds the naming records of the response <paramref name="message"/> (no TCP length prefix) to <paramref name="into"/>; false when it is no response or malformed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, List<DnsNameRecord> into)
    {
        if (message.Length < Header || (message[2] & 0x80) == 0 || (message[3] & 0x0F) != 0) return false;
        int questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int records = BinaryPrimitives.ReadUInt16BigEndian(message[6..]) + BinaryPrimitives.ReadUInt16BigEndian(message[8..])
                      + BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        int at = Header;
        for (int q = 0; q < questions; q++)
        {
            if (!TryName(message, at, out _, out at) || at + 4 > message.Length) return false;
            at += 4;
        }
        for (int r = 0; r < Math.Min(records, MaxRecords); r++)
        {
            if (!TryName(message, at, out var owner, out at) || at + 10 > message.Length) return false;
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(message[at..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(message[(at + 8)..]);
            int data = at + 10;
            if (data + length > message.Length) return false;
            at = data + length;
            switch (type)
            {
                case A when length == 4:
                    into.Add(new(owner, type, IpAddr.FromV4(message.Slice(data, 4)), null));
                    break;
                case Aaaa when length == 16:
                    into.Add(new(owner, type, IpAddr.FromV6(message.Slice(data, 16)), null));
                    break;
                case Ptr when TryName(message, data, out var target, out _):
                    into.Add(new(owner, type, default, target));
                    break;
                case Srv when length > 6 && TryName(message, data + 6, out var target, out _):
                    into.Add(new(owner, type, default, target));
                    break;
            }
        }
        return true;
    }

    /// <summary>The address a reverse-lookup owner (<c>30.0.77.10.in-addr.arpa</c>) stands for.</summary>
    public static bool TryReverseAddress(string owner, out IpAddr address)
    {
        address = default;
        const string V4 = ".in-addr.arpa";
        if (!owner.EndsWith(V4, StringComparison.Ordinal)) return false;
        var parts = owner[..^V4.Length].Split('.');
        if (parts.Length != 4) return false;
        Array.Reverse(parts);
        return IpAddr.TryParse(string.Join('.', parts), out address);
    }

    // Reads a possibly compressed name (RFC 1035 4.1.4) at 'at'; 'next' is the offset after it. The CLDAP Netlogon answer compresses its names the same way.
    internal static bool TryName(ReadOnlySpan<byte> message, int at, out string name, out int next)
    {
        var text = new StringBuilder();
        name = "";
        next = -1;
        for (int jumps = 0, total = 0; jumps < 16;)
        {
            if (at >= message.Length) return false;
            byte length = message[at];
            if (length == 0)
            {
                if (next < 0) next = at + 1;
                name = text.ToString().ToLowerInvariant();
                return true;
            }
            if ((length & 0xC0) == 0xC0)
            {
                if (at + 1 >= message.Length) return false;
                if (next < 0) next = at + 2;
                at = ((length & 0x3F) << 8) | message[at + 1];
                jumps++;
                continue;
            }
            if (length > 63 || at + 1 + length > message.Length || (total += length + 1) > 255) return false;
            if (text.Length > 0) text.Append('.');
            text.Append(AsciiText.Printable(message.Slice(at + 1, length), 63));
            at += 1 + length;
        }
        return false;
    }
}

/// <summary>
/// Reads NetBIOS name service packets (RFC 1002 4.2) for the names hosts register and the answers that place them: each
/// resource record of type NB gives a name and the address it belongs to.
/// </summary>
public static class NetBiosNameReader
{
    private const int Header = 12, EncodedName = 34;

    private const ushort GroupFlag = 0x8000; // NB_FLAGS' G bit: a name many hosts share (RFC 1002 4.2.1.3)

    /// <summary>
    /// Adds (name, address) for every NB record of <paramref name="packet"/> that names a machine to <paramref name="into"/>:
    /// a unique name of the workstation (suffix 0x00) or server (0x20) service. Not a group (the domain, WINLAB&lt;00&gt;),
    /// nor a unique name of a domain role (the master browser's WINLAB&lt;1D&gt;, the domain master browser's &lt;1B&gt;):
    /// those name the domain, and the host that holds them now.
    /// </summary>
    public static void Read(ReadOnlySpan<byte> packet, List<(string Name, IpAddr Address)> into)
    {
        if (packet.Length < Header) return;
        int questions = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        int records = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) + BinaryPrimitives.ReadUInt16BigEndian(packet[10..]);
        int at = Header;
        (string Name, byte Suffix)? questioned = null;
        for (int q = 0; q < questions; q++)
        {
            questioned = Decode(packet, at);
            at = Skip(packet, at) + 4;
        }
        for (int r = 0; r < Math.Min(records, 8) && at > 0 && at < packet.Length; r++)
        {
            var name = packet[at] == 0xC0 ? questioned : Decode(packet, at);
            at = Skip(packet, at);
            if (at < 0 || at + 10 > packet.Length) return;
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(packet[at..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(packet[(at + 8)..]);
            int data = at + 10;
            if (data + length > packet.Length) return;
            if (type == 0x20 && name is { Suffix: 0x00 or 0x20 } machine)
                for (int entry = data; entry + 6 <= data + length; entry += 6)
                    if ((BinaryPrimitives.ReadUInt16BigEndian(packet[entry..]) & GroupFlag) == 0)
                        into.Add((machine.Name, IpAddr.FromV4(packet.Slice(entry + 2, 4))));
            at = data + length;
        }
    }

    // The 15-character name (spaces trimmed) and the 16th byte, its service suffix, of a first-level encoded name at
    // 'at', or null.
    private static (string Name, byte Suffix)? Decode(ReadOnlySpan<byte> packet, int at)
    {
        if (at + EncodedName > packet.Length || packet[at] != 32) return null;
        Span<byte> name = stackalloc byte[16];
        for (int i = 0; i < 16; i++)
        {
            int high = packet[at + 1 + 2 * i] - 'A', low = packet[at + 2 + 2 * i] - 'A';
            if ((uint)high > 15 || (uint)low > 15) return null;
            name[i] = (byte)(high << 4 | low);
        }
        var text = AsciiText.Printable(name[..15]).TrimEnd();
        return text.Length == 0 || text.StartsWith('*') ? null : (text, name[15]);
    }

    // The offset after a name (encoded with scope labels, or a pointer); -1 when malformed.
    private static int Skip(ReadOnlySpan<byte> packet, int at)
    {
        for (int labels = 0; labels < 16 && at < packet.Length; labels++)
        {
            byte length = packet[at];
            if (length == 0) return at + 1;
            if ((length & 0xC0) == 0xC0) return at + 2;
            at += 1 + length;
        }
        return -1;
    }
}

/// <summary>
/// Reads the KerberosStrings (ASN.1 GeneralString) of a Kerberos message: realms and principal names (RFC 4120 5.2.2:
/// a PrincipalName's name-string is a SEQUENCE OF KerberosString, given here joined by <c>/</c> as klist writes them).
/// A machine account (<c>WS01$</c>) in a request names the client that sent it; a service principal
/// (<c>cifs/fs01.corp.example</c>, <c>host/ws01</c>) the host whose service a ticket is for.
/// </summary>
public static class KerberosNameReader
{
    private static readonly Asn1Tag GeneralString = new(UniversalTagNumber.GeneralString);
    private const int MaxStrings = 32, MaxComponents = 4;

    /// <summary>Adds every KerberosString of <paramref name="message"/> (a TCP record's length prefix skipped by the caller) to <paramref name="into"/>, a principal's components joined.</summary>
    public static void Read(ReadOnlySpan<byte> message, List<string> into) => Walk(message, into, 0);

    private static void Walk(ReadOnlySpan<byte> data, List<string> into, int depth)
    {
        while (depth < 12 && into.Count < MaxStrings && !data.IsEmpty)
        {
            Asn1Tag tag;
            ReadOnlySpan<byte> value;
            if (AsnValue.TryRead(data, out tag, out int offset, out int length, out int consumed))
            {
                value = data.Slice(offset, length);
                data = data[consumed..];
            }
            // The platform's reader takes whole values only; the last one of a message cut by its segment is read as far
            // as it goes, its header by the inspectors' reader (AsnDecoder reads no length without the value).
            else if (Ber.TryHeader(data, out _, out _, out int header) && Asn1Tag.TryDecode(data, out tag, out _))
            {
                value = data[header..];
                data = default;
            }
            else
                return;
            if (tag == GeneralString)
                into.Add(AsciiText.Printable(value, 255));
            else if (tag == Asn1Tag.Sequence && TryPrincipal(value) is { } principal)
                into.Add(principal);
            else if (tag.IsConstructed)
                Walk(value, into, depth + 1);
        }
    }

    // A SEQUENCE holding only KerberosStrings (at most a few) is a name-string: its components joined by "/".
    private static string? TryPrincipal(ReadOnlySpan<byte> sequence)
    {
        Span<Range> components = stackalloc Range[MaxComponents];
        int count = 0, at = 0;
        while (at < sequence.Length)
        {
            if (count == MaxComponents
                || !AsnValue.TryRead(sequence[at..], out var tag, out int offset, out int length, out int consumed)
                || tag != GeneralString)
                return null;
            components[count++] = new Range(at + offset, at + offset + length);
            at += consumed;
        }
        if (count == 0) return null;
        var joined = new StringBuilder();
        for (int i = 0; i < count; i++)
            joined.Append(i == 0 ? "" : "/").Append(AsciiText.Printable(sequence[components[i]], 255));
        return joined.ToString();
    }
}

/// <summary>
/// Reads the path of an SMB2 TREE_CONNECT request ([MS-SMB2] 2.2.9): <c>\\SERVER\share</c> names the server the client
/// connected to, as the client knows it (a NetBIOS or DNS name), and the share it wanted. Only the drafting run reads it.
/// </summary>
public static class SmbTreeNameReader
{
    private const int NetBiosHeader = 4, Smb2Header = 64, TreeConnect = 3, MaxPath = 512;
    private static ReadOnlySpan<byte> Signature => [0xFE, (byte)'S', (byte)'M', (byte)'B'];

    /// <summary>The server of the TREE_CONNECT request in <paramref name="segment"/> (a direct-TCP SMB2 message), or null when it is none.</summary>
    public static string? TryServer(ReadOnlySpan<byte> segment) => TryRead(segment)?.Server;

    /// <summary>
    /// The server and share of the TREE_CONNECT request in <paramref name="segment"/>, or null when it is none. The
    /// server is null when the client named it by address; the share is upper case, as Windows compares share names.
    /// </summary>
    public static (string? Server, string Share)? TryRead(ReadOnlySpan<byte> segment)
    {
        if (segment.Length < NetBiosHeader + Smb2Header + 8 || segment[0] != 0) return null;
        var smb = segment[NetBiosHeader..];
        if (!smb.StartsWith(Signature) || BinaryPrimitives.ReadUInt16LittleEndian(smb[12..]) != TreeConnect || (smb[16] & 1) != 0)
            return null;
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(smb[(Smb2Header + 4)..]);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(smb[(Smb2Header + 6)..]);
        if (length is < 6 or > MaxPath || length % 2 != 0 || offset + length > smb.Length) return null;
        var path = Encoding.Unicode.GetString(smb.Slice(offset, length));
        if (!path.StartsWith(@"\\", StringComparison.Ordinal)) return null;
        int end = path.IndexOf('\\', 2);
        var server = (end < 0 ? path[2..] : path[2..end]).ToLowerInvariant();
        var share = end < 0 ? "" : AsciiText.Printable(Encoding.UTF8.GetBytes(path[(end + 1)..]), 80).ToUpperInvariant();
        return (server.Length == 0 || IpAddr.TryParse(server, out _) || server.StartsWith('[') ? null : server, share);
    }
}
