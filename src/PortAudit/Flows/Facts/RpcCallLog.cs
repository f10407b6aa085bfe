namespace PortAudit.Flows.Facts;

/// <summary>
/// One DCE/RPC interface a flow bound (a presentation context of a bind or alter_context, a connectionless call's
/// header, or an interface reached through an SMB named pipe) and the operations called on it.
/// </summary>
public sealed class RpcBinding
{
    /// <summary>
    /// Operation numbers below this are all kept, however many are called: every interface judged has fewer operations
    /// (LSARPC, the largest, about 130), so no run of calls can push a later one out of the record.
    /// </summary>
    public const int KeptOpnums = 256;

    /// <summary>Most distinct operation numbers of <see cref="KeptOpnums"/> or more kept; <see cref="MoreOpnums"/> says when more were called.</summary>
    public const int MaxOtherOpnums = 32;

    /// <summary>Most distinct operation numbers kept per binding.</summary>
    public const int MaxOpnums = KeptOpnums + MaxOtherOpnums;

    private readonly List<ushort> _opnums = [];
    // One bit per operation number below KeptOpnums, set once it is in _opnums.
    private readonly ulong[] _seen = new ulong[KeptOpnums / 64];
    private int _others;
    // Offers of this interface awaiting the server's answer, and whether an answer accepted or refused one.
    private int _unanswered;
    private bool _accepted, _refused;

    /// <summary>A binding of interface <paramref name="uuid"/>, learned by <paramref name="via"/>.</summary>
    public RpcBinding(Guid uuid, ushort? majorVersion, string via)
    {
        Uuid = uuid;
        MajorVersion = majorVersion;
        Via = via;
    }

    /// <summary>The interface UUID.</summary>
    public Guid Uuid { get; }

    /// <summary>The interface's major version, when the evidence carried it.</summary>
    public ushort? MajorVersion { get; }

    /// <summary>How it was learned: "bind", "alter_context", "cl" (a connectionless header), or "pipe NAME" (an SMB named pipe).</summary>
    public string Via { get; }

    /// <summary>
    /// Distinct operation numbers called on this binding, in the order first seen: every one below <see cref="KeptOpnums"/>,
    /// and at most <see cref="MaxOtherOpnums"/> others.
    /// </summary>
    public IReadOnlyList<ushort> Opnums => _opnums;

    /// <summary>True when more distinct operations of <see cref="KeptOpnums"/> or more were called than <see cref="Opnums"/> keeps.</summary>
    public bool MoreOpnums { get; internal set; }

    /// <summary>
    /// True when calls on this binding may have been made that were not read: its context id could not be remembered, or
    /// the pipe or stream that carried it could no longer be followed. <see cref="Opnums"/> is then what was read, not all.
    /// </summary>
    public bool CallsUnseen { get; set; }

    /// <summary>
    /// True when the server refused every offer of this interface it answered, and left none unanswered (a bind_nak, or
    /// a rejection in its bind_ack or alter_context_resp): no call on it ran. False when one was accepted, when one went
    /// unanswered (the capture missed the answer), and for bindings no server answers (a connectionless header).
    /// </summary>
    public bool Refused => _refused && !_accepted && _unanswered == 0;

    /// <summary>Notes that a bind or alter_context offered this interface; its answer is awaited (<see cref="Answered"/>).</summary>
    public void Offered() => _unanswered++;

    /// <summary>
    /// Notes the server's answer to an offer of this interface: <paramref name="accepted"/>, or refused. An answer to an
    /// offer not noted (a binding read back from a store) counts all the same.
    /// </summary>
    public void Answered(bool accepted)
    {
        if (_unanswered > 0) _unanswered--;
        if (accepted) _accepted = true;
        else _refused = true;
    }

    /// <summary>Notes a call of operation <paramref name="opnum"/>.</summary>
    public void Called(ushort opnum)
    {
        if (opnum < KeptOpnums)
        {
            ref ulong word = ref _seen[opnum >> 6];
            ulong bit = 1UL << (opnum & 63);
            if ((word & bit) != 0) return;
            word |= bit;
            _opnums.Add(opnum);
            return;
        }
        if (_opnums.Contains(opnum)) return;
        if (_others < MaxOtherOpnums)
        {
            _opnums.Add(opnum);
            _others++;
        }
        else MoreOpnums = true;
    }
}

/// <summary>
/// What a flow's DCE/RPC conversation bound and called, for the audit to judge every interface and operation, not only
/// the first (a bind offers several contexts, alter_context adds more). Bounded: every binding of an interface the audit
/// judges by name (the well-known table, a few dozen), and <see cref="MaxBindings"/> others.
/// </summary>
public sealed class RpcCallLog
{
    /// <summary>
    /// Most bindings of unnamed interfaces kept per flow; <see cref="MoreBindings"/> says when more were seen. Bindings of
    /// named interfaces are always kept: a bind padded with unknown interfaces (Metasploit's fake_bind_multi) must not push
    /// the one that matters out.
    /// </summary>
    public const int MaxBindings = 16;

    private readonly List<RpcBinding> _bindings = [];
    private int _unnamed;
    private bool _lost;

    /// <summary>Every binding seen, in order: every named one, and at most <see cref="MaxBindings"/> others.</summary>
    public IReadOnlyList<RpcBinding> Bindings => _bindings;

    /// <summary>True when more bindings were offered than <see cref="Bindings"/> keeps.</summary>
    public bool MoreBindings { get; internal set; }

    /// <summary>
    /// Why the RPC of this flow cannot be read, when it cannot ("smb3 encrypted", "rpc over https"); null when it can.
    /// </summary>
    public string? Uninspectable { get; set; }

    /// <summary>
    /// The binding of <paramref name="uuid"/> learned by <paramref name="via"/>, added when new; null when the log holds
    /// <see cref="MaxBindings"/> unnamed ones and this is another. <paramref name="named"/>: the interface is in the
    /// well-known table, so the audit may judge it: such a binding is always kept.
    /// </summary>
    public RpcBinding? Bind(Guid uuid, ushort? majorVersion, string via, bool named = true)
    {
        foreach (var known in _bindings)
            if (known.Uuid == uuid) return known;
        if (!named && _unnamed >= MaxBindings)
        {
            MoreBindings = true;
            return null;
        }
        if (!named) _unnamed++;
        var binding = new RpcBinding(uuid, majorVersion, via) { CallsUnseen = _lost };
        _bindings.Add(binding);
        return binding;
    }

    /// <summary>
    /// Notes that the flow's DCE/RPC could not be followed to its end (<paramref name="why"/>: a TCP stream that broke, bytes
    /// that are no PDU): <see cref="Uninspectable"/> says why, and every binding, this one's and any to come, may have had
    /// calls that were not read (<see cref="RpcBinding.CallsUnseen"/>).
    /// </summary>
    public void LoseCalls(string why)
    {
        _lost = true;
        MissedCalls(why);
    }

    /// <summary>
    /// Notes that calls may have been made that were not read (<paramref name="why"/>: a message that could not be read,
    /// a pipe no longer followed): <see cref="Uninspectable"/> says why, and every binding so far is marked
    /// (<see cref="RpcBinding.CallsUnseen"/>); bindings to come are read as usual.
    /// </summary>
    public void MissedCalls(string why)
    {
        Uninspectable ??= why;
        foreach (var binding in _bindings) binding.CallsUnseen = true;
    }
}
