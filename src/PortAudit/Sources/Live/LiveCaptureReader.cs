using System.Diagnostics;
using PortAudit.Decode;
using PortAudit.Sources;
using PortAudit.Sources.Files;

namespace PortAudit.Sources.Live;

/// <summary>
/// Reads packets live from one or more interfaces (SharpPcap over libpcap), on the calling thread, without copying or
/// allocating per packet: each record points into libpcap's buffer. Interfaces are served in turn; the thread waits on
/// all of them at once when none has a packet. The read ends when the token is cancelled (once the packets libpcap had accepted by then are
/// read out), the packet limit is reached, or an interface fails.
/// </summary>
public sealed class LiveCaptureReader : ICaptureReader
{
    private readonly LiveDevice[] _sources;
    private readonly ReadinessWait _wait;
    private readonly Func<int, bool> _delivered;
    private readonly bool[] _ready;
    private readonly CancellationToken _stop;
    private readonly long _packetLimit;
    private readonly int _waitMs;
    private readonly long _heartbeatTicks;
    private long _nextHeartbeat;
    private long _packets;
    private int _next;
    // Per interface: packets returned, and once stopped, how many libpcap had accepted at the stop.
    private readonly long[] _returned;
    private long[]? _atStop;
    private InterfaceStatistics[]? _statisticsAtStop;
    private long _stopDeadline;

    private LiveCaptureReader(LiveDevice[] sources, LiveCaptureOptions options, CancellationToken stop, List<string> warnings)
    {
        _sources = sources;
        _stop = stop;
        _packetLimit = options.PacketLimit;
        _waitMs = (int)Math.Clamp(options.Timeout.TotalMilliseconds, 1, 1000);
        _heartbeatTicks = (long)(options.HeartbeatInterval.TotalSeconds * Stopwatch.Frequency);
        _nextHeartbeat = Stopwatch.GetTimestamp() + _heartbeatTicks;
        _ready = new bool[sources.Length];
        _returned = new long[sources.Length];
        foreach (var source in sources)
            if (source.Fd < 0) throw new LiveCaptureException($"{source.Name}: libpcap offers no descriptor to wait on here");
        _wait = new ReadinessWait(sources.Select(s => s.Fd).ToArray());
        _delivered = Delivered;
        Interfaces = sources.Select(s => new CaptureInterface(s.Name, s.LinkTypeValue, s.SnapLength)).ToArray();
        Warnings = warnings;
        Name = string.Join(",", options.Interfaces);
    }

