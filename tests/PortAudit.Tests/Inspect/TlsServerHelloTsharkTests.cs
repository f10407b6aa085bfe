using PortAudit.Flows.Facts;
using PortAudit.Tests.Sources.Live;
using Xunit.Abstractions;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// tshark as the oracle for what a TLS or DTLS server chose. On the real captures whose servers chose deprecated versions
/// or weak cipher suites, the conversations whose first ServerHello tshark reads with SSL 3.0, TLS 1.0 or 1.1 or DTLS 1.0
/// (TLS 1.3's supported_versions before the legacy field) are the flows inspection marks
/// <see cref="FlowWeakness.TlsDeprecated"/>, and those whose suite tshark names as weak (RC4, 3DES...) the flows marked
/// <see cref="FlowWeakness.TlsWeakCipher"/>, after STARTTLS in SMTP and POP3 and FTP's AUTH TLS too; where the two differ,
/// each conversation is named with the reason, read by hand. tshark's own table of cipher suites names the weak ones
/// inspection knows by number.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class TlsServerHelloTsharkTests(ITestOutputHelper output)
{
    private static readonly string[] Deprecated = ["0x0300", "0x0301", "0x0302", "0xfeff", "0x0100"];

    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void The_bench_captures_servers_tshark_reads_choosing_a_deprecated_version_are_the_weak_flows() => AssertAgreement("bench/base.pcap",
        // TLS begun inside a flow another inspector holds is read: FTP's AUTH TLS on 21, DTLS after STUN on one 5-tuple
        // (WebRTC's), CAPWAP's DTLS, and OpenVPN's control channel on 1194, and on 443 (OpenVpnOn443).
        oursOnly: [.. BaseUndissected, OpenVpnOn443]);

    // OpenVPN over TCP 443, whose framing tshark does not read as TLS there: told 443 is OpenVPN, it reads the server's
    // TLS 1.0 as we do.
    private const string OpenVpnOn443 = "tcp 192.168.1.77 60140 46.101.231.218 443";

    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void The_bench_captures_openvpn_server_on_443_chose_tls_1_0_as_tshark_reads_it_decoded_as_openvpn()
    {
        string path = SharedData.Path("bench/base.pcap")!;
        string tshark = External.Run("tshark", "-r", path, "-d", "tcp.port==443,openvpn", "-Y",
            "tcp.port==60140 && tls.handshake.type == 2", "-T", "fields", "-e", "tls.handshake.version");
        Assert.Equal("0x0301", tshark.Trim());
        var flow = Assert.Single(InspectTestData.Inspect(path).Flows, f => TsharkLabelAgreementTests.Key(f) == OpenVpnOn443);
        Assert.Equal((AppLabel.OpenVpn, FlowWeakness.TlsDeprecated), (flow.App, flow.Weakness & FlowWeakness.TlsDeprecated));
        Assert.Contains("version=tls1.0", flow.AppDetail?.ToString());
    }

    // A ServerHello (16 03 01 004a 02 ... 0301) that came after the segment before it: tshark reads it as a
    // retransmission, and as TLS 1.0 and TLS_RSA_WITH_RC4_128_SHA with -o tcp.reassemble_out_of_order:TRUE.
    private static readonly string[] BaseUndissected = ["tcp 172.31.3.224 42835 216.58.212.100 443"];

    // Two ServerHellos of TLS 1.0 read by hand (16 03 01 ... 02 ... 03 01; the suites after the session id 0xc007,
    // TLS_ECDHE_ECDSA_WITH_RC4_128_SHA, and 0x0004, TLS_RSA_WITH_RC4_128_MD5) that tshark does not dissect: one after a
    // second SYN-ACK on the same ports, its segments taken for retransmissions; one on 5223, whole in a first segment
    // whose record goes on past what was captured.
    private static readonly string[] KakaoUndissected = ["tcp 10.24.82.188 35503 173.252.97.2 443", "tcp 10.24.82.188 58964 54.255.253.199 5223"];

    [NeedsProgramFact("tshark", shared: "captures/KakaoTalk_chat.pcap")]
    public void KakaoTalks_servers_tshark_reads_choosing_tls_1_0_are_the_weak_flows() =>
        AssertAgreement("captures/KakaoTalk_chat.pcap", oursOnly: KakaoUndissected);

    [NeedsProgramFact("tshark", shared: "captures/pop3_stls.pcap")]
    public void A_pop3_server_choosing_tls_1_0_after_stls_is_weak() => AssertAgreement("captures/pop3_stls.pcap");

    [NeedsProgramFact("tshark", shared: "captures/smtp-starttls.pcap")]
    public void An_smtp_server_choosing_tls_1_0_after_starttls_is_weak_and_one_choosing_tls_1_2_is_not() => AssertAgreement("captures/smtp-starttls.pcap");

    [NeedsProgramFact("tshark")]
    public void The_weak_cipher_suites_named_by_number_are_those_of_tsharks_table_whose_names_say_so()
    {
        var suites = TsharkSuites();
        Assert.True(suites.Count > 400, $"tshark -G values named {suites.Count} cipher suites");
        // The platform names IANA's registry; tshark also names suites of drafts and vendors IANA never listed
        // (FORTEZZA, the 1024-bit export drafts, Netscape's FIPS ones), which inspection leaves unnamed.
        var unlisted = suites.Where(s => TlsCipherSuites.Name(s.Key) is null).ToList();
        Assert.All(unlisted, s => Assert.Null(TlsCipherSuites.WeakName(s.Key)));
        foreach (var (number, name) in suites.Except(unlisted))
            Assert.True(TlsCipherSuites.Flaws(name) == (TlsCipherSuites.WeakName(number) is { } ours ? TlsCipherSuites.Flaws(ours) : TlsCipherFlaws.None),
                $"0x{number:x4} {name}: ours {TlsCipherSuites.WeakName(number) ?? "(not weak)"}");
        output.WriteLine($"{suites.Count} suites in tshark's table, {unlisted.Count} of them unlisted by IANA (weak by name: " +
                         $"{string.Join(", ", unlisted.Where(s => TlsCipherSuites.Flaws(s.Value) != TlsCipherFlaws.None).Select(s => $"0x{s.Key:x4}"))})");
        Assert.Equal(102, suites.Count(s => TlsCipherSuites.WeakName(s.Key) is not null));
        Assert.Equal(TlsCipherFlaws.Rc4, TlsCipherSuites.Flaws(suites[0x0005]));
        Assert.Equal(TlsCipherFlaws.SmallBlock, TlsCipherSuites.Flaws(suites[0x000a]));
        Assert.Equal(TlsCipherFlaws.ShortKey, TlsCipherSuites.Flaws(suites[0x0009]));
        Assert.Equal(TlsCipherFlaws.Export | TlsCipherFlaws.Rc4 | TlsCipherFlaws.Anonymous, TlsCipherSuites.Flaws(suites[0x0017]));
        Assert.Equal(TlsCipherFlaws.NoEncryption, TlsCipherSuites.Flaws(suites[0xc0b4]));
        Assert.Equal(TlsCipherFlaws.None, TlsCipherSuites.Flaws(suites[0x002f]));
        Assert.Equal(TlsCipherFlaws.None, TlsCipherSuites.Flaws(suites[0x1301]));
    }

    [NeedsProgramFact("tshark", shared: "bench/base.pcap")]
    public void The_bench_captures_servers_tshark_reads_choosing_a_weak_cipher_suite_are_the_weak_flows() =>
        AssertCipherAgreement("bench/base.pcap", oursOnly: BaseUndissected);

    [NeedsProgramFact("tshark", shared: "captures/KakaoTalk_chat.pcap")]
    public void KakaoTalks_servers_tshark_reads_choosing_rc4_are_the_weak_flows() =>
        AssertCipherAgreement("captures/KakaoTalk_chat.pcap", oursOnly: KakaoUndissected);

    [NeedsProgramFact("tshark", shared: "captures/pop3_stls.pcap")]
    public void A_pop3_server_choosing_rc4_after_stls_is_weak() => AssertCipherAgreement("captures/pop3_stls.pcap");

    [NeedsProgramFact("tshark", shared: "captures/smtp-starttls.pcap")]
    public void An_smtp_server_choosing_rc4_after_starttls_is_weak() => AssertCipherAgreement("captures/smtp-starttls.pcap");

    // Cipher suite numbers and names as tshark's TLS dissector knows them.
    private static Dictionary<ushort, string> TsharkSuites() => External.Run("tshark", "-G", "values").Split('\n')
        .Select(line => line.Split('\t'))
        .Where(f => f.Length == 4 && f[0] == "V" && f[1] == "tls.handshake.ciphersuite")
        .ToDictionary(f => ushort.Parse(f[2]), f => f[3]);

    private void AssertCipherAgreement(string capture, string[]? oursOnly = null)
    {
        string path = SharedData.Path(capture)!;
        var names = TsharkSuites();
        bool Weak(string[] values) => values[0].Length > 0 && names.TryGetValue(Convert.ToUInt16(values[0], 16), out var name)
                                      && TlsCipherSuites.Flaws(name) != TlsCipherFlaws.None;
        var tls = TsharkLabelAgreementTests.FirstValues(path, "tls.handshake.type == 2", ["tls.handshake.ciphersuite"]);
        var dtls = TsharkLabelAgreementTests.FirstValues(path, "dtls.handshake.type == 2", ["dtls.handshake.ciphersuite"]);
        var tshark = tls.Concat(dtls).Where(c => Weak(c.Value)).Select(c => c.Key).ToHashSet();
        var flows = InspectTestData.Inspect(path).Flows;
        var ours = flows.Where(f => (f.Weakness & FlowWeakness.TlsWeakCipher) != 0).Select(TsharkLabelAgreementTests.Key).ToHashSet();
        output.WriteLine($"{capture}: tshark {tshark.Count} ({tls.Count + dtls.Count} ServerHellos), ours {ours.Count}, " +
                         $"both {tshark.Count(ours.Contains)}; tshark only: {string.Join(" | ", tshark.Except(ours))}; ours only: {string.Join(" | ", ours.Except(tshark))}");
        Assert.NotEmpty(tshark);
        Assert.Equal(tshark.Concat(oursOnly ?? []).Order(), ours.Order());
        Assert.All(flows.Where(f => (f.Weakness & FlowWeakness.TlsWeakCipher) != 0),
            f => Assert.NotEqual(TlsCipherFlaws.None, TlsCipherSuites.Flaws(f.AppDetail!.Find(DetailKeys.Cipher)!)));
    }

    private void AssertAgreement(string capture, string[]? tsharkOnly = null, string[]? oursOnly = null)
    {
        string path = SharedData.Path(capture)!;
        var tls = TsharkLabelAgreementTests.FirstValues(path, "tls.handshake.type == 2",
            ["tls.handshake.extensions.supported_version", "tls.handshake.version"]);
        var dtls = TsharkLabelAgreementTests.FirstValues(path, "dtls.handshake.type == 2", ["dtls.handshake.version"]);
        var tshark = tls.Where(c => Deprecated.Contains(c.Value[0].Length > 0 ? c.Value[0] : c.Value[1])).Select(c => c.Key)
            .Concat(dtls.Where(c => Deprecated.Contains(c.Value[0])).Select(c => c.Key)).ToHashSet();
        var flows = InspectTestData.Inspect(path).Flows;
        var ours = flows.Where(f => (f.Weakness & FlowWeakness.TlsDeprecated) != 0).Select(TsharkLabelAgreementTests.Key).ToHashSet();
        output.WriteLine($"{capture}: tshark {tshark.Count} ({tls.Count + dtls.Count} ServerHellos), ours {ours.Count}, " +
                         $"both {tshark.Count(ours.Contains)}; tshark only: {string.Join(" | ", tshark.Except(ours))}; ours only: {string.Join(" | ", ours.Except(tshark))}");
        Assert.NotEmpty(tshark);
        Assert.Equal(tshark.Except(tsharkOnly ?? []).Concat(oursOnly ?? []).Order(), ours.Order());
    }
}
