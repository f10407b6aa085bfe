namespace PortAudit.Inspect.Ldap;

/// <summary>
/// What the inspector and the bind follower read of an LDAPMessage (RFC 4511 4.1.1): SEQUENCE { messageID INTEGER,
/// protocolOp, controls [0] OPTIONAL }, from bytes that may end anywhere inside it (a TCP stream's first segments).
/// </summary>
internal static class LdapMessage
{
    /// <summary>The protocolOp tag of a bindRequest ([APPLICATION 0]).</summary>
    public const byte BindRequest = 0x60;

    /// <summary>The protocolOp tag of a searchRequest ([APPLICATION 3]).</summary>
    public const byte SearchRequest = 0x63;

    /// <summary>AuthenticationChoice simple [0] (RFC 4511 4.2): a primitive context tag holding the password itself.</summary>
    public const byte Simple = 0x80;

    private const byte Sequence = 0x30, Integer = 0x02, OctetString = 0x04;

    // The shortest message: a one-byte messageID (3 bytes) and an operation's tag and length.
    private const int MinLength = 5;

    // The longest message taken: 10 MiB, Active Directory's MaxReceiveBuffer (the largest request a DC reads; OpenLDAP
    // takes at most 4 MiB from a bound client). A longer length is no LDAP request.
    private const int MaxLength = 10 << 20;

    /// <summary>
    /// Reads the message at the start of <paramref name="data"/> up to its operation's tag. <see cref="InspectResult.Match"/>
    /// with <paramref name="head"/> set; <see cref="InspectResult.NeedMore"/> when the bytes end before the operation's
    /// tag; <see cref="InspectResult.NoMatch"/> when they are no LDAPMessage.
    /// </summary>
    public static InspectResult ReadHead(ReadOnlySpan<byte> data, out LdapMessageHead head)
    {
        head = default;
        if (data.IsEmpty) return InspectResult.NeedMore;
        if (data[0] != Sequence) return InspectResult.NoMatch;
        if (!Ber.TryHeader(data, out _, out int length, out int header)) return Ber.Unread(data);
        if (length is < MinLength or > MaxLength) return InspectResult.NoMatch;
        // messageID: INTEGER (0 .. maxInt), one to four bytes.
        var body = data[header..];
        if (body.Length < 3) return InspectResult.NeedMore;
        if (body[0] != Integer || body[1] is < 1 or > 4 || body[2] >= 0x80) return InspectResult.NoMatch;
        int idSize = 2 + body[1];
        if (idSize >= length) return InspectResult.NoMatch;
        if (body.Length <= idSize) return InspectResult.NeedMore;
        head = new LdapMessageHead(header + length, header + idSize, body[idSize]);
        return InspectResult.Match;
    }

    /// <summary>
    /// Reads a bindRequest (<paramref name="bind"/> from its tag; RFC 4511 4.2: version, name, authentication) up to its
    /// authentication choice: <see cref="InspectResult.Match"/> with <paramref name="authentication"/>'s tag and the
    /// length of its value, whose bytes are all here for a simple bind (the password); <see cref="InspectResult.NeedMore"/>
    /// when the bytes end before; <see cref="InspectResult.NoMatch"/> when malformed.
    /// </summary>
    public static InspectResult ReadBind(ReadOnlySpan<byte> bind, out byte authentication, out int credentialsLength)
    {
        authentication = 0;
        credentialsLength = 0;
        var result = BindName(bind, out _, out int at);
        if (result != InspectResult.Match) return result;
        var choice = bind[at..];
        if (!Ber.TryHeader(choice, out authentication, out credentialsLength, out int header)) return Ber.Unread(choice);
        return authentication == Simple && (long)header + credentialsLength > choice.Length ? InspectResult.NeedMore : InspectResult.Match;
    }

    /// <summary>
    /// The LDAPDN a bindRequest names or a searchRequest starts from (<paramref name="operation"/> from its tag):
    /// <see cref="InspectResult.Match"/> with <paramref name="name"/>; <see cref="InspectResult.NeedMore"/> when the bytes end
    /// before its end; <see cref="InspectResult.NoMatch"/> for another operation or a malformed one.
    /// </summary>
    public static InspectResult DistinguishedName(ReadOnlySpan<byte> operation, out ReadOnlySpan<byte> name)
    {
        name = default;
        if (operation.IsEmpty || operation[0] is not (BindRequest or SearchRequest)) return InspectResult.NoMatch;
        Range bounds = default;
        // A search's base object is its first field.
        var result = operation[0] == BindRequest ? BindName(operation, out bounds, out _)
            : Ber.TryHeader(operation, out _, out _, out int header) ? Field(operation, header, OctetString, out bounds, out _)
            : Ber.Unread(operation);
        if (result == InspectResult.Match) name = operation[bounds];
        return result;
    }

    // A bindRequest's version INTEGER and name LDAPDN, from its tag: where the name lies, and where the authentication
    // choice after it begins.
    private static InspectResult BindName(ReadOnlySpan<byte> bind, out Range name, out int next)
    {
        name = default;
        next = 0;
        if (!Ber.TryHeader(bind, out _, out _, out int header)) return Ber.Unread(bind);
        var result = Field(bind, header, Integer, out _, out int version);
        return result == InspectResult.Match ? Field(bind, version, OctetString, out name, out next) : result;
    }

    // The field at data[at..], of the tag expected, whole: where its value lies, and where it ends.
    private static InspectResult Field(ReadOnlySpan<byte> data, int at, byte expected, out Range value, out int end)
    {
        value = default;
        end = 0;
        var field = data[at..];
        if (!Ber.TryHeader(field, out byte tag, out int length, out int header)) return Ber.Unread(field);
        if (tag != expected) return InspectResult.NoMatch;
        if ((long)header + length > field.Length) return InspectResult.NeedMore;
        end = at + header + length;
        value = (at + header)..end;
        return InspectResult.Match;
    }
}

/// <summary>Where an LDAPMessage's parts lie, from its first byte.</summary>
/// <param name="Size">The whole message's bytes, header included.</param>
/// <param name="OperationAt">Where the protocolOp begins.</param>
/// <param name="Operation">The protocolOp's tag.</param>
internal readonly record struct LdapMessageHead(int Size, int OperationAt, byte Operation);
