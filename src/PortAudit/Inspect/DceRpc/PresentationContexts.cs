namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// Which presentation contexts of an association were accepted with the NDR64 transfer syntax: the client offers
/// contexts in a bind or alter_context, the server answers each, in the same order, with a result and the transfer
/// syntax it took (DCE 1.1 RPC 12.6.4.3, 12.6.4.4; [MS-RPCE] 3.3.1.5.2). A request or response names its context by id.
/// </summary>
public sealed class PresentationContexts
{
    /// <summary>The NDR64 transfer syntax ([MS-RPCE] 2.2.5.1).</summary>
    public static readonly Guid Ndr64 = new("71710533-beba-4937-8319-b5dbef9ccc36");

    private const int MaxOffered = 16;
    private readonly ushort[] _offered = new ushort[MaxOffered];
    private int _offeredCount;
    private ulong _ndr64;

    /// <summary>True when context <paramref name="id"/> was accepted with NDR64.</summary>
    public bool IsNdr64(ushort id) => id < 64 && (_ndr64 & (1UL << id)) != 0;

    /// <summary>Notes the context ids a bind or alter_context offers, in order.</summary>
    public void Offer(ReadOnlySpan<byte> pdu, bool little)
    {
        _offeredCount = 0;
        foreach (var context in new PresentationContextList(pdu, little))
        {
            if (_offeredCount == MaxOffered) break;
            _offered[_offeredCount++] = context.Id;
        }
    }

    /// <summary>Reads the results of a bind_ack or alter_context_resp against the contexts last offered.</summary>
    public void Accept(ReadOnlySpan<byte> pdu, bool little)
    {
        int i = 0;
        foreach (var result in new PresentationResultList(pdu, little))
        {
            if (i == _offeredCount) return;
            ushort id = _offered[i++];
            if (id >= 64 || !result.Accepted) continue;
            if (result.TransferSyntax == Ndr64) _ndr64 |= 1UL << id;
            else _ndr64 &= ~(1UL << id);
        }
    }
}
