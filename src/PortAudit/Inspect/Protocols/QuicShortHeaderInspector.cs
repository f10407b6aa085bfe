using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// QUIC seen only after its handshake (a capture begun while the connection ran): 1-RTT packets, whose short header
/// (RFC 9000 17.3) is a first byte with the header form clear and the fixed bit set, then the Destination Connection ID
/// the receiver chose, then a protected packet number and payload. Header protection (RFC 9001 5.4) masks the first
/// byte's low five bits afresh in every packet. A side claims the flow with its first three datagrams all short headers
/// carrying the same first 8 bytes of connection ID (the 8 or more bytes Google's, Cloudflare's and Facebook's servers
/// choose), their first bytes not all the same, and the other side's first datagram a short header too. appDetail:
/// <c>short-header</c>.
/// </summary>
/// <remarks>
/// What else fits the first byte's two high bits (0x40 to 0x7F) fails the rest: a TURN ChannelData message's channel
/// number keeps its first byte and is followed by a length; OpenVPN's P_DATA_V2 keeps its first byte (0x48) and follows
/// its 3-byte peer ID with a counter; text starting with a letter repeats its words, not a first byte that varies under
/// 8 bytes that do not. Over every capture of ../shared and captures/ it claims only UDP 443 flows to Cloudflare,
/// Google and CloudFront begun mid-connection, and 8 of the 12 QUIC connections of base.pcap cut to their 1-RTT
/// packets (the others send fewer than three). Asked after every other inspector: a flow whose Initial was seen is the
/// QUIC inspector's.
/// </remarks>
public sealed class QuicShortHeaderInspector() : Inspector(new(AppLabel.Quic, Udp, [443], InspectorPrecision.Heuristic, 30) { UsesScratch = true, FirstBytes = Leading(Between(0x40, 0x7F)) })
{
    // The first byte's form and fixed bits of a short header; 8 bytes of connection ID; the least packet number and tag.
    private const byte FormBits = 0xC0, ShortForm = 0x40;
    private const int ConnectionIdBytes = 8, MinDatagram = 1 + ConnectionIdBytes + 1 + QuicInitialProtection.TagLength;
    private const int Claiming = 3;

    // Scratch: 32 bits a side (the flow's client low, its server high): a fingerprint of the connection ID's first 8 bytes
    // (20 bits), the first datagram's first byte (8), whether a later first byte differed (1), datagrams counted (3).
    private const int FirstByteShift = 20, VariedShift = 28, CountShift = 29, SideBits = 32;
    private const uint FingerprintMask = 0xFFFFF, Varied = 1u << VariedShift;

    private static readonly AppDetail ShortHeader = AppDetail.Word("short-header");

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.Length < MinDatagram || (data[0] & FormBits) != ShortForm) return InspectResult.NoMatch;
        int shift = input.FromClient ? 0 : SideBits;
        uint side = (uint)(input.Scratch >> shift);
        uint fingerprint = (uint)QuicInspector.Fingerprint(data.Slice(1, ConnectionIdBytes)) & FingerprintMask;
        int count = (int)(side >> CountShift);
        if (count == 0) side = fingerprint | (uint)data[0] << FirstByteShift;
        else if ((side & FingerprintMask) != fingerprint) return InspectResult.NoMatch;
        else if (data[0] != (byte)(side >> FirstByteShift)) side |= Varied;
        if (count < Claiming) count++;
        side = (side & ~(7u << CountShift)) | (uint)count << CountShift;
        input.Scratch = (input.Scratch & ~(0xFFFF_FFFFUL << shift)) | (ulong)side << shift;
        uint other = (uint)(input.Scratch >> (SideBits - shift));
        if (Claims(side, other) || Claims(other, side))
        {
            input.Flow.AppDetail ??= ShortHeader;
            return InspectResult.Match;
        }
        return input.Undecided;
    }

    // A side of three short headers under one connection ID whose first bytes varied, the other side heard.
    private static bool Claims(uint side, uint other) =>
        side >> CountShift >= Claiming && (side & Varied) != 0 && other >> CountShift >= 1;
}
