namespace PortAudit.Flows;

/// <summary>
/// What a flow's sides (which end is the client) rest on. A store keeps it with the flow, so that an audit reading the
/// flow back takes a guess from ports again with its own catalog's ports, as an audit of the capture does.
/// </summary>
public enum FlowSides : byte
{
    /// <summary>The opening was seen (a SYN or SYN-ACK), or a flow record stated the sides: they are facts.</summary>
    Opening,
    /// <summary>Inspection read the application's content and it showed which end asks and which answers.</summary>
    Content,
    /// <summary>Neither: the sides were taken from the ports (<see cref="IServerPortHint"/>), a guess another hint may take otherwise.</summary>
    Ports,
}

/// <summary>Text forms of <see cref="FlowSides"/>, as a store writes them.</summary>
public static class FlowSidesNames
{
    /// <summary>opening, content, ports.</summary>
    public static string Name(this FlowSides sides) => sides switch
    {
        FlowSides.Opening => "opening",
        FlowSides.Content => "content",
        _ => "ports",
    };

    /// <summary>The sides named <paramref name="name"/>; <see cref="FlowSides.Opening"/> (take them as stored) for an unknown name.</summary>
    public static FlowSides Parse(string? name) => name switch
    {
        "content" => FlowSides.Content,
        "ports" => FlowSides.Ports,
        _ => FlowSides.Opening,
    };
}
