using System.Net;
using System.Net.Sockets;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Sources.Records.Ipfix;

/// <summary>
/// A UDP collector of IPFIX, NetFlow v9 and NetFlow v5 exports (<c>portaudit collect --listen</c>): it binds when created, so
/// that a port in use is reported before the run starts, and reads until its stop token fires. Flows reach the run
/// as their records arrive; one-way records still waiting for their reverse go out unpaired at the stop.
/// </summary>
public sealed class IpfixCollectorSource : IFlowSource, IDisposable
{
    // IPFIX over UDP carries at most one message per datagram, of at most 65535 bytes (RFC 7011 §10.3).
    private const int MaxDatagram = 65535;

    private readonly Socket _socket;
    private readonly CancellationToken _stop;

    private IpfixCollectorSource(Socket socket, CancellationToken stop)
    {
        _socket = socket;
        _stop = stop;
        Name = $"collector on udp {socket.LocalEndPoint}";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The address and port bound (the port chosen by the system when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Export datagrams received so far.</summary>
    public long Datagrams { get; private set; }

    /// <summary>
    /// Binds to <paramref name="listen"/> ("PORT", "ADDR:PORT", "[V6ADDR]:PORT"); reading stops when
    /// <paramref name="stop"/> fires. Throws <see cref="InputException"/> for a bad address or a port that cannot be bound.
    /// </summary>
    public static IpfixCollectorSource Open(string listen, CancellationToken stop)
    {
        var endpoint = ParseListen(listen);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = true;
            // Bursts of exports arrive faster than a slow moment of the run reads them.
            socket.ReceiveBufferSize = 8 << 20;
            socket.Bind(endpoint);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InputException($"--listen {listen}: cannot bind: {ex.Message}", ex);
        }
        return new IpfixCollectorSource(socket, stop);
    }

    /// <summary>"PORT" (every address), "ADDR:PORT" or "[V6ADDR]:PORT".</summary>
    public static IPEndPoint ParseListen(string listen)
    {
        if (ushort.TryParse(listen, out ushort port)) return new IPEndPoint(IPAddress.IPv6Any, port);
        int colon = listen.LastIndexOf(':');
        if (colon > 0 && ushort.TryParse(listen.AsSpan(colon + 1), out port)
            && IPAddress.TryParse(listen.AsSpan(0, colon).Trim("[]"), out var address))
            return new IPEndPoint(address, port);
        throw new InputException($"--listen {listen}: expected PORT, ADDR:PORT or [ADDR]:PORT");
    }

    /// <inheritdoc />
    public void ReadInto(IFlowSink sink, CancellationToken cancel)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop, cancel);
        using var reader = new SocketReader(this, sink.Records, sink.ServerPorts, linked.Token);
        // The stop ends the receive loop, not the feed: what was received is still paired and handed over.
        RecordFileSource.Feed(reader, sink, CancellationToken.None);
    }

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();

    private sealed class SocketReader : IpfixDatagramReader
    {
        private readonly IpfixCollectorSource _source;
        private readonly CancellationToken _stop;
        private readonly byte[] _buffer = new byte[MaxDatagram];
        private EndPoint _from;
        private long _receivedMs;

        public SocketReader(IpfixCollectorSource source, RecordStatistics statistics, IServerPortHint serverPorts, CancellationToken stop)
            : base(source.Name, statistics, serverPorts)
        {
            _source = source;
            _stop = stop;
            _from = new IPEndPoint(source._socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        }

        protected override long ReceivedMs => _receivedMs;

        protected override bool TryReceive(out IpAddr exporter, out ReadOnlySpan<byte> datagram)
        {
            exporter = default;
            datagram = default;
            while (!_stop.IsCancellationRequested)
            {
                // Poll in short steps, so that a stop is seen within a fraction of a second without a packet.
                if (!_source._socket.Poll(200_000, SelectMode.SelectRead)) continue;
                int length = _source._socket.ReceiveFrom(_buffer, ref _from);
                _source.Datagrams++;
                _receivedMs = Environment.TickCount64;
                var address = ((IPEndPoint)_from).Address;
                exporter = IpAddr.From(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
                datagram = _buffer.AsSpan(0, length);
                return true;
            }
            return false;
        }
    }
}
