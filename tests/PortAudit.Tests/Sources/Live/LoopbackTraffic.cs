using System.Net;
using System.Net.Sockets;

namespace PortAudit.Tests.Sources.Live;

/// <summary>
/// Bounded test traffic on 127.0.0.1 only: UDP datagrams echoed by a local socket and one TCP connection
/// to a local listener. Ports are the system's free ones, so parallel tests do not collide.
/// </summary>
internal sealed class LoopbackTraffic : IDisposable
{
    public const int Datagrams = 5;

    private readonly Socket _udpServer = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly TcpListener _tcpServer = new(IPAddress.Loopback, 0);

    public LoopbackTraffic()
    {
        _udpServer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _udpServer.ReceiveTimeout = 5000;
        _tcpServer.Start();
    }

    public int UdpServerPort => ((IPEndPoint)_udpServer.LocalEndPoint!).Port;
    public int TcpServerPort => ((IPEndPoint)_tcpServer.LocalEndpoint).Port;

    /// <summary>Port of the UDP client once <see cref="Send"/> ran.</summary>
    public int UdpClientPort { get; private set; }

    /// <summary>Port of the TCP client once <see cref="Send"/> ran.</summary>
    public int TcpClientPort { get; private set; }

    /// <summary>A filter that keeps only this traffic.</summary>
    public string Filter => $"host 127.0.0.1 and (udp port {UdpServerPort} or tcp port {TcpServerPort})";

    /// <summary>Sends the datagrams (each echoed) and one request/response over TCP, then closes both ends.</summary>
    public void Send()
    {
        using (var client = ConnectUdp())
        {
            client.ReceiveTimeout = 5000;
            UdpClientPort = ((IPEndPoint)client.LocalEndPoint!).Port;
            var buffer = new byte[64];
            for (int i = 0; i < Datagrams; i++)
            {
                client.Send("ping"u8);
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int n = _udpServer.ReceiveFrom(buffer, ref from);
                _udpServer.SendTo(buffer.AsSpan(0, n), from);
                Assert.Equal(4, client.Receive(buffer));
            }
        }
        using var tcpClient = new TcpClient();
        tcpClient.Connect(IPAddress.Loopback, TcpServerPort);
        TcpClientPort = ((IPEndPoint)tcpClient.Client.LocalEndPoint!).Port;
        using var accepted = _tcpServer.AcceptTcpClient();
        var request = new byte[100];
        tcpClient.GetStream().Write(request);
        ReadExactly(accepted.GetStream(), 100);
        accepted.GetStream().Write(new byte[200]);
        ReadExactly(tcpClient.GetStream(), 200);
        tcpClient.Client.Shutdown(SocketShutdown.Both);
        accepted.Client.Shutdown(SocketShutdown.Both);
    }

    /// <summary>Sends <paramref name="count"/> datagrams to the UDP server without waiting for answers.</summary>
    public void SendDatagrams(int count)
    {
        using var client = ConnectUdp();
        for (int i = 0; i < count; i++) client.Send("datagram"u8);
    }

    /// <summary>
    /// Sends datagrams to the UDP server in bursts of <paramref name="burst"/> with a millisecond's pause between them,
    /// until <paramref name="stop"/> fires; returns how many were sent.
    /// </summary>
    public long SendDatagramsUntil(CancellationToken stop, int burst = 20)
    {
        using var client = ConnectUdp();
        long sent = 0;
        while (!stop.IsCancellationRequested)
        {
            for (int i = 0; i < burst; i++) client.Send("datagram"u8);
            sent += burst;
            Thread.Sleep(1);
        }
        return sent;
    }

    /// <summary>
    /// Sends <paramref name="count"/> datagrams to the UDP server, each carrying its number (0, 1, ...) as its last four
    /// bytes, big-endian, in bursts of <paramref name="burst"/> with a millisecond's pause between them.
    /// </summary>
    public void SendNumbered(int count, int burst)
    {
        using var client = ConnectUdp();
        Span<byte> payload = stackalloc byte[4];
        for (int i = 0; i < count; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(payload, i);
            client.Send(payload);
            if (i % burst == burst - 1) Thread.Sleep(1);
        }
    }

    // A UDP socket connected to the UDP server.
    private Socket ConnectUdp()
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Connect(IPAddress.Loopback, UdpServerPort);
        return client;
    }

    private static void ReadExactly(NetworkStream stream, int count)
    {
        stream.ReadTimeout = 5000;
        stream.ReadExactly(new byte[count]);
    }

    public void Dispose()
    {
        _udpServer.Dispose();
        _tcpServer.Stop();
    }
}
