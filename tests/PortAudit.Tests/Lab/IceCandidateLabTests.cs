using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Tests.Audit;

namespace PortAudit.Tests.Lab;

/// <summary>
/// ICE candidates with real peers: SIPp places a call over TCP from client01 to fe01, whose answer (a SIPp scenario) offers a UDP
/// host candidate, a passive and an active TCP candidate at ports no media rule names; media then goes to those ports.
/// The flows to the UDP and passive TCP candidates are labelled rtp of that call and judged by the Lync media rule, as
/// the c=/m= default would be; the active candidate's port and a port no candidate named stay unexpected.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class IceCandidateLabTests : IDisposable
{
    private const string Client = TwoHostLab.ClientAddress, Server = TwoHostLab.ServerAddress;

    private const int UdpHost = 40000, TcpPassive = 40002, TcpActive = 40004, NotACandidate = 40006;

    // SIPp's own UAS scenario, its 200 answer carrying ICE candidates (RFC 8839; Lync's MS-ICE2 TCP-PASS / TCP-ACT).
    private static readonly string AnswerScenario = $"""
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <scenario name="UAS answering with ICE candidates">
          <recv request="INVITE" crlf="true"/>
          <send retrans="500"><![CDATA[

              SIP/2.0 200 OK
              [last_Via:]
              [last_From:]
              [last_To:];tag=[pid]palab[call_number]
              [last_Call-ID:]
              [last_CSeq:]
              Contact: <sip:[local_ip]:[local_port];transport=[transport]>
              Content-Type: application/sdp
              Content-Length: [len]

              v=0
              o=fe01 1 1 IN IP4 {Server}
              s=-
              c=IN IP4 {Server}
              t=0 0
              m=audio 6000 RTP/AVP 0
              a=rtpmap:0 PCMU/8000
              a=candidate:1 1 UDP 2130706431 {Server} {UdpHost} typ host
              a=candidate:2 1 TCP-PASS 174455807 {Server} {TcpPassive} typ host
              a=candidate:3 1 TCP-ACT 174848511 {Server} {TcpActive} typ host

            ]]></send>
          <recv request="ACK" optional="true" crlf="true"/>
          <recv request="BYE"/>
          <send><![CDATA[

              SIP/2.0 200 OK
              [last_Via:]
              [last_From:]
              [last_To:]
              [last_Call-ID:]
              [last_CSeq:]
              Content-Length: 0

            ]]></send>
        </scenario>
        """;

    private readonly TwoHostLab _lab = new("paice");

    public void Dispose() => _lab.Dispose();

    [LabFact]
    public void Media_to_a_candidates_port_is_the_calls_rtp_and_judged_by_the_media_rule()
    {
        _lab.Connect();
        string scenario = Path.Combine(_lab.Dir, "uas-ice.xml"), capture = Path.Combine(_lab.Dir, "ice.pcap");
        File.WriteAllText(scenario, AnswerScenario);
        var uas = _lab.Start(_lab.ServerNs, "sipp", ["-sf", scenario, "-i", Server, "-p", "5060", "-t", "t1", "-m", "1", "-nostdin"]);
        _lab.WaitListening(_lab.ServerNs, "tcp", 5060, "sipp");
        foreach (int port in new[] { UdpHost, NotACandidate })
            _lab.Start(_lab.ServerNs, "socat", [$"UDP-RECVFROM:{port},bind={Server},fork", "SYSTEM:echo ok"]);
        // -t 5: the TCP server waits for the forked echo after the request's end, and the shell reads the request after
        // answering (see PolicyTrafficLabTests.Listen).
        foreach (int port in new[] { TcpPassive, TcpActive })
            _lab.Start(_lab.ServerNs, "socat", ["-t", "5", $"TCP-LISTEN:{port},bind={Server},reuseaddr,fork", "SYSTEM:echo ok; cat >/dev/null"]);
        // Every listener, not only the last started: on a loaded machine they need not come up in the order started.
        foreach (int port in new[] { UdpHost, NotACandidate })
            _lab.WaitListening(_lab.ServerNs, "udp", port, "socat");
        foreach (int port in new[] { TcpPassive, TcpActive })
            _lab.WaitListening(_lab.ServerNs, "tcp", port, "socat");
        var tcpdump = _lab.CaptureOnClient(capture);

        var call = _lab.Run(_lab.ClientNs, "sipp", ["-sn", "uac", $"{Server}:5060", "-i", Client, "-t", "t1", "-m", "1", "-d", "100",
            "-timeout", "15", "-nostdin"], TimeSpan.FromSeconds(30));
        Assert.True(call.ExitCode == 0, $"the SIPp call failed ({call.ExitCode}): {call.StandardError}");
        uas.WaitForExit(5000);
        Assert.Equal("ok", Send("UDP", UdpHost));
        Assert.Equal("ok", Send("TCP", TcpPassive));
        Assert.Equal("ok", Send("TCP", TcpActive));
        Assert.Equal("ok", Send("UDP", NotACandidate));
        TwoHostLab.StopCapture(tcpdump, capture);

        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
        var (flows, _) = SharedCaptureAuditTests.Audit(context, capture);
        // SIPp calls the Front End's 5060 in clear text: its listener for trusted services, not a client's, so the call
        // itself is unexpected; the media it announced is judged by the media rule all the same.
        var sip = Assert.Single(flows, f => f.Flow.App == AppLabel.Sip);
        Assert.Equal(Verdict.Unexpected, sip.Verdict.Verdict);
        (AppLabel? App, string? Candidate, Verdict Verdict, string? Protocol) At(byte transport, int port)
        {
            var (flow, verdict) = Assert.Single(flows, f => f.Flow.Protocol == transport && f.Flow.ServerPort == port);
            return (flow.App, flow.AppDetail?.Find("candidate"), verdict.Verdict, verdict.Rule?.Protocol);
        }

        // No media rule names 40000-40006: only the candidates make these flows the call's media.
        Assert.Equal((AppLabel.Rtp, "host", Verdict.Expected, "rtp"), At(IpProtocol.Udp, UdpHost));
        Assert.Equal((AppLabel.Rtp, "host", Verdict.Expected, "rtp"), At(IpProtocol.Tcp, TcpPassive));
        var media = flows.Single(f => f.Flow.ServerPort == UdpHost).Flow.AppDetail!;
        Assert.Equal(("audio", $"{Client}:{sip.Flow.ClientPort}"), (media.Find("media"), media.Find("sip")));
        Assert.EndsWith($"@{Client}", media.Find("call-id"), StringComparison.Ordinal);
        Assert.Equal(Verdict.Unexpected, At(IpProtocol.Tcp, TcpActive).Verdict);
        Assert.Equal(Verdict.Unexpected, At(IpProtocol.Udp, NotACandidate).Verdict);
        Assert.NotEqual(AppLabel.Rtp, At(IpProtocol.Udp, NotACandidate).App);
    }

    // One message from client01 to fe01's port; what came back (-t 5: waited for after the message's end, which socat's
    // default half a second, and on a loaded CI machine three seconds, did not always cover: the answer is a forked shell's).
    // UDP is sent again, up to three times, when nothing came back (a CI run lost one answer in five seconds): from the same
    // source port, so that the capture still holds one flow. An empty answer says what socat said, so a failure names its cause.
    private string Send(string transport, int port)
    {
        bool udp = transport == "UDP";
        string target = udp ? $"UDP:{Server}:{port},sourceport={port + 1000},reuseaddr" : $"{transport}:{Server}:{port}";
        ExternalProgram.Result result = null!;
        for (int attempt = 0; attempt < (udp ? 3 : 1); attempt++)
        {
            result = _lab.Run(_lab.ClientNs, "socat", ["-T", "5", "-t", "5", "-", target], TimeSpan.FromSeconds(20), "media\n"u8.ToArray());
            if (result.StandardOutput.Trim().Length > 0) return result.StandardOutput.Trim();
        }
        return $"nothing ({transport} {port}, exit {result.ExitCode}: {result.StandardError.Trim()})";
    }
}
