using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.Ntlm;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// One DCE/RPC association (a TCP connection, or one SMB named pipe): which interface each presentation context id
/// names, learned from every bind and alter_context and the server's answer to it, and the operation of each request,
/// recorded in the flow's <see cref="RpcCallLog"/>. Every follower that reads the PDUs hands them here, so that the
/// recording is the same whatever carries them. Also looks in the auth verifiers for an NTLMv1 AUTHENTICATE.
/// </summary>
/// <remarks>
/// <para>
/// Each direction's bytes come in pieces of any size, cut anywhere (<see cref="RpcPduFraming"/>). Of the client's, each
/// request is read as soon as its 24-byte header is in and its stub is passed unread; a bind, alter_context or auth3 is
/// read whole. Of the server's, a bind_ack, alter_context_resp or bind_nak is read whole and every other PDU passed
/// after its header.
/// </para>
/// <para>
/// An offered context is bound only as the server answers ([MS-RPCE] 3.3.1.5.2): a context it refused names nothing, so a
/// bind that offers DRSUAPI and LSARPC under one id, of which the server keeps the first, has its calls judged as
/// DRSUAPI's, and a refused DRSUAPI is no DCSync. An offer whose answer the capture lacks is taken as bound, as the
/// client meant it; an id it offered twice then names either interface, whose calls cannot be told apart
/// (<see cref="RpcBinding.CallsUnseen"/>). Bounded: the PDU being read in each direction, the last offer's contexts (at
/// most 255, a byte counts them) and <see cref="MaxContexts"/> context ids: past them a context of a named interface
/// takes the place of one of an unnamed interface (which the audit never judges), and when there is none its calls are
/// marked unseen.
/// </para>
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
    private readonly RpcPduFraming _fromClient, _fromServer;
    // The contexts the last bind or alter_context offered, in order, until the server's answer says which it took.
    private readonly List<OfferedContext> _offered = [];
    // Ids the server refused and did not bind before: a request naming one runs nothing (the server answers it with a fault).
    private readonly List<ushort> _refusedIds = [];
    // How many bindings the flow's log held when a call on a context never seen bound last marked them; -1 before any.
    private int _unboundMarked = -1;

    /// <summary>Why calls are marked unseen when a request names a context never seen bound.</summary>
    public const string UnboundCalls = "calls on a context whose bind was not seen";

    /// <summary>
    /// An association whose bindings are learned "by bind" or "by alter_context", or all by <paramref name="via"/>
    /// when given ("pipe NAME": the pipe is the evidence a review needs).
    /// </summary>
    public RpcAssociation(string? via = null)
    {
        _via = via;
        _fromClient = new RpcPduFraming(WantedFromClient, Read, RequestHead);
        _fromServer = new RpcPduFraming(WantedFromServer, ReadAnswer, CoHeader.Size);
    }

    /// <summary>What carries the association ("pipe NAME"), or null for a TCP connection.</summary>
    public string? Via => _via;

    /// <summary>True once the client sent bytes that are no PDU: the association's framing is lost and nothing more is read.</summary>
    public bool Lost => _fromClient.Lost;

    /// <summary>
    /// Reads the client's next bytes, in order; false once they are no PDU (the framing is lost: nothing is read after).
    /// </summary>
    public bool Take(Flow flow, ReadOnlySpan<byte> data) => _fromClient.Take(flow, data);

    /// <summary>
    /// Reads what <paramref name="stream"/> holds of the client's bytes (<see cref="Take"/>), drops them from it, and has it
    /// pass over the current PDU's tail that needs no reading (a request's stub) as it arrives, uncopied. False once the
    /// framing is lost.
    /// </summary>
    public bool TakeFrom(Flow flow, DirectionStream stream) => Stream(flow, stream, _fromClient);

    /// <summary>
    /// Reads what <paramref name="stream"/> holds of the server's bytes, as <see cref="TakeFrom"/> does the client's: the
    /// answers to binds and alter_contexts. False once they are no PDU: no later answer is read, and the offers still to
    /// come are taken as bound when called.
    /// </summary>
    public bool TakeAnswersFrom(Flow flow, DirectionStream stream) => Stream(flow, stream, _fromServer);

    /// <summary>Reads the server's next bytes, in order (<see cref="TakeAnswersFrom"/>); false once they are no PDU.</summary>
    public bool TakeAnswers(Flow flow, ReadOnlySpan<byte> data) => _fromServer.Take(flow, data);

    private static bool Stream(Flow flow, DirectionStream stream, RpcPduFraming framing)
    {
        var data = stream.Data;
        bool framed = framing.Take(flow, data);
        stream.Consume(data.Length);
        stream.Skip(framing.TakeSkip());
        return framed;
    }

    /// <summary>
    /// Notes that bytes were lost before the client's next ones (a pipe write past what was read): only bytes of the
    /// current PDU's unread tail may go missing; anything else loses the framing. False when it is lost.
    /// </summary>
    public bool Missed(long count) => _fromClient.Missed(count);

    /// <summary>As <see cref="Missed"/>, for the server's bytes (a pipe read past what was read); false when its framing is lost.</summary>
    public bool MissedAnswers(long count) => _fromServer.Missed(count);

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
                // A call before the answer to the last offer was read: the capture lacks the answer.
                if (_offered.Count > 0) Settle(accepted: null);
                ushort id = CoHeader.Read16(pdu[CoHeader.RequestContextOffset..], header.LittleEndian);
                if (Find(id) is { } at) _bindings[at]?.Called(CoHeader.Read16(pdu[CoHeader.RequestOpnumOffset..], header.LittleEndian));
                else if (!_refusedIds.Contains(id)) Unbound(flow);
                return;
        }
    }

    /// <summary>
    /// Reads one PDU the server sent: <paramref name="pdu"/> starts at its header and holds the fragment when it is a
    /// bind_ack, alter_context_resp or bind_nak, which answer the contexts last offered.
    /// </summary>
    public void ReadAnswer(Flow flow, in CoHeader header, ReadOnlySpan<byte> pdu)
    {
        if (_offered.Count == 0) return;
        switch (header.Type)
        {
            case CoHeader.BindAck or CoHeader.AlterContextResponse:
                int i = 0;
                foreach (var result in new PresentationResultList(pdu, header.LittleEndian))
                {
                    if (i == _offered.Count) break;
                    var offer = _offered[i];
                    offer.Binding?.Answered(result.Accepted);
                    if (result.Accepted) Bind(i++);
                    else Refuse(i++);
                }
                // Offers the answer did not reach (a count short of them, a PDU cut short) are taken as the client meant them.
                Settle(accepted: null);
                return;
            case CoHeader.BindNak:
                Settle(accepted: false);
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

    private void CheckAuth(Flow flow, in CoHeader header, ReadOnlySpan<byte> pdu)
    {
        // The auth value ends the fragment, after its 8-byte sec_trailer; a fragment cut short has none to read.
        if (header.AuthLength == 0 || pdu.Length < header.FragLength) return;
        var value = pdu.Slice(header.FragLength - header.AuthLength, header.AuthLength);
        if (NtlmMessage.ContainsV1Authenticate(value)) flow.Weakness |= FlowWeakness.NtlmV1;
    }

    private void Offer(Flow flow, in CoHeader header, ReadOnlySpan<byte> pdu)
    {
        // An offer whose answer was not read before the next one (the capture lacks it) is taken as the client meant it.
        if (_offered.Count > 0) Settle(accepted: null);
        string via = _via ?? (header.Type == CoHeader.Bind ? "bind" : "alter_context");
        foreach (var context in new PresentationContextList(pdu, header.LittleEndian))
        {
            bool named = RpcInterfaces.Name(context.Interface) is not null;
            var binding = Log(flow).Bind(context.Interface, context.MajorVersion, via, named);
            binding?.Offered();
            _offered.Add(new OfferedContext(context.Id, binding, named, OfferState.Awaited));
        }
    }

    // The offers still awaited are settled: refused (a bind_nak), or else taken as bound, as the client meant them.
    private void Settle(bool? accepted)
    {
        for (int i = 0; i < _offered.Count; i++)
        {
            if (_offered[i].State != OfferState.Awaited) continue;
            if (accepted == false)
            {
                _offered[i].Binding?.Answered(false);
                Refuse(i);
            }
            else Bind(i);
        }
        _offered.Clear();
    }

    // The offer's id names its interface from now on. An id the same offer binds to two interfaces at once (the server
    // accepted both, or no answer said which it kept) names either: calls on it cannot be told apart.
    private void Bind(int index)
    {
        var offer = _offered[index];
        for (int j = 0; j < index; j++)
        {
            var earlier = _offered[j];
            if (earlier.State != OfferState.Bound || earlier.Id != offer.Id || earlier.Binding == offer.Binding) continue;
            earlier.Binding?.CallsUnseen = true;
            offer.Binding?.CallsUnseen = true;
        }
        _offered[index] = offer with { State = OfferState.Bound };
        _refusedIds.Remove(offer.Id);
        Remember(offer.Id, offer.Binding, offer.Named);
    }

    // A refused offer binds nothing: an id it would have bound anew names no interface, and a request naming it runs
    // nothing; an id already bound keeps its interface (the server refused to bind it again).
    private void Refuse(int index)
    {
        var offer = _offered[index];
        _offered[index] = offer with { State = OfferState.Refused };
        if (Find(offer.Id) is null && _refusedIds.Count < MaxContexts && !_refusedIds.Contains(offer.Id)) _refusedIds.Add(offer.Id);
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

    // A context of the last bind or alter_context: its id, the binding it names (null for an unnamed interface past
    // the log's bound), and what became of it.
    private readonly record struct OfferedContext(ushort Id, RpcBinding? Binding, bool Named, OfferState State);

    private enum OfferState : byte
    {
        Awaited,
        Bound,
        Refused,
    }

    // How much of a client's PDU is read: a request's head (its stub is passed unread), a bind's, alter_context's or
    // auth3's whole fragment, any other PDU's header.
    private static int WantedFromClient(CoHeader header) => header.Type switch
    {
        CoHeader.Request => Math.Min((int)header.FragLength, RequestHead),
        CoHeader.Bind or CoHeader.AlterContext or Auth3 => header.FragLength,
        _ => CoHeader.Size,
    };

    // How much of a server's PDU is read: an answer to an offer whole, any other PDU's header (a response's stub is
    // passed unread).
    private static int WantedFromServer(CoHeader header) => header.Type switch
    {
        CoHeader.BindAck or CoHeader.AlterContextResponse or CoHeader.BindNak => header.FragLength,
        _ => CoHeader.Size,
    };
}
