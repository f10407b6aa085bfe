using System.Text;
using static PortAudit.Tests.Builders.BerValues;

namespace PortAudit.Tests.Builders;

/// <summary>
/// LDAP messages (RFC 4511) as a client and a directory send them: lengths in their shortest form (OpenLDAP's), or each
/// in five bytes when <c>lengthBytes</c> is 4 (Windows' wldap32).
/// </summary>
public static class LdapMessages
{
    /// <summary>The OID of StartTLS's extended request (RFC 4511 4.14.1).</summary>
    public const string StartTlsOid = "1.3.6.1.4.1.1466.20037";

    /// <summary>An LDAPMessage: messageID <paramref name="id"/> and the operation.</summary>
    public static byte[] Message(int id, byte[] operation, int lengthBytes = 0) => Tlv(0x30, lengthBytes, Tlv(0x02, [(byte)id]), operation);

    /// <summary>A version 3 simple bind of <paramref name="dn"/> with <paramref name="password"/> (empty: anonymous or unauthenticated).</summary>
    public static byte[] SimpleBind(int id, string dn, string password, int lengthBytes = 0) =>
        Message(id, Tlv(0x60, lengthBytes, Tlv(0x02, [3]), Tlv(0x04, lengthBytes, Text(dn)), Tlv(0x80, lengthBytes, Text(password))), lengthBytes);

    /// <summary>A version 3 SASL bind ([3] SaslCredentials) with <paramref name="mechanism"/> and its credentials.</summary>
    public static byte[] SaslBind(int id, string mechanism, byte[] credentials) =>
        Message(id, Tlv(0x60, Tlv(0x02, [3]), Tlv(0x04), Tlv(0xA3, Tlv(0x04, Text(mechanism)), Tlv(0x04, credentials))));

    /// <summary>The bindResponse that says success.</summary>
    public static byte[] BindResponse(int id) => Message(id, Tlv(0x61, Tlv(0x0A, [0]), Tlv(0x04), Tlv(0x04)));

    /// <summary>A base-object search of the root DSE, (objectClass=*) as clients read it before they bind.</summary>
    public static byte[] RootDseSearch(int id) =>
        Message(id, Tlv(0x63, Tlv(0x04), Tlv(0x0A, [0]), Tlv(0x0A, [0]), Tlv(0x02, [0]), Tlv(0x02, [0]), Tlv(0x01, [0]), Tlv(0x87, Text("objectClass")), Tlv(0x30)));

    /// <summary>The searchResDone that ends a search with success.</summary>
    public static byte[] SearchResDone(int id) => Message(id, Tlv(0x65, Tlv(0x0A, [0]), Tlv(0x04), Tlv(0x04)));

    /// <summary>An extended request for StartTLS.</summary>
    public static byte[] StartTls(int id) => Message(id, Tlv(0x77, Tlv(0x80, Text(StartTlsOid))));

    /// <summary>The extended response with <paramref name="resultCode"/> (0 success, 2 protocolError: a server without TLS).</summary>
    public static byte[] ExtendedResponse(int id, byte resultCode) => Message(id, Tlv(0x78, Tlv(0x0A, [resultCode]), Tlv(0x04), Tlv(0x04)));

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);
}
