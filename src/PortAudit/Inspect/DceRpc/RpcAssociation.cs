using System.Buffers;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.Ntlm;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// One DCE/RPC association as its client speaks it (a TCP connection, or one SMB named pipe): which interface each
/// presentation context id names, learned from every bind and alter_context, and the operation of each request,
/// recorded in the flow's <see cref="RpcCallLog"/>. Every follower that reads client PDUs hands them here, so that the
/// recording is the same whatever carries the PDUs. Also looks in the auth verifiers for an NTLMv1 AUTHENTICATE.
/// </summary>
/// <remarks>
/// The client's bytes come in pieces of any size (<see cref="Take"/>): a PDU may be cut anywhere, inside its header
/// included, by TCP segments or by the writes of a pipe (Metasploit's SMB::pipe_evasion), and one piece may hold several
/// PDUs. Each request is read as soon as its 24-byte header is in and the rest of its fragment is passed unread
/// (<see cref="TakeFrom"/>); a bind, alter_context or auth3 is read whole. Bounded: the PDU being read (one fragment, at
/// most 64 KiB, held only when it comes in pieces), and <see cref="MaxContexts"/> context ids: past them a context of a
/// named interface takes the place of one of an unnamed interface (which the audit never judges), and when there is none
/// its calls are marked unseen (<see cref="RpcBinding.CallsUnseen"/>).
/// </remarks>
public sealed class RpcAssociation
{
    /// <summary>Most context ids remembered.</summary>
    public const int MaxContexts = 256;

    /// <summary>PTYPE of the auth3 PDU, which carries the third leg of a three-leg authentication (NTLM's AUTHENTICATE).</summary>
    public const byte Auth3 = 16;

    // server_boot (4) follows the activity UUID; then if_vers (DCE 1.1 RPC 12.5.3.1).
    private const int ClInterfaceVersionOffset = 60;

    // What of a request is read: the common header, alloc_hint, p_cont_id and opnum.
    private const int RequestHead = CoHeader.RequestOpnumOffset + 2;

    private ushort[] _ids = new ushort[4];
    private RpcBinding?[] _bindings = new RpcBinding?[4];
    private readonly string? _via;
    private int _count;

    // The PDU being put together from pieces: its first _held bytes, _want of which are needed to read it.
    private byte[] _pdu = new byte[RequestHead];
    private int _held, _want;
    private long _skip;
    private bool _lost;
    // How many bindings the flow's log held when a call on a context never seen bound last marked them; -1 before any.
    private int _unboundMarked = -1;

    /// <summary>Why calls are marked unseen when a request names a context never seen bound.</summary>
    public const string UnboundCalls = "calls on a context whose bind was not seen";

    /// <summary>
    /// An association whose bindings are learned "by bind" or "by alter_context", or all by <paramref name="via"/>
    /// when given ("pipe NAME": the pipe is the evidence a review needs).
    /// </summary>
    public RpcAssociation(string? via = null) => _via = via;

    /// <summary>What carries the association ("pipe NAME"), or null for a TCP connection.</summary>
    public string? Via => _via;

    /// <summary>True once bytes were taken that are no PDU: the association's framing is lost and nothing more is read.</summary>
    public bool Lost => _lost;

