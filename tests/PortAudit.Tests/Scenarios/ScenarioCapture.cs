using PortAudit.Tests.Builders;

namespace PortAudit.Tests.Scenarios;

/// <summary>How the far end (or the network) answers an attempt.</summary>
public enum Answer
{
    /// <summary>The server answers: TCP handshake, request and response, orderly close; a UDP reply.</summary>
    Answered,

    /// <summary>Nothing comes back: three SYNs, or one datagram without reply.</summary>
    Silent,

    /// <summary>A TCP RST comes back from the server's address (a firewall rejecting for it, or nothing listening).</summary>
    Reset,

    /// <summary>An ICMP port unreachable comes back from the server's address, quoting the attempt.</summary>
    Unreachable,
}

/// <summary>
/// A capture written packet by packet, for deployments no real capture shows: each call states one conversation as an
/// auditor would describe it (who connects to what, with which first bytes, and how it was answered) and lays down its
/// packets with correct sequence numbers, so that the flow table and inspection see it as on a real wire.
/// </summary>
public sealed class ScenarioCapture
{
    private readonly List<(double At, byte[] Frame)> _packets = [];
    private ushort _nextClientPort = 49800;

    /// <summary>A capture whose second 0 is <paramref name="epochSeconds"/> (Unix time).</summary>
    public ScenarioCapture(string name, long epochSeconds)
    {
        Name = name;
        EpochSeconds = epochSeconds;
    }

    /// <summary>File name of the capture, for reports and test output.</summary>
    public string Name { get; }

    /// <summary>Unix time of second 0.</summary>
    public long EpochSeconds { get; }

    /// <summary>
    /// A TCP connection at <paramref name="at"/> seconds: handshake, <paramref name="request"/> from the client,
    /// <paramref name="response"/> from the server, close; or the refused or silent attempt <paramref name="answer"/> says.
    /// </summary>
    public ScenarioCapture Tcp(string client, string server, ushort port, double at, byte[]? request = null, byte[]? response = null,
        Answer answer = Answer.Answered, ushort? clientPort = null)
    {
        ushort cport = clientPort ?? NextClientPort();
        uint c = 1_000, s = 500_000;
        var syn = Packets.Ip(client, server, 6, Packets.Tcp(cport, port, Packets.Syn, c));
        Add(at, syn);
        switch (answer)
        {
            case Answer.Silent:
                Add(at + 1, syn);
                Add(at + 3, syn);
                return this;
            case Answer.Reset:
                Add(at + 0.001, Packets.Ip(server, client, 6, Packets.Tcp(port, cport, Packets.Rst | Packets.Ack, 0, c + 1)));
                return this;
            case Answer.Unreachable:
                Add(at + 0.001, Packets.Ip(server, client, 1, Packets.Unreachable(false, 3, syn[..28])));
                return this;
        }
        Add(at + 0.001, Packets.Ip(server, client, 6, Packets.Tcp(port, cport, Packets.Syn | Packets.Ack, s, c + 1)));
        c++; s++;
        Add(at + 0.002, Packets.Ip(client, server, 6, Packets.Tcp(cport, port, Packets.Ack, c, s)));
        double t = at + 0.003;
        if (request is { Length: > 0 })
        {
            Add(t, Packets.Ip(client, server, 6, Packets.Tcp(cport, port, Packets.Psh | Packets.Ack, c, s, request)));
            c += (uint)request.Length;
            t += 0.01;
        }
        if (response is { Length: > 0 })
        {
            Add(t, Packets.Ip(server, client, 6, Packets.Tcp(port, cport, Packets.Psh | Packets.Ack, s, c, response)));
            s += (uint)response.Length;
            t += 0.01;
        }
        Add(t, Packets.Ip(client, server, 6, Packets.Tcp(cport, port, Packets.Fin | Packets.Ack, c, s)));
        Add(t + 0.001, Packets.Ip(server, client, 6, Packets.Tcp(port, cport, Packets.Fin | Packets.Ack, s, c + 1)));
        Add(t + 0.002, Packets.Ip(client, server, 6, Packets.Tcp(cport, port, Packets.Ack, c + 1, s + 1)));
        return this;
    }

