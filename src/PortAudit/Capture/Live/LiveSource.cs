using PortAudit.Decode;

namespace PortAudit.Capture.Live;

/// <summary>One activated, filtered, non-blocking pcap handle on one interface.</summary>
internal sealed unsafe class LiveSource : IDisposable
{
    private readonly PcapHandle _pcap;
    private readonly bool _nanoseconds;
    private InterfaceStatistics _last;

    private LiveSource(string device, PcapHandle pcap, bool nanoseconds)
    {
        Device = device;
        _pcap = pcap;
        _nanoseconds = nanoseconds;
        LinkType = LibPcap.DataLink(pcap);
        SnapLength = LibPcap.Snapshot(pcap);
        Fd = LibPcap.GetSelectableFd(pcap);
        _last = new InterfaceStatistics(device, 0, 0, 0);
    }

    public string Device { get; }
    public int LinkType { get; }
    public int SnapLength { get; }

    /// <summary>The descriptor to wait on; -1 where the platform has none.</summary>
    public int Fd { get; }

    /// <summary>Opens <paramref name="device"/>; throws <see cref="LiveCaptureException"/> with the reason it cannot.</summary>
    public static LiveSource Open(string device, LiveCaptureOptions options, List<string> warnings)
    {
        byte* error = stackalloc byte[LibPcap.ErrorBufferSize];
        var pcap = LibPcap.Create(device, error);
        if (pcap.IsInvalid) throw PcapStatus.Failure(device, LibPcap.Error, LibPcap.Text(error));
        try
        {
            LibPcap.SetSnapLength(pcap, options.SnapLength);
            LibPcap.SetPromiscuous(pcap, options.Promiscuous ? 1 : 0);
            LibPcap.SetTimeout(pcap, (int)Math.Max(1, options.Timeout.TotalMilliseconds));
            LibPcap.SetBufferSize(pcap, options.BufferSizeBytes);
            LibPcap.SetImmediateMode(pcap, options.Immediate ? 1 : 0);
            // Older libpcap or some platforms only give microseconds; the fallback is just coarser timestamps.
            LibPcap.SetTimestampPrecision(pcap, LibPcap.TimestampPrecisionNano);
            int status = LibPcap.Activate(pcap);
            if (status < 0) throw PcapStatus.Failure(device, status, LibPcap.LastError(pcap));
            if (status > 0) warnings.Add($"{device}: {LibPcap.Text(LibPcap.StatusToString(status))} {LibPcap.LastError(pcap)}".TrimEnd());
            if (options.Filter is { Length: > 0 } filter) SetFilter(device, pcap, filter);
            if (LibPcap.SetNonBlocking(pcap, 1, error) < 0)
                throw new LiveCaptureException($"{device}: cannot switch to non-blocking mode: {LibPcap.Text(error)}");
            bool nano = LibPcap.GetTimestampPrecision(pcap) == LibPcap.TimestampPrecisionNano;
            return new LiveSource(device, pcap, nano);
        }
        catch
        {
            pcap.Dispose();
            throw;
        }
    }

    private static void SetFilter(string device, PcapHandle pcap, string filter)
    {
        LibPcap.BpfProgram program = default;
        if (LibPcap.Compile(pcap, &program, filter, 1, LibPcap.NetmaskUnknown) < 0)
            throw new LiveCaptureException($"invalid filter '{filter}': {LibPcap.LastError(pcap)}");
        try
        {
            if (LibPcap.SetFilter(pcap, &program) < 0)
                throw new LiveCaptureException($"{device}: cannot set filter '{filter}': {LibPcap.LastError(pcap)}");
        }
        finally
        {
            LibPcap.FreeCode(&program);
        }
    }

    /// <summary>
    /// The next packet if one is waiting: true with the record pointing into libpcap's buffer (valid until
    /// the next call on this source), false when none is waiting. Throws when the interface failed.
    /// </summary>
    public bool TryNext(out PacketRecord packet, long offset)
    {
        int status = LibPcap.NextEx(_pcap, out var header, out var data);
        if (status == 1)
        {
            long fractionNs = _nanoseconds ? header->Fraction.Value : header->Fraction.Value * 1000L;
            long timestampNs = header->Seconds.Value * 1_000_000_000L + fractionNs;
            packet = new PacketRecord(new ReadOnlySpan<byte>(data, (int)header->CapturedLength), timestampNs,
                (int)Math.Min(header->Length, int.MaxValue), LinkType, offset);
            return true;
        }
        packet = default;
        if (status == 0 || status == LibPcap.ErrorBreak) return false;
        throw new LiveCaptureException($"{Device}: capture failed: {LibPcap.LastError(_pcap)}");
    }

    /// <summary>libpcap's counters now; after a failure, the last ones read.</summary>
    public InterfaceStatistics Statistics()
    {
        if (_pcap.IsClosed) return _last;
        LibPcap.Stat stat;
        if (LibPcap.Stats(_pcap, &stat) == 0)
            _last = new InterfaceStatistics(Device, stat.Received, stat.Dropped, stat.InterfaceDropped);
        return _last;
    }

    public void Dispose()
    {
        Statistics();
        _pcap.Dispose();
    }
}