    /// <summary>
    /// Reads the client's next bytes, in order; false once they are no PDU (the framing is lost: nothing is read after).
    /// </summary>
    public bool Take(Flow flow, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !_lost)
        {
            if (_skip > 0)
            {
                int passed = (int)Math.Min(_skip, data.Length);
                _skip -= passed;
                data = data[passed..];
                continue;
            }
            // A PDU wholly present is read where it lies; pieces are put together first.
            if (_held == 0 && data.Length >= CoHeader.Size)
            {
                if (!CoHeader.TryRead(data, out var header)) return Lose();
                int want = Wanted(header);
                if (data.Length >= want)
                {
                    int used = Math.Min(header.FragLength, data.Length);
                    Read(flow, header, data[..used]);
                    _skip = header.FragLength - used;
                    data = data[used..];
                    continue;
                }
            }
            data = Gather(flow, data);
        }
        return !_lost;
    }

    /// <summary>
    /// Reads what <paramref name="stream"/> holds of the client's bytes (<see cref="Take"/>), drops them from it, and has it
    /// pass over the current PDU's tail that needs no reading (a request's stub) as it arrives, uncopied. False once the
    /// framing is lost.
    /// </summary>
    public bool TakeFrom(Flow flow, DirectionStream stream)
    {
        var data = stream.Data;
        bool framed = Take(flow, data);
        stream.Consume(data.Length);
        stream.Skip(TakeSkip());
        return framed;
    }

    // Bytes of the current PDU still to come that need no reading: the stream drops them unread, and they are no longer
    // expected here.
    private long TakeSkip()
    {
        long skip = _skip;
        _skip = 0;
        return skip;
    }

    /// <summary>
    /// Notes that bytes were lost before the next ones (a pipe write past what was read): only bytes of the current
    /// PDU's unread tail may go missing; anything else loses the framing. False when it is lost.
    /// </summary>
    public bool Missed(long count)
    {
        if (count <= 0) return !_lost;
        if (_held == 0 && _skip >= count)
        {
            _skip -= count;
            return true;
        }
        return Lose();
    }

    /// <summary>
    /// Reads one PDU the client sent: <paramref name="pdu"/> starts at its header and holds the fragment or, for a
    /// request, at least its first 24 bytes.
    /// </summary>
    public void Read(Flow flow, in CoHeader header, ReadOnlySpan<byte> pdu)
    {
        switch (header.Type)
        {
            case CoHeader.Bind or CoHeader.AlterContext:
                Offer(flow, header, pdu);
                CheckAuth(flow, header, pdu);
                return;
            case Auth3:
                CheckAuth(flow, header, pdu);
                return;
            case CoHeader.Request when pdu.Length >= RequestHead:
                ushort id = CoHeader.Read16(pdu[CoHeader.RequestContextOffset..], header.LittleEndian);
                if (Find(id) is { } at) _bindings[at]?.Called(CoHeader.Read16(pdu[CoHeader.RequestOpnumOffset..], header.LittleEndian));
                else Unbound(flow);
                return;
        }
    }

    /// <summary>Records the interface and operation a connectionless request's header names (Via "cl").</summary>
    public static void ReadConnectionless(Flow flow, ReadOnlySpan<byte> datagram)
    {
        if (!ClHeader.TryRead(datagram, out var header) || header.Type != ClHeader.Request || header.Interface == Guid.Empty) return;
        // if_vers carries the major version in its low 16 bits (a v1.0 interface sends 1).
        ushort major = (ushort)CoHeader.Read32(datagram[ClInterfaceVersionOffset..], header.LittleEndian);
        Log(flow).Bind(header.Interface, major, "cl", RpcInterfaces.Name(header.Interface) is not null)?.Called(header.Opnum);
    }

    /// <summary>The flow's call log, created on first need.</summary>
    public static RpcCallLog Log(Flow flow) => flow.RpcCalls ??= new RpcCallLog();

    /// <summary>Marks the calls of every binding of this association unseen (<see cref="RpcBinding.CallsUnseen"/>): its pipe can no longer be followed.</summary>
    public void LoseCalls()
    {
        for (int i = 0; i < _count; i++)
            if (_bindings[i] is { } binding) binding.CallsUnseen = true;
    }

    // A request on a context never seen bound (the capture began after the bind) names no interface: it may have been
    // a call on any, those bound so far included (one bound on another pipe, or bound again later), so their calls are
    // marked unseen; marked again only once more are bound, not on each such request.
    private void Unbound(Flow flow)
    {
        var log = Log(flow);
        if (log.Bindings.Count == _unboundMarked) return;
        log.MissedCalls(UnboundCalls);
        _unboundMarked = log.Bindings.Count;
    }

    // How much of a PDU is read: a request's head (its stub is passed unread), a bind's, alter_context's or auth3's
    // whole fragment, any other PDU's header.
    private static int Wanted(in CoHeader header) => header.Type switch
    {
        CoHeader.Request => Math.Min((int)header.FragLength, RequestHead),
        CoHeader.Bind or CoHeader.AlterContext or Auth3 => header.FragLength,
        _ => CoHeader.Size,
    };

    // Adds the next bytes to the PDU being put together; reads it once the part wanted is in. Returns what is left.
    private ReadOnlySpan<byte> Gather(Flow flow, ReadOnlySpan<byte> data)
    {
        int need = (_held < CoHeader.Size ? CoHeader.Size : _want) - _held;
        int taken = Math.Min(need, data.Length);
        Hold(_held + taken);
        data[..taken].CopyTo(_pdu.AsSpan(_held));
        _held += taken;
        data = data[taken..];
        if (_held == CoHeader.Size && _want == 0)
        {
            if (!CoHeader.TryRead(_pdu, out var first))
            {
                Lose();
                return default;
            }
            _want = Wanted(first);
        }
        if (_want == 0 || _held < _want) return data;
        CoHeader.TryRead(_pdu, out var header);
        Read(flow, header, _pdu.AsSpan(0, _held));
        _skip = header.FragLength - _held;
        _held = _want = 0;
        Shrink();
        return data;
    }

    private void Hold(int size)
    {
        if (size <= _pdu.Length) return;
        // Only a bind, alter_context or auth3 in pieces needs more than a request's head: up to its fragment, 64 KiB.
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1024));
        _pdu.AsSpan(0, _held).CopyTo(bigger);
        if (_pdu.Length > RequestHead) ArrayPool<byte>.Shared.Return(_pdu);
        _pdu = bigger;
    }

    private void Shrink()
    {
        if (_pdu.Length <= RequestHead) return;
        ArrayPool<byte>.Shared.Return(_pdu);
        _pdu = new byte[RequestHead];
    }

    private bool Lose()
    {
        _lost = true;
        _held = _want = 0;
        _skip = 0;
        Shrink();
        return false;
    }

    private void Offer(Flow flow, in CoHeader header, ReadOnlySpan<byte> pdu)
    {
        string via = _via ?? (header.Type == CoHeader.Bind ? "bind" : "alter_context");
        foreach (var context in new PresentationContextList(pdu, header.LittleEndian))
        {
            bool named = RpcInterfaces.Name(context.Interface) is not null;
            Remember(context.Id, Log(flow).Bind(context.Interface, context.MajorVersion, via, named), named);
        }
    }

    private void CheckAuth(Flow flow, in CoHeader header, ReadOnlySpan<byte> pdu)
    {
        // The auth value ends the fragment, after its 8-byte sec_trailer; a fragment cut short has none to read.
        if (header.AuthLength == 0 || pdu.Length < header.FragLength) return;
        var value = pdu.Slice(header.FragLength - header.AuthLength, header.AuthLength);
        if (NtlmMessage.ContainsV1Authenticate(value)) flow.Weakness |= FlowWeakness.NtlmV1;
    }

    private void Remember(ushort id, RpcBinding? binding, bool named)
    {
        // An id bound again (alter_context may reuse one) names its latest interface.
        if (Find(id) is { } known)
        {
            Set(known, id, binding);
            return;
        }
        if (_count < MaxContexts)
        {
            if (_count == _ids.Length)
            {
                Array.Resize(ref _ids, _ids.Length * 2);
                Array.Resize(ref _bindings, _bindings.Length * 2);
            }
            Set(_count++, id, binding);
            return;
        }
        if (!named) return;
        // Full: a context of an unnamed interface, which the audit never judges, gives way to a named one.
        for (int i = 0; i < _count; i++)
        {
            if (IsNamed(_bindings[i])) continue;
            Set(i, id, binding);
            return;
        }
        // Requests on this context cannot be told apart: what was called on the interface is not known.
        if (binding is not null) binding.CallsUnseen = true;
    }

    private void Set(int slot, ushort id, RpcBinding? binding)
    {
        _ids[slot] = id;
        _bindings[slot] = binding;
    }

    // A named interface's binding is always kept by the log (RpcCallLog.Bind), so a slot without one is unnamed.
    private static bool IsNamed(RpcBinding? binding) => binding is not null && RpcInterfaces.Name(binding.Uuid) is not null;

    private int? Find(ushort id)
    {
        for (int i = 0; i < _count; i++)
            if (_ids[i] == id) return i;
        return null;
    }
}
