using System.Globalization;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Sources.Records;

/// <summary>The conn.log columns a flow is built from; the others are read past.</summary>
public enum ZeekField
{
    /// <summary>A column we do not use.</summary>
    None,
    /// <summary>ts: start time.</summary>
    Ts,
    /// <summary>uid: Zeek's connection id, kept on the flow.</summary>
    Uid,
    /// <summary>id.orig_h: the originator.</summary>
    OrigHost,
    /// <summary>id.orig_p: its port (ICMP: the type).</summary>
    OrigPort,
    /// <summary>id.resp_h: the responder.</summary>
    RespHost,
    /// <summary>id.resp_p: its port (ICMP: the code).</summary>
    RespPort,
    /// <summary>proto: tcp, udp, icmp, unknown_transport.</summary>
    Proto,
    /// <summary>service: the analyzers that recognised the content, comma-separated.</summary>
    Service,
    /// <summary>duration in seconds.</summary>
    Duration,
    /// <summary>conn_state: how the connection went (S0, SF, REJ...).</summary>
    ConnState,
    /// <summary>orig_pkts.</summary>
    OrigPackets,
    /// <summary>orig_ip_bytes: IP-layer bytes, as our flows count them.</summary>
    OrigIpBytes,
    /// <summary>resp_pkts.</summary>
    RespPackets,
    /// <summary>resp_ip_bytes.</summary>
    RespIpBytes,
    /// <summary>ip_proto: the IP protocol number (Zeek 6 and later).</summary>
    IpProto,
    /// <summary>tunnel_parents: the uids of the tunnels' connections the flow came in (a set, comma-separated).</summary>
    TunnelParents,
}

/// <summary>
/// Gathers the columns of one conn.log record, whichever syntax (TSV or JSON) carried them, and builds the flow:
/// originator is the client (Zeek decides it from the handshake, as we do; without one, the run's server ports decide),
/// IP-layer counters each way, conn_state mapped to our states (<see cref="ZeekMapping.State"/>), service to our labels
/// (<see cref="ZeekMapping.App"/>).
/// </summary>
public sealed class ZeekConnFields
{
    // The whole mask, not any run of X and dots: "." or "X" alone is a damaged time, rejected.
    private const string MaskedTime = "XXXXXXXXXX.XXXXXX";

    /// <summary>
    /// What the TSV log puts between a set's members (tunnel_parents): the readers of formats that hold a set as an
    /// array or a list (Zeek's JSON, Parquet) join its members with it, so the set is read as the TSV's.
    /// </summary>
    public const char SetSeparator = ',';

    private long _ts, _duration, _origPackets, _origBytes, _respPackets, _respBytes;
    private IpAddr _origHost, _respHost;
    private ushort _origPort, _respPort;
    private byte _protocol;
    private bool _hasTs, _hasOrig, _hasResp, _hasProto;
    private string? _uid, _service, _state, _unknownProto, _tunnelParents;
    private readonly IServerPortHint _serverPorts;
    private readonly ZeekLogJoin? _join;

    /// <summary>
    /// Columns whose flow takes its sides from <paramref name="serverPorts"/> when Zeek saw no opening (ports below 1024
    /// when null), and what <paramref name="join"/> (Zeek's ssl.log, http.log and dce_rpc.log of the run) says of its uid.
    /// </summary>
    public ZeekConnFields(IServerPortHint? serverPorts = null, ZeekLogJoin? join = null)
    {
        _serverPorts = serverPorts ?? WellKnownPortHint.Instance;
        _join = join;
    }

    /// <summary>The ports that place a connection's sides when nothing else does (the run's, or those below 1024).</summary>
    public IServerPortHint ServerPorts => _serverPorts;

