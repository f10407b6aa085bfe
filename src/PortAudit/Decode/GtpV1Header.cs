using System.Buffers.Binary;
using System.Diagnostics;

namespace PortAudit.Decode;

/// <summary>
/// The mandatory header of a GTP version 1 message (3GPP TS 29.060 section 6 for the control plane, TS 29.281 section 5.1
/// for the user plane): its first byte (version, protocol type, a spare bit, the E, S and PN flags), the message type and
/// the length of what follows the mandatory 8 bytes. The one reader of these rules: the decoder opens G-PDUs with it, and
/// GTP's inspector names the other messages.
/// </summary>
public readonly struct GtpV1Header
{
    /// <summary>The mandatory header's length, which the header's length field does not count.</summary>
    public const int MandatoryLength = 8;

    /// <summary>The optional fields any of the E, S and PN flags brings: sequence number, N-PDU number, next extension type.</summary>
    public const int OptionalLength = 4;

    /// <summary>The G-PDU, the only message that carries a user's packet.</summary>
    public const byte Gpdu = 0xFF;

    private const int MessageTypeAt = 1, LengthAt = 2;
    // The first byte: the version in its top three bits, then the protocol type (1 for GTP, 0 for GTP', charging) and a
    // spare bit, then the flags of an extension header (E), a sequence number (S) and an N-PDU number (PN).
    private const int VersionShift = 5;
    private const int Version1 = 1;
    private const byte ProtocolTypeAndSpare = 0x18, ProtocolTypeGtp = 0x10;
    private const byte ExtensionFlag = 0x04, SequenceFlag = 0x02, OptionalFlags = 0x07;

    private readonly byte _flags;

    private GtpV1Header(byte flags, byte messageType, ushort length) => (_flags, MessageType, Length) = (flags, messageType, length);

    /// <summary>The message type (<see cref="Gpdu"/> for a user's packet).</summary>
    public byte MessageType { get; }

    /// <summary>The length the header declares: what follows its mandatory 8 bytes, the optional fields included.</summary>
    public ushort Length { get; }

    /// <summary>The whole message's length as declared: the mandatory header and <see cref="Length"/>.</summary>
    public int MessageLength => MandatoryLength + Length;

    /// <summary>True for GTP with the spare bit clear; false for GTP' (charging, protocol type 0) or a set spare bit.</summary>
    public bool IsGtp => IsGtpFirstByte(_flags);

    /// <summary>True when the S flag says a sequence number is present, as in every control message.</summary>
    public bool HasSequence => (_flags & SequenceFlag) != 0;

    /// <summary>True when the declared length holds the optional fields the flags bring.</summary>
    public bool LengthHoldsOptional => (_flags & OptionalFlags) == 0 || Length >= OptionalLength;

    /// <summary>True when a message's first byte is GTP version 1's with protocol type GTP and the spare bit clear.</summary>
    public static bool IsGtpFirstByte(byte first) => VersionOf(first) == Version1 && (first & ProtocolTypeAndSpare) == ProtocolTypeGtp;

    /// <summary>The version a message's first byte gives (its top three bits): 1 here, 2 for GTPv2-C, 0 for GTP' v0.</summary>
    public static int VersionOf(byte first) => first >> VersionShift;

    /// <summary>Reads the mandatory header at the start of <paramref name="message"/>; false when it is shorter or not version 1.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out GtpV1Header header)
    {
        if (message.Length < MandatoryLength || VersionOf(message[0]) != Version1)
        {
            header = default;
            return false;
        }
        header = new(message[0], message[MessageTypeAt], BinaryPrimitives.ReadUInt16BigEndian(message[LengthAt..]));
        return true;
    }

    /// <summary>
    /// Where what a G-PDU carries begins in <paramref name="message"/>: after the mandatory header, the optional fields when
    /// a flag brings them, and each extension header (TS 29.281 5.2.1: its first byte its length in 4-byte units, never 0;
    /// its last byte the type of the next, 0 for none). False when the message is cut inside them or an extension header
    /// is damaged; <paramref name="offset"/> is then where reading stopped.
    /// </summary>
    public static bool TryReadPayloadOffset(ReadOnlySpan<byte> message, out int offset)
    {
        Debug.Assert(message.Length >= MandatoryLength, "the mandatory header was read first");
        offset = MandatoryLength;
        byte flags = message[0];
        if ((flags & OptionalFlags) == 0) return true;
        offset += OptionalLength;
        if (message.Length < offset) return false;
        byte next = (flags & ExtensionFlag) != 0 ? message[offset - 1] : (byte)0;
        while (next != 0)
        {
            if (message.Length <= offset) return false;
            int words = message[offset];
            // A zero length would never move on: the header is damaged, and nothing behind it is read.
            if (words == 0) return false;
            offset += words * 4;
            if (message.Length < offset) return false;
            next = message[offset - 1];
        }
        return true;
    }
}
