using System.Diagnostics;
using System.Text;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Sources.Files;

namespace PortAudit.Sources.Records;

/// <summary>
/// What Zeek's other logs say of the conn.log connections of the same run, joined by the uid every Zeek log carries:
/// the server names of ssl.log (<c>server_name</c>: the SNI of the client's hello) and http.log (<c>host</c>: the first
/// request's Host), the ALPN protocol and the version ssl.log says the server selected (<c>next_protocol</c>,
/// <c>version</c>: one deprecated by RFC 8996 is the weakness inspection gives it), the flaws of the server's leaf
/// certificate (ssl.log's first <c>cert_chain_fps</c>, or <c>cert_chain_fuids</c>, joined to x509.log's record of it: a
/// two-step join, by fingerprint or file id, then by uid), and the DCE/RPC interfaces
/// and operations of dce_rpc.log (<c>endpoint</c>, <c>operation</c>). Zeek keeps those facts out of conn.log, so a conn.log
/// alone cannot say which server a TLS or HTTP connection named, what its TLS carried or what its RPC called; given beside
/// it among a run's inputs, those logs are read first, whatever their order on the command line, and each connection
/// they name carries the facts as inspection would have given them (<c>sni=...</c>, <c>alpn-selected=...</c>,
/// <c>host=...</c>, a call log), for a rule that names its servers, expects another protocol than the one TLS carried,
/// or grants other interfaces or operations (DCSync: DRSGetNCChanges from a workstation), to judge.
/// </summary>
public sealed class ZeekLogJoin
{
    /// <summary>Most connections named: a log past it has the rest of its names left out, and the run says how many.</summary>
    public const int MaxNames = 1 << 22;

    /// <summary>
    /// Most characters of a name kept: past a DNS name's 253 and an HTTP Host inspection keeps, so that a longer one is
    /// judged as inspection judges a name it cut (its end is not known).
    /// </summary>
    public const int MaxNameLength = 300;

    private readonly string[] _candidates;
    private readonly Dictionary<string, Named> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RpcCallLog> _calls = new(StringComparer.Ordinal);
    // x509.log's certificates by fingerprint and by file id: their flaws, null for a sound one.
    private readonly Dictionary<string, string?> _certificates = new(StringComparer.Ordinal);
    private readonly IRpcNames? _rpcNames;
    private readonly Lock _gate = new();
    private bool _read;

    /// <summary>
    /// Facts to be read from those of <paramref name="inputs"/> that turn out to be ssl.log, http.log or dce_rpc.log files;
    /// a dce_rpc.log's names are looked up in <paramref name="rpcNames"/>, and without it only its <c>unknown-UUID</c> and
    /// <c>unknown-OPNUM</c> are.
    /// </summary>
    public ZeekLogJoin(IEnumerable<string> inputs, IRpcNames? rpcNames = null)
    {
        _candidates = inputs.Where(p => p != CaptureFile.StandardInput).ToArray();
        _rpcNames = rpcNames;
    }

    /// <summary>Connections something was joined to.</summary>
    public int Count => _names.Count + _calls.Count + _certificates.Count;

    /// <summary>Names left out because <see cref="MaxNames"/> were held.</summary>
    public long LeftOut { get; private set; }

    /// <summary>
    /// Reads, once for the run, every candidate that is a Zeek ssl.log or http.log (TSV or JSON, gzip'd or not); records
    /// it could not use are rejected into <paramref name="statistics"/> with their file and line. Safe to call from each
    /// source that reads a conn.log.
    /// </summary>
    public void Read(RecordStatistics statistics)
    {
        lock (_gate)
        {
            if (_read) return;
            _read = true;
            foreach (string path in _candidates) ReadLog(path, statistics);
        }
    }

