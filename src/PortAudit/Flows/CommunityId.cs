using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>
/// The Community ID v1 flow hash (corelight/community-id-spec), as Zeek, Suricata and Wireshark write it, so that a
/// flow of ours can be found in their logs by one string: "1:" and the base64 of a SHA-1 over the seed, both
/// addresses, the protocol and both ports (or ICMP type and code), the endpoints in a canonical order.
/// Formatting writes into the caller's span and allocates nothing; the digest is <see cref="ShortSha1"/>'s, a third of the
/// framework's one-shot SHA-1 in time for inputs this short.
/// </summary>
public static class CommunityId
{
    /// <summary>Length of the text form: "1:" and 28 base64 characters of the 20-byte digest.</summary>
    public const int Length = 30;

    // Seed (2) + two IPv6 addresses (32) + protocol and padding (2) + ports (4).
    private const int MaxInputLength = 40;

    /// <summary>Writes the Community ID of <paramref name="flow"/> as ASCII into <paramref name="destination"/> (at least <see cref="Length"/> bytes).</summary>
    /// <remarks>ICMP flows hash the type and code of their first packet, as Zeek's ICMP connections do.</remarks>
    public static int Format(Flow flow, Span<byte> destination, ushort seed = 0)
    {
        Span<byte> input = stackalloc byte[MaxInputLength];
        return Digest(input[..Input(flow, input, seed)], destination);
    }

    /// <summary>
    /// Writes the Community IDs of <paramref name="flows"/> one after another into <paramref name="destination"/>,
    /// <see cref="Length"/> bytes each, as <see cref="Format(Flow, Span{byte}, ushort)"/> writes them one at a time: the
    /// flows' digests are taken <see cref="ShortSha1.Lanes"/> at once (<see cref="ShortSha1.HashLanes"/>).
    /// </summary>
    public static void FormatMany(ReadOnlySpan<Flow> flows, Span<byte> destination, ushort seed = 0)
    {
        const int Lanes = ShortSha1.Lanes;
        Span<byte> blocks = stackalloc byte[Lanes * ShortSha1.BlockLength];
        Span<byte> digests = stackalloc byte[Lanes * ShortSha1.DigestLength];
        for (int start = 0; start < flows.Length; start += Lanes)
        {
            int count = Math.Min(Lanes, flows.Length - start);
            // Lanes past the last flow hash empty blocks, whose digests are not used.
            if (count < Lanes) blocks.Clear();
            for (int lane = 0; lane < count; lane++)
            {
                var block = blocks.Slice(lane * ShortSha1.BlockLength, ShortSha1.BlockLength);
                ShortSha1.Pad(block, Input(flows[start + lane], block, seed));
            }
            ShortSha1.HashLanes(blocks, digests);
            for (int lane = 0; lane < count; lane++)
                Encode(digests.Slice(lane * ShortSha1.DigestLength, ShortSha1.DigestLength), destination.Slice((start + lane) * Length, Length));
        }
    }

    /// <summary>
    /// Writes the Community ID of a packet or flow from <paramref name="source"/> to <paramref name="target"/> as ASCII
    /// into <paramref name="destination"/>. Ports count for TCP, UDP and SCTP only; for ICMP and ICMPv6 they are taken
    /// as the type and code (see <see cref="FormatIcmp"/>); other protocols hash the addresses alone.
    /// </summary>
    public static int Format(byte protocol, IpAddr source, ushort sourcePort, IpAddr target, ushort targetPort,
        Span<byte> destination, ushort seed = 0)
    {
        Span<byte> input = stackalloc byte[MaxInputLength];
        return Digest(input[..TupleInput(protocol, source, sourcePort, target, targetPort, input, seed)], destination);
    }

    /// <summary>
    /// Writes the Community ID of an ICMP (<paramref name="protocol"/> 1) or ICMPv6 (58) message. As in Zeek, a request
    /// or answer type stands for a port pair with its counterpart (echo request 8 and reply 0), so both directions
    /// get one id; any other type is one-way: type and code are the ports and the endpoints keep their order.
    /// </summary>
    public static int FormatIcmp(byte protocol, IpAddr source, IpAddr target, byte type, byte code, Span<byte> destination,
        ushort seed = 0)
    {
        Span<byte> input = stackalloc byte[MaxInputLength];
        return Digest(input[..IcmpInput(protocol, source, target, type, code, input, seed)], destination);
    }

