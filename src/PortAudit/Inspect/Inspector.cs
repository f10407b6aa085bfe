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
    protected static byte[] Between(byte first, byte last) => Where(b => b >= first && b <= last);

    /// <summary>Every byte <paramref name="takes"/> holds true for, for <see cref="Leading"/>: a field's bits that must be clear.</summary>
    protected static byte[] Where(Func<byte, bool> takes)
    {
        var bytes = new List<byte>(256);
        for (int b = 0; b <= byte.MaxValue; b++)
            if (takes((byte)b)) bytes.Add((byte)b);
        return [.. bytes];
    }

    /// <summary>Printable ASCII (space to tilde), where a text protocol's line may start, for <see cref="Leading"/>.</summary>
    protected static byte[] PrintableText => Between((byte)' ', (byte)'~');

    /// <inheritdoc />
    public InspectorDescriptor Descriptor { get; }

    /// <inheritdoc />
    public virtual bool HintsPort(byte protocol, ushort port) => Descriptor.HintsPort(protocol, port);

    /// <inheritdoc />
    public abstract InspectResult Inspect(ref InspectionInput input);
}
