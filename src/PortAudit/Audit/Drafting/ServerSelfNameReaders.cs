using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Text;
using PortAudit.Common;
using PortAudit.Inspect;

namespace PortAudit.Audit.Drafting;

/// <summary>What a directory server said of itself: its DNS name and whether it is a global catalog.</summary>
/// <param name="DnsHostName">Its DNS host name, lower-cased, or null.</param>
/// <param name="GlobalCatalog">True or false when it said (rootDSE <c>isGlobalCatalogReady</c>, Netlogon <c>DS_GC_FLAG</c>), null when it did not.</param>
/// <param name="DomainController">True when a Netlogon answer carried <c>DS_DS_FLAG</c>: an Active Directory domain controller.</param>
public sealed record DirectoryServerFacts(string? DnsHostName, bool? GlobalCatalog, bool DomainController)
{
    /// <summary>These facts completed by <paramref name="later"/>: what the later answer says wins, what it leaves out is kept.</summary>
    public DirectoryServerFacts With(DirectoryServerFacts later) =>
        new(later.DnsHostName ?? DnsHostName, later.GlobalCatalog ?? GlobalCatalog, DomainController || later.DomainController);
}

/// <summary>
/// Reads the rootDSE a directory server returns ([MS-ADTS] 3.1.1.3.2): an LDAP searchResEntry (RFC 4511 4.5.2) for the
/// empty DN, over TCP or CLDAP. Its <c>dnsHostName</c> names the server, <c>isGlobalCatalogReady</c> says whether it is
/// a global catalog, and a CLDAP <c>Netlogon</c> attribute (the DC locator's ping answer, NETLOGON_SAM_LOGON_RESPONSE_EX,
/// [MS-ADTS] 6.3.1.9) carries both in its flags and names. Only the drafting run reads it.
/// </summary>
public static class RootDseReader
{
    private static readonly Asn1Tag Sequence = Asn1Tag.Sequence, Set = Asn1Tag.SetOf, OctetString = new(UniversalTagNumber.OctetString),
        SearchResultEntry = new(TagClass.Application, 4, isConstructed: true);
    private const ushort LogonSamLogonResponseEx = 23;
    private const uint GcFlag = 0x4, DsFlag = 0x10;
    // Opcode, Sbz, Flags, DomainGuid: then DnsForestName, DnsDomainName, DnsHostName.
    private const int NetlogonNames = 2 + 2 + 4 + 16;

    /// <summary>The facts of the rootDSE entry at the start of <paramref name="message"/> (an LDAPMessage); false when it is no rootDSE entry or says nothing.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out DirectoryServerFacts facts)
    {
        facts = new(null, null, false);
        if (!Enter(ref message, Sequence) || !AsnValue.TryReadInt32(message, out _, out int idSize)) return false;
        message = message[idSize..];
        if (!Enter(ref message, SearchResultEntry) || !TryValue(ref message, OctetString, out var objectName) || !objectName.IsEmpty
            || !Enter(ref message, Sequence))
            return false;
        // Attributes as far as the bytes go: an answer cut by the segment still names what it holds.
        while (TryValue(ref message, Sequence, out var attribute))
        {
            if (!TryValue(ref attribute, OctetString, out var type) || !Enter(ref attribute, Set) || !TryValue(ref attribute, OctetString, out var value))
                continue;
            if (Ascii.EqualsIgnoreCase(type, "dnsHostName"u8))
                facts = facts.With(new(AsciiText.Printable(value, 255).ToLowerInvariant(), null, false));
            else if (Ascii.EqualsIgnoreCase(type, "isGlobalCatalogReady"u8))
                facts = facts.With(new(null, Ascii.EqualsIgnoreCase(value, "TRUE"u8), false));
            else if (Ascii.EqualsIgnoreCase(type, "Netlogon"u8) && TryNetlogon(value, out var netlogon))
                facts = facts.With(netlogon);
        }
        return facts.DnsHostName is not null || facts.GlobalCatalog is not null || facts.DomainController;
    }

