using System.Buffers.Binary;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// What a ClientHello or ServerHello tells (RFC 8446 4.1, RFC 6347 4.2): server name, ALPN protocols and version,
/// read with every length checked. Shared by TLS and DTLS, whose hellos differ only by the DTLS cookie.
/// </summary>
public ref struct TlsHello
{
    private const ushort ServerNameExtension = 0, AlpnExtension = 16, SupportedVersionsExtension = 43;
    private const string SniKey = DetailKeys.ServerName, AlpnKey = "alpn", VersionKey = DetailKeys.Version;

    /// <summary>Characters of a server name the detail keeps (a DNS name's longest): a longer one is cut there.</summary>
    public const int MaxServerName = 253;

    /// <summary>The word of a detail whose hello could not be read whole (longer than the bound, cut by another record, or past the limits).</summary>
    public const string UnreadWord = "hello-unread";

    /// <summary>The host_name of the server_name extension.</summary>
    public ReadOnlySpan<byte> ServerName;

    /// <summary>The ALPN extension's protocol name list (length-prefixed names).</summary>
    public ReadOnlySpan<byte> Alpn;

    /// <summary>The legacy version field, or the highest supported_versions entry when present.</summary>
    public ushort Version;

    /// <summary>
    /// True for a version no peer may negotiate any more (<see cref="TlsVersions.IsDeprecated"/>). Judged on a ServerHello's,
    /// the server's choice: a client's offer of them beside TLS 1.2 is what every client long sent, and says nothing of
    /// the connection.
    /// </summary>
    public readonly bool Deprecated => TlsVersions.IsDeprecated(Version);

    /// <summary>
    /// True when a certificate follows this ServerHello in clear: SSL 3.0 to TLS 1.2, DTLS 1.0 and 1.2 (TLS 1.3 and DTLS
    /// 1.3 encrypt it, RFC 8446 4.4.2, RFC 9147 5). A resumed session sends none, which the message after the hello shows.
    /// </summary>
    public readonly bool CertificateFollows => Version is >= 0x0300 and <= 0x0303 or 0xFEFF or 0xFEFD or 0x0100;

    /// <summary>The cipher suite a ServerHello chose; null for a ClientHello's, or a ServerHello cut before it.</summary>
    public ushort? CipherSuite;

    /// <summary>Reads a ClientHello body (from client_version on); false when the fixed part is damaged.</summary>
    public static bool TryParseClient(ReadOnlySpan<byte> body, bool dtls, out TlsHello hello)
    {
        hello = default;
        int at = 2 + 32;
        if (body.Length < at + 1) return false;
        hello.Version = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (!Skip8(body, ref at)) return false;
        if (dtls && !Skip8(body, ref at)) return false;
        if (!Skip16(body, ref at) || !Skip8(body, ref at)) return true;
        hello.ReadExtensions(body, at, client: true);
        return true;
    }

    /// <summary>Reads a ServerHello body; false when the fixed part is damaged.</summary>
    public static bool TryParseServer(ReadOnlySpan<byte> body, out TlsHello hello)
    {
        hello = default;
        int at = 2 + 32;
        if (body.Length < at + 1) return false;
        hello.Version = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (!Skip8(body, ref at)) return false;
        if (at + 2 > body.Length) return true;
        hello.CipherSuite = BinaryPrimitives.ReadUInt16BigEndian(body[at..]);
        at += 3; // cipher suite and compression method
        if (at > body.Length) return true;
        hello.ReadExtensions(body, at, client: false);
        return true;
    }

    /// <summary>
    /// The appDetail: sni, alpn and version parts ("sni=...; alpn=...; version=..."), leaving out what is unknown; with
    /// <paramref name="unread"/>, the word <c>hello-unread</c> before the version says the hello was read in part only.
    /// </summary>
    public readonly AppDetail Detail(ushort? negotiated = null, bool unread = false)
    {
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        if (!ServerName.IsEmpty)
        {
            text.Part(SniKey);
            text.AppendEscaped(ServerName, MaxServerName);
        }
        if (!Alpn.IsEmpty)
        {
            text.Part(AlpnKey);
            AppendAlpn(ref text);
        }
        // Before the version, which the ServerHello replaces with all that follows it (AppDetail.With).
        if (unread)
        {
            text.Part(null);
            text.Append(UnreadWord);
        }
        text.Part(VersionKey);
        text.Append(TlsVersions.Name(negotiated ?? Version));
        return text.Build()!;
    }

    /// <summary>A detail of the version alone ("version=tls1.2"), for records seen before any hello.</summary>
    public static AppDetail VersionDetail(string version) => AppDetail.Of(new DetailPart(VersionKey, version));

    /// <summary>Replaces or adds the version part of a detail built by <see cref="Detail"/>: the ServerHello's word is final.</summary>
    public static AppDetail WithVersion(AppDetail? detail, string version) =>
        AppDetail.With(detail, new DetailPart(VersionKey, version));

    /// <summary>
    /// The detail once the ServerHello is read: <paramref name="client"/>'s parts before its version (sni, alpn,
    /// hello-unread), then the negotiated version and, when the server selected one, <c>alpn-selected=...</c>.
    /// </summary>
    public readonly AppDetail ServerDetail(AppDetail? client)
    {
        var selected = FirstAlpn(Alpn);
        if (selected.IsEmpty) return WithVersion(client, TlsVersions.Name(Version));
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        for (int i = 0; client is not null && i < client.Count; i++)
        {
            var key = client.KeyAt(i);
            if (key.SequenceEqual(VersionKey)) break;
            text.Part(key, keyed: !key.IsEmpty);
            text.Append(client.ValueAt(i));
        }
        text.Part(VersionKey);
        text.Append(TlsVersions.Name(Version));
        text.Part(DetailKeys.SelectedAlpn);
        text.AppendEscaped(selected, 32, escapeComma: true);
        return text.Build()!;
    }

    /// <summary>
    /// Gives <paramref name="flow"/> what this ServerHello settles: its detail (<see cref="ServerDetail"/>); for a
    /// version no peer may negotiate any more the <see cref="FlowWeakness.TlsDeprecated"/> weakness; for a weak cipher
    /// suite the <see cref="FlowWeakness.TlsWeakCipher"/> weakness and its name last in the detail (<c>cipher=...</c>).
    /// </summary>
    public readonly void Settle(Flow flow)
    {
        var detail = ServerDetail(flow.AppDetail);
        if (Deprecated) flow.Weakness |= FlowWeakness.TlsDeprecated;
        if (CipherSuite is { } suite && TlsCipherSuites.WeakName(suite) is { } weak)
        {
            // A second AppDetail, for the rare weak suite only: a strong one leaves the detail as every flow has it.
            detail = detail.With(new DetailPart(DetailKeys.Cipher, weak));
            flow.Weakness |= FlowWeakness.TlsWeakCipher;
        }
        flow.AppDetail = detail;
    }

    /// <summary>
    /// A detail that keeps what a ClientHello named (its sni and alpn parts, from a detail built by <see cref="Detail"/>)
    /// and puts <paramref name="then"/> after them in place of the rest: a flow that turned out to be no TLS still says
    /// where it asked to go.
    /// </summary>
    public static AppDetail NamesThen(AppDetail? hello, ReadOnlySpan<DetailPart> then)
    {
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        for (int i = 0; hello is not null && i < hello.Count; i++)
        {
            var key = hello.KeyAt(i);
            if (!key.SequenceEqual(SniKey) && !key.SequenceEqual(AlpnKey)) continue;
            text.Part(key, keyed: true);
            text.Append(hello.ValueAt(i));
        }
        foreach (var part in then)
        {
            text.Part(part.Key);
            text.Append(part.Value);
        }
        return text.Build()!;
    }

    // The first name of a protocol name list: the server's one choice (RFC 7301 3.1 allows it no other).
    private static ReadOnlySpan<byte> FirstAlpn(ReadOnlySpan<byte> list) =>
        list.Length > 0 && list[0] > 0 && list.Length > list[0] ? list.Slice(1, list[0]) : default;

    private readonly void AppendAlpn(ref AppDetailBuilder text)
    {
        var list = Alpn;
        int start = text.Length;
        while (list.Length > 0 && list[0] > 0 && list.Length > list[0])
        {
            if (text.Length > start) text.Append(',');
            text.AppendEscaped(list.Slice(1, list[0]), 32, escapeComma: true);
            list = list[(1 + list[0])..];
        }
    }

    private void ReadExtensions(ReadOnlySpan<byte> body, int at, bool client)
    {
        if (at + 2 > body.Length) return;
        int end = Math.Min(body.Length, at + 2 + BinaryPrimitives.ReadUInt16BigEndian(body[at..]));
        at += 2;
        while (at + 4 <= end)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(body[at..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(body[(at + 2)..]);
            at += 4;
            if (at + length > end) return;
            var value = body.Slice(at, length);
            at += length;
            switch (type)
            {
                case ServerNameExtension when client:
                    ReadServerName(value);
                    break;
                case AlpnExtension when value.Length >= 2:
                    Alpn = value[2..Math.Min(value.Length, 2 + BinaryPrimitives.ReadUInt16BigEndian(value))];
                    break;
                case SupportedVersionsExtension:
                    ReadSupportedVersions(value, client);
                    break;
            }
        }
    }

    private void ReadServerName(ReadOnlySpan<byte> value)
    {
        // server_name_list: length, then entries of type (0 = host_name), length, name.
        if (value.Length < 5 || value[2] != 0) return;
        int length = BinaryPrimitives.ReadUInt16BigEndian(value[3..]);
        if (5 + length <= value.Length) ServerName = value.Slice(5, length);
    }

    private void ReadSupportedVersions(ReadOnlySpan<byte> value, bool client)
    {
        if (!client)
        {
            if (value.Length >= 2) Version = BinaryPrimitives.ReadUInt16BigEndian(value);
            return;
        }
        if (value.Length < 1) return;
        var list = value.Slice(1, Math.Min(value[0], value.Length - 1));
        for (int i = 0; i + 1 < list.Length; i += 2)
        {
            ushort v = BinaryPrimitives.ReadUInt16BigEndian(list[i..]);
            // GREASE values (0x?a?a) are not versions.
            if ((v & 0x0F0F) == 0x0A0A) continue;
            if (Rank(v) > Rank(Version)) Version = v;
        }
    }

    // DTLS versions count down; rank them so that "highest" means newest for both families.
    private static int Rank(ushort v) => v >= 0xFE00 ? 0x10000 - v : v;

    private static bool Skip8(ReadOnlySpan<byte> body, ref int at)
    {
        if (at >= body.Length) return false;
        at += 1 + body[at];
        return at <= body.Length;
    }

    private static bool Skip16(ReadOnlySpan<byte> body, ref int at)
    {
        if (at + 2 > body.Length) return false;
        at += 2 + BinaryPrimitives.ReadUInt16BigEndian(body[at..]);
        return at <= body.Length;
    }
}
