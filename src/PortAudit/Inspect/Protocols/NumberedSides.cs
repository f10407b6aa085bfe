using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// The rule that names a tunnel seen without its handshake: each side's messages name one identity (a WireGuard receiver
/// index, an OpenVPN key and peer ID) and number themselves one up per message in clear (WireGuard's counter, OpenVPN's
/// packet ID). A side's message counts when it names the side's identity again and its number moved on by 1 to 63 from
/// the side's last (a few lost to the capture, none sent twice, none gone back); a side's second counted message after
/// the other side was heard, or a third when only one side was captured, claims the flow.
/// </summary>
/// <remarks>
/// Kept in the inspector's scratch word, 30 bits a side from bit 0 (the client's) or 30 (the server's): the identity's
/// low 20 bits, the number's low byte, how many messages counted (up to 3). The top four bits are the inspector's own.
/// </remarks>
internal static class NumberedSides
{
    /// <summary>How many low bits of an identity are compared.</summary>
    public const int IdentityBits = 20;

    private const int SideBits = 30, NumberShift = IdentityBits, SeenShift = NumberShift + 8;
    private const uint IdentityMask = (1u << IdentityBits) - 1, SideMask = (1u << SideBits) - 1;
    private const int MaxStep = 63, ClaimAlone = 3, ClaimHeard = 2;

    /// <summary>
    /// Counts a message of <paramref name="input"/>'s side that names <paramref name="identity"/> and carries
    /// <paramref name="number"/>. Returns <see cref="InspectResult.Match"/> once the flow is claimed, with
    /// <paramref name="detail"/> written; <see cref="InspectResult.NoMatch"/> when the message breaks its side's
    /// sequence, or its identity's <paramref name="shared"/> bits are not those of the other side's (both sides under one
    /// key); <see cref="InspectResult.NeedMore"/> when it counted and more is needed (the caller settles it at the limit).
    /// </summary>
    public static InspectResult Count(ref InspectionInput input, uint identity, ulong number, AppDetail detail, uint shared = 0)
    {
        identity &= IdentityMask;
        int shift = input.FromClient ? 0 : SideBits;
        uint side = (uint)(input.Scratch >> shift) & SideMask;
        uint other = (uint)(input.Scratch >> (SideBits - shift)) & SideMask;
        bool otherHeard = other >> SeenShift > 0;
        if (otherHeard && ((other ^ identity) & shared) != 0) return InspectResult.NoMatch;
        uint seen = side >> SeenShift;
        if (seen > 0)
        {
            int step = (byte)((byte)number - (byte)(side >> NumberShift));
            if ((side & IdentityMask) != identity || step is 0 or > MaxStep) return InspectResult.NoMatch;
        }
        seen = Math.Min(seen + 1, ClaimAlone);
        side = seen << SeenShift | (uint)(byte)number << NumberShift | identity;
        input.Scratch = input.Scratch & ~((ulong)SideMask << shift) | (ulong)side << shift;
        if (seen < ClaimAlone && !(seen >= ClaimHeard && otherHeard)) return InspectResult.NeedMore;
        input.Flow.AppDetail = detail;
        return InspectResult.Match;
    }

    /// <summary>Forgets what <paramref name="fromClient"/>'s side counted: a stream shown again from its start is counted again.</summary>
    public static void Forget(ref ulong scratch, bool fromClient) => scratch &= ~((ulong)SideMask << (fromClient ? 0 : SideBits));
}
