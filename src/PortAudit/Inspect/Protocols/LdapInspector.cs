using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// LDAP over TCP and CLDAP over UDP (RFC 4511 4.1.1): an LDAPMessage SEQUENCE with a message ID and a known
/// protocolOp tag. The operation goes to appDetail, with the DN a bind names or a search starts from; over UDP the label is cldap.
/// A simple bind with a password, which this inspector only ever sees in the clear (LDAP inside TLS is not LDAP to it),
/// is noted as <see cref="FlowWeakness.LdapCleartextBind"/>.
/// </summary>
public sealed class LdapInspector() : Inspector(new(AppLabel.Ldap, AnyTransport, [389, 3268], InspectorPrecision.Signature, 80)
{
    Produces = [AppLabel.Ldap, AppLabel.Cldap],
    // An LDAPMessage is a SEQUENCE (RFC 4511 4.1.1), over TCP and UDP alike.
    FirstBytes = Leading(0x30),
})
{
    // Messages of the stream prefix looked at for a bind: a client may search the root DSE before it binds.
    private const int MaxMessages = 8;
    private const byte Sequence = 0x30, BindRequest = 0x60, Integer = 0x02, OctetString = 0x04;
    // AuthenticationChoice simple [0] (RFC 4511 4.2): a primitive context tag holding the password itself.
    private const byte Simple = 0x80;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (data.Length < 7) return input.IsTcp && !input.AtLimit && data.Length > 0 && data[0] == 0x30 ? InspectResult.NeedMore : InspectResult.NoMatch;
        if (!Ber.TryHeader(data, out byte tag, out int length, out int header) || tag != 0x30 || length < 5) return InspectResult.NoMatch;
        if (!input.IsTcp && header + length > data.Length) return InspectResult.NoMatch;
        var body = data[header..];
        if (!Ber.TryInteger(body, out int id, out int idSize) || id < 0) return InspectResult.NoMatch;
        if (body.Length <= idSize) return InspectResult.NoMatch;
        string? operation = Operation(body[idSize]);
        if (operation is null) return InspectResult.NoMatch;
        if (!input.IsTcp) input.Flow.App = AppLabel.Cldap;
        else if (HasPasswordBind(data)) input.Flow.Weakness |= FlowWeakness.LdapCleartextBind;
        input.Flow.AppDetail ??= DistinguishedName(body[idSize..]) is { Length: > 0 } dn
            ? AppDetail.Of(new(null, operation), new("dn", dn))
            : AppDetail.Word(operation);
        return InspectResult.Match;
    }

    /// <summary>True when one of the whole LDAPMessages at the start of <paramref name="data"/> is a simple bind with a non-empty password.</summary>
    private static bool HasPasswordBind(ReadOnlySpan<byte> data)
    {
        for (int i = 0; i < MaxMessages && Ber.TryHeader(data, out byte tag, out int length, out int header) && tag == Sequence; i++)
        {
            if ((long)header + length > data.Length) return false;
            var body = data.Slice(header, length);
            if (Ber.TryInteger(body, out _, out int idSize) && body.Length > idSize && body[idSize] == BindRequest
                && SimpleBindPasswordLength(body[idSize..]) > 0)
                return true;
            data = data[(header + length)..];
        }
        return false;
    }

    /// <summary>The length of a bindRequest's simple password; -1 when it authenticates otherwise (SASL) or cannot be read.</summary>
    private static int SimpleBindPasswordLength(ReadOnlySpan<byte> bind)
    {
        if (!Ber.TryHeader(bind, out _, out int length, out int header) || (long)header + length > bind.Length) return -1;
        var content = bind.Slice(header, length);
        // version INTEGER, name LDAPDN, then the authentication choice.
        foreach (byte expected in (ReadOnlySpan<byte>)[Integer, OctetString])
        {
            if (!Ber.TryHeader(content, out byte tag, out int fieldLength, out int fieldHeader) || tag != expected
                || (long)fieldHeader + fieldLength > content.Length)
                return -1;
            content = content[(fieldHeader + fieldLength)..];
        }
        if (!Ber.TryHeader(content, out byte authTag, out int authLength, out int authHeader) || authTag != Simple
            || (long)authHeader + authLength > content.Length)
            return -1;
        return authLength;
    }

    /// <summary>The LDAPDN of a bindRequest (after its version) or a searchRequest (its base object), or null.</summary>
    private static string? DistinguishedName(ReadOnlySpan<byte> operation)
    {
        byte op = operation[0];
        if (op is not (0x60 or 0x63) || !Ber.TryHeader(operation, out _, out _, out int header)) return null;
        var content = operation[header..];
        if (op == 0x60)
        {
            if (!Ber.TryHeader(content, out byte versionTag, out int versionLength, out int versionHeader) || versionTag != 0x02
                || versionHeader + versionLength > content.Length)
                return null;
            content = content[(versionHeader + versionLength)..];
        }
        if (!Ber.TryHeader(content, out byte tag, out int length, out int dnHeader) || tag != 0x04 || dnHeader + length > content.Length)
            return null;
        return AsciiText.Printable(content.Slice(dnHeader, length), 100);
    }

    private static string? Operation(byte tag) => tag switch
    {
        0x60 => "bindRequest",
        0x61 => "bindResponse",
        0x42 => "unbindRequest",
        0x63 => "searchRequest",
        0x64 => "searchResEntry",
        0x65 => "searchResDone",
        0x73 => "searchResRef",
        0x66 => "modifyRequest",
        0x67 => "modifyResponse",
        0x68 => "addRequest",
        0x69 => "addResponse",
        0x4A => "delRequest",
        0x6B => "delResponse",
        0x6C => "modDNRequest",
        0x6D => "modDNResponse",
        0x6E => "compareRequest",
        0x6F => "compareResponse",
        0x50 => "abandonRequest",
        0x77 => "extendedRequest",
        0x78 => "extendedResponse",
        0x79 => "intermediateResponse",
        _ => null,
    };
}
