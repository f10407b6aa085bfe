using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// The real nfcapd (Debian nfdump) on a free UDP port of 127.0.0.1, writing into a directory of its own (nfdump -R
/// reads every file of its directory). <see cref="Stop"/> ends it with SIGTERM, on which it writes its file (a kill
/// would lose it); <see cref="Read"/> then runs nfdump over what it wrote.
/// </summary>
internal sealed class NfcapdCollector : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _log;

    private NfcapdCollector(Process process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Port = port;
        _ = process.StandardOutput.ReadToEndAsync();
        _log = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Where nfcapd writes its files.</summary>
    public string Directory { get; }

    /// <summary>The UDP port it listens on.</summary>
    public int Port { get; }

    /// <summary>Starts nfcapd writing to <paramref name="directory"/> (created) and waits until its socket is bound.</summary>
    public static NfcapdCollector Start(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        int port = FreeUdpPort();
        var start = new ProcessStartInfo("nfcapd") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-p", port.ToString(CultureInfo.InvariantCulture), "-b", "127.0.0.1", "-w", directory })
            start.ArgumentList.Add(argument);
        var collector = new NfcapdCollector(Process.Start(start)!, directory, port);
        // Datagrams sent before the bind are lost: wait for the socket in /proc (binding the port ourselves to test it could take it from nfcapd).
        var bound = Stopwatch.StartNew();
        while (!IsBound(port))
        {
            if (collector._process.HasExited || bound.Elapsed > TimeSpan.FromSeconds(20))
                throw new InvalidOperationException($"nfcapd did not bind udp 127.0.0.1:{port}: {collector.Stop()}");
            Thread.Sleep(50);
        }
        return collector;
    }

    /// <summary>Ends nfcapd with SIGTERM and waits for it to write its file; returns what it logged.</summary>
    public string Stop()
    {
        if (!_process.HasExited)
        {
            External.Run("kill", "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture));
            Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(30)), "nfcapd did not stop on SIGTERM");
        }
        return _log.Result;
    }

    /// <summary>nfdump over every file nfcapd wrote, with <paramref name="arguments"/>.</summary>
    public string Read(params string[] arguments) => External.Run("nfdump", ["-R", Directory, .. arguments]);

    /// <summary>A UDP port of 127.0.0.1 that was free a moment ago.</summary>
    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static bool IsBound(int port) =>
        File.ReadLines("/proc/net/udp").Any(line => line.Contains($"0100007F:{port:X4} ", StringComparison.Ordinal));

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }
}
