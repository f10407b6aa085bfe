namespace PortAudit.Flows;

/// <summary>
/// Tells which side of a flow whose opening was not seen is the server: the one on a port that servers use.
/// </summary>
public interface IServerPortHint
{
    /// <summary>True when <paramref name="port"/> of <paramref name="protocol"/> is a service port.</summary>
    bool IsServerPort(byte protocol, ushort port);
}

/// <summary>The classic rule: ports below 1024 are services.</summary>
public sealed class WellKnownPortHint : IServerPortHint
{
    /// <summary>The shared instance.</summary>
    public static readonly WellKnownPortHint Instance = new();

    /// <inheritdoc />
    public bool IsServerPort(byte protocol, ushort port) => port is > 0 and < 1024;
}
