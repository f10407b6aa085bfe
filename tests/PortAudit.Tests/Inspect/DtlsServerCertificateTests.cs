using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// A DTLS 1.2 server's leaf certificate through the engine: in the hello's datagram, cut into fragments across datagrams
/// in any order (RFC 6347 4.2.3), fragments that disagree, a certificate begun and left unfinished (the handshake moving
/// on, or the flow ending: on its own port, beside a STUN or a CAPWAP claim), and a flight with no certificate (an
/// anonymous suite). The leaf is an RSA 1024 key, which the audit calls weak (<c>cert=rsa1024</c>).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class DtlsServerCertificateTests
{
    private const string Client = "192.0.2.20", Server = "198.51.100.30";
    private const byte ServerHello = 2, Certificate = 11, ServerHelloDone = 14;
    private const string Named = "sni=media.example; alpn=h2,http/1.1; version=dtls1.2";

    // Certificate's body: certificate_list's length, one entry's length and DER bytes.
    private static readonly byte[] Body = CertificateBody();

    [Fact]
    public void A_leaf_in_the_hellos_datagram_is_judged()
    {
        var flow = Inspect((false, Record(Hello(), Fragment(Certificate, 2, Body, 0, Body.Length))));
        Assert.Equal(($"{Named}; cert=rsa1024", FlowWeakness.TlsWeakCertificate), (flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void A_leaf_in_fragments_across_datagrams_in_any_order_and_sent_twice_is_judged()
    {
        int third = Body.Length / 3;
        var flow = Inspect(
            (false, Record(Hello(), Fragment(Certificate, 2, Body, 2 * third, Body.Length - 2 * third))),
            (false, Record(Fragment(Certificate, 2, Body, 0, third))),
            (false, Record(Fragment(Certificate, 2, Body, 0, third))),
            (false, Record(Fragment(Certificate, 2, Body, third, third))));
        Assert.Equal(($"{Named}; cert=rsa1024", FlowWeakness.TlsWeakCertificate), (flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void Fragments_that_disagree_leave_the_leaf_unread()
    {
        byte[] other = [.. Body];
        other[Body.Length / 2] ^= 0xFF;
        int half = Body.Length / 2 + 10;
        var flow = Inspect(
            (false, Record(Hello(), Fragment(Certificate, 2, Body, 0, half))),
            (false, Record(Fragment(Certificate, 2, other, Body.Length / 2 - 10, Body.Length - (Body.Length / 2 - 10)))));
        Assert.Equal(($"{Named}; cert=unread", FlowWeakness.None), (flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void A_leaf_begun_and_not_finished_when_the_handshake_moves_on_is_unread()
    {
        // The server's ChangeCipherSpec (epoch 0, type 20): no more of the flight will come.
        byte[] changeCipherSpec = [20, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 1];
        var flow = Inspect((false, Record(Hello(), Fragment(Certificate, 2, Body, 0, Body.Length / 2))), (false, changeCipherSpec));
        Assert.Equal(($"{Named}; cert=unread", FlowWeakness.None), (flow.AppDetail?.ToString(), flow.Weakness));
    }

    [Fact]
    public void A_leaf_begun_in_the_flows_last_datagram_is_unread()
    {
        // Nothing after the first half of the Certificate message: the flow ends there (a capture cut short, a lost
        // datagram). The leaf was not read; the detail says so rather than nothing, and no weakness is claimed of it.
        var flow = Inspect((false, Record(Hello(), Fragment(Certificate, 2, Body, 0, Body.Length / 2))));
        Assert.Equal(($"{Named}; cert=unread", FlowWeakness.None), (flow.AppDetail?.ToString(), flow.Weakness));
        // A leaf not begun when the flow ends is not said unread: a ServerHello alone may have no certificate after it.
        var helloOnly = Inspect((false, Record(Hello())));
        Assert.Equal((Named, FlowWeakness.None), (helloOnly.AppDetail?.ToString(), helloOnly.Weakness));
    }

    [Fact]
    public void A_leaf_begun_in_the_last_datagram_of_a_stun_or_capwap_flow_is_unread()
    {
        // WebRTC: STUN checks, then DTLS on the same 5-tuple (RFC 7983), read beside the STUN claim.
        byte[] serverFlight = Record(Hello(), Fragment(Certificate, 2, Body, 0, Body.Length / 2));
        var stun = Flows(3478, (true, Payloads.StunBinding), (false, Payloads.StunBindingOk),
            (true, TlsInspectorTests.ClientHello("media.example", dtls: true)), (false, serverFlight));
        Assert.Equal((AppLabel.Stun, "binding; version=dtls1.2; cert=unread"), (stun.App, stun.AppDetail?.ToString()));
        // CAPWAP's control channel: each DTLS record after the four-byte DTLS header (RFC 5415 4.2).
        byte[] header = [0x01, 0, 0, 0];
        var capwap = Flows(5246, (true, [.. header, .. TlsInspectorTests.ClientHello("wlc.example", dtls: true)]), (false, [.. header, .. serverFlight]));
        Assert.Equal((AppLabel.Capwap, "control; version=dtls1.2; cert=unread"), (capwap.App, capwap.AppDetail?.ToString()));
        Assert.Equal(FlowWeakness.None, stun.Weakness | capwap.Weakness);
    }

    [Fact]
    public void A_flight_without_a_certificate_says_nothing_of_one()
    {
        var flow = Inspect((false, Record(Hello(), Fragment(ServerHelloDone, 2, [], 0, 0))));
        Assert.Equal((Named, FlowWeakness.None), (flow.AppDetail?.ToString(), flow.Weakness));
    }

    // The client's hello for media.example, then the server's datagrams, through the engine.
    private static Flow Inspect(params (bool FromClient, byte[] Data)[] server)
    {
        var flow = Flows(5061, [(true, TlsInspectorTests.ClientHello("media.example", dtls: true)), .. server]);
        Assert.Equal(AppLabel.Dtls, flow.App);
        return flow;
    }

    // The one flow the datagrams make to the server's port, through the engine; the capture ends with them.
    private static Flow Flows(ushort port, params (bool FromClient, byte[] Data)[] datagrams) =>
        Assert.Single(InspectTestData.Inspect(new ScenarioCapture("dtls-certificate", 1_700_000_000).UdpTurns(Client, Server, port, 1, datagrams).Build()));

    private static byte[] Hello()
    {
        var body = TlsInspectorTests.ServerHelloBody("fefd", "");
        return Fragment(ServerHello, 1, body, 0, body.Length);
    }

    // A handshake fragment: type, length, message_seq, fragment_offset, fragment_length, bytes.
    private static byte[] Fragment(byte type, ushort sequence, byte[] body, int offset, int count) =>
        [type, .. Be24(body.Length), (byte)(sequence >> 8), (byte)sequence, .. Be24(offset), .. Be24(count), .. body.AsSpan(offset, count)];

    private static byte[] Record(params byte[][] fragments) => DtlsHelloFragmentsTests.Record(fragments);

    /// <summary>
    /// A Certificate message's body (certificate_list's length, one entry's length and DER bytes) whose one leaf is an
    /// RSA 1024 key, self-signed with SHA-256, for <paramref name="subject"/> with <paramref name="names"/> DNS names in
    /// its subjectAltName (many names make a long leaf, as a shared host's is).
    /// </summary>
    internal static byte[] CertificateBody(string subject = "CN=sip01", int names = 0)
    {
        using var key = RSA.Create(1024);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (names > 0)
        {
            var altNames = new SubjectAlternativeNameBuilder();
            for (int i = 1; i <= names; i++) altNames.AddDnsName($"host-{i:D4}.hosted.example");
            request.CertificateExtensions.Add(altNames.Build());
        }
        var leaf = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100)).RawData;
        byte[] entry = [.. Be24(leaf.Length), .. leaf];
        return [.. Be24(entry.Length), .. entry];
    }

    internal static byte[] Be24(int value) => [(byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
