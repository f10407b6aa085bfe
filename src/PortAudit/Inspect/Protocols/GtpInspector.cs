using System.Buffers.Binary;
using PortAudit.Decode;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// GTP's messages that are not a user's packet, on their own ports: GTP-C version 1 (3GPP TS 29.060) or 2 (TS 29.274) on
/// 2123, labelled <c>gtp-c</c>; and GTP-U's path messages on 2152 (TS 29.281 section 7: echoes, error indications, end
/// markers), labelled <c>gtp-u</c> like the tunnel's G-PDUs, which the decoder opens and never reach inspection. The
/// header's version, protocol type and spare bits, a message type of its version and plane, and a length that is the rest
/// of the datagram (a piggybacked GTPv2 message's too) decide; a capture cut short of the length is not named.
/// </summary>
public sealed class GtpInspector() : Inspector(new(AppLabel.GtpC, Udp, [ControlPort, UserPort], InspectorPrecision.Loose, 75)
{
    Produces = [AppLabel.GtpC, AppLabel.GtpU],
    // The first byte: version 1 with protocol type GTP and the spare bit clear, as the decoder's header reader takes it,
    // or version 2 with its spare bits clear (0x40 to 0x5C, piggyback, TEID and message priority flags as they come).
    FirstBytes = Leading(Where(b => GtpV1Header.IsGtpFirstByte(b) || (b & V2VersionAndSpare) == V2Version)),
})
{
    private const ushort ControlPort = 2123, UserPort = 2152;
    // Version 2: the length counts what follows the first 4 bytes, which hold at least the sequence number (4 bytes) and,
    // with the T flag, the TEID before it.
    private const int V2Fixed = 4, V2Sequence = 4, V2Teid = 4;
    // Version 2's first byte (TS 29.274 5.1): the version, the P, T and MP flags, and two spare bits.
    private const int Version2 = 2;
    private const byte V2VersionAndSpare = 0xE3, V2Version = 0x40, V2Piggyback = 0x10, V2HasTeid = 0x08;
    // Message types: version 1's error indication belongs to the user plane; 0 is reserved in both versions.
    private const byte ErrorIndication = 26, Reserved = 0, LastControlV1 = 127;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        var flow = input.Flow;
        if (input.IsTcp || data.Length < GtpV1Header.MandatoryLength) return InspectResult.NoMatch;
        bool control = flow.ServerPort == ControlPort || flow.ClientPort == ControlPort;
        bool user = flow.ServerPort == UserPort || flow.ClientPort == UserPort;
        bool v1 = GtpV1Header.TryRead(data, out var header) && header.IsGtp && header.LengthHoldsOptional && header.MessageLength == data.Length;
        string? detail = v1 && control ? ControlV1(header)
            : v1 && user ? UserPath(header)
            : control && GtpV1Header.VersionOf(data[0]) == Version2 ? ControlV2(data)
            : null;
        if (detail is null) return InspectResult.NoMatch;
        if (!control) flow.App = AppLabel.GtpU;
        flow.AppDetail ??= AppDetail.Word(detail);
        return InspectResult.Match;
    }

    // A GTPv1-C message (its header read whole): the sequence number present, as every control message carries it (TS
    // 29.060 6), and a type of the control plane (1 to 127 but the user plane's error indication).
    private static string? ControlV1(GtpV1Header header)
    {
        if (!header.HasSequence || header.MessageType is Reserved or ErrorIndication or > LastControlV1) return null;
        return header.MessageType switch
        {
            1 => "v1 echo-request",
            2 => "v1 echo-response",
            16 => "v1 create-pdp-context-request",
            17 => "v1 create-pdp-context-response",
            18 => "v1 update-pdp-context-request",
            19 => "v1 update-pdp-context-response",
            20 => "v1 delete-pdp-context-request",
            21 => "v1 delete-pdp-context-response",
            _ => "v1",
        };
    }

    // A GTP-U message that carries no user's packet (TS 29.281 7): the G-PDU (255) is the decoder's.
    private static string? UserPath(GtpV1Header header) => header.MessageType switch
    {
        1 => "echo-request",
        2 => "echo-response",
        ErrorIndication => "error-indication",
        31 => "supported-extension-headers",
        254 => "end-marker",
        _ => null,
    };

    // A GTPv2-C message, and the one piggybacked behind it (TS 29.274 5.5.1: a triggered response carries the request its
    // peer must answer), which then fills the datagram.
    private static string? ControlV2(ReadOnlySpan<byte> data)
    {
        int first = V2MessageLength(data);
        if (first < 0) return null;
        if ((data[0] & V2Piggyback) != 0)
        {
            var piggybacked = data[first..];
            if (piggybacked.Length < V2Fixed || (piggybacked[0] & V2Piggyback) != 0 || V2MessageLength(piggybacked) != piggybacked.Length) return null;
        }
        else if (first != data.Length)
        {
            return null;
        }
        return data[1] switch
        {
            1 => "v2 echo-request",
            2 => "v2 echo-response",
            32 => "v2 create-session-request",
            33 => "v2 create-session-response",
            34 => "v2 modify-bearer-request",
            35 => "v2 modify-bearer-response",
            36 => "v2 delete-session-request",
            37 => "v2 delete-session-response",
            _ => "v2",
        };
    }

    // The whole length of the GTPv2 message at the start of data (its header's 4 bytes and the length it gives), or -1
    // when that is not a GTPv2 header or does not fit.
    private static int V2MessageLength(ReadOnlySpan<byte> data)
    {
        if (data.Length < V2Fixed || (data[0] & V2VersionAndSpare) != V2Version || data[1] == Reserved) return -1;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        int least = V2Sequence + ((data[0] & V2HasTeid) != 0 ? V2Teid : 0);
        return length >= least && V2Fixed + length <= data.Length ? V2Fixed + length : -1;
    }
}
