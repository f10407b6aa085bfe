namespace PortAudit.Inspect;

/// <summary>What an inspector concluded from the bytes it was shown so far.</summary>
public enum InspectResult
{
    /// <summary>Not decided yet: show me more bytes of this flow.</summary>
    NeedMore,
    /// <summary>This flow does not carry my protocol; do not ask again.</summary>
    NoMatch,
    /// <summary>This flow carries my protocol and the detail is complete.</summary>
    Match,
    /// <summary>This flow carries my protocol, but later bytes may still complete the detail (ServerHello, STARTTLS...).</summary>
    Partial,
}