    /// <summary>The column a header or JSON key names.</summary>
    public static ZeekField FieldOf(ReadOnlySpan<char> name) => name switch
    {
        "ts" => ZeekField.Ts,
        "uid" => ZeekField.Uid,
        "id.orig_h" => ZeekField.OrigHost,
        "id.orig_p" => ZeekField.OrigPort,
        "id.resp_h" => ZeekField.RespHost,
        "id.resp_p" => ZeekField.RespPort,
        "proto" => ZeekField.Proto,
        "service" => ZeekField.Service,
        "duration" => ZeekField.Duration,
        "conn_state" => ZeekField.ConnState,
        "orig_pkts" => ZeekField.OrigPackets,
        "orig_ip_bytes" => ZeekField.OrigIpBytes,
        "resp_pkts" => ZeekField.RespPackets,
        "resp_ip_bytes" => ZeekField.RespIpBytes,
        "ip_proto" => ZeekField.IpProto,
        "tunnel_parents" => ZeekField.TunnelParents,
        _ => ZeekField.None,
    };

    /// <summary>Forgets the previous record.</summary>
    public void Reset()
    {
        _ts = _duration = _origPackets = _origBytes = _respPackets = _respBytes = 0;
        _origPort = _respPort = 0;
        _protocol = 0;
        _hasTs = _hasOrig = _hasResp = _hasProto = false;
        _uid = _service = _state = _unknownProto = _tunnelParents = null;
    }

    /// <summary>Takes one column's value; returns why it is bad, or null. Unset and empty values are not passed here.</summary>
    public string? Set(ZeekField field, ReadOnlySpan<char> value)
    {
        switch (field)
        {
            case ZeekField.Ts:
                // Zeek's own test baselines mask times as XXXXXXXXXX.XXXXXX: a record without a known time, not a bad one.
                if (value.SequenceEqual(MaskedTime)) { _hasTs = true; return null; }
                _hasTs = RecordFields.TryParseEpoch(value, out _ts) || RecordFields.TryParseIso(value, out _ts);
                return _hasTs ? null : $"ts '{RecordFields.Clip(value)}' is not a time";
            case ZeekField.Uid: _uid = value.ToString(); return null;
            case ZeekField.TunnelParents: _tunnelParents = value.ToString(); return null;
            case ZeekField.OrigHost: _hasOrig = RecordFields.TryParseAddress(value, out _origHost); return _hasOrig ? null : $"id.orig_h '{RecordFields.Clip(value)}' is not an address";
            case ZeekField.RespHost: _hasResp = RecordFields.TryParseAddress(value, out _respHost); return _hasResp ? null : $"id.resp_h '{RecordFields.Clip(value)}' is not an address";
            case ZeekField.OrigPort: return RecordFields.TryParsePort(value, out _origPort) ? null : $"id.orig_p '{RecordFields.Clip(value)}' is not a port";
            case ZeekField.RespPort: return RecordFields.TryParsePort(value, out _respPort) ? null : $"id.resp_p '{RecordFields.Clip(value)}' is not a port";
            case ZeekField.Proto:
                // unknown_transport leaves the number to ip_proto.
                if (RecordFields.TryParseProtocol(value, out var p)) { _protocol = p; _hasProto = true; }
                else if (!value.SequenceEqual("unknown_transport")) _unknownProto = value.ToString();
                return null;
            case ZeekField.IpProto:
                if (!byte.TryParse(value, out var number)) return $"ip_proto '{RecordFields.Clip(value)}' is not a protocol number";
                _protocol = number;
                _hasProto = true;
                return null;
            case ZeekField.Service: _service = value.ToString(); return null;
            case ZeekField.ConnState: _state = value.ToString(); return null;
            case ZeekField.Duration: return RecordFields.TryParseSeconds(value, out _duration) ? null : $"duration '{RecordFields.Clip(value)}' is not a number of seconds";
            case ZeekField.OrigPackets: return Count(value, out _origPackets, "orig_pkts");
            case ZeekField.OrigIpBytes: return Count(value, out _origBytes, "orig_ip_bytes");
            case ZeekField.RespPackets: return Count(value, out _respPackets, "resp_pkts");
            case ZeekField.RespIpBytes: return Count(value, out _respBytes, "resp_ip_bytes");
            default: return null;
        }
    }