    // NETLOGON_SAM_LOGON_RESPONSE_EX: little-endian opcode and flags, then names compressed as in DNS (offsets from its start).
    private static bool TryNetlogon(ReadOnlySpan<byte> response, out DirectoryServerFacts facts)
    {
        facts = new(null, null, false);
        if (response.Length < NetlogonNames || BinaryPrimitives.ReadUInt16LittleEndian(response) != LogonSamLogonResponseEx) return false;
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(response[4..]);
        string? host = null;
        int at = NetlogonNames;
        for (int name = 0; name < 3 && at > 0; name++)
        {
            if (!DnsNameReader.TryName(response, at, out var text, out at)) break;
            if (name == 2 && text.Length > 0) host = text;
        }
        facts = new(host, (flags & GcFlag) != 0, (flags & DsFlag) != 0);
        return true;
    }

    // Steps into the constructed value of 'tag' at the start of 'data' (its content, possibly cut short). A whole value
    // is read by the platform's reader; AsnDecoder reads no length without the value, so the header of a value cut by its
    // segment is read by the inspectors' reader (Ber).
    private static bool Enter(ref ReadOnlySpan<byte> data, Asn1Tag tag)
    {
        if (AsnValue.TryRead(data, out var actual, out int offset, out int length, out _))
        {
            if (actual != tag) return false;
            data = data.Slice(offset, length);
            return true;
        }
        if (!Asn1Tag.TryDecode(data, out actual, out _) || actual != tag || !Ber.TryHeader(data, out _, out _, out int header)) return false;
        data = data[header..];
        return true;
    }

    // Takes the whole value of 'tag' at the start of 'data' and moves past it; false when it is another tag or cut short.
    private static bool TryValue(ref ReadOnlySpan<byte> data, Asn1Tag tag, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!AsnValue.TryRead(data, out var actual, out int offset, out int length, out int consumed))
            return false;
        value = data.Slice(offset, length);
        data = data[consumed..];
        return actual == tag;
    }
}

/// <summary>The names a server gave itself in an NTLM CHALLENGE_MESSAGE's target information ([MS-NLMP] 2.2.2.1 AV_PAIR).</summary>
/// <param name="NetBiosComputer">MsvAvNbComputerName, or null.</param>
/// <param name="NetBiosDomain">MsvAvNbDomainName (the computer's own name on a host in no domain), or null.</param>
/// <param name="DnsComputer">MsvAvDnsComputerName, or null.</param>
/// <param name="DnsDomain">MsvAvDnsDomainName, or null.</param>
public readonly record struct NtlmServerNames(string? NetBiosComputer, string? NetBiosDomain, string? DnsComputer, string? DnsDomain);

/// <summary>
/// Finds an NTLM CHALLENGE_MESSAGE ([MS-NLMP] 2.2.1.2) in what a server sent, whatever carries it (an SMB2
/// SESSION_SETUP response's security blob, a DCE/RPC bind_ack's auth verifier, an LDAP bind response): the server
/// names itself and its domain in the target information. Only the drafting run reads it.
/// </summary>
public static class NtlmChallengeReader
{
    private const uint Challenge = 2;
    private const int TargetInfoFields = 40, MinimumMessage = 48;
    private const ushort EndOfList = 0, NbComputerName = 1, NbDomainName = 2, DnsComputerName = 3, DnsDomainName = 4;