    /// <summary>
    /// Opens every interface of <paramref name="options"/> (all or none): throws <see cref="LiveCaptureException"/>
    /// when libpcap is missing, permission is lacking, an interface is unknown or the filter is invalid.
    /// </summary>
    public static LiveCaptureReader Open(LiveCaptureOptions options, CancellationToken stop)
    {
        if (options.Interfaces.Count == 0) throw new LiveCaptureException("no interface to capture on");
        var warnings = new List<string>();
        var sources = new List<LiveDevice>();
        try
        {
            foreach (var device in options.Interfaces) sources.Add(LiveDevice.Open(device, options, warnings));
            return new LiveCaptureReader(sources.ToArray(), options, stop, warnings);
        }
        catch
        {
            foreach (var source in sources) source.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public long BytesRead { get; private set; }

    /// <summary>The opened interfaces in the order given, with their link types; indexes match <see cref="CurrentInterface"/>.</summary>
    public IReadOnlyList<CaptureInterface> Interfaces { get; }

    /// <summary>Index in <see cref="Interfaces"/> of the interface the last packet came from.</summary>
    public int CurrentInterface { get; private set; }

    /// <inheritdoc />
    public Action? Waiting { get; set; }

    /// <summary>Settings the platform refused when the interfaces were opened (nanosecond timestamps, immediate mode).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// Called on the reading thread at about the configured interval, between packets, so a caller can
    /// report progress from state that only the reading thread touches.
    /// </summary>
    public Action? Heartbeat { get; set; }

    /// <summary>
    /// Packets libpcap had accepted (received less dropped) but never delivered when an interface failed (removed
    /// mid-capture): the kernel's last partly filled block goes with the socket. Lost as drops are; 0 otherwise.
    /// </summary>
    public long Undelivered { get; private set; }

    /// <summary>The next packet; false once the read has ended (stop, packet limit).</summary>
    public bool TryRead(out PacketRecord packet)
    {
        try
        {
            return ReadNext(out packet);
        }
        catch (LiveCaptureException)
        {
            CountUndelivered();
            throw;
        }
    }

    // The counters as the read ended on a failure fix the summary and what it lost: tcpdump shows the same gap only as
    // "packets captured" below "received by filter", with 0 dropped.
    private void CountUndelivered()
    {
        _statisticsAtStop = _sources.Select(s => s.Counters()).ToArray();
        long undelivered = 0;
        for (int i = 0; i < _sources.Length; i++)
            undelivered += Math.Max(0, _statisticsAtStop[i].Received - _statisticsAtStop[i].Dropped - _returned[i]);
        Undelivered = undelivered;
    }

    private bool ReadNext(out PacketRecord packet)
    {
        while (true)
        {
            if (_packetLimit > 0 && _packets >= _packetLimit)
            {
                packet = default;
                return false;
            }
            if (TryReadReady(out packet))
            {
                _packets++;
                BytesRead += packet.Data.Length;
                if ((_packets & 0xFFF) == 0) Beat();
                return true;
            }
            Beat();
            if (_stop.IsCancellationRequested && _atStop is null) BeginStop();
            if (_atStop is not null && (AllDelivered() || Stopwatch.GetTimestamp() >= _stopDeadline)) return false;
            Waiting?.Invoke();
            int closed = _wait.Wait(_waitMs, _ready, _delivered);
            if (closed >= 0) throw new LiveCaptureException($"{_sources[closed].Name}: capture descriptor closed");
        }
    }

    /// <summary>
    /// Fixes what the capture holds: the packets libpcap had accepted (received less dropped) on each interface when
    /// the stop came. They are read out before the read ends, so the saved file and the summary agree with libpcap's
    /// counters; packets that arrive after the stop are left in the kernel's buffer, outside the capture.
    /// </summary>
    private void BeginStop()
    {
        _statisticsAtStop = _sources.Select(s => s.Counters()).ToArray();
        _atStop = _statisticsAtStop.Select(s => Math.Max(0, s.Received - s.Dropped)).ToArray();
        // The kernel releases a partly filled batch after its timer, up to two timeouts; beyond a second, what
        // libpcap counted cannot be had (a platform whose counters mean something else), and the read ends anyway.
        long waitMs = Math.Max(2 * _waitMs + 10, 1000);
        _stopDeadline = Stopwatch.GetTimestamp() + waitMs * Stopwatch.Frequency / 1000;
    }

    private bool AllDelivered()
    {
        for (int i = 0; i < _sources.Length; i++)
            if (!Delivered(i)) return false;
        return true;
    }

    // True once the interface has given every packet the capture holds (never before the stop).
    private bool Delivered(int source) => _atStop is { } atStop && _returned[source] >= atStop[source];

    private bool TryReadReady(out PacketRecord packet)
    {
        for (int k = 0; k < _sources.Length; k++)
        {
            int i = (_next + k) % _sources.Length;
            if (!_ready[i] || Delivered(i)) continue;
            if (_sources[i].TryNext(out packet, BytesRead))
            {
                // The next read starts at the next interface so one busy interface cannot starve the others.
                _next = (i + 1) % _sources.Length;
                CurrentInterface = i;
                _returned[i]++;
                return true;
            }
            _ready[i] = false;
        }
        packet = default;
        return false;
    }

    private void Beat()
    {
        if (Heartbeat is null) return;
        long now = Stopwatch.GetTimestamp();
        if (now < _nextHeartbeat) return;
        _nextHeartbeat = now + _heartbeatTicks;
        Heartbeat();
    }

    /// <summary>
    /// libpcap's counters for each interface: read now while capturing; once stopped, as they were at the stop, which
    /// is what the capture holds (or at close, once disposed).
    /// </summary>
    public IReadOnlyList<InterfaceStatistics> Statistics() => _statisticsAtStop ?? _sources.Select(s => s.Counters()).ToArray();

    /// <summary>Packets returned so far over all interfaces.</summary>
    public long Packets => _packets;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var source in _sources) source.Dispose();
    }
}
