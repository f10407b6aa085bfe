namespace PortAudit.Audit;

/// <summary>What the audit concludes about one flow, given the roles of both ends.</summary>
public enum Verdict
{
    /// <summary>A rule allows it; the rule is recorded.</summary>
    Expected,

    /// <summary>DCE/RPC to a dynamic port, explained by an endpoint-mapper answer or a bind, between roles allowed the mapper and the range.</summary>
    ExpectedDynamicRpc,

    /// <summary>Port and roles match a rule, but the protocol inspection found contradicts the rule's protocol.</summary>
    ProtocolMismatch,

    /// <summary>Both ends are known (or matched by <c>any</c>) and no rule allows the flow.</summary>
    Unexpected,

    /// <summary>An end is not in the inventory and no <c>any</c> rule allows the flow.</summary>
    Unmapped,

    /// <summary>An end is on the inventory's ignore list; the flow is left out of every count but this one.</summary>
    Ignored,
}

/// <summary>Text forms of <see cref="Verdict"/> used in every output.</summary>
public static class VerdictNames
{
    /// <summary>Every verdict in report order.</summary>
    public static readonly Verdict[] All = Enum.GetValues<Verdict>();

    /// <summary>The kebab-case name: expected, expected-dynamic-rpc, protocol-mismatch, unexpected, unmapped, ignored.</summary>
    public static string Name(this Verdict verdict) => verdict switch
    {
        Verdict.Expected => "expected",
        Verdict.ExpectedDynamicRpc => "expected-dynamic-rpc",
        Verdict.ProtocolMismatch => "protocol-mismatch",
        Verdict.Unexpected => "unexpected",
        Verdict.Unmapped => "unmapped",
        _ => "ignored",
    };
}