    /// <summary>Builds the flow from the columns taken; returns why the record is unusable, or null.</summary>
    public string? Build(ref FlowRecord record)
    {
        if (!_hasTs) return "no ts";
        if (!_hasOrig || !_hasResp) return "no id.orig_h or id.resp_h";
        if (!_hasProto)
            return _unknownProto is null ? "no proto" : $"proto '{RecordFields.Clip(_unknownProto)}' is no transport Zeek names (tcp, udp, icmp), and no ip_proto gives one";
        bool icmp = _protocol is IpProtocol.Icmp or IpProtocol.IcmpV6;
        // An ICMP type and code are bytes: a larger "port" was cut to its low byte, another type.
        if (icmp && (_origPort > byte.MaxValue || _respPort > byte.MaxValue))
            return $"ICMP type {_origPort} or code {_respPort} (id.orig_p, id.resp_p) is more than 255";
        // ts plus a duration past 2262 wrapped negative and the flow lost its length without a word.
        if (_duration > long.MaxValue - _ts) return "ts plus duration is past 2262-04-11, what a flow's time holds";
        record.Protocol = _protocol;
        record.Client = _origHost;
        record.Server = _respHost;
        // Zeek puts an ICMP flow's type and code in the port columns; our ICMP flows have no ports.
        record.ClientPort = icmp ? (ushort)0 : _origPort;
        record.ServerPort = icmp ? (ushort)0 : _respPort;
        record.IcmpType = icmp ? (byte)_origPort : (byte)0;
        record.IcmpCode = icmp ? (byte)_respPort : (byte)0;
        record.StartNs = _ts;
        record.EndNs = _ts + _duration;
        record.PacketsToServer = _origPackets;
        record.BytesToServer = _origBytes;
        record.PacketsToClient = _respPackets;
        record.BytesToClient = _respBytes;
        // OTH: Zeek saw no opening either way, and its originator is the first sender or a guess from the ports its own
        // analyzers know. The run's ports decide, as the flow table decides for a flow whose opening it missed, and a
        // store keeps that they did, for an audit reading the flow back to decide again with its own.
        bool guessed = _state == "OTH" && !icmp;
        bool turned = guessed && !_serverPorts.SenderIsClient(_protocol, _origPort, _respPort);
        if (turned) record.Swap();
        record.SidesFromPorts = guessed;
        record.FirstSentByServer = turned;
        record.State = ZeekMapping.State(_state, _protocol, record.PacketsToClient);
        record.App = ZeekMapping.App(_service);
        record.Evidence = record.App is null ? FlowEvidence.PortOnly : FlowEvidence.ExporterAppId;
        record.RecordId = _uid;
        // conn.log names no server, version or RPC call: ssl.log, http.log and dce_rpc.log do, by the same uid.
        record.AppDetail = null;
        record.Weakness = FlowWeakness.None;
        record.RpcCalls = null;
        _join?.JoinTo(ref record, _uid, _service);
        // The tunnels' own connections are records of the same log: their uids are what names them there.
        record.Tunnel = _tunnelParents;
        return null;
    }

    private static string? Count(ReadOnlySpan<char> value, out long count, string name) =>
        RecordFields.TryParseCount(value, out count) ? null : $"{name} '{RecordFields.Clip(value)}' is not a count";
}

/// <summary>How Zeek's words map to ours (documented in docs/sources.md).</summary>
public static class ZeekMapping
{
    // Services that name an authentication carried inside another protocol, not the protocol on the port.
    private static readonly HashSet<string> Carried = new(StringComparer.Ordinal) { "ntlm", "gssapi", "spnego" };

    private static readonly Dictionary<string, AppLabel> Services = new(StringComparer.Ordinal)
    {
        ["dns"] = AppLabel.Dns, ["http"] = AppLabel.Http, ["ssl"] = AppLabel.Tls, ["dtls"] = AppLabel.Dtls,
        ["krb"] = AppLabel.Kerberos, ["krb_tcp"] = AppLabel.Kerberos, ["ldap"] = AppLabel.Ldap, ["ldap_tcp"] = AppLabel.Ldap,
        ["ldap_udp"] = AppLabel.Cldap, ["smb"] = AppLabel.Smb, ["dce_rpc"] = AppLabel.DceRpc, ["ntp"] = AppLabel.Ntp,
        ["snmp"] = AppLabel.Snmp, ["radius"] = AppLabel.Radius, ["rdp"] = AppLabel.Rdp, ["rdpeudp"] = AppLabel.Rdp,
        ["sip"] = AppLabel.Sip, ["smtp"] = AppLabel.Smtp, ["pop3"] = AppLabel.Pop3, ["imap"] = AppLabel.Imap,
        ["xmpp"] = AppLabel.Xmpp, ["ike"] = AppLabel.Ike, ["stun"] = AppLabel.Stun,
    };