    /// <summary>The text form, for callers off the hot path.</summary>
    public static string Of(Flow flow, ushort seed = 0)
    {
        Span<byte> text = stackalloc byte[Length];
        return System.Text.Encoding.ASCII.GetString(text[..Format(flow, text, seed)]);
    }

    // The hash's input for a flow: its tuple, with the type and code of its first message as an ICMP flow's ports.
    private static int Input(Flow flow, Span<byte> input, ushort seed)
    {
        bool icmp = flow.Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6;
        return TupleInput(flow.Protocol, flow.Client, icmp ? flow.IcmpType : flow.ClientPort, flow.Server,
            icmp ? flow.IcmpCode : flow.ServerPort, input, seed);
    }

    // The hash's input for a tuple, as Format(protocol, ...) takes it: ports for TCP, UDP and SCTP, type and code for ICMP.
    private static int TupleInput(byte protocol, IpAddr source, ushort sourcePort, IpAddr target, ushort targetPort,
        Span<byte> input, ushort seed)
    {
        if (protocol is IpProtocol.Icmp or IpProtocol.IcmpV6)
            return IcmpInput(protocol, source, target, (byte)sourcePort, (byte)targetPort, input, seed);
        bool ports = protocol is IpProtocol.Tcp or IpProtocol.Udp or IpProtocol.Sctp;
        return Input(protocol, source, sourcePort, target, targetPort, ports, oneWay: false, input, seed);
    }

    private static int IcmpInput(byte protocol, IpAddr source, IpAddr target, byte type, byte code, Span<byte> input, ushort seed)
    {
        int counterpart = IcmpExchange.Counterpart(protocol, type);
        bool oneWay = counterpart < 0;
        return Input(protocol, source, type, target, (ushort)(oneWay ? code : counterpart), ports: true, oneWay, input, seed);
    }

    // Writes the hash's input (at most MaxInputLength bytes) and returns its length.
    private static int Input(byte protocol, IpAddr source, ushort sourcePort, IpAddr target, ushort targetPort, bool ports,
        bool oneWay, Span<byte> input, ushort seed)
    {
        // The numerically smaller address (then port) goes first, so both directions hash alike.
        int order = source.CompareTo(target);
        if (!oneWay && (order > 0 || (order == 0 && sourcePort > targetPort)))
        {
            (source, target) = (target, source);
            (sourcePort, targetPort) = (targetPort, sourcePort);
        }
        // Both addresses in one family: an IPv4-mapped IPv6 address beside a real IPv6 one keeps its 16 bytes.
        bool v4 = source.IsV4 && target.IsV4;
        BinaryPrimitives.WriteUInt16BigEndian(input, seed);
        int length = 2;
        length += WriteAddress(source, v4, input[length..]);
        length += WriteAddress(target, v4, input[length..]);
        input[length++] = protocol;
        input[length++] = 0;
        if (ports)
        {
            BinaryPrimitives.WriteUInt16BigEndian(input[length..], sourcePort);
            BinaryPrimitives.WriteUInt16BigEndian(input[(length + 2)..], targetPort);
            length += 4;
        }
        return length;
    }

    private static int Digest(ReadOnlySpan<byte> input, Span<byte> destination)
    {
        Span<byte> digest = stackalloc byte[ShortSha1.DigestLength];
        ShortSha1.Hash(input, digest);
        return Encode(digest, destination);
    }

    // "1:" and the digest in base64.
    private static int Encode(ReadOnlySpan<byte> digest, Span<byte> destination)
    {
        destination[0] = (byte)'1';
        destination[1] = (byte)':';
        Base64.EncodeToUtf8(digest, destination[2..], out _, out int written);
        Debug.Assert(2 + written == Length);
        return Length;
    }

    private static int WriteAddress(IpAddr address, bool v4, Span<byte> destination)
    {
        if (v4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, address.V4);
            return 4;
        }
        BinaryPrimitives.WriteUInt64BigEndian(destination, address.High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], address.Low);
        return 16;
    }
}
