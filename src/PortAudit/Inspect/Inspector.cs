using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Inspect;

/// <summary>
/// Base of the built-in inspectors: holds the declaration (label, transport, usual ports, place in the order), so that
/// each protocol's class holds only its reading of the bytes.
/// </summary>
public abstract class Inspector : IInspector
{
    /// <summary>An inspector that declares itself by <paramref name="descriptor"/>.</summary>
    protected Inspector(InspectorDescriptor descriptor) => Descriptor = descriptor;

    /// <summary>TCP and UDP alike, for <see cref="InspectorDescriptor.Transport"/>.</summary>
    protected const byte AnyTransport = 0;

    /// <summary>TCP, for <see cref="InspectorDescriptor.Transport"/>.</summary>
    protected const byte Tcp = IpProtocol.Tcp;

    /// <summary>UDP, for <see cref="InspectorDescriptor.Transport"/>.</summary>
    protected const byte Udp = IpProtocol.Udp;

    /// <inheritdoc />
    public InspectorDescriptor Descriptor { get; }

    /// <inheritdoc />
    public virtual bool HintsPort(byte protocol, ushort port) => Descriptor.HintsPort(protocol, port);

    /// <inheritdoc />
    public abstract InspectResult Inspect(ref InspectionInput input);
}
