using System.Buffers.Binary;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// Reads one STUN/TURN message: RFC 5389/8489 (magic cookie), classic RFC 3489 (no cookie, so the type and an exact
/// attribute walk must vouch for it), Microsoft's MS-TURN dialect (recognised by its attributes) and the connectivity
/// checks of Microsoft's ICE ([MS-ICE2] attributes on an RFC 5389 message, which is no TURN).
/// </summary>
public static class StunMessage
{
    /// <summary>Header length.</summary>
    public const int HeaderSize = 20;

    private const uint MagicCookie = 0x2112A442;

    /// <summary>Which dialect a message was in.</summary>
    public enum Dialect
    {
        /// <summary>Not a STUN message.</summary>
        None,
        /// <summary>RFC 5389 and later (magic cookie).</summary>
        Rfc5389,
        /// <summary>Classic RFC 3489.</summary>
        Rfc3489,
        /// <summary>Microsoft MS-TURN (MS-VERSION and friends).</summary>
        MsTurn,
        /// <summary>RFC 5389 with [MS-ICE2] attributes (candidate identifier, implementation version) and no MS-TURN one.</summary>
        MsIce2,
    }

    /// <summary>
    /// Checks the message at the start of <paramref name="data"/>; <paramref name="size"/> is its length.
    /// The whole message must be present and its attributes must fill it exactly.
    /// </summary>
    public static Dialect Read(ReadOnlySpan<byte> data, out int size, out ushort method)
    {
        size = 0;
        method = 0;
        if (data.Length < HeaderSize || (data[0] & 0xC0) != 0) return Dialect.None;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(data);
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if (HeaderSize + length > data.Length) return Dialect.None;
        bool cookie = BinaryPrimitives.ReadUInt32BigEndian(data[4..]) == MagicCookie;
        // RFC 5389 pads every attribute, so its lengths are multiples of 4; MS-TURN, on the classic header, may leave
        // its last attribute unpadded (an Allocate of length 113), which only Microsoft attributes then vouch for.
        if (cookie && (length & 3) != 0) return Dialect.None;
        method = (ushort)((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
        if (!cookie && !IsClassicType(type)) return Dialect.None;
        if (!WalkAttributes(data.Slice(HeaderSize, length), !cookie, out bool turn, out bool ice)) return Dialect.None;
        if ((length & 3) != 0 && !turn && !ice) return Dialect.None;
        size = HeaderSize + length;
        return turn ? Dialect.MsTurn : !cookie ? Dialect.Rfc3489 : ice ? Dialect.MsIce2 : Dialect.Rfc5389;
    }

    /// <summary>The name of a STUN/TURN method for appDetail.</summary>
    public static string MethodName(ushort method) => method switch
    {
        0x001 => "binding",
        0x002 => "shared-secret",
        0x003 => "allocate",
        0x004 => "refresh",
        0x006 => "send",
        0x007 => "data",
        0x008 => "create-permission",
        0x009 => "channel-bind",
        _ => "method-0x" + method.ToString("x3"),
    };

    // RFC 3489 binding and shared-secret, and the TURN draft / MS-TURN allocate, send, data-indication and set-active-destination.
    private static bool IsClassicType(ushort type) => type is 0x0001 or 0x0101 or 0x0111 or 0x0002 or 0x0102 or 0x0112
        or 0x0003 or 0x0103 or 0x0113 or 0x0004 or 0x0104 or 0x0114 or 0x0115 or 0x0006 or 0x0106 or 0x0116;

    // The attributes must fill the message; with lastMayBeUnpadded the last one may end without its padding.
    private static bool WalkAttributes(ReadOnlySpan<byte> attributes, bool lastMayBeUnpadded, out bool turn, out bool ice)
    {
        turn = false;
        ice = false;
        int at = 0;
        while (at < attributes.Length)
        {
            if (at + 4 > attributes.Length) return false;
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(attributes[at..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(attributes[(at + 2)..]);
            int end = at + 4 + length;
            at += 4 + ((length + 3) & ~3);
            if (at > attributes.Length && !(lastMayBeUnpadded && end == attributes.Length)) return false;
            turn |= IsMsTurnAttribute(type);
            ice |= type is CandidateIdentifier or ImplementationVersion;
        }
        return true;
    }

    // [MS-TURN] 2.2.2: its Magic Cookie attribute (0x000F), MS-Version (0x8008), MS-Sequence Number (0x8050),
    // MS-Service Quality (0x8055), and [MS-TURNBWM]'s bandwidth management (0x8056-0x805D), as tshark names them.
    private static bool IsMsTurnAttribute(ushort type) =>
        type is 0x000F or 0x8008 or 0x8050 or 0x8055 or (>= 0x8056 and <= 0x805D);

    // [MS-ICE2]: MS-CANDIDATE-IDENTIFIER and MS-IMPLEMENTATION-VERSION (tshark's names), which Lync, Skype for Business
    // and Teams put on their ICE connectivity checks, plain Binding requests and answers between the peers: no TURN.
    private const ushort CandidateIdentifier = 0x8054, ImplementationVersion = 0x8070;
}
