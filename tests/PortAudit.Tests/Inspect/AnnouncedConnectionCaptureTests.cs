using PortAudit.Common;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// Connections announced on another flow, in real captures: FTP data connections from PORT, PASV, EPRT and EPSV; RTP and
/// RTCP from SDP offers and answers; TFTP transfers from their request.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class AnnouncedConnectionCaptureTests
{
    [SharedDataFact("captures-extra")]
    public void FtpControlAndEveryDataConnectionItAnnounced()
    {
        var (flows, _) = InspectTestData.Inspect(InspectTestData.Extra("zeek-ftp-ipv4.pcap"));
        var control = flows.Single(f => f.ServerPort == 21);
        // The server greets "220 ProFTPD" and the client says USER: FTP, not POP3.
        Assert.Equal(AppLabel.Ftp, control.App);
        var data = flows.Where(f => f != control).OrderBy(f => f.Id).Select(f => ((int)f.ServerPort, f.App?.Name, f.AppDetail?.ToString())).ToList();
        Assert.Equal(
        [
            (56666, "ftp-data", "pasv; control=141.142.220.235:50003"),
            (56667, "ftp-data", "pasv; control=141.142.220.235:50003"),
            (33582, "ftp-data", "port; control=141.142.220.235:50003"),
            (37835, "ftp-data", "port; control=141.142.220.235:50003"),
        ], data.OrderBy(d => d.Item3).ThenBy(d => d.Item1));
    }

    [SharedDataFact("captures-extra")]
    public void ExtendedCommandsOverIpv6AndActiveModeFromPort20()
    {
        var (v6, _) = InspectTestData.Inspect(InspectTestData.Extra("zeek-ftp-ipv6.pcap"));
        Assert.Equal(AppLabel.Ftp, v6.Single(f => f.ServerPort == 21).App);
        Assert.Equal(["eprt", "eprt", "epsv", "epsv", "epsv"],
            v6.Where(f => f.App == AppLabel.FtpData).Select(f => f.AppDetail!.Parts[0].Value).Order());
        var (active, _) = InspectTestData.Inspect(InspectTestData.Extra("sv-ftp-download-active.pcap"));
        var data = active.Where(f => f.ServerPort != 21).ToList();
        Assert.Equal(3, data.Count);
        Assert.All(data, f => Assert.Equal((AppLabel.FtpData, (ushort)20, "port"), (f.App, f.ClientPort, f.AppDetail!.Parts[0].Value)));
    }

    [SharedDataFact("captures-extra")]
    public void SdpOverTcpAnnouncesRtpAndRtcpOfItsCall()
    {
        var (flows, _) = InspectTestData.Inspect(InspectTestData.Extra("hep-sip_ipv4_tcp.pcap"));
        var media = flows.Where(f => f.Protocol == PortAudit.Common.IpProtocol.Udp).OrderBy(f => f.ServerPort)
            .Select(f => (f.App?.Name, (int)f.ClientPort, (int)f.ServerPort, f.AppDetail?.ToString())).ToList();
        const string evidence = "sdp; media=audio; call-id=158936656982201062716@10.33.6.100; sip=10.33.6.100:64802";
        Assert.Equal([("rtp", 6050, 6000, evidence), ("rtcp", 6051, 6001, evidence)], media);
    }

    [SharedDataFact]
    public void SymmetricRtpIsKnownFromTheOfferAlone()
    {
        // Only the offers carry SDP in this capture: the media flow leaves from the offered port.
        var (flows, _) = InspectTestData.Inspect(InspectTestData.Capture("sip.pcap"));
        var rtp = flows.Single(f => f.App == AppLabel.Rtp);
        Assert.Equal(((ushort)30000, "sdp"), (rtp.ClientPort, rtp.AppDetail!.Parts[0].Value));
        Assert.Equal("11894297-4432a9f8@192.168.1.2", rtp.AppDetail.Find("call-id"));
        Assert.Equal((ushort)30001, flows.Single(f => f.App == AppLabel.Rtcp).ClientPort);
    }

    [SharedDataFact("captures-extra")]
    public void AudioAndVideoOfOneCallOverUdp()
    {
        var (flows, _) = InspectTestData.Inspect(InspectTestData.Extra("snort-SIP_Eyebeam2Eyebeam_Video_Audio.pcap"));
        var media = flows.Where(f => f.App == AppLabel.Rtp).OrderBy(f => f.ServerPort).Select(f => f.AppDetail!.Find("media")).ToList();
        Assert.Equal(["audio", "video"], media);
        Assert.All(flows.Where(f => f.App == AppLabel.Rtp), f => Assert.Equal("N2EwNWNiYmM5NDJkMzIwNmYzNzBlNjA5Mzk1ZWNhODk.", f.AppDetail!.Find("call-id")));
    }

    [Fact]
    public void SipLabOffersAreExpectedThoughNoMediaFlowed()
    {
        // SIPp placed the calls without media: the offers and answers still announce RTP and RTCP at 127.0.8.20:6000,
        // 127.0.1.10:6000 (the call over UDP) and 127.0.1.10:6004 (the call over TCP).
        var (flows, engine) = InspectTestData.Inspect(SharedData.InRepository("captures/sip-lab.pcapng"));
        Assert.Equal(2, flows.Count(f => f.App == AppLabel.Sip));
        Assert.Equal(6, engine.Announced.Count);
    }

    [SharedDataFact("captures-extra")]
    public void TftpTransfersFromTheServersNewPort()
    {
        var (flows, _) = InspectTestData.Inspect(InspectTestData.Extra("ndpi-tftp.pcap"));
        var transfers = flows.Where(f => f.ServerPort != 69 && f.ClientPort != 69).OrderBy(f => f.StartNs)
            .Select(f => (f.App?.Name, f.AppDetail?.ToString())).ToList();
        Assert.Equal(
        [
            ("tftp", "rrq; request=192.168.0.10:69"),
            ("tftp", "wrq; request=172.28.5.170:69"),
            ("tftp", "wrq; request=192.168.2.200:69"),
        ], transfers);
    }
}
