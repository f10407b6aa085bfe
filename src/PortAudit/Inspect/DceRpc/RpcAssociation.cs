using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.Ntlm;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// One DCE/RPC association as its client speaks it (a TCP connection, or one SMB named pipe): which interface each
/// presentation context id names, learned from every bind and alter_context, and the operation of each request,
/// recorded in the flow's <see cref="RpcCallLog"/>. Every follower that reads client PDUs hands them here, so that the
/// recording is the same whatever carries the PDUs. Also looks in the auth verifiers for an NTLMv1 AUTHENTICATE.
/// Bounded: <see cref="MaxContexts"/> context ids.
/// </summary>
public sealed class RpcAssociation
{
    /// <summary>Most context ids remembered; ids offered past it are recorded as bindings but their requests are not.</summary>
    public const int MaxContexts = 32;

    /// <summary>PTYPE of the auth3 PDU, which carries the third leg of a three-leg authentication (NTLM's AUTHENTICATE).</summary>
    public const byte Auth3 = 16;


    // server_boot (4) follows the activity UUID; then if_vers (DCE 1.1 RPC 12.5.3.1).
    private const int ClInterfaceVersionOffset = 60;

    private readonly ushort[] _ids = new ushort[MaxContexts];
    private readonly RpcBinding?[] _bindings = new RpcBinding?[MaxContexts];
    private readonly string? _via;
    private int _count;

    /// <summary>
    /// An association whose bindings are learned "by bind" or "by alter_context", or all by <paramref name="via"/>
    /// when given ("pipe NAME": the pipe is the evidence a review needs).
    /// </summary>
    public RpcAssociation(string? via = null) => _via = via;

    /// <summary>
    /// Reads one PDU the client sent: <paramref name="pdu"/> starts at its header and holds the fragment or, from a
    /// pipe write cut short, its first bytes.
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
            case CoHeader.Request when pdu.Length >= CoHeader.RequestOpnumOffset + 2:
                ushort id = CoHeader.Read16(pdu[CoHeader.RequestContextOffset..], header.LittleEndian);
                // A context never seen bound (the capture began after the bind) names no interface: nothing to record.
                if (Find(id) is { } at) _bindings[at]?.Called(CoHeader.Read16(pdu[CoHeader.RequestOpnumOffset..], header.LittleEndian));
                return;
        }
    }

    /// <summary>Records the interface and operation a connectionless request's header names (Via "cl").</summary>
    public static void ReadConnectionless(Flow flow, ReadOnlySpan<byte> datagram)
    {
        if (!ClHeader.TryRead(datagram, out var header) || header.Type != ClHeader.Request || header.Interface == Guid.Empty) return;
        // if_vers carries the major version in its low 16 bits (a v1.0 interface sends 1).
        ushort major = (ushort)CoHeader.Read32(datagram[ClInterfaceVersionOffset..], header.LittleEndian);
        Log(flow).Bind(header.Interface, major, "cl")?.Called(header.Opnum);
    }

    /// <summary>The flow's call log, created on first need.</summary>
    public static RpcCallLog Log(Flow flow) => flow.RpcCalls ??= new RpcCallLog();

    private void Offer(Flow flow, in CoHeader header, ReadOnlySpan<byte> pdu)
    {
        string via = _via ?? (header.Type == CoHeader.Bind ? "bind" : "alter_context");
        foreach (var context in new PresentationContextList(pdu, header.LittleEndian))
            Remember(context.Id, Log(flow).Bind(context.Interface, context.MajorVersion, via));
    }

    private void CheckAuth(Flow flow, in CoHeader header, ReadOnlySpan<byte> pdu)
    {
        // The auth value ends the fragment, after its 8-byte sec_trailer; a fragment cut short has none to read.
        if (header.AuthLength == 0 || pdu.Length < header.FragLength) return;
        var value = pdu.Slice(header.FragLength - header.AuthLength, header.AuthLength);
        if (NtlmMessage.ContainsV1Authenticate(value)) flow.Weakness |= FlowWeakness.NtlmV1;
    }

    private void Remember(ushort id, RpcBinding? binding)
    {
        // An id bound again (alter_context may reuse one) names its latest interface.
        if (Find(id) is { } known)
        {
            _bindings[known] = binding;
            return;
        }
        if (_count >= MaxContexts) return;
        _ids[_count] = id;
        _bindings[_count++] = binding;
    }

    private int? Find(ushort id)
    {
        for (int i = 0; i < _count; i++)
            if (_ids[i] == id) return i;
        return null;
    }
}
