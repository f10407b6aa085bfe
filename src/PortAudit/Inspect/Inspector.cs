using System.Buffers;
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

    /// <summary>The first bytes <paramref name="bytes"/>, for <see cref="InspectorDescriptor.FirstBytes"/>.</summary>
    protected static SearchValues<byte> Leading(params ReadOnlySpan<byte> bytes) => SearchValues.Create(bytes);

    /// <summary>The bytes from <paramref name="first"/> to <paramref name="last"/>, both included, for <see cref="Leading"/>.</summary>
    protected static byte[] Between(byte first, byte last)
    {
        var bytes = new byte[last - first + 1];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(first + i);
        return bytes;
    }

    /// <inheritdoc />
    public InspectorDescriptor Descriptor { get; }

    /// <inheritdoc />
    public virtual bool HintsPort(byte protocol, ushort port) => Descriptor.HintsPort(protocol, port);

    /// <inheritdoc />
    public abstract InspectResult Inspect(ref InspectionInput input);
}
