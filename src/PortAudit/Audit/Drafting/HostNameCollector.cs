using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;

namespace PortAudit.Audit.Drafting;

/// <summary>
/// Gathers the names traffic gives addresses, for drafting an inventory: DNS answers (A, AAAA, PTR; SRV records such as
/// Lync's <c>_sipinternaltls._tcp</c>, <c>_sip._tls</c>, <c>_sipfederationtls._tcp</c> and <c>_xmpp-server._tcp</c>, which
/// name the pools and the Edge), NetBIOS registrations and answers, Kerberos machine accounts (<c>NAME$</c>: the
/// client's name in its AS-REQ, and in the KDC's replies, where a TGS exchange alone carries it in clear) and realms,
/// the TLS server name (SNI) and the names of the server's certificate where its first flight shows it (TLS 1.2 and
/// earlier), SIP <c>Server</c>/<c>User-Agent</c> products and <c>Contact</c> hosts, the server of SMB2
/// tree connects (<c>\FS01\share</c>), and what servers say of themselves: the computer and domain names of an NTLM
/// challenge (SMB, DCE/RPC, LDAP), and a directory server's rootDSE (its DNS name, whether it is a global catalog).
/// </summary>
public sealed class HostNameCollector : IFlowObserver
{
    private const int MaxNamesPerHost = 16;
    private readonly Dictionary<IpAddr, List<HostName>> _names = [];
    private readonly Dictionary<string, HashSet<IpAddr>> _addressesOf = new(StringComparer.Ordinal);
    private readonly List<(string Service, string Target)> _srv = [];
    private readonly HashSet<string> _realms = new(StringComparer.Ordinal);
    private readonly List<DnsNameRecord> _dns = [];
    private readonly List<(string Name, IpAddr Address)> _netbios = [];
    private readonly List<string> _kerberos = [];
    // Service principals asked for or granted, (service class, host as written, its first label): bounded, as a KDC
    // serves an estate.
    private readonly HashSet<(string Service, string Host, string Label)> _spns = [];
    private const int MaxSpns = 512;
    private const string SpnSource = "kerberos-spn";
    private readonly Dictionary<IpAddr, DirectoryServerFacts> _directory = [];
    private readonly Dictionary<IpAddr, SortedSet<string>> _shares = [];
    private const int MaxSharesPerHost = 16;
    // TLS servers' first flights read so far, until their certificate (or its absence) shows; done once per flow.
    private readonly Dictionary<Flow, List<byte>?> _flights = [];
    private readonly List<byte> _handshake = [];
    private readonly List<string> _certificateNames = [];
    private const int MaxFlight = 32 * 1024;

