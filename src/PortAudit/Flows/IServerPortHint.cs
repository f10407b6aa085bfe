namespace PortAudit.Flows;

/// <summary>
/// Tells which side of a flow whose opening was not seen is the server: the one on a port that servers use.
/// </summary>
public interface IServerPortHint
{
    /// <summary>True when <paramref name="port"/> of <paramref name="protocol"/> is a service port.</summary>
    bool IsServerPort(byte protocol, ushort port);
}

/// <summary>The one rule that takes a flow's sides from its ports, for the flow table and for flows read back from a store.</summary>
public static class ServerPortHints
{
    /// <summary>
    /// True when the sender of a flow's first packet, from <paramref name="sourcePort"/> to
    /// <paramref name="destinationPort"/>, is taken for the client: unless its own port serves and the other does not.
    /// </summary>
    public static bool SenderIsClient(this IServerPortHint hint, byte protocol, ushort sourcePort, ushort destinationPort) =>
        !(hint.IsServerPort(protocol, sourcePort) && !hint.IsServerPort(protocol, destinationPort));

    /// <summary>
    /// True when a flow whose sides another run took from ports (a stored flow, our own flow file read back) would have
    /// its sides the other way round with <paramref name="hint"/>: the first packet's sender, the server when
    /// <paramref name="firstSentByServer"/>, is not taken for what it was taken for.
    /// </summary>
    public static bool WouldTurn(this IServerPortHint hint, byte protocol, ushort clientPort, ushort serverPort, bool firstSentByServer)
    {
        var (from, to) = firstSentByServer ? (serverPort, clientPort) : (clientPort, serverPort);
        return hint.SenderIsClient(protocol, from, to) == firstSentByServer;
    }
}

/// <summary>The classic rule: ports below 1024 are services.</summary>
public sealed class WellKnownPortHint : IServerPortHint
{
    /// <summary>The shared instance.</summary>
    public static readonly WellKnownPortHint Instance = new();

    /// <inheritdoc />
    public bool IsServerPort(byte protocol, ushort port) => port is > 0 and < 1024;
}
