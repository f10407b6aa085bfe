using System.Buffers.Binary;
using PortAudit.Flows.Facts;
using static PortAudit.Inspect.Protocols.OpenVpnPacket;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// OpenVPN's data channel, for a capture begun after the handshake (<see cref="OpenVpnInspector"/> reads the handshake):
/// the tunnel's packets and its keepalive pings, which OpenVPN sends every few seconds whether or not anything crosses.
/// Under the AEAD ciphers OpenVPN 2.4 and later negotiate (AES-GCM, ChaCha20-Poly1305) a data packet is in clear up to
/// its packet ID (OpenVPN's protocol overview, ssl_pkt.h and crypto.h): P_DATA_V2 is its opcode (9) and key id in one
/// byte, a 3-byte peer ID the server assigned, then the 32-bit packet ID; P_DATA_V1 (opcode 6) has no peer ID. The AEAD
/// tag (16 bytes) and the encrypted payload follow; over TCP each packet comes after its 16-bit length. Each side
/// numbers its packets from 1 for each key, one up per packet, and keeps its first byte and peer ID, both sides under
/// one key: counted as <see cref="NumberedSides"/> says, that claims the flow. The control channel's messages between them (acknowledgements, a
/// renegotiation's soft reset) are passed over. Over TCP the captured stream must begin at a packet's length, as it does
/// when the capture starts between two packets; under the older CBC ciphers the packet ID is encrypted. Neither such
/// data channel is named. appDetail: <c>data-v2</c> or <c>data-v1</c>.
/// </summary>
public sealed class OpenVpnDataInspector() : Inspector(new(AppLabel.OpenVpn, 0, [1194], InspectorPrecision.Signature, 261) { UsesScratch = true, Depth = ProbeDepth.SeveralMessages })
{
    private const int PeerIdLength = 3, TagLength = 16;
    // A packet's plaintext is never empty (a ping is 16 bytes, a tunnelled packet 20 at least, and a compression byte
    // comes first when compression is framed).
    private const int MinimumPlaintext = 1;
    // The identity a side's packets repeat (NumberedSides): the low 16 bits of the peer ID, then the key id and whether
    // it is P_DATA_V2, which both sides share.
    private const int KeyShift = 16, VersionShift = KeyShift + 3;
    private const uint SharedKey = ((1u << NumberedSides.IdentityBits) - 1) & ~((1u << KeyShift) - 1);
    private static readonly AppDetail DetailV1 = AppDetail.Word("data-v1"), DetailV2 = AppDetail.Word("data-v2");

    private enum Kind { Other, LaterControl, Data }

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        // Over TCP the opening packet's first byte tells most streams apart before the rest of it arrives.
        if (input.IsTcp && data.Length > TcpLengthPrefix && !IsDataOrLaterControl(data[TcpLengthPrefix])) return InspectResult.NoMatch;
        // A TCP stream is shown again from its start at each call: its packets are counted again from the first.
        if (input.IsTcp) NumberedSides.Forget(ref input.Scratch, input.FromClient);
        var result = InspectResult.NeedMore;
        while (result == InspectResult.NeedMore)
        {
            var found = Next(ref data, input.IsTcp, out var packet);
            if (found != InspectResult.Match) return found == InspectResult.NoMatch ? found : input.Undecided;
            result = Read(packet, out uint identity, out uint id) switch
            {
                Kind.Data => NumberedSides.Count(ref input, identity, id, identity >> VersionShift != 0 ? DetailV2 : DetailV1, SharedKey),
                Kind.LaterControl => InspectResult.NeedMore,
                _ => InspectResult.NoMatch,
            };
            // A datagram is one packet: the next comes in a later call.
            if (!input.IsTcp) break;
        }
        return input.Settled(result);
    }

    private static bool IsDataOrLaterControl(byte first) => Opcode(first) is DataV1 or DataV2 || IsLaterControl(Opcode(first));

    // A packet's kind, and for a data packet the identity its side repeats and its packet ID.
    private static Kind Read(ReadOnlySpan<byte> packet, out uint identity, out uint id)
    {
        identity = id = 0;
        int opcode = Opcode(packet[0]);
        // The control channel goes on beside the data (acknowledgements, the hourly renegotiation): its packets are
        // passed over, neither counted nor held against the flow.
        if (IsLaterControl(opcode)) return Kind.LaterControl;
        if (opcode is not (DataV1 or DataV2)) return Kind.Other;
        bool v2 = opcode == DataV2;
        int header = v2 ? 1 + PeerIdLength : 1;
        if (packet.Length < header + PacketIdLength + TagLength + MinimumPlaintext) return Kind.Other;
        id = BinaryPrimitives.ReadUInt32BigEndian(packet[header..]);
        uint peer = v2 ? BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) : 0u;
        identity = (v2 ? 1u : 0u) << VersionShift | (uint)(packet[0] & KeyIdMask) << KeyShift | peer;
        // Packet IDs start at one.
        return id == 0 ? Kind.Other : Kind.Data;
    }
}