    /// <summary>Kerberos realms seen, in order met.</summary>
    public IReadOnlyCollection<string> Realms => _realms;

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || flow.Protocol is not (6 or 17)) return;
        bool tcp = flow.Protocol == 6;
        int port = flow.ServerPort;
        if (port is 53 or 5353 or 5355 && (!fromClient || port == 5353))
            ReadDns(tcp ? payload[Math.Min(2, payload.Length)..] : payload);
        else if (port == 137 && !tcp)
            ReadNetBios(payload);
        else if (port == 88)
            ReadKerberos(flow.Client, tcp ? payload[Math.Min(4, payload.Length)..] : payload);
        else if (port == 445 && tcp && fromClient && SmbTreeNameReader.TryRead(payload) is var (server, share))
        {
            if (server is not null) Add(flow.Server, server, "smb-tree");
            AddShare(flow.Server, share);
        }
        else if (flow.App == AppLabel.Sip)
            ReadSip(fromClient ? flow.Client : flow.Server, payload);
        else if (port == 389 && !fromClient)
            ReadRootDse(flow.Server, payload);
        if (tcp && !fromClient && flow.App == AppLabel.Tls)
            ReadServerFlight(flow, payload);
        if (tcp && (flow.App == AppLabel.Smb || flow.App == AppLabel.DceRpc || flow.App == AppLabel.Ldap))
        {
            if (!fromClient) ReadNtlm(flow.Server, payload);
            else if (NtlmAuthenticateReader.TryReadWorkstation(payload, out var workstation))
                Add(flow.Client, workstation.ToLowerInvariant(), "ntlm-workstation");
        }
    }

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow)
    {
        _flights.Remove(flow);
        if (flow.App == AppLabel.Tls && flow.AppDetail?.Find(DetailKeys.ServerName) is { Length: > 0 } sni && !IpAddr.TryParse(sni, out _))
            Add(flow.Server, sni.ToLowerInvariant(), "tls-sni");
    }

    /// <summary>The names of <paramref name="address"/>, most telling first (DNS, NetBIOS, Kerberos, then the rest), then the Kerberos service principals of a host by one of those names.</summary>
    public IReadOnlyList<HostName> NamesOf(IpAddr address) =>
        _names.TryGetValue(address, out var names)
            ? names.OrderBy(n => Rank(n.Source)).Concat(ServicePrincipalsOf(names).OrderBy(n => n.Name, StringComparer.Ordinal).Take(MaxNamesPerHost)).ToList()
            : [];

    /// <summary>What <paramref name="address"/> said of itself as a directory server, or null when it answered no rootDSE query.</summary>
    public DirectoryServerFacts? DirectoryOf(IpAddr address) => _directory.GetValueOrDefault(address);

    /// <summary>The SMB shares clients connected to on <paramref name="address"/>, in name order (upper case).</summary>
    public IReadOnlyList<string> SharesAt(IpAddr address) => _shares.TryGetValue(address, out var shares) ? [.. shares] : [];

    // Bounded per host: a client trying share names one after another adds nothing past the first few.
    private void AddShare(IpAddr server, string share)
    {
        if (share.Length == 0) return;
        if (!_shares.TryGetValue(server, out var shares)) _shares.Add(server, shares = new(StringComparer.Ordinal));
        if (shares.Count < MaxSharesPerHost) shares.Add(share);
    }

    /// <summary>The SRV services (<c>_sipinternaltls._tcp.example.com</c>) whose target resolves to <paramref name="address"/>.</summary>
    public IReadOnlyList<string> ServicesAt(IpAddr address) =>
        _srv.Where(s => _addressesOf.TryGetValue(s.Target, out var set) && set.Contains(address)).Select(s => s.Service).Distinct().ToList();

    private void ReadDns(ReadOnlySpan<byte> message)
    {
        _dns.Clear();
        if (!DnsNameReader.TryRead(message, _dns)) return;
        foreach (var record in _dns)
        {
            switch (record.Type)
            {
                case DnsNameReader.A or DnsNameReader.Aaaa:
                    if (!_addressesOf.TryGetValue(record.Owner, out var set)) _addressesOf.Add(record.Owner, set = []);
                    set.Add(record.Address);
                    Add(record.Address, record.Owner, "dns");
                    break;
                case DnsNameReader.Ptr when DnsNameReader.TryReverseAddress(record.Owner, out var address):
                    Add(address, record.Target!, "dns-ptr");
                    break;
                case DnsNameReader.Srv when !_srv.Contains((record.Owner, record.Target!)):
                    _srv.Add((record.Owner, record.Target!));
                    break;
            }
        }
    }

    private void ReadNetBios(ReadOnlySpan<byte> packet)
    {
        _netbios.Clear();
        NetBiosNameReader.Read(packet, _netbios);
        foreach (var (name, address) in _netbios)
            if (address.V4 != 0) Add(address, name.ToLowerInvariant(), "netbios");
    }

    // Requests and replies alike: a machine account (NAME$) in either is the client's own (cname), never the server's.
    // A service principal (cifs/fs01) names the host of the service, not the address it travels to (the KDC): it is
    // tied to an address when that address has a name whose host part it is (NamesOf).
    private void ReadKerberos(IpAddr client, ReadOnlySpan<byte> message)
    {
        _kerberos.Clear();
        KerberosNameReader.Read(message, _kerberos);
        foreach (var text in _kerberos)
        {
            if (text.Length > 1 && text.EndsWith('$') && !text.Contains('/'))
                Add(client, text[..^1].ToLowerInvariant(), "kerberos-account");
            else if (text.Split('/') is [var service, var host, ..] && !IsTicketService(service) && host.Length > 0 && _spns.Count < MaxSpns)
                _spns.Add((service, host.ToLowerInvariant(), FirstLabel(host.ToLowerInvariant())));
            else if (text.Contains('.') && !text.Contains('/') && text == text.ToUpperInvariant() && _realms.Count < 8)
                _realms.Add(text);
        }
    }

    // The KDC's own principals name no host: krbtgt/REALM, kadmin/changepw.
    private static bool IsTicketService(string service) => service is "krbtgt" or "kadmin";

    // The service principals tied to a host: those whose host part is one of its names, or the first label of one
    // (host/ws01 and host/ws01.corp.example both name ws01).
    private IEnumerable<HostName> ServicePrincipalsOf(List<HostName> names)
    {
        if (_spns.Count == 0) yield break;
        var whole = names.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var labels = names.Select(n => FirstLabel(n.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var (service, host, label) in _spns)
            if (whole.Contains(host) || labels.Contains(label))
                yield return new HostName($"{service}/{host}", SpnSource);
    }

    private static string FirstLabel(string name) => name.IndexOf('.') is var dot and > 0 ? name[..dot] : name;

    // Segments are taken in the order seen (a retransmission or a reordering makes the flight unreadable, not wrong);
    // a flight read to its end is forgotten and marked with null.
    private void ReadServerFlight(Flow flow, ReadOnlySpan<byte> segment)
    {
        if (!_flights.TryGetValue(flow, out var flight))
            _flights.Add(flow, flight = []);
        if (flight is null) return;
        flight.AddRange(segment);
        _certificateNames.Clear();
        var result = TlsCertificateNameReader.Read(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(flight), _handshake, _certificateNames);
        foreach (var name in _certificateNames) Add(flow.Server, name, "tls-certificate");
        if (result != ServerFlightResult.NeedMore || flight.Count > MaxFlight) _flights[flow] = null;
    }

    private void ReadRootDse(IpAddr server, ReadOnlySpan<byte> message)
    {
        if (!RootDseReader.TryRead(message, out var facts)) return;
        _directory[server] = _directory.TryGetValue(server, out var known) ? known.With(facts) : facts;
        if (facts.DnsHostName is { Length: > 0 } name) Add(server, name, "ldap-rootdse");
    }

    // The server names itself in its challenge; its DNS domain is the Kerberos realm of a domain member.
    private void ReadNtlm(IpAddr server, ReadOnlySpan<byte> payload)
    {
        if (!NtlmChallengeReader.TryRead(payload, out var names)) return;
        if (names.DnsComputer is { Length: > 0 } dns) Add(server, dns.ToLowerInvariant(), "ntlm");
        if (names.NetBiosComputer is { Length: > 0 } netbios) Add(server, netbios.ToLowerInvariant(), "ntlm");
        if (names.DnsDomain is { } domain && domain.Contains('.') && _realms.Count < 8) _realms.Add(domain.ToUpperInvariant());
    }

    private void ReadSip(IpAddr sender, ReadOnlySpan<byte> message)
    {
        if (AsciiText.TryHeader(message, "User-Agent"u8, "User-Agent"u8, out var agent))
            Add(sender, AsciiText.Printable(agent, 100), "sip-user-agent");
        if (AsciiText.TryHeader(message, "Server"u8, "Server"u8, out var server))
            Add(sender, AsciiText.Printable(server, 100), "sip-server");
        if (AsciiText.TryHeader(message, "Contact"u8, "m"u8, out var contact) && ContactHost(AsciiText.Printable(contact, 200)) is { } host)
            Add(sender, host, "sip-contact");
    }

    // The host of a Contact URI when it is a name, not an address: <sip:fe01.example.com:5061;transport=tls>.
    private static string? ContactHost(string contact)
    {
        int at = contact.IndexOf('@');
        int start = at >= 0 ? at + 1 : contact.IndexOf("sip:", StringComparison.OrdinalIgnoreCase) is >= 0 and var s ? s + 4 : -1;
        if (start < 0) return null;
        int end = contact.IndexOfAny([':', ';', '>', ' '], start);
        var host = (end < 0 ? contact[start..] : contact[start..end]).ToLowerInvariant();
        return host.Length == 0 || IpAddr.TryParse(host, out _) || host.StartsWith('[') ? null : host;
    }

    private void Add(IpAddr address, string name, string source)
    {
        if (!_names.TryGetValue(address, out var names)) _names.Add(address, names = []);
        if (names.Count < MaxNamesPerHost && !names.Any(n => n.Name == name && n.Source == source))
            names.Add(new HostName(name, source));
    }

    /// <summary>
    /// True when <paramref name="name"/> can name its host's inventory entry: a DNS, NetBIOS, NTLM, rootDSE, Kerberos
    /// account, certificate, SIP contact, SNI or SMB tree name, not a SIP product string or a Kerberos service principal.
    /// </summary>
    public static bool NamesHost(HostName name) => Rank(name.Source) < Untelling;

    // The rank of sources that name no host.
    private const int Untelling = 4;

    private static int Rank(string source) => source switch
    {
        "dns" or "dns-ptr" => 0,
        "netbios" or "ntlm" or "ntlm-workstation" or "ldap-rootdse" => 1,
        "kerberos-account" => 2,
        "tls-certificate" => 2,
        "sip-contact" or "tls-sni" or "smb-tree" => 3,
        _ => Untelling,
    };
}
