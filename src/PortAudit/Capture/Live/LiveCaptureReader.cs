using System.Diagnostics;
using System.Runtime.InteropServices;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Sources;
using PortAudit.Sources.Files;

namespace PortAudit.Capture.Live;

/// <summary>
/// Reads packets live from one or more interfaces, on the calling thread, without copying or allocating per packet:
/// each record points into libpcap's buffer. Interfaces are served in turn; the thread waits on all of them at once
/// when none has a packet. The read ends when the token is cancelled (once the packets libpcap had accepted by then are
/// read out), the packet limit is reached, or an interface fails.
/// </summary>
public sealed unsafe class LiveCaptureReader : ICaptureReader
{
    // What the standby may hold while this thread is late: 15 ms of a link at 550 MB/s, the bench corpus's densest stretch.
    private const int StandbySpillBytes = 8 << 20;

    private readonly LiveSource[] _sources;
    private readonly LibPcap.PollFd[] _pollFds;
    private readonly bool[] _ready;
    private readonly CancellationToken _stop;
    private readonly long _packetLimit;
    private readonly int _waitMs;
    private readonly long _heartbeatTicks;
    private readonly bool _realTime;
    private readonly StandbyReader? _standby;
    private ReadingPriority? _priority;
    private long _nextHeartbeat;
    private long _packets;
    private int _next;
    // Per interface: packets returned, and once stopped, how many libpcap had accepted at the stop.
    private readonly long[] _delivered;
    private long[]? _atStop;
    private InterfaceStatistics[]? _statisticsAtStop;
    private long _stopDeadline;

    private LiveCaptureReader(LiveSource[] sources, LiveCaptureOptions options, CancellationToken stop, List<string> warnings)
    {
        _sources = sources;
        _stop = stop;
        _packetLimit = options.PacketLimit;
        _waitMs = (int)Math.Clamp(options.Timeout.TotalMilliseconds, 1, 1000);
        _heartbeatTicks = (long)(options.HeartbeatInterval.TotalSeconds * Stopwatch.Frequency);
        _realTime = options.RealTime;
        _nextHeartbeat = Stopwatch.GetTimestamp() + _heartbeatTicks;
        _ready = new bool[sources.Length];
        _delivered = new long[sources.Length];
        foreach (var source in sources)
            if (source.Fd < 0) throw new LiveCaptureException($"{source.Device}: libpcap offers no descriptor to wait on here");
        if (options.Standby)
            _standby = StandbyReader.TryCreate(sources.Select(s => s.Fd).ToArray(), StandbySpillBytes, Spill, options.RealTime);
        // The interfaces, then the standby's signal: set when it spilled packets the kernel had woken this thread for.
        _pollFds = new LibPcap.PollFd[sources.Length + (_standby is null ? 0 : 1)];
        for (int i = 0; i < sources.Length; i++) _pollFds[i] = new LibPcap.PollFd { Fd = sources[i].Fd, Events = LibPcap.PollIn };
        if (_standby is not null) _pollFds[^1] = new LibPcap.PollFd { Fd = _standby.Signal.Fd, Events = LibPcap.PollIn };
        Interfaces = sources.Select(s => new CaptureInterface(s.Device, s.LinkType, s.SnapLength)).ToArray();
        Warnings = warnings;
        Name = string.Join(",", options.Interfaces);
    }

    /// <summary>
    /// Opens every interface of <paramref name="options"/> (all or none): throws <see cref="InputException"/>
    /// when libpcap is missing, permission is lacking, an interface is unknown or the filter is invalid.
    /// </summary>
    public static LiveCaptureReader Open(LiveCaptureOptions options, CancellationToken stop)
    {
        if (options.Interfaces.Count == 0) throw new LiveCaptureException("no interface to capture on");
        LibPcap.EnsureLoaded();
        var warnings = new List<string>();
        var sources = new List<LiveSource>();
        try
        {
            foreach (var device in options.Interfaces) sources.Add(LiveSource.Open(device, options, warnings));
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

    /// <summary>What libpcap warned about when activating (promiscuous mode not supported...).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// Called on the reading thread at about the configured interval, between packets, so a caller can
    /// report progress from state that only the reading thread touches.
    /// </summary>
    public Action? Heartbeat { get; set; }

    /// <summary>
    /// The reading thread's scheduling, as the first read set it (<see cref="LiveCaptureOptions.RealTime"/>), or null
    /// before the first read.
    /// </summary>
    public ReadingPriority? Priority => _priority;

    /// <summary>
    /// What the standby reader did (<see cref="LiveCaptureOptions.Standby"/>): null where none runs; complete once the
    /// read has ended.
    /// </summary>
    public StandbyReport? Standby =>
        _standby is null ? null : new StandbyReport(_standby.Takeovers, _standby.Packets, _standby.PeakBytes);

    /// <summary>
    /// The next packet. The first call raises the calling thread to real-time priority when asked and permitted
    /// (<see cref="ReadingPriority"/>); the call that ends the read, by returning false or throwing, puts it back.
    /// </summary>
    public bool TryRead(out PacketRecord packet)
    {
        if (_priority is null)
        {
            _priority = ReadingPriority.Raise(_realTime);
            _standby?.Start();
        }
        try
        {
            if (TryReadNext(out packet)) return true;
        }
        catch
        {
            EndRead();
            throw;
        }
        EndRead();
        return false;
    }

    private void EndRead()
    {
        _standby?.Stop();
        _priority!.Restore();
    }

    private bool TryReadNext(out PacketRecord packet)
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
            // Everything read is finished with: the standby may empty the kernel's buffer until this thread is back.
            _standby?.Release();
            Waiting?.Invoke();
            Wait(_waitMs);
            _standby?.Gate.Reclaim();
        }
    }