    /// <summary>
    /// conn_state to our state. S0, RSTOS0: the originator's opening got no answer. REJ: refused. S1, SF, S2, S3,
    /// RSTO, RSTR: established; SH too: the originator closed with a FIN, which no stack sends before its handshake is
    /// answered, so the answer took a path Zeek did not see (split routing), as the flow table judges a capture of it.
    /// SHR, RSTRH: only the responder's side of the opening was seen (midstream). OTH: no opening seen; midstream for
    /// TCP, else established when the responder sent anything (midstream when only the responder did: Flow.State).
    /// </summary>
    public static FlowState State(string? connState, byte protocol, long responderPackets) => connState switch
    {
        "S0" or "RSTOS0" => FlowState.Unanswered,
        "REJ" => FlowState.Rejected,
        "S1" or "SF" or "S2" or "S3" or "RSTO" or "RSTR" or "SH" => FlowState.Established,
        "SHR" or "RSTRH" => FlowState.Midstream,
        _ when protocol == IpProtocol.Tcp => FlowState.Midstream,
        _ => responderPackets > 0 ? FlowState.Established : FlowState.Unanswered,
    };

    /// <summary>
    /// ssl.log's <c>version</c> (Zeek's <c>SSL::version_strings</c>, the version the server's hello chose) as a wire
    /// number: SSLv2, SSLv3, TLSv10 to TLSv13, DTLSv10 to DTLSv13, and Zeek's <c>unknown-N</c> (N in decimal); null for
    /// any other text.
    /// </summary>
    public static ushort? TlsVersion(string? version) => version switch
    {
        "SSLv2" => 0x0002,
        "SSLv3" => 0x0300,
        "TLSv10" => 0x0301,
        "TLSv11" => 0x0302,
        "TLSv12" => 0x0303,
        "TLSv13" => 0x0304,
        "DTLSv10" => 0xFEFF,
        "DTLSv12" => 0xFEFD,
        "DTLSv13" => 0xFEFC,
        _ when version is not null && TryUnknown(version, out ushort number) => number,
        _ => null,
    };

    /// <summary>Zeek's name of what its tables do not name: unknown-UUID for an interface, unknown-N for a number.</summary>
    internal const string UnknownPrefix = "unknown-";

    /// <summary>The number of Zeek's <c>unknown-N</c> (N in decimal, as Zeek writes an opnum or a TLS version it cannot name).</summary>
    internal static bool TryUnknown(string name, out ushort number)
    {
        number = 0;
        return name.StartsWith(UnknownPrefix, StringComparison.Ordinal)
               && ushort.TryParse(name.AsSpan(UnknownPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>True when Zeek's service list <paramref name="service"/> ("smtp,ssl") holds <paramref name="name"/>.</summary>
    public static bool Names(string? service, string name)
    {
        if (string.IsNullOrEmpty(service)) return false;
        foreach (var range in service.AsSpan().Split(','))
            if (service.AsSpan()[range].Trim().SequenceEqual(name)) return true;
        return false;
    }

    /// <summary>
    /// The first service of the list that names the protocol on the port: auth carried inside (ntlm, gssapi, spnego)
    /// is passed over; another name is the label of that name (ssh and wireguard are ours; ftp, dhcp keep their own).
    /// </summary>
    public static AppLabel? App(string? service)
    {
        if (string.IsNullOrEmpty(service)) return null;
        foreach (var range in service.AsSpan().Split(','))
        {
            var name = service[range].Trim();
            if (name.Length == 0 || Carried.Contains(name)) continue;
            return Services.TryGetValue(name, out var label) ? label : AppLabel.Of(name);
        }
        return null;
    }
}
