using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// OpenVPN's data channel over UDP, for a capture begun after the handshake (<see cref="OpenVpnInspector"/> reads the
/// handshake): the tunnel's packets and its keepalive pings, which OpenVPN sends every few seconds whether or not
/// anything crosses. Under the AEAD ciphers OpenVPN 2.4 and later negotiate (AES-GCM, ChaCha20-Poly1305) a data packet
/// is in clear up to its packet ID (OpenVPN's protocol overview, ssl_pkt.h and crypto.h): P_DATA_V2 is its opcode (9)
/// and key id in one byte, a 3-byte peer ID the server assigned, then the 32-bit packet ID; P_DATA_V1 (opcode 6) has no
/// peer ID. The AEAD tag (16 bytes) and the encrypted payload follow. Each side numbers its packets from 1 for each key,
/// one up per packet, and keeps its first byte and peer ID: a side's packet whose header repeats the side's last and
/// whose packet ID moved on by 1 to 63 (a few lost to the capture, none sent twice, none gone back) counts; a side's
/// second such packet after the other side was heard, or a third when only one side was captured, claims the flow.
/// The control channel's messages between them (acknowledgements, a renegotiation's soft reset) are passed over. Under
/// the older CBC ciphers the packet ID is encrypted, and such a data channel is not named.
/// appDetail: <c>data-v2</c> or <c>data-v1</c>.
/// </summary>
public sealed class OpenVpnDataInspector() : Inspector(new(AppLabel.OpenVpn, Udp, [1194], InspectorPrecision.Signature, 261) { UsesScratch = true, Depth = ProbeDepth.SeveralMessages })
{
    private const byte DataV1 = 6, DataV2 = 9, SoftReset = 3, Control = 4, Ack = 5;
    // A control message's header: opcode and key id, the sender's 8-byte session ID.
    private const int ControlHeader = 9;
    private const int OpcodeShift = 3;
    private const int PeerIdLength = 3, PacketIdLength = 4, TagLength = 16;
    // A packet's plaintext is never empty (a ping is 16 bytes, a tunnelled packet 20 at least, and a compression byte
    // comes first when compression is framed).
    private const int MinimumPlaintext = 1;
    // How far a side's packet ID may move between two of its captured packets.
    private const uint MaxStep = 63;
    // Scratch: the first byte both sides share (opcode and key id) in bits 0-7, then per side 27 bits, from bit 8 (the
    // client's) or 35 (the server's): the low 16 bits of its peer ID, the low byte of its last packet ID, how many of
    // its packets counted (up to 3).
    private const int ClientShift = 8, ServerShift = 35, PacketShift = 16, SeenShift = 24;
    private const ulong FirstByteMask = 0xFF;
    private const uint PeerMask = 0xFFFF, SideMask = (1u << 27) - 1;
    private static readonly AppDetail DetailV1 = AppDetail.Word("data-v1"), DetailV2 = AppDetail.Word("data-v2");

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp || data.IsEmpty) return InspectResult.NoMatch;
        byte first = data[0];
        int opcode = first >> OpcodeShift;
        // The control channel goes on beside the data (acknowledgements, the hourly renegotiation): its messages are passed
        // over, neither counted nor held against the flow.
        if (opcode is SoftReset or Control or Ack && data.Length >= ControlHeader) return input.Undecided;
        if (opcode is not (DataV1 or DataV2)) return InspectResult.NoMatch;
        int header = opcode == DataV2 ? 1 + PeerIdLength : 1;
        if (data.Length < header + PacketIdLength + TagLength + MinimumPlaintext) return InspectResult.NoMatch;
        // Both sides send under the key they share: its id is in the first byte of every data packet either way.
        if (input.Scratch != 0 && (byte)(input.Scratch & FirstByteMask) != first) return InspectResult.NoMatch;
        uint peer = opcode == DataV2 ? (uint)(BinaryPrimitives.ReadUInt16BigEndian(data[2..])) : 0;
        uint packet = BinaryPrimitives.ReadUInt32BigEndian(data[header..]);
        if (packet == 0) return InspectResult.NoMatch;
        int shift = input.FromClient ? ClientShift : ServerShift;
        uint side = (uint)(input.Scratch >> shift) & SideMask;
        uint seen = side >> SeenShift;
        if (seen > 0)
        {
            uint step = (byte)(packet - (side >> PacketShift));
            if ((side & PeerMask) != (peer & PeerMask) || step is 0 or > MaxStep) return InspectResult.NoMatch;
        }
        seen = Math.Min(seen + 1, 3);
        side = seen << SeenShift | (packet & 0xFF) << PacketShift | (peer & PeerMask);
        input.Scratch = (input.Scratch & ~((ulong)SideMask << shift) & ~FirstByteMask) | (ulong)side << shift | first;
        uint other = (uint)(input.Scratch >> (input.FromClient ? ServerShift : ClientShift)) & SideMask;
        if (seen >= 3 || (seen >= 2 && other >> SeenShift > 0))
        {
            input.Flow.AppDetail = opcode == DataV2 ? DetailV2 : DetailV1;
            return InspectResult.Match;
        }
        return input.Undecided;
    }
}
