using System.Buffers.Binary;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// [MS-TURN] 2.1.4's framing of TURN over TCP, which follows the pseudo-TLS opening: a type (0x02 a TURN control
/// message, 0x03 end-to-end data), a reserved zero byte and the length of what follows. A control frame holds one TURN
/// message (2.2.1: the classic STUN header, its top two bits zero, and the Magic Cookie attribute first, 3.1.10); a data
/// frame holds relayed media, whatever its bytes.
/// </summary>
public static class MsTurnFrame
{
    /// <summary>Framing header length.</summary>
    public const int HeaderSize = 4;

    private const byte Control = 0x02, EndToEndData = 0x03;
    private const ushort MagicCookieAttribute = 0x000F;

    /// <summary>What the bytes at the start of a direction are.</summary>
    public enum Verdict
    {
        /// <summary>A control frame around an MS-TURN message (<see cref="Follow"/>: and well-formed frames after it).</summary>
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
        if (data.Length < HeaderSize) return IsHeaderStart(data, Control) ? Verdict.Incomplete : Verdict.NotTurn;
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

    /// <summary>
    /// Follows the frames of <paramref name="data"/>, a direction's bytes after the opening: the first must be a whole
    /// control frame around an MS-TURN message (<see cref="Read"/>), each later one a control frame so or an end-to-end
    /// data frame, whose relayed bytes are not judged. A frame cut by the end of <paramref name="data"/> counts as far as it
    /// goes. <paramref name="at"/> is the offset where a frame header was due and the bytes are none (0 unless NotTurn).
    /// </summary>
    public static Verdict Follow(ReadOnlySpan<byte> data, out int at)
    {
        at = 0;
        var first = Read(data);
        if (first != Verdict.TurnMessage) return first;
        // Each frame is at least its header long, so the walk ends within data.Length / 4 turns.
        for (int next = HeaderSize + BinaryPrimitives.ReadUInt16BigEndian(data[2..]); next < data.Length; next += HeaderSize + BinaryPrimitives.ReadUInt16BigEndian(data[(next + 2)..]))
        {
            var frame = data[next..];
            var verdict = frame[0] == EndToEndData ? ReadDataHeader(frame) : Read(frame);
            if (verdict == Verdict.NotTurn)
            {
                at = next;
                return Verdict.NotTurn;
            }
            if (verdict == Verdict.Incomplete) break;
        }
        return Verdict.TurnMessage;
    }

    // An end-to-end data frame's header: its payload is whatever was relayed.
    private static Verdict ReadDataHeader(ReadOnlySpan<byte> frame) =>
        frame.Length < HeaderSize ? (IsHeaderStart(frame, EndToEndData) ? Verdict.Incomplete : Verdict.NotTurn)
        : frame[1] != 0 ? Verdict.NotTurn
        : frame.Length < HeaderSize + BinaryPrimitives.ReadUInt16BigEndian(frame[2..]) ? Verdict.Incomplete : Verdict.TurnMessage;

    // The first bytes of a frame header of the given type, cut before its length.
    private static bool IsHeaderStart(ReadOnlySpan<byte> data, byte type) =>
        data.Length == 0 || (data[0] == type && (data.Length < 2 || data[1] == 0));
}