    /// <summary>The names of the first CHALLENGE_MESSAGE in <paramref name="payload"/>; false when it holds none, or one without target information.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out NtlmServerNames names)
    {
        names = default;
        if (!NtlmMessage.TryFind(payload, Challenge, MinimumMessage, out var message) || !NtlmMessage.TryField(message, TargetInfoFields, out var pairs))
            return false;
        while (pairs.Length >= 4)
        {
            ushort id = BinaryPrimitives.ReadUInt16LittleEndian(pairs);
            int size = BinaryPrimitives.ReadUInt16LittleEndian(pairs[2..]);
            if (id == EndOfList || 4 + size > pairs.Length) break;
            var value = pairs.Slice(4, size);
            names = id switch
            {
                NbComputerName => names with { NetBiosComputer = NtlmMessage.Text(value, unicode: true) },
                NbDomainName => names with { NetBiosDomain = NtlmMessage.Text(value, unicode: true) },
                DnsComputerName => names with { DnsComputer = NtlmMessage.Text(value, unicode: true) },
                DnsDomainName => names with { DnsDomain = NtlmMessage.Text(value, unicode: true) },
                _ => names,
            };
            pairs = pairs[(4 + size)..];
        }
        return names.NetBiosComputer is not null || names.DnsComputer is not null;
    }
}

/// <summary>The framing NTLM messages share ([MS-NLMP] 2.2.1): the signature, the message type, and the (length, offset) fields of their payloads.</summary>
internal static class NtlmMessage
{
    private const int MaxName = 255;
    private static ReadOnlySpan<byte> Signature => "NTLMSSP\0"u8;

    /// <summary>The first NTLM message in <paramref name="payload"/>, from its signature on, when it is of <paramref name="type"/> and at least <paramref name="minimum"/> bytes.</summary>
    public static bool TryFind(ReadOnlySpan<byte> payload, uint type, int minimum, out ReadOnlySpan<byte> message)
    {
        int start = payload.IndexOf(Signature);
        message = start < 0 ? default : payload[start..];
        return start >= 0 && message.Length >= minimum && BinaryPrimitives.ReadUInt32LittleEndian(message[8..]) == type;
    }

    /// <summary>The payload a field at <paramref name="at"/> (Len, MaxLen, BufferOffset) points to; false when empty or past the message.</summary>
    public static bool TryField(ReadOnlySpan<byte> message, int at, out ReadOnlySpan<byte> value)
    {
        int length = BinaryPrimitives.ReadUInt16LittleEndian(message[at..]);
        int offset = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(message[(at + 4)..]), int.MaxValue);
        bool inside = length > 0 && offset <= message.Length - length;
        value = inside ? message.Slice(offset, length) : default;
        return inside;
    }

    /// <summary>Wire text (UTF-16LE, or OEM taken as ASCII) made printable; null when empty.</summary>
    public static string? Text(ReadOnlySpan<byte> value, bool unicode)
    {
        var text = unicode ? Encoding.Unicode.GetString(value[..Math.Min(value.Length & ~1, 2 * MaxName)]) : Encoding.ASCII.GetString(value[..Math.Min(value.Length, MaxName)]);
        return text.Length == 0 ? null : AsciiText.Printable(Encoding.ASCII.GetBytes(text), MaxName);
    }
}

/// <summary>
/// Finds an NTLM AUTHENTICATE_MESSAGE ([MS-NLMP] 2.2.1.3) in what a client sent, whatever carries it (an SMB2
/// SESSION_SETUP request, a DCE/RPC auth3 or alter_context, an LDAP bind): its Workstation field is the client's own
/// computer name. Only the drafting run reads it.
/// </summary>
public static class NtlmAuthenticateReader
{
    private const uint Authenticate = 3;
    private const int WorkstationFields = 44, NegotiateFlags = 60, MinimumMessage = 64;
    private const uint NegotiateUnicode = 0x1;

    /// <summary>The workstation name of the first AUTHENTICATE_MESSAGE in <paramref name="payload"/>; false when it holds none, or one without a name.</summary>
    public static bool TryReadWorkstation(ReadOnlySpan<byte> payload, out string workstation)
    {
        workstation = "";
        if (!NtlmMessage.TryFind(payload, Authenticate, MinimumMessage, out var message) || !NtlmMessage.TryField(message, WorkstationFields, out var value))
            return false;
        bool unicode = (BinaryPrimitives.ReadUInt32LittleEndian(message[NegotiateFlags..]) & NegotiateUnicode) != 0;
        workstation = NtlmMessage.Text(value, unicode) ?? "";
        return workstation.Length > 0;
    }
}
