using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// OpenVPN's data channel, for a capture begun after the handshake (<see cref="OpenVpnInspector"/> reads the handshake):
/// the tunnel's packets and its keepalive pings, which OpenVPN sends every few seconds whether or not anything crosses.
/// Under the AEAD ciphers OpenVPN 2.4 and later negotiate (AES-GCM, ChaCha20-Poly1305) a data packet is in clear up to
/// its packet ID (OpenVPN's protocol overview, ssl_pkt.h and crypto.h): P_DATA_V2 is its opcode (9) and key id in one
/// byte, a 3-byte peer ID the server assigned, then the 32-bit packet ID; P_DATA_V1 (opcode 6) has no peer ID. The AEAD
/// tag (16 bytes) and the encrypted payload follow; over TCP each packet comes after its 16-bit length. Each side
/// numbers its packets from 1 for each key, one up per packet, and keeps its first byte and peer ID: a side's packet
/// whose header repeats the side's last and whose packet ID moved on by 1 to 63 (a few lost to the capture, none sent
/// twice, none gone back) counts; a side's second such packet after the other side was heard, or a third when only one
/// side was captured, claims the flow. The control channel's messages between them (acknowledgements, a
/// renegotiation's soft reset) are passed over. Over TCP the captured stream must begin at a packet's length, as it does
/// when the capture starts between two packets; under the older CBC ciphers the packet ID is encrypted. Neither such
/// data channel is named. appDetail: <c>data-v2</c> or <c>data-v1</c>.
/// </summary>
public sealed class OpenVpnDataInspector() : Inspector(new(AppLabel.OpenVpn, 0, [1194], InspectorPrecision.Signature, 261) { UsesScratch = true, Depth = ProbeDepth.SeveralMessages })
{
    private const byte DataV1 = 6, DataV2 = 9, SoftReset = 3, Control = 4, Ack = 5;
    private const int OpcodeShift = 3;
    // A control message's header: opcode and key id, the sender's 8-byte session ID.
    private const int ControlHeader = 9;
    private const int PeerIdLength = 3, PacketIdLength = 4, TagLength = 16;
    // A packet's plaintext is never empty (a ping is 16 bytes, a tunnelled packet 20 at least, and a compression byte
    // comes first when compression is framed).
    private const int MinimumPlaintext = 1;
    // Over TCP: the length before each packet, and the longest packet a tunnel's MTU allows with room to spare.
    private const int TcpLengthPrefix = 2, MaximumPacket = 1 << 14;
    // How far a side's packet ID may move between two of its captured packets.
    private const uint MaxStep = 63;
    private const int ClaimAlone = 3, ClaimHeard = 2;
    // Scratch: the first byte both sides share (opcode and key id) in bits 0-7, then per side 27 bits, from bit 8 (the
    // client's) or 35 (the server's): the low 16 bits of its peer ID, the low byte of its last packet ID, how many of
    // its packets counted (up to 3).
    private const int ClientShift = 8, ServerShift = 35, PacketShift = 16, SeenShift = 24;
    private const ulong FirstByteMask = 0xFF;
    private const uint PeerMask = 0xFFFF, SideMask = (1u << 27) - 1;
    private static readonly AppDetail DetailV1 = AppDetail.Word("data-v1"), DetailV2 = AppDetail.Word("data-v2");

