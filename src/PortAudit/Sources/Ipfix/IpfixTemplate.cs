namespace PortAudit.Sources.Ipfix;

/// <summary>One field specifier of a template: information element, enterprise (0 for IANA's), length (65535: variable).</summary>
/// <param name="Id">Information element id, enterprise bit cleared.</param>
/// <param name="Enterprise">Private enterprise number; 29305 marks RFC 5103 reverse elements.</param>
/// <param name="Length">Encoded length in bytes; <see cref="IpfixTemplate.VariableLength"/> for variable-length fields.</param>
public readonly record struct IpfixField(ushort Id, uint Enterprise, ushort Length);

/// <summary>
/// A template (or options template) as an exporter announced it. Options templates describe the exporter itself
/// (sampling, interface names), not flows: their data sets are passed over, not rejected.
/// </summary>
public sealed class IpfixTemplate
{
    /// <summary>The length that marks a variable-length field (RFC 7011 §7).</summary>
    public const ushort VariableLength = 65535;

    /// <summary>A template of <paramref name="fields"/>.</summary>
    public IpfixTemplate(IpfixField[] fields, bool options)
    {
        Fields = fields;
        Options = options;
        foreach (var field in fields) MinRecordLength += field.Length == VariableLength ? 1 : field.Length;
    }

    /// <summary>The field specifiers, in record order.</summary>
    public IpfixField[] Fields { get; }

    /// <summary>True for an options template.</summary>
    public bool Options { get; }

    /// <summary>The shortest record: padding at the end of a set is shorter than this.</summary>
    public int MinRecordLength { get; }
}
