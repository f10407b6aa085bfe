using System.Buffers.Binary;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// [MS-TURN] 2.1.4's framing of TURN over TCP, which follows the pseudo-TLS opening: a type (0x02 a TURN control
/// message, 0x03 end-to-end data), a reserved zero byte and the length of what follows. A control frame holds one TURN
/// message (2.2.1: the classic STUN header, its top two bits zero, and the Magic Cookie attribute first, 3.1.10).
/// </summary>
public static class MsTurnFrame
{
    /// <summary>Framing header length.</summary>
    public const int HeaderSize = 4;

    private const byte Control = 0x02;
    private const ushort MagicCookieAttribute = 0x000F;

    /// <summary>What the bytes at the start of a direction are.</summary>
    public enum Verdict
    {
        /// <summary>A control frame around an MS-TURN message.</summary>
        TurnMessage,
        /// <summary>So far a control frame, but its message is not all there.</summary>
        Incomplete,
        /// <summary>Not a control frame around an MS-TURN message.</summary>
        NotTurn,
    }

    /// <summary>
    /// Judges the first frame of <paramref name="data"/>. End-to-end data frames (0x03) do not count: a client's first
    /// message after the opening is an Allocate request and the server's its answer, both control messages.
    /// </summary>
    public static Verdict Read(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize) return data.Length == 0 || (data[0] == Control && (data.Length < 2 || data[1] == 0)) ? Verdict.Incomplete : Verdict.NotTurn;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if (data[0] != Control || data[1] != 0 || length < StunMessage.HeaderSize) return Verdict.NotTurn;
        var message = data[HeaderSize..];
        // The TURN header's own length must agree with the frame's before the rest comes: a frame that only announces
        // a long message is no reason to wait.
        if (message.Length >= 4 && ((message[0] & 0xC0) != 0 || StunMessage.HeaderSize + BinaryPrimitives.ReadUInt16BigEndian(message[2..]) != length))
            return Verdict.NotTurn;
        if (message.Length < length) return Verdict.Incomplete;
        message = message[..length];
        return StunMessage.Read(message, out int size, out _) == StunMessage.Dialect.MsTurn && size == length
            && BinaryPrimitives.ReadUInt16BigEndian(message[StunMessage.HeaderSize..]) == MagicCookieAttribute
            ? Verdict.TurnMessage : Verdict.NotTurn;
    }
}
