namespace PortAudit.Inspect.DceRpc;

/// <summary>One presentation context a bind or alter_context offers: its id and the interface it names.</summary>
/// <param name="Id">p_cont_id, by which requests name the context.</param>
/// <param name="Interface">The abstract syntax's UUID.</param>
/// <param name="MajorVersion">The abstract syntax's major version.</param>
public readonly record struct PresentationContext(ushort Id, Guid Interface, ushort MajorVersion);

/// <summary>
/// The presentation contexts of a bind or alter_context PDU, in order (DCE 1.1 RPC 12.6.4.3): walked over the PDU's
/// bytes without copying. The count is one byte and every element is checked against the bytes present, so a lying
/// count or a PDU cut short ends the walk.
/// </summary>
public ref struct PresentationContextList
{
    // max_xmit_frag, max_recv_frag and assoc_group_id precede n_context_elem; three reserved bytes follow it.
    private const int CountOffset = CoHeader.Size + 8;
    private const int FirstOffset = CountOffset + 4;
    // p_cont_id (2), n_transfer_syn (1), reserved (1), then the abstract syntax and each transfer syntax.
    private const int ElementHeader = 4;
    private const int SyntaxSize = 20;

    private readonly ReadOnlySpan<byte> _pdu;
    private readonly bool _little;
    private readonly int _count;
    private int _index, _at;

    /// <summary>The contexts of <paramref name="pdu"/>, which starts at the PDU's header.</summary>
    public PresentationContextList(ReadOnlySpan<byte> pdu, bool little)
    {
        _pdu = pdu;
        _little = little;
        _count = pdu.Length > CountOffset ? pdu[CountOffset] : 0;
        _at = FirstOffset;
        _index = -1;
        Current = default;
    }

    /// <summary>The context the walk stands on.</summary>
    public PresentationContext Current { get; private set; }

    /// <summary>Steps to the next context; false at the end or where the bytes run out.</summary>
    public bool MoveNext()
    {
        if (_index >= 0) _at += ElementHeader + SyntaxSize + _pdu[_at + 2] * SyntaxSize;
        if (++_index >= _count || _at + ElementHeader + SyntaxSize > _pdu.Length) return false;
        var syntax = _pdu[(_at + ElementHeader)..];
        Current = new PresentationContext(CoHeader.Read16(_pdu[_at..], _little), CoHeader.ReadUuid(syntax, _little),
            CoHeader.Read16(syntax[16..], _little));
        return true;
    }

    /// <summary>The walk itself, for <c>foreach</c>.</summary>
    public readonly PresentationContextList GetEnumerator() => this;
}