    private void ReadLog(string path, RecordStatistics statistics)
    {
        Stream? stream = null;
        try
        {
            // A pipe (a FIFO, bash's <(...)) shows no length and is read once, by its own source: opening it here would
            // wait for its writer or take its data, so its names cannot be taken ahead of it.
            if (new FileInfo(path) is not { Exists: true, Length: > 0 }) return;
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            var head = InputHead.Read(stream);
            if (head.Detect() is not (RecordFormat.ZeekTsv or RecordFormat.ZeekJson))
                return;
            var text = new StreamReader(head.Replay(stream, path, decompress: true), Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
            stream = null;
            long leftOutBefore = LeftOut;
            // Its lines are counted apart: a name record is no flow record, read or rejected.
            var own = new RecordStatistics();
            using (var reader = new ZeekJoinLogReader(text, path, own, this))
            {
                var record = new FlowRecord();
                while (!reader.Finished && reader.TryRead(ref record)) { }
            }
            for (int i = 0; i < own.Problems.Count; i++)
                statistics.CountZeekJoinUnread(own.Problems[i], i == own.Problems.Count - 1 ? own.Rejected - i : 1);
            if (LeftOut > leftOutBefore)
                statistics.CountZeekJoinUnread(new RecordProblem(path, "its end", $"more than {MaxNames} connections named in the run: {LeftOut - leftOutBefore} names left out"),
                    LeftOut - leftOutBefore);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or CaptureFormatException)
        {
            // Its own source says what is wrong with it, with the file's name, when its turn comes.
        }
        finally
        {
            stream?.Dispose();
        }
    }

    // What a log said of one connection: the server it named, and the ALPN protocol, version and (a weak one only)
    // cipher suite its server selected and its leaf certificate's fingerprint or file id (ssl.log only).
    private readonly record struct Named(ZeekLogKind Kind, string? Name, string? SelectedAlpn, ushort? Version, string? WeakCipher, string? Leaf);

    /// <summary>
    /// Keeps <paramref name="name"/> as what connection <paramref name="uid"/> named in a log of <paramref name="kind"/>,
    /// and <paramref name="selectedAlpn"/>, <paramref name="version"/> and <paramref name="cipher"/> as the ALPN protocol,
    /// version and cipher suite its server selected (the suite kept only when weak), and <paramref name="leaf"/> as its
    /// leaf certificate's fingerprint or file id; the first record of a connection stays.
    /// </summary>
    internal void Add(string uid, ZeekLogKind kind, string? name, string? selectedAlpn = null, ushort? version = null, string? cipher = null,
        string? leaf = null)
    {
        Debug.Assert(kind is ZeekLogKind.Tls or ZeekLogKind.Http);
        if (Count >= MaxNames && !_names.ContainsKey(uid))
        {
            LeftOut++;
            return;
        }
        string? weakCipher = cipher is not null && TlsCipherSuites.Flaws(cipher) != TlsCipherFlaws.None ? Clip(cipher) : null;
        _names.TryAdd(uid, new Named(kind, Clip(name), Clip(selectedAlpn), version, weakCipher, Clip(leaf)));
    }

    /// <summary>
    /// Keeps <paramref name="flaws"/> (<see cref="TlsCertificateFlaws"/>' words, null for none) as what x509.log says of the
    /// certificate with <paramref name="fingerprint"/> or file id <paramref name="id"/>, for the connections whose leaf it is.
    /// </summary>
    internal void AddCertificate(string? fingerprint, string? id, string? flaws)
    {
        foreach (var key in (ReadOnlySpan<string?>)[fingerprint, id])
        {
            if (string.IsNullOrEmpty(key) || _certificates.ContainsKey(key)) continue;
            if (Count >= MaxNames)
            {
                LeftOut++;
                return;
            }
            _certificates.Add(Clip(key)!, flaws);
        }
    }

    // What a binding read from a log says it was learned by, as a capture's says "bind" or a pipe's name.
    private const string Via = "zeek dce_rpc.log";

    /// <summary>
    /// Adds the call of <paramref name="operation"/> on interface <paramref name="endpoint"/> (dce_rpc.log's names) to
    /// connection <paramref name="uid"/>'s call log; returns false when the interface's name is none this run knows (the
    /// record says nothing then). An operation whose name is unknown is a call that could not be told apart: the binding
    /// is judged as if anything was called on it, as a capture's unreadable call is.
    /// </summary>
    internal bool AddCall(string uid, string endpoint, string? operation)
    {
        if (!TryInterface(endpoint, out var uuid)) return false;
        if (!_calls.TryGetValue(uid, out var log))
        {
            if (Count >= MaxNames)
            {
                LeftOut++;
                return true;
            }
            _calls.Add(uid, log = new RpcCallLog());
        }
        // Kept apart from the bound of unnamed bindings only when the run knows the interface by name.
        var binding = log.Bind(uuid, null, Via, named: !endpoint.StartsWith(UnknownPrefix, StringComparison.Ordinal));
        if (binding is null || operation is null) return true;
        if (TryOperation(uuid, operation, out ushort opnum)) binding.Called(opnum);
        else binding.CallsUnseen = true;
        return true;
    }

    private const string UnknownPrefix = ZeekMapping.UnknownPrefix;

    private bool TryInterface(string name, out Guid uuid)
    {
        if (name.StartsWith(UnknownPrefix, StringComparison.Ordinal)) return Guid.TryParse(name.AsSpan(UnknownPrefix.Length), out uuid);
        uuid = default;
        return _rpcNames is not null && _rpcNames.TryInterface(name, out uuid);
    }

    private bool TryOperation(Guid uuid, string name, out ushort opnum)
    {
        if (name.StartsWith(UnknownPrefix, StringComparison.Ordinal)) return ZeekMapping.TryUnknown(name, out opnum);
        opnum = 0;
        return _rpcNames is not null && _rpcNames.TryOperation(uuid, name, out opnum);
    }

    private static string? Clip(string? text) => string.IsNullOrEmpty(text) ? null : text.Length > MaxNameLength ? text[..MaxNameLength] : text;

    /// <summary>
    /// Gives <paramref name="record"/>, conn.log's connection <paramref name="uid"/> of Zeek service list
    /// <paramref name="service"/>, what the run's other logs said of it, as inspection would have given it: dce_rpc.log's
    /// calls (its call log); ssl.log's facts on TLS or DTLS, <c>sni=NAME; version=tls1.2; alpn-selected=ID</c> (each part
    /// only when the log set it), with a version RFC 8996 deprecates the <see cref="FlowWeakness.TlsDeprecated"/>
    /// weakness, a weak cipher suite (<c>cipher=TLS_RSA_WITH_RC4_128_SHA</c>) with the
    /// <see cref="FlowWeakness.TlsWeakCipher"/> weakness, and a weak leaf certificate named last (<c>cert=rsa1024,sha1</c>)
    /// with the <see cref="FlowWeakness.TlsWeakCertificate"/> weakness; on a connection upgraded by STARTTLS (a service list that names ssl after its own, "smtp,ssl")
    /// <c>starttls; version=tls1.2</c>, as the mail inspector gives it; http.log's <c>host=NAME</c> on HTTP. The values'
    /// bytes are escaped as inspection escapes wire text; a log that named the connection for another application gives
    /// nothing.
    /// </summary>
    public void JoinTo(ref FlowRecord record, string? uid, string? service)
    {
        if (uid is null) return;
        if (_calls.Count > 0) record.RpcCalls = _calls.GetValueOrDefault(uid);
        if (record.App is not { } app || _names.Count == 0 || !_names.TryGetValue(uid, out var named)) return;
        bool upgraded = false;
        if (named.Kind == ZeekLogKind.Tls && app != AppLabel.Tls && app != AppLabel.Dtls)
        {
            upgraded = ZeekMapping.Names(service, "ssl");
            if (!upgraded) return;
        }
        else if (named.Kind == ZeekLogKind.Http && app != AppLabel.Http) return;
        bool tls = named.Kind == ZeekLogKind.Tls;
        Span<char> buffer = stackalloc char[AppDetailBuilder.DefaultCapacity * 2];
        var detail = new AppDetailBuilder(buffer);
        if (upgraded)
        {
            detail.Part(null);
            detail.Append(DetailKeys.StartTls);
        }
        else Part(ref detail, tls ? DetailKeys.ServerName : DetailKeys.Host, named.Name);
        if (named.Version is { } version)
        {
            detail.Part(DetailKeys.Version);
            detail.Append(TlsVersions.Name(version));
            if (TlsVersions.IsDeprecated(version)) record.Weakness |= FlowWeakness.TlsDeprecated;
        }
        if (tls && !upgraded) Part(ref detail, DetailKeys.SelectedAlpn, named.SelectedAlpn);
        if (named.WeakCipher is not null)
        {
            Part(ref detail, DetailKeys.Cipher, named.WeakCipher);
            record.Weakness |= FlowWeakness.TlsWeakCipher;
        }
        if (named.Leaf is { } leaf && _certificates.TryGetValue(leaf, out var flaws) && flaws is not null)
        {
            Part(ref detail, DetailKeys.Certificate, flaws);
            record.Weakness |= FlowWeakness.TlsWeakCertificate;
        }
        record.AppDetail = detail.Build();
    }

    // One part, its value's bytes escaped and bounded by what the buffer has left; none for a value the log left unset.
    private static void Part(ref AppDetailBuilder detail, string key, string? value)
    {
        if (value is null) return;
        detail.Part(key);
        detail.AppendEscaped(Encoding.UTF8.GetBytes(value), AppDetailBuilder.DefaultCapacity);
    }
}
