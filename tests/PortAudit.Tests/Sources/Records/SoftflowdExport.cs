using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// softflowd (Debian) exporting a capture as IPFIX to a local port, and the receivers tests put behind it: a socket
/// that keeps the datagrams back to back (an IPFIX file), and nfcapd (Debian nfdump) writing its files.
/// </summary>
internal static class SoftflowdExport
{
    /// <summary>
    /// Exports <paramref name="capture"/> to 127.0.0.1:<paramref name="port"/> and returns when softflowd has sent
    /// everything; <paramref name="options"/> are softflowd's further ones (<c>-b</c>: biflows).
    /// </summary>
    public static void To(string capture, int port, params string[] options) =>
        External.Run("softflowd", ["-r", capture, "-n", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "-v", "10", "-T", "full", "-d", .. options]);

    /// <summary>A UDP port free on the loopback now.</summary>
    public static int FreeUdpPort() => NfcapdCollector.FreeUdpPort();

    /// <summary>The export of <paramref name="capture"/> as received: its datagrams back to back, as an IPFIX file holds them.</summary>
    public static byte[] AsFile(string capture, params string[] options)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 8 << 20 };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        // softflowd has sent everything when it exits; the socket holds it until read.
        To(capture, ((IPEndPoint)socket.LocalEndPoint!).Port, options);
        var file = new MemoryStream();
        var buffer = new byte[65535];
        while (socket.Poll(500_000, SelectMode.SelectRead)) file.Write(buffer, 0, socket.Receive(buffer));
        return file.ToArray();
    }

    /// <summary>
    /// nfcapd receiving on a free port while <paramref name="export"/> sends to it, writing into <paramref name="directory"/>
    /// (nfdump -R reads every file of a directory: give nfcapd one of its own); returns nfcapd's messages.
    /// </summary>
    public static string ThroughNfcapd(string directory, Action<int> export)
    {
        using var nfcapd = NfcapdCollector.Start(directory);
        export(nfcapd.Port);
        Thread.Sleep(500);
        return nfcapd.Stop();
    }

    /// <summary>nfdump's CSV of every file in <paramref name="directory"/>, times in <paramref name="zone"/>'s (nfdump prints local time).</summary>
    public static string NfdumpCsv(string directory, string zone = "UTC")
    {
        var start = ExternalProgram.Start("nfdump", ["-R", directory, "-o", "csv"]);
        start.Environment["TZ"] = zone;
        var result = ExternalProgram.Run(start, TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"nfdump exited {result.ExitCode}: {result.StandardError}");
        return result.StandardOutput;
    }
}