    /// <summary>
    /// Fixes what the capture holds: the packets libpcap had accepted (received less dropped) on each interface when
    /// the stop came. They are read out before the read ends, so the saved file and the summary agree with libpcap's
    /// counters; packets that arrive after the stop are left in the kernel's buffer, outside the capture.
    /// </summary>
    private void BeginStop()
    {
        _statisticsAtStop = _sources.Select(s => s.Statistics()).ToArray();
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
    private bool Delivered(int source) => _atStop is { } atStop && _delivered[source] >= atStop[source];

    private bool TryReadReady(out PacketRecord packet)
    {
        // What the standby spilled came out of the kernel's buffer before anything still in it.
        if (_standby is not null && _standby.Spill.TryTake(BytesRead, out int spilled, out packet))
        {
            CurrentInterface = spilled;
            return true;
        }
        for (int k = 0; k < _sources.Length; k++)
        {
            int i = (_next + k) % _sources.Length;
            if (!_ready[i] || Delivered(i)) continue;
            if (_sources[i].TryNext(out packet, BytesRead))
            {
                // The next read starts at the next interface so one busy interface cannot starve the others.
                _next = (i + 1) % _sources.Length;
                CurrentInterface = i;
                _delivered[i]++;
                return true;
            }
            _ready[i] = false;
        }
        packet = default;
        return false;
    }

    private void Wait(int timeoutMs)
    {
        int result;
        fixed (LibPcap.PollFd* fds = _pollFds)
        {
            if (_standby is not null) fds[_pollFds.Length - 1].ReturnedEvents = 0;
            for (int i = 0; i < _sources.Length; i++)
            {
                fds[i].ReturnedEvents = 0;
                // poll() skips negative descriptors: an interface done at the stop must not wake the wait.
                fds[i].Fd = Delivered(i) ? -1 : _sources[i].Fd;
            }
            result = LibPcap.Poll(fds, (nuint)_pollFds.Length, timeoutMs);
        }
        if (result < 0)
        {
            int errno = Marshal.GetLastSystemError();
            const int Interrupted = 4;
            if (errno != Interrupted) throw new LiveCaptureException($"{Name}: waiting for packets failed: errno {errno}");
        }
        if (_standby is not null && _pollFds[^1].ReturnedEvents != 0) _standby.Signal.Reset();
        for (int i = 0; i < _sources.Length; i++)
        {
            short events = _pollFds[i].ReturnedEvents;
            if ((events & LibPcap.PollInvalid) != 0)
                throw new LiveCaptureException($"{_sources[i].Device}: capture descriptor closed");
            // A timeout also releases the kernel's partly filled batch, and errors surface from the next read.
            _ready[i] = result == 0 || events != 0;
        }
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
    public IReadOnlyList<InterfaceStatistics> Statistics() => _statisticsAtStop ?? _sources.Select(s => s.Statistics()).ToArray();

    /// <summary>
    /// On the standby's thread, while it holds the kernel's buffer: moves the packets there into the spill buffer, as
    /// far as it has room for a packet of the interface's snapshot length, and no further than the capture holds (the
    /// stop). The packets count as delivered now, since they left libpcap. Returns how many it moved.
    /// </summary>
    private int Spill(SpillBuffer spill)
    {
        int moved = 0;
        for (int i = 0; i < _sources.Length; i++)
        {
            var source = _sources[i];
            while (!Delivered(i) && spill.HasRoomFor(source.SnapLength) && source.TryNext(out var packet, 0))
            {
                spill.Add(i, packet);
                _delivered[i]++;
                moved++;
            }
        }
        return moved;
    }

    /// <summary>Packets returned so far over all interfaces.</summary>
    public long Packets => _packets;

    /// <inheritdoc />
    public void Dispose()
    {
        _standby?.Dispose();
        foreach (var source in _sources) source.Dispose();
    }
}