    /// <summary>
    /// A UDP exchange at <paramref name="at"/> seconds: <paramref name="request"/>, then <paramref name="response"/> unless
    /// <paramref name="answer"/> says the datagram went unanswered or drew an ICMP port unreachable.
    /// </summary>
    public ScenarioCapture Udp(string client, string server, ushort port, double at, byte[] request, byte[]? response = null,
        Answer answer = Answer.Answered, ushort? clientPort = null)
    {
        ushort cport = clientPort ?? NextClientPort();
        var datagram = Packets.Ip(client, server, 17, Packets.Udp(cport, port, request));
        Add(at, datagram);
        if (answer == Answer.Unreachable)
            Add(at + 0.001, Packets.Ip(server, client, 1, Packets.Unreachable(false, 3, datagram[..28])));
        else if (answer == Answer.Answered && response is not null)
            Add(at + 0.001, Packets.Ip(server, client, 17, Packets.Udp(port, cport, response)));
        return this;
    }

    /// <summary>
    /// A UDP stream at <paramref name="at"/> seconds: <paramref name="count"/> datagrams <paramref name="interval"/> seconds
    /// apart, <paramref name="datagram"/> giving the n-th; from the server too (its own stream) when <paramref name="bothWays"/>.
    /// Media is like this: one datagram alone proves nothing to inspection.
    /// </summary>
    public ScenarioCapture UdpStream(string client, string server, ushort port, double at, Func<int, byte[]> datagram, int count,
        double interval = 0.02, bool bothWays = true, ushort? clientPort = null)
    {
        ushort cport = clientPort ?? NextClientPort();
        for (int i = 0; i < count; i++)
        {
            Add(at + i * interval, Packets.Ip(client, server, 17, Packets.Udp(cport, port, datagram(i))));
            if (bothWays)
                Add(at + i * interval + 0.005, Packets.Ip(server, client, 17, Packets.Udp(port, cport, datagram(i))));
        }
        return this;
    }

    /// <summary>
    /// UDP datagrams on one client port from <paramref name="at"/> seconds, a millisecond apart, each from the client or
    /// the server as <paramref name="turns"/> says (a handshake whose flights go both ways).
    /// </summary>
    public ScenarioCapture UdpTurns(string client, string server, ushort port, double at, params (bool FromClient, byte[] Data)[] turns)
    {
        ushort cport = NextClientPort();
        for (int i = 0; i < turns.Length; i++)
            Add(at + i * 0.001, turns[i].FromClient
                ? Packets.Ip(client, server, 17, Packets.Udp(cport, port, turns[i].Data))
                : Packets.Ip(server, client, 17, Packets.Udp(port, cport, turns[i].Data)));
        return this;
    }

    /// <summary>
    /// A TCP connection opened at <paramref name="at"/> seconds that carries <paramref name="messages"/>, each at its offset
    /// from the opening, from the client or the server, cut into segments of at most <see cref="MaxSegment"/> bytes; then
    /// an orderly close. Bulk transfers and long sessions (a beacon) are like this.
    /// </summary>
    public ScenarioCapture TcpSession(string client, string server, ushort port, double at, IEnumerable<SessionMessage> messages, ushort? clientPort = null)
    {
        ushort cport = clientPort ?? NextClientPort();
        uint c = 1_001, s = 500_001;
        Add(at, Packets.Ip(client, server, 6, Packets.Tcp(cport, port, Packets.Syn, c - 1)));
        Add(at + 0.001, Packets.Ip(server, client, 6, Packets.Tcp(port, cport, Packets.Syn | Packets.Ack, s - 1, c)));
        Add(at + 0.002, Packets.Ip(client, server, 6, Packets.Tcp(cport, port, Packets.Ack, c, s)));
        double last = at + 0.002;
        foreach (var message in messages)
        {
            for (int offset = 0; offset < message.Data.Length; offset += MaxSegment)
            {
                var segment = message.Data.AsSpan(offset, Math.Min(MaxSegment, message.Data.Length - offset)).ToArray();
                last = Math.Max(last, at + message.At) + 0.0001;
                if (message.FromClient)
                {
                    Add(last, Packets.Ip(client, server, 6, Packets.Tcp(cport, port, Packets.Psh | Packets.Ack, c, s, segment)));
                    c += (uint)segment.Length;
                }
                else
                {
                    Add(last, Packets.Ip(server, client, 6, Packets.Tcp(port, cport, Packets.Psh | Packets.Ack, s, c, segment)));
                    s += (uint)segment.Length;
                }
            }
        }
        Add(last + 0.001, Packets.Ip(client, server, 6, Packets.Tcp(cport, port, Packets.Fin | Packets.Ack, c, s)));
        Add(last + 0.002, Packets.Ip(server, client, 6, Packets.Tcp(port, cport, Packets.Fin | Packets.Ack, s, c + 1)));
        Add(last + 0.003, Packets.Ip(client, server, 6, Packets.Tcp(cport, port, Packets.Ack, c + 1, s + 1)));
        return this;
    }

