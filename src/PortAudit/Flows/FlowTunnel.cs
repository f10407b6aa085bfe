using System.Globalization;
using System.Text;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>
/// The tunnel a flow's first packet came in (GRE, IP-in-IP, 6in4, VXLAN, Geneve, GTP-U, L2TP), named by what identifies the
/// tunnel's own record in the same output: its Community ID for a flow read from packets, whichever end the record calls
/// its client; the source's own ids of the tunnel's records for a flow-record source (Zeek's <c>tunnel_parents</c>, our
/// <c>recordId</c> of those records). The outer ends are known for a flow read from packets, and for one read back from
/// our own flow files or the store, which keep them (<see cref="FormatOuter"/>).
/// </summary>
public sealed class FlowTunnel
{
    private FlowTunnel(string id, PacketEnds? outer)
    {
        Id = id;
        Outer = outer;
    }

    /// <summary>The tunnel's own record: its <c>communityId</c>, or a flow-record source's ids of it, comma-separated.</summary>
    public string Id { get; }

    /// <summary>The outer packet of the flow's first packet, when it was read from packets.</summary>
    public PacketEnds? Outer { get; }

    /// <summary>The tunnel of a packet that came in <paramref name="carrier"/>.</summary>
    public static FlowTunnel Of(in TunnelCarrier carrier)
    {
        Span<byte> text = stackalloc byte[CommunityId.Length];
        var outer = carrier.Outer;
        int length = CommunityId.Format(outer.Protocol, outer.Source, outer.SourcePort, outer.Destination, outer.DestinationPort, text);
        return new FlowTunnel(System.Text.Encoding.ASCII.GetString(text[..length]), outer);
    }

    /// <summary>A tunnel known by its record's id alone: a flow-record source's, or a flow stored without its outer ends.</summary>
    public static FlowTunnel FromId(string id) => new(id, null);

    /// <summary>A tunnel read back from a file or store of ours: its record's id and, where kept, its outer ends.</summary>
    public static FlowTunnel FromId(string id, PacketEnds? outer) => new(id, outer);

    /// <summary>
    /// Longest text of <see cref="FormatOuter"/>: a protocol's name or number (<see cref="IpProtocol.Name"/>, "icmpv6" the
    /// longest), two IPv6 addresses, two ports, four spaces.
    /// </summary>
    public const int MaxOuterLength = 6 + 2 * IpAddr.MaxTextLength + 2 * 5 + 4;

    /// <summary>
    /// Writes the outer ends as our files and the store keep them, "udp 10.40.101.21 49840 198.51.100.10 4789" (protocol,
    /// source, its port, destination, its port; ports 0 for a protocol without any): five words, so that an IPv6 address's
    /// colons need no brackets. Returns the length, 0 when the ends are not known.
    /// </summary>
    public int FormatOuter(Span<char> destination)
    {
        if (Outer is not { } outer) return 0;
        Span<byte> address = stackalloc byte[IpAddr.MaxTextLength];
        int length = 0;
        Append(IpProtocol.Name(outer.Protocol), destination, ref length);
        Append(address[..outer.Source.Format(address)], destination, ref length);
        Append(outer.SourcePort, destination, ref length);
        Append(address[..outer.Destination.Format(address)], destination, ref length);
        Append(outer.DestinationPort, destination, ref length);
        return length - 1;
    }

    /// <summary>Reads the text <see cref="FormatOuter"/> writes; false for any other.</summary>
    public static bool TryParseOuter(ReadOnlySpan<char> text, out PacketEnds outer)
    {
        outer = new PacketEnds { Present = true };
        Span<Range> words = stackalloc Range[6];
        if (text.Split(words, ' ') != 5) return false;
        return IpProtocol.TryParse(text[words[0]].ToString(), out outer.Protocol)
               && IpAddr.TryParse(text[words[1]].ToString(), out outer.Source) && TryParsePort(text[words[2]], out outer.SourcePort)
               && IpAddr.TryParse(text[words[3]].ToString(), out outer.Destination) && TryParsePort(text[words[4]], out outer.DestinationPort);
    }

    private static bool TryParsePort(ReadOnlySpan<char> text, out ushort port) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port);

    // Each word followed by a space; FormatOuter drops the last one.
    private static void Append(string word, Span<char> destination, ref int length)
    {
        word.CopyTo(destination[length..]);
        length += word.Length;
        destination[length++] = ' ';
    }

    private static void Append(ReadOnlySpan<byte> ascii, Span<char> destination, ref int length)
    {
        Ascii.ToUtf16(ascii, destination[length..], out int written);
        length += written;
        destination[length++] = ' ';
    }

    private static void Append(ushort port, Span<char> destination, ref int length)
    {
        port.TryFormat(destination[length..], out int written, default, CultureInfo.InvariantCulture);
        length += written;
        destination[length++] = ' ';
    }

    /// <summary>"vxlan 192.168.22.4:49762 → 192.168.22.5:4789", or the id when the ends are not known.</summary>
    public override string ToString()
    {
        if (Outer is not { } outer) return Id;
        string name = TunnelCarriers.LabelOf(outer.Protocol, outer.SourcePort, outer.DestinationPort)?.Name ?? IpProtocol.Name(outer.Protocol);
        return outer.Protocol == IpProtocol.Udp
            ? $"{name} {outer.Source}:{outer.SourcePort} → {outer.Destination}:{outer.DestinationPort}"
            : $"{name} {outer.Source} → {outer.Destination}";
    }
}
