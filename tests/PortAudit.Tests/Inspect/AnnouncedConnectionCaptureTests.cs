using PortAudit.Inspect;

namespace PortAudit.Tests.Inspect;

/// <summary>Connections announced on another flow, in real captures: FTP data connections from PORT, PASV, EPRT and EPSV.</summary>
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
}
