namespace PortAudit.Inspect;

/// <summary>
/// Recognises one application protocol from the first bytes of a flow's directions. Detection is by content;
/// the port hint only decides which inspectors are asked first.
/// </summary>
public interface IInspector
{
    /// <summary>What the inspector declares about itself: its label, transports, usual ports and place in the order.</summary>
    InspectorDescriptor Descriptor { get; }

    /// <summary>True when <paramref name="port"/> is where this protocol usually listens on <paramref name="protocol"/> (an ordering hint only).</summary>
    bool HintsPort(byte protocol, ushort port);

    /// <summary>Looks at the bytes; on a match writes what it found into <see cref="InspectionInput.Flow"/>. Never throws on any input.</summary>
    InspectResult Inspect(ref InspectionInput input);
}
