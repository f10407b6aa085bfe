using PortAudit.Inspect.DceRpc;

namespace PortAudit.Inspect;

/// <summary>The built-in inspectors in their default order: exact signatures first, weak heuristics (RTP, RTCP) last.</summary>
public static class Inspectors
{
    /// <summary>Creates one of each built-in inspector.</summary>
    public static IReadOnlyList<IInspector> CreateAll() => new IInspector[]
    {
        new DceRpcCoInspector(),
        new DceRpcClInspector(),
    };
}
