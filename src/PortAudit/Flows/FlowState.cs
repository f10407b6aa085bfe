namespace PortAudit.Flows;

/// <summary>How a flow's opening went, as far as the capture shows.</summary>
public enum FlowState
{
    /// <summary>TCP handshake answered by the server, or a UDP/other flow that got a reply.</summary>
    Established,
    /// <summary>A RST or an ICMP destination-unreachable answered the opening.</summary>
    Rejected,
    /// <summary>Nothing came back.</summary>
    Unanswered,
    /// <summary>A flow whose opening was not captured: TCP joined after its handshake, or another transport's flow holding only its server's packets.</summary>
    Midstream,
    /// <summary>A firewall logged that it denied or dropped the opening: direct evidence of a block (flow-record sources only).</summary>
    Blocked,
}

/// <summary>Text forms of <see cref="FlowState"/> used in every output.</summary>
public static class FlowStateNames
{
    /// <summary>The lowercase name: established, rejected, unanswered, midstream, blocked.</summary>
    public static string Name(this FlowState state) => state switch
    {
        FlowState.Established => "established",
        FlowState.Rejected => "rejected",
        FlowState.Unanswered => "unanswered",
        FlowState.Blocked => "blocked",
        _ => "midstream",
    };

    /// <summary>The state named <paramref name="name"/> (as <see cref="Name"/> writes it); false for an unknown name.</summary>
    public static bool TryParse(string name, out FlowState state)
    {
        // A lookup, asked once per flow read back from a file: no enumeration of the names.
        state = name switch
        {
            "established" => FlowState.Established,
            "rejected" => FlowState.Rejected,
            "unanswered" => FlowState.Unanswered,
            "blocked" => FlowState.Blocked,
            _ => FlowState.Midstream,
        };
        return name == "midstream" || state != FlowState.Midstream;
    }
}
