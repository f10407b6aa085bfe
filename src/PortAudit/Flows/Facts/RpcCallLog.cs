namespace PortAudit.Flows.Facts;

/// <summary>
/// One DCE/RPC interface a flow bound (a presentation context of a bind or alter_context, a connectionless call's
/// header, or an interface reached through an SMB named pipe) and the operations called on it.
/// </summary>
public sealed class RpcBinding
{
    /// <summary>Most distinct operation numbers kept per binding; <see cref="MoreOpnums"/> says when more were called.</summary>
    public const int MaxOpnums = 32;

    private readonly List<ushort> _opnums = [];

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

    /// <summary>Distinct operation numbers called on this binding, in the order first seen, at most <see cref="MaxOpnums"/>.</summary>
    public IReadOnlyList<ushort> Opnums => _opnums;

    /// <summary>True when more distinct operations were called than <see cref="Opnums"/> keeps.</summary>
    public bool MoreOpnums { get; internal set; }

    /// <summary>Notes a call of operation <paramref name="opnum"/>.</summary>
    public void Called(ushort opnum)
    {
        if (_opnums.Contains(opnum)) return;
        if (_opnums.Count < MaxOpnums) _opnums.Add(opnum);
        else MoreOpnums = true;
    }
}

/// <summary>
/// What a flow's DCE/RPC conversation bound and called, for the audit to judge every interface and operation, not only
/// the first (a bind offers several contexts, alter_context adds more). Bounded: <see cref="MaxBindings"/> bindings.
/// </summary>
public sealed class RpcCallLog
{
    /// <summary>Most bindings kept per flow; <see cref="MoreBindings"/> says when more were seen.</summary>
    public const int MaxBindings = 16;

    private readonly List<RpcBinding> _bindings = [];

    /// <summary>Every binding seen, in order, at most <see cref="MaxBindings"/>.</summary>
    public IReadOnlyList<RpcBinding> Bindings => _bindings;

    /// <summary>True when more bindings were offered than <see cref="Bindings"/> keeps.</summary>
    public bool MoreBindings { get; internal set; }

    /// <summary>
    /// Why the RPC of this flow cannot be read, when it cannot ("smb3 encrypted", "rpc over https"); null when it can.
    /// </summary>
    public string? Uninspectable { get; set; }

    /// <summary>The binding of <paramref name="uuid"/> learned by <paramref name="via"/>, added when new; null when the log is full.</summary>
    public RpcBinding? Bind(Guid uuid, ushort? majorVersion, string via)
    {
        foreach (var known in _bindings)
            if (known.Uuid == uuid) return known;
        if (_bindings.Count >= MaxBindings)
        {
            MoreBindings = true;
            return null;
        }
        var binding = new RpcBinding(uuid, majorVersion, via);
        _bindings.Add(binding);
        return binding;
    }
}
