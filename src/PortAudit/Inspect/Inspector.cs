using PortAudit.Decode;

namespace PortAudit.Inspect;

/// <summary>
/// Base of the built-in inspectors: holds the label and the usual ports, so that each protocol's class holds only
/// its reading of the bytes.
/// </summary>
public abstract class Inspector : IInspector
{
    private readonly byte _transport;
    private readonly ushort[] _ports;

    /// <summary>An inspector labelled <paramref name="name"/> whose usual ports are <paramref name="ports"/> on <paramref name="transport"/> (0: TCP and UDP).</summary>
    protected Inspector(string name, byte transport, params ushort[] ports)
    {
        Name = name;
        _transport = transport;
        _ports = ports;
    }

    /// <summary>TCP and UDP alike, for <see cref="Inspector(string, byte, ushort[])"/>.</summary>
    protected const byte AnyTransport = 0;

    /// <summary>TCP, for <see cref="Inspector(string, byte, ushort[])"/>.</summary>
    protected const byte Tcp = IpProtocol.Tcp;

    /// <summary>UDP, for <see cref="Inspector(string, byte, ushort[])"/>.</summary>
    protected const byte Udp = IpProtocol.Udp;

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public virtual bool HintsPort(byte protocol, ushort port) =>
        (_transport == AnyTransport || protocol == _transport) && Array.IndexOf(_ports, port) >= 0;

    /// <inheritdoc />
    /// <remarks>
    /// Overrides are marked AggressiveOptimization: each runs a few times per flow on every flow, and compiling it once,
    /// fully optimised, costs less than tiering it up (instrumented code, then a rejit) in runs of a few million packets.
    /// </remarks>
    public abstract InspectResult Inspect(ref InspectionInput input);
}