    private enum Kind { Other, ControlMessage, Data }

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp) return Stream(ref input, data);
        return data.IsEmpty ? InspectResult.NoMatch : Datagram(ref input, data);
    }

    // One datagram, one packet: counted against the side's last.
    private static InspectResult Datagram(ref InspectionInput input, ReadOnlySpan<byte> packet)
    {
        switch (Read(packet, out byte first, out uint peer, out uint id))
        {
            case Kind.ControlMessage: return input.Undecided;
            case Kind.Other: return InspectResult.NoMatch;
        }
        int shift = Shift(input.FromClient);
        uint side = Side(input.Scratch, shift);
        if (!SharesKey(input.Scratch, first) || (side >> SeenShift > 0 && !Follows(side, peer, id))) return InspectResult.NoMatch;
        return Counted(ref input, first, Next(side, peer, id));
    }

    // The direction's stream from its start, shown again whole at each call: every packet in it read in turn.
    private static InspectResult Stream(ref InspectionInput input, ReadOnlySpan<byte> stream)
    {
        byte first = 0;
        uint side = 0;
        while (stream.Length >= TcpLengthPrefix)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(stream);
            if (length < ControlHeader || length > MaximumPacket) return InspectResult.NoMatch;
            if (stream.Length < TcpLengthPrefix + length)
            {
                // The opening packet's first byte tells most streams apart before the rest of it arrives.
                if (side == 0 && stream.Length > TcpLengthPrefix && Opcode(stream[TcpLengthPrefix]) is not (DataV1 or DataV2 or SoftReset or Control or Ack))
                    return InspectResult.NoMatch;
                break;
            }
            var packet = stream.Slice(TcpLengthPrefix, length);
            stream = stream[(TcpLengthPrefix + length)..];
            var kind = Read(packet, out byte packetFirst, out uint peer, out uint id);
            if (kind == Kind.ControlMessage) continue;
            if (kind == Kind.Other || (side >> SeenShift > 0 && (packetFirst != first || !Follows(side, peer, id)))) return InspectResult.NoMatch;
            first = packetFirst;
            side = Next(side, peer, id);
            if (side >> SeenShift >= ClaimAlone) break;
        }
        if (side == 0) return input.Undecided;
        if (!SharesKey(input.Scratch, first)) return InspectResult.NoMatch;
        return Counted(ref input, first, side);
    }

    // A packet's kind, and for a data packet its first byte, peer ID (0 for P_DATA_V1) and packet ID.
    private static Kind Read(ReadOnlySpan<byte> packet, out byte first, out uint peer, out uint id)
    {
        first = packet[0];
        peer = id = 0;
        int opcode = Opcode(first);
        if (opcode is SoftReset or Control or Ack) return packet.Length >= ControlHeader ? Kind.ControlMessage : Kind.Other;
        if (opcode is not (DataV1 or DataV2)) return Kind.Other;
        int header = opcode == DataV2 ? 1 + PeerIdLength : 1;
        if (packet.Length < header + PacketIdLength + TagLength + MinimumPlaintext) return Kind.Other;
        if (opcode == DataV2) peer = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        id = BinaryPrimitives.ReadUInt32BigEndian(packet[header..]);
        return id == 0 ? Kind.Other : Kind.Data;
    }

    private static int Opcode(byte first) => first >> OpcodeShift;

    private static int Shift(bool fromClient) => fromClient ? ClientShift : ServerShift;

    private static uint Side(ulong scratch, int shift) => (uint)(scratch >> shift) & SideMask;

    // Both sides send under the key they share: its id is in the first byte of every data packet either way.
    private static bool SharesKey(ulong scratch, byte first) => scratch == 0 || (byte)(scratch & FirstByteMask) == first;

    // The side's packet after its last one: the same peer ID, the packet ID a little further on.
    private static bool Follows(uint side, uint peer, uint id)
    {
        uint step = (byte)(id - (side >> PacketShift));
        return (side & PeerMask) == (peer & PeerMask) && step is > 0 and <= MaxStep;
    }

    private static uint Next(uint side, uint peer, uint id) =>
        Math.Min((side >> SeenShift) + 1, ClaimAlone) << SeenShift | (id & 0xFF) << PacketShift | (peer & PeerMask);

    // The side's count stands: the flow is claimed once it is enough.
    private static InspectResult Counted(ref InspectionInput input, byte first, uint side)
    {
        int shift = Shift(input.FromClient);
        input.Scratch = (input.Scratch & ~((ulong)SideMask << shift) & ~FirstByteMask) | (ulong)side << shift | first;
        uint seen = side >> SeenShift, other = Side(input.Scratch, Shift(!input.FromClient)) >> SeenShift;
        if (seen >= ClaimAlone || (seen >= ClaimHeard && other > 0))
        {
            input.Flow.AppDetail = Opcode(first) == DataV2 ? DetailV2 : DetailV1;
            return InspectResult.Match;
        }
        return input.Undecided;
    }
}