    /// <summary>Largest TCP segment <see cref="TcpSession"/> writes: larger than a wire's, so that bulk transfers stay few packets.</summary>
    public const int MaxSegment = 16_000;

    /// <summary>
    /// UDP datagrams from one client port at <paramref name="at"/> seconds, <paramref name="interval"/> apart: the n-th
    /// request from <paramref name="request"/>, each answered by <paramref name="response"/> of it (a DNS client's flow).
    /// </summary>
    public ScenarioCapture UdpExchanges(string client, string server, ushort port, double at, int count, double interval,
        Func<int, byte[]> request, Func<byte[], byte[]> response, ushort? clientPort = null)
    {
        ushort cport = clientPort ?? NextClientPort();
        for (int i = 0; i < count; i++)
        {
            var sent = request(i);
            Add(at + i * interval, Packets.Ip(client, server, 17, Packets.Udp(cport, port, sent)));
            Add(at + i * interval + 0.001, Packets.Ip(server, client, 17, Packets.Udp(port, cport, response(sent))));
        }
        return this;
    }

    /// <summary>The same conversation <paramref name="times"/> times, spread evenly from <paramref name="from"/> to <paramref name="to"/> seconds.</summary>
    public ScenarioCapture Repeat(int times, double from, double to, Action<ScenarioCapture, double> conversation)
    {
        for (int i = 0; i < times; i++)
            conversation(this, times == 1 ? from : from + (to - from) * i / (times - 1));
        return this;
    }

    /// <summary>
    /// The conversations <paramref name="inside"/> lays down, each packet carried in an IPv4 packet of IP protocol
    /// <paramref name="protocol"/> (41: 6in4, 4: IP-in-IP; 17: VXLAN, in an Ethernet frame) between the tunnel's ends: from
    /// <paramref name="client"/> to <paramref name="server"/> when the packet comes from the first packet's sender, the other
    /// way otherwise.
    /// </summary>
    public ScenarioCapture Tunnel(string client, string server, byte protocol, Action<ScenarioCapture> inside)
    {
        var carried = new ScenarioCapture(Name, EpochSeconds);
        inside(carried);
        var packets = carried._packets.OrderBy(p => p.At).Select(p => (p.At, Ip: p.Frame[14..])).ToList();
        var firstSender = SourceOf(packets[0].Ip);
        // VXLAN sends each way to 4789 from a port of the sender's choosing (RFC 7348 5: a hash of the inner flow).
        bool vxlan = protocol == PortAudit.Common.IpProtocol.Udp;
        ushort clientPort = vxlan ? NextClientPort() : (ushort)0, serverPort = vxlan ? NextClientPort() : (ushort)0;
        foreach (var (at, ip) in packets)
        {
            bool outbound = SourceOf(ip).SequenceEqual(firstSender);
            var (from, to) = outbound ? (client, server) : (server, client);
            Add(at, vxlan
                ? Packets.Ipv4(from, to, protocol, Packets.Udp(outbound ? clientPort : serverPort, VxlanPort, Packets.Vxlan(Packets.Ethernet(ip), vni: 5001)))
                : Packets.Ipv4(from, to, protocol, ip));
        }
        return this;
    }

    private const ushort VxlanPort = 4789;

    private static ReadOnlySpan<byte> SourceOf(byte[] ip) => ip[0] >> 4 == 6 ? ip.AsSpan(8, 16) : ip.AsSpan(12, 4);

    /// <summary>The capture as a classic pcap file (Ethernet), packets in time order.</summary>
    public byte[] Build()
    {
        var pcap = new PcapBuilder(epochSeconds: EpochSeconds);
        foreach (var (at, frame) in _packets.OrderBy(p => p.At))
            pcap.Add(frame, at);
        return pcap.Build();
    }

    private void Add(double at, byte[] ipPacket) => _packets.Add((at, Packets.Ethernet(ipPacket)));

    private ushort NextClientPort() => _nextClientPort++;
}

/// <summary>One message of a <see cref="ScenarioCapture.TcpSession"/>: when (seconds after the opening), which way, what.</summary>
public sealed record SessionMessage(double At, bool FromClient, byte[] Data);
