namespace PortAudit.Inspect.DceRpc;

/// <summary>The server's answer to one offered presentation context: its result and the transfer syntax it took.</summary>
/// <param name="Result">p_cont_def_result_t: <see cref="PresentationResultList.Acceptance"/>, a rejection, or [MS-RPCE]'s negotiate_ack.</param>
/// <param name="TransferSyntax">The transfer syntax accepted (NDR, NDR64); meaningless for a rejection.</param>
public readonly record struct PresentationResult(ushort Result, Guid TransferSyntax)
{
    /// <summary>True when the server accepted the context: requests may name it.</summary>
    public bool Accepted => Result == PresentationResultList.Acceptance;
}

/// <summary>
/// The results of a bind_ack or alter_context_resp PDU, one per context the bind or alter_context offered, in the same
/// order (DCE 1.1 RPC 12.6.4.4, 12.6.4.2): walked over the PDU's bytes without copying, after the secondary address and
/// its padding to four bytes. Every element is checked against the bytes present, so a lying count or a PDU cut short
/// ends the walk.
/// </summary>
public ref struct PresentationResultList
{
    /// <summary>The result of an accepted context; 1 is a user's rejection, 2 a provider's, 3 [MS-RPCE]'s negotiate_ack.</summary>
    public const ushort Acceptance = 0;

    // max_xmit_frag, max_recv_frag and assoc_group_id precede sec_addr, a 16-bit length and its bytes.
    private const int SecondaryAddressOffset = CoHeader.Size + 8;
    // result (2), reason (2), then the transfer syntax: a UUID and its version.
    private const int ElementSize = 4 + 20;

    // The elements, from the first; how many the count claims and the bytes hold; the next to walk.
    private readonly ReadOnlySpan<byte> _results;
    private readonly bool _little;
    private readonly int _count;
    private int _next;

    /// <summary>The results of <paramref name="pdu"/>, which starts at the PDU's header.</summary>
    public PresentationResultList(ReadOnlySpan<byte> pdu, bool little)
    {
        _little = little;
        _next = 0;
        _results = default;
        _count = 0;
        Current = default;
        if (pdu.Length < SecondaryAddressOffset + 2) return;
        // The result list starts where the secondary address ends, restored to a four-byte boundary: a count, three
        // reserved bytes, then the elements.
        int at = (SecondaryAddressOffset + 2 + CoHeader.Read16(pdu[SecondaryAddressOffset..], little) + 3) & ~3;
        if (at + 4 > pdu.Length) return;
        _results = pdu[(at + 4)..];
        _count = Math.Min(pdu[at], _results.Length / ElementSize);
    }

    /// <summary>The result the walk stands on.</summary>
    public PresentationResult Current { get; private set; }

    /// <summary>Steps to the next result; false at the end or where the bytes run out.</summary>
    public bool MoveNext()
    {
        if (_next == _count) return false;
        var element = _results.Slice(_next++ * ElementSize, ElementSize);
        Current = new PresentationResult(CoHeader.Read16(element, _little), CoHeader.ReadUuid(element[4..], _little));
        return true;
    }

    /// <summary>The walk itself, for <c>foreach</c>.</summary>
    public readonly PresentationResultList GetEnumerator() => this;
}
