using System.Buffers.Binary;
using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// Teredo (RFC 4380), IPv6 tunnelled in UDP through NAT, on any port: the Teredo server listens on 3544, but relays and
/// peers use any port. A datagram is an IPv6 packet, after an optional authentication indicator (5.1.1: type 1, the
/// lengths of a client identifier and an authentication value, them, an 8-byte nonce and a confirmation byte) and an
/// optional origin indication (5.1.1: type 0, the client's mapped port and IPv4 address, obfuscated). The packet's fixed
/// header must say version 6 and a payload length that ends it exactly where the datagram ends. Then either end of it
/// is a Teredo address (2001:0::/32, 2.13: the Teredo server's IPv4 address follows the prefix), or the packet is the
/// qualification's router solicitation or advertisement (5.2.1): ICMPv6 from a link-local address, behind an
/// authentication indicator. appDetail: <c>address=</c> the Teredo address and <c>server=</c> the server it names, or
/// <c>qualification</c>.
/// </summary>
public sealed class TeredoInspector() : Inspector(new(AppLabel.Teredo, Udp, [3544], InspectorPrecision.Signature, 290) { FirstBytes = Leading([0x00, .. Between(0x60, 0x6F)]) })
{
    // FirstBytes: the high byte of an indicator's type (authentication 1, origin 0), or the IPv6 header's version 6.
    private const ushort AuthenticationType = 1, OriginType = 0;
    // Type, client identifier length, authentication value length; then the two, the nonce and the confirmation byte.
    private const int AuthenticationFixed = 4, NonceAndConfirmation = 9;
    private const int OriginLength = 8;
    private const int Ipv6HeaderLength = 40, PayloadLengthAt = 4, NextHeaderAt = 6, SourceAt = 8, DestinationAt = 24;
    private const byte Icmpv6 = 58, RouterSolicitation = 133, RouterAdvertisement = 134;
    // 2001:0000::/32 (RFC 4380 2.6), then the server's IPv4 address in the next 32 bits.
    private const ulong TeredoPrefix = 0x2001_0000UL << 32, PrefixMask = 0xFFFF_FFFFUL << 32;
    private static readonly AppDetail Qualification = AppDetail.Word("qualification");

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp) return InspectResult.NoMatch;
        bool authenticated = TrySkipAuthentication(ref data);
        if (data.Length >= 2 && BinaryPrimitives.ReadUInt16BigEndian(data) == OriginType)
        {
            if (data.Length < OriginLength) return InspectResult.NoMatch;
            data = data[OriginLength..];
        }
        if (!IsWholeIpv6Packet(data)) return InspectResult.NoMatch;
        var source = IpAddr.FromV6(data.Slice(SourceAt, 16));
        var destination = IpAddr.FromV6(data.Slice(DestinationAt, 16));
        if (IsTeredo(source) || IsTeredo(destination))
        {
            input.Flow.AppDetail ??= Detail(IsTeredo(source) ? source : destination);
            return InspectResult.Match;
        }
        if (authenticated && IsQualification(data, source))
        {
            input.Flow.AppDetail ??= Qualification;
            return InspectResult.Match;
        }
        return InspectResult.NoMatch;
    }

    // Skips an authentication indicator at the start of the datagram, if there is a whole one.
    private static bool TrySkipAuthentication(ref ReadOnlySpan<byte> data)
    {
        if (data.Length < AuthenticationFixed || BinaryPrimitives.ReadUInt16BigEndian(data) != AuthenticationType) return false;
        int length = AuthenticationFixed + data[2] + data[3] + NonceAndConfirmation;
        if (data.Length < length) return false;
        data = data[length..];
        return true;
    }

    private static bool IsWholeIpv6Packet(ReadOnlySpan<byte> packet) =>
        packet.Length >= Ipv6HeaderLength
        && packet[0] >> 4 == 6
        && Ipv6HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(packet[PayloadLengthAt..]) == packet.Length;

    private static bool IsTeredo(IpAddr address) => !address.IsV4 && (address.High & PrefixMask) == TeredoPrefix;

    // A router solicitation or advertisement from a link-local address (fe80::/10), as a client qualifies its server.
    private static bool IsQualification(ReadOnlySpan<byte> packet, IpAddr source) =>
        packet[NextHeaderAt] == Icmpv6
        && packet.Length > Ipv6HeaderLength
        && packet[Ipv6HeaderLength] is RouterSolicitation or RouterAdvertisement
        && source.High >> 54 == 0xFE80 >> 6;

    private static AppDetail Detail(IpAddr teredo) =>
        AppDetail.Of(new DetailPart("address", teredo.ToString()), new DetailPart("server", IpAddr.FromV4((uint)teredo.High).ToString()));
}
