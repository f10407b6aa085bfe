using PortAudit.Decode;
using PortAudit.Sources;
using PortAudit.Sources.Files;
using SharpPcap;
using SharpPcap.LibPcap;

namespace PortAudit.Sources.Live;

/// <summary>
/// One interface opened through SharpPcap: activated, filtered and non-blocking, read on the calling thread. A subclass
/// of SharpPcap's device only to reach its selectable descriptor (<see cref="PcapDevice.FileDescriptor"/>), so that one
/// thread can wait on several interfaces at once.
/// </summary>
internal sealed class LiveDevice : LibPcapLiveDevice
{
    private bool _nanoseconds;
    private InterfaceStatistics _last;

    private LiveDevice(PcapInterface pcapInterface) : base(pcapInterface)
    {
        _last = new InterfaceStatistics(pcapInterface.Name, 0, 0, 0);
    }

    /// <summary>The LINKTYPE_ value of the interface.</summary>
    public int LinkTypeValue { get; private set; }

    /// <summary>The bytes kept of each packet, as asked.</summary>
    public int SnapLength { get; private set; }

    /// <summary>The descriptor to wait on; -1 where the platform has none.</summary>
    public int Fd => FileDescriptor;

    /// <summary>
    /// Opens <paramref name="name"/> as <paramref name="options"/> say; throws <see cref="LiveCaptureException"/> naming
    /// the interface and what went wrong. Settings that only refine the capture (nanosecond timestamps, immediate
    /// mode) are warnings in <paramref name="warnings"/> where the platform refuses them.
    /// </summary>
    public static LiveDevice Open(string name, LiveCaptureOptions options, List<string> warnings)
    {
        var pcapInterface = PcapLibrary.Interfaces().FirstOrDefault(i => i.Name == name)
            ?? throw new LiveCaptureException($"{name}: {PcapFailure.NoSuchInterface}");
        var device = new LiveDevice(pcapInterface);
        try
        {
            device.Activate(options, warnings);
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    private void Activate(LiveCaptureOptions options, List<string> warnings)
    {
        var configuration = new DeviceConfiguration
        {
            Mode = options.Promiscuous ? DeviceModes.Promiscuous : DeviceModes.None,
            Snaplen = options.SnapLength,
            ReadTimeout = (int)Math.Max(1, options.Timeout.TotalMilliseconds),
            BufferSize = options.BufferSizeBytes,
            Immediate = options.Immediate,
            // Older libpcap or some platforms only give microseconds; the fallback is just coarser timestamps.
            TimestampResolution = SharpPcap.TimestampResolution.Nanosecond,
        };
        configuration.ConfigurationFailed += (_, failed) => warnings.Add($"{Name}: cannot set {failed.Property}: {failed.Message}");
        try
        {
            Open(configuration);
            if (options.Filter is { Length: > 0 } filter) ApplyFilter(filter);
            // The wait for packets is over all interfaces (LiveCaptureReader): a read must never block on one.
            NonBlockingMode = true;
        }
        catch (PcapException ex)
        {
            throw PcapFailure.Opening(Name, ex);
        }
        catch (Exception ex) when (PcapLibrary.IsMissingLibrary(ex))
        {
            throw PcapLibrary.Missing(ex);
        }
        _nanoseconds = TimestampResolution == SharpPcap.TimestampResolution.Nanosecond;
        LinkTypeValue = (int)LinkType;
        SnapLength = options.SnapLength;
    }

    private void ApplyFilter(string filter)
    {
        try
        {
            Filter = filter;
        }
        catch (PcapException ex)
        {
            throw new LiveCaptureException($"invalid filter '{filter}': {ex.Message}");
        }
    }

    /// <summary>
    /// The next packet if one is waiting: true with the record pointing into libpcap's buffer (valid until the next call
    /// on this device), false when none is waiting. Throws when the interface failed.
    /// </summary>
    public unsafe bool TryNext(out PacketRecord packet, long offset)
    {
        nint header = 0, data = 0;
        // SharpPcap's GetNextPacket polls the descriptor and builds two objects for every packet (its PcapHeader and a
        // decimal PosixTimeval): pcap_next_ex's pointers, through SharpPcap, cost neither (docs/live.md).
        var status = (GetPacketStatus)GetNextPacketPointers(ref header, ref data);
        if (status == GetPacketStatus.PacketRead)
        {
            var pcapHeader = (PacketHeader*)header;
            long fractionNs = _nanoseconds ? pcapHeader->Fraction.Value : pcapHeader->Fraction.Value * 1000L;
            long timestampNs = pcapHeader->Seconds.Value * 1_000_000_000L + fractionNs;
            packet = new PacketRecord(new ReadOnlySpan<byte>((void*)data, (int)pcapHeader->CapturedLength), timestampNs,
                (int)Math.Min(pcapHeader->Length, int.MaxValue), LinkTypeValue, offset);
            return true;
        }
        packet = default;
        if (status is GetPacketStatus.ReadTimeout or GetPacketStatus.NoRemainingPackets) return false;
        throw new LiveCaptureException($"{Name}: capture failed: {LastError}");
    }

    /// <summary>libpcap's counters now; once closed or after a failure, the last ones read.</summary>
    public InterfaceStatistics Counters()
    {
        // Not SharpPcap's Statistics: on 64-bit Linux its dropped count is libpcap's interface drops (KernelCounters).
        if (Opened && KernelCounters.Read(this) is { } counters) _last = counters;
        return _last;
    }

    /// <summary>Reads the counters one last time, then closes the handle.</summary>
    public override void Close()
    {
        Counters();
        base.Close();
    }

    /// <summary>struct pcap_pkthdr, as pcap_next_ex points to it: the timeval's fields are C longs, 4 or 8 bytes by platform.</summary>
#pragma warning disable CS0649 // written by libpcap
    private struct PacketHeader
    {
        public System.Runtime.InteropServices.CLong Seconds;
        public System.Runtime.InteropServices.CLong Fraction;
        public uint CapturedLength;
        public uint Length;
    }
#pragma warning restore CS0649
}
