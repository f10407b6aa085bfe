using PortAudit.Flows;

namespace PortAudit.Inspect;

/// <summary>
/// What an inspector is shown: the first bytes of one direction and the flow record to write into.
/// A ref struct so that showing bytes never copies or allocates.
/// </summary>
public ref struct InspectionInput
{
    /// <summary>TCP: the direction's bytes from its first in order, bounded; UDP: one datagram.</summary>
    public ReadOnlySpan<byte> Data;

    /// <summary>True when <see cref="Data"/> was sent by the flow's client.</summary>
    public bool FromClient;

    /// <summary>True for a TCP byte stream, false for datagrams.</summary>
    public bool IsTcp;

    /// <summary>True when no more bytes of this direction will be shown: decide with what is here.</summary>
    public bool AtLimit;

    /// <summary>
    /// What an inspector that cannot decide yet answers: <see cref="InspectResult.NeedMore"/>, or
    /// <see cref="InspectResult.NoMatch"/> once no more bytes of this direction will be shown.
    /// </summary>
    public readonly InspectResult Undecided => AtLimit ? InspectResult.NoMatch : InspectResult.NeedMore;

    /// <summary><paramref name="result"/>, but <see cref="Undecided"/>'s answer for <see cref="InspectResult.NeedMore"/>.</summary>
    public readonly InspectResult Settled(InspectResult result) => result == InspectResult.NeedMore ? Undecided : result;

    /// <summary>How many payload-carrying packets of this direction came before this one.</summary>
    public int Index;

    /// <summary>Per-flow memory of this inspector between calls (0 at the start); its meaning is the inspector's own.</summary>
    public ref ulong Scratch;

    /// <summary>
    /// Set by an inspector that read a message only one side sends: true for a client's (a bind, a request), false for
    /// a server's (a bind_ack, a response). When the bytes came from the other side than the flow says and its opening
    /// was not seen, the engine turns the flow around.
    /// </summary>
    public bool? SentByClient;

    /// <summary>The flow; an inspector writes its findings (App, AppDetail, DceRpc) here.</summary>
    public Flow Flow;

    /// <summary>Most bytes <see cref="Assembly"/> gives: what a DTLS hello's fragments or a QUIC Initial's CRYPTO frames are gathered in, a 16 KiB message and a bit for each of its bytes.</summary>
    public const int MaxAssembly = Protocols.HelloAssembly.BufferLength;

    // The engine's state of the flow and the asking inspector's index, for Assembly; null when an inspector is called alone.
    internal FlowInspection? State;
    internal int InspectorIndex;

    /// <summary>
    /// A buffer of <paramref name="length"/> bytes (at most <see cref="MaxAssembly"/>) that the flow keeps between this
    /// inspector's calls, for a message that comes in pieces across datagrams (DTLS handshake fragments, QUIC CRYPTO frames): zeroed at its
    /// first use, one per flow (empty for a second inspector that asks), returned with the flow's inspection state.
    /// Empty when no engine keeps the flow's state.
    /// </summary>
    public readonly Span<byte> Assembly(int length) => State is null ? default : State.AssemblyFor(InspectorIndex, length);

    /// <summary>Makes an input over one datagram or stream prefix.</summary>
    public InspectionInput(Flow flow, ReadOnlySpan<byte> data, bool fromClient, bool isTcp, int index, ref ulong scratch, bool atLimit = false)
    {
        Flow = flow;
        Data = data;
        FromClient = fromClient;
        IsTcp = isTcp;
        Index = index;
        Scratch = ref scratch;
        AtLimit = atLimit;
    }
}
