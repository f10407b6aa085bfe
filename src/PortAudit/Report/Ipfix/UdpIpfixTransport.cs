using System.Net;
using System.Net.Sockets;
using PortAudit.Common;

namespace PortAudit.Report.Ipfix;

/// <summary>
/// IPFIX over UDP (RFC 7011 §10.3) to one collector: a connected socket, so that a send is one system call with no
/// allocation, and a collector that is not listening shows as a refused send rather than silence.
/// </summary>
public sealed class UdpIpfixTransport : IIpfixTransport
{
    private readonly Socket _socket;

    private UdpIpfixTransport(Socket socket, string name)
    {
        _socket = socket;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The collector's address and port.</summary>
    public IPEndPoint RemoteEndPoint => (IPEndPoint)_socket.RemoteEndPoint!;

    /// <summary>A transport to <paramref name="destination"/>: HOST:PORT, ADDR:PORT or [V6ADDR]:PORT.</summary>
    /// <exception cref="InputException">The destination is malformed or its host does not resolve.</exception>
    public static UdpIpfixTransport Open(string destination)
    {
        var endpoint = Resolve(destination);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Connect(endpoint);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InputException($"--export-ipfix {destination}: {ex.Message}", ex);
        }
        return new UdpIpfixTransport(socket, destination);
    }

    /// <summary>The address and port of <paramref name="destination"/>; a host name is resolved once, here.</summary>
    /// <exception cref="InputException">The destination is malformed or its host does not resolve.</exception>
    public static IPEndPoint Resolve(string destination)
    {
        if (!TrySplit(destination, out string host, out ushort port))
            throw new InputException($"--export-ipfix {destination}: expected HOST:PORT, ADDR:PORT or [V6ADDR]:PORT");
        if (IPAddress.TryParse(host, out var address)) return new IPEndPoint(address, port);
        try
        {
            var addresses = Dns.GetHostAddresses(host);
            // IPv4 first: a collector that listens on one family most often listens on that one.
            address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
        }
        catch (SocketException ex)
        {
            throw new InputException($"--export-ipfix {destination}: {ex.Message}", ex);
        }
        return address is null
            ? throw new InputException($"--export-ipfix {destination}: {host} has no address")
            : new IPEndPoint(address, port);
    }

    /// <summary>The host (brackets of an IPv6 address taken off) and port of HOST:PORT; false when either is missing or the port is 0.</summary>
    public static bool TrySplit(string destination, out string host, out ushort port)
    {
        int colon = destination.LastIndexOf(':');
        host = colon > 0 ? destination[..colon].Trim('[', ']') : "";
        port = 0;
        return host.Length > 0 && ushort.TryParse(destination.AsSpan(colon + 1), out port) && port != 0;
    }

    /// <inheritdoc />
    public bool TrySend(ReadOnlySpan<byte> message, out string? problem)
    {
        _socket.Send(message, SocketFlags.None, out var error);
        problem = error == SocketError.Success ? null : new SocketException((int)error).Message;
        return error == SocketError.Success;
    }

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();
}
