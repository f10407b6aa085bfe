using PortAudit.Flows.Facts;
using PortAudit.Inspect.Ldap;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// LDAP over TCP and CLDAP over UDP (RFC 4511 4.1.1): an LDAPMessage SEQUENCE with a message ID and a known
/// protocolOp tag. The operation goes to appDetail, with the DN a bind names or a search starts from (commas kept, ';',
/// '%' and bytes outside printable ASCII percent-escaped: <see cref="AppDetailBuilder.AppendEscaped"/>); over UDP the label is cldap.
/// A TCP flow is then read by <see cref="LdapBindFollower"/> for a simple bind with a password, which it only ever sees
/// in the clear (LDAP inside TLS is not LDAP to it): <see cref="FlowWeakness.LdapCleartextBind"/>.
/// </summary>
public sealed class LdapInspector() : Inspector(new(AppLabel.Ldap, AnyTransport, [389, 3268], InspectorPrecision.Signature, 80)
{
    Produces = [AppLabel.Ldap, AppLabel.Cldap],
    // An LDAPMessage is a SEQUENCE (RFC 4511 4.1.1), over TCP and UDP alike.
    FirstBytes = Leading(0x30),
})
{
    /// <summary>Most characters of the DN written to appDetail, escapes included; a longer one is cut there.</summary>
    public const int MaxDnCharacters = 400;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        var head = LdapMessage.ReadHead(data, out var message);
        // A stream's first segments may end inside the message's head (Windows writes every length in five bytes).
        if (head == InspectResult.NeedMore) return input.IsTcp ? input.Undecided : InspectResult.NoMatch;
        if (head == InspectResult.NoMatch || (!input.IsTcp && message.Size > data.Length)) return InspectResult.NoMatch;
        string? operation = Operation(message.Operation);
        if (operation is null) return InspectResult.NoMatch;
        // The DN of a bind or a search cut short is waited for, so that the detail is the one of the message sent whole.
        if (LdapMessage.DistinguishedName(data[message.OperationAt..], out var name) == InspectResult.NeedMore && input.IsTcp && !input.AtLimit)
            return InspectResult.NeedMore;
        if (!input.IsTcp) input.Flow.App = AppLabel.Cldap;
        input.Flow.AppDetail ??= name.IsEmpty ? AppDetail.Word(operation) : Detail(operation, name);
        return InspectResult.Match;
    }

    // The DN percent-escaped (AppDetailBuilder.AppendEscaped), so that its commas stay commas and it reads back whole.
    private static AppDetail? Detail(string operation, ReadOnlySpan<byte> name)
    {
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        text.Append(operation);
        text.Part("dn");
        text.AppendEscaped(name, MaxDnCharacters);
        return text.Build();
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
