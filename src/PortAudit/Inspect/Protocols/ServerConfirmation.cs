namespace PortAudit.Inspect.Protocols;

/// <summary>
/// For inspectors whose protocol has the server answer in kind: the client's message alone does not claim the flow,
/// the server's answer does (so one message that merely looks right never names a flow whose server said otherwise).
/// Keeps its memory in the inspector's scratch word.
/// </summary>
internal static class ServerConfirmation
{
    private const ulong ClientSeen = 1, ServerDenied = 2;

    /// <summary>
    /// The client's side read as the protocol: wait for the server. When no more will come, the client's message decides
    /// alone if <paramref name="enoughAlone"/> (a signature strong enough by itself) and the server never contradicted it.
    /// Once the server did, the client's side ends at its next message: nothing it sends can claim the flow then, and an
    /// inspector left waiting would keep the flow under inspection to its limit.
    /// </summary>
    /// <remarks>
    /// <paramref name="note"/> (what the client asked, for the detail written once the flow is claimed) is kept for
    /// <see cref="ClientNote"/>: the server's bytes are read without the client's.
    /// </remarks>
    public static InspectResult Client(ref InspectionInput input, uint note = 0, bool enoughAlone = true)
    {
        if ((input.Scratch & ServerDenied) != 0) return InspectResult.NoMatch;
        input.Scratch = (input.Scratch & 0xFF) | ClientSeen | (ulong)note << 8;
        if (!input.AtLimit) return InspectResult.NeedMore;
        return enoughAlone ? InspectResult.Match : InspectResult.NoMatch;
    }

    /// <summary>
    /// A message of either side that reads as the protocol: the client's waits (see <see cref="Client"/>), the server's
    /// claims the flow. On a claim, <paramref name="asked"/> is the client's note: this message's own when the client
    /// decided alone, 0 when the client's message was never read.
    /// </summary>
    public static InspectResult Either(ref InspectionInput input, uint note, out uint asked) => Either(ref input, input.FromClient, note, out asked);

    /// <summary>
    /// As <see cref="Either(ref InspectionInput, uint, out uint)"/>, the message taken for the client's when
    /// <paramref name="fromClient"/>: the content's word on its sender, where that overrules the flow's guessed sides.
    /// </summary>
    public static InspectResult Either(ref InspectionInput input, bool fromClient, uint note, out uint asked)
    {
        if (fromClient)
        {
            asked = note;
            return Client(ref input, note);
        }
        asked = ClientNote(input);
        return InspectResult.Match;
    }

    /// <summary>The note the client's message left (0 when none was read).</summary>
    public static uint ClientNote(in InspectionInput input) => (uint)(input.Scratch >> 8);

    /// <summary>
    /// A message shorter than its fixed header that starts with a big-endian length: wait for the rest, unless no more
    /// comes or the length's high byte, zero for any message of the protocol, already says it is not.
    /// </summary>
    public static InspectResult ShortOfHeader(ref InspectionInput input) =>
        input.AtLimit || (input.Data.Length > 0 && input.Data[0] != 0) ? Denied(ref input) : InspectResult.NeedMore;

    /// <summary>
    /// The bytes are not the protocol: a client's rule the inspector out on that side; a server's are remembered, so the
    /// client's side cannot decide alone.
    /// </summary>
    public static InspectResult Denied(ref InspectionInput input)
    {
        if (!input.FromClient) input.Scratch |= ServerDenied;
        return InspectResult.NoMatch;
    }
}
