namespace PortAudit.Catalog;

/// <summary>
/// How strongly the catalog marks a port as a listening (server) port. The flow table uses it
/// to tell the server side of a flow whose first packet was not captured.
/// </summary>
public enum PortHint
{
    /// <summary>No rule names the port.</summary>
    None = 0,

    /// <summary>The port lies only inside a default dynamic RPC range; clients use such ports too.</summary>
    Dynamic = 1,

    /// <summary>The port lies inside a declared range such as a media range.</summary>
    Range = 2,

    /// <summary>A rule names this exact port.</summary>
    Fixed = 3,
}
