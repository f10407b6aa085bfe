using System.Reflection;
using System.Runtime.InteropServices;
using PortAudit.Common;

namespace PortAudit.Capture.Live;

/// <summary>
/// Every native call of live capture: libpcap itself, and libc's poll, which waits on pcap's selectable
/// descriptors so that several interfaces can be served from one thread without copying packets.
/// Nothing outside this class touches a native pointer of libpcap's structures.
/// </summary>
internal static unsafe partial class LibPcap
{
    private const string PcapLibrary = "libpcap";
    private const string CLibrary = "libc";

    /// <summary>Names tried in turn: Debian's libpcap0.8, upstream's soname, the development link, Npcap.</summary>
    internal static readonly string[] Candidates = { "libpcap.so.0.8", "libpcap.so.1", "libpcap.so", "libpcap.dylib", "wpcap" };

    internal const int ErrorBufferSize = 256;
    internal const int Error = -1;
    internal const int ErrorBreak = -2;
    internal const int ErrorNoSuchDevice = -5;
    internal const int ErrorPermissionDenied = -8;
    internal const int ErrorInterfaceNotUp = -9;
    internal const int ErrorPromiscuousPermissionDenied = -11;
    internal const int ErrorPrecisionNotSupported = -12;
    internal const int TimestampPrecisionNano = 1;
    internal const uint NetmaskUnknown = 0xFFFFFFFF;
    internal const short PollIn = 0x1;
    internal const short PollError = 0x8;
    internal const short PollHangUp = 0x10;
    internal const short PollInvalid = 0x20;

    private static readonly object Gate = new();
    private static nint _pcap;
    private static bool _resolverSet;

    /// <summary>
    /// Loads libpcap once; every entry point of live capture calls this first so that a missing library
    /// is one clear input error instead of a DllNotFoundException from the first call.
    /// </summary>
    internal static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_pcap != 0) return;
            _pcap = Load(Candidates);
            if (!_resolverSet)
            {
                NativeLibrary.SetDllImportResolver(typeof(LibPcap).Assembly, Resolve);
                _resolverSet = true;
            }
        }
    }

    /// <summary>Loads the first of <paramref name="names"/> that the loader finds.</summary>
    internal static nint Load(IEnumerable<string> names)
    {
        foreach (var name in names)
            if (NativeLibrary.TryLoad(name, out var handle)) return handle;
        throw new InputException("libpcap not found: install libpcap0.8 (Debian/Ubuntu) or libpcap (other systems)");
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name == PcapLibrary) return _pcap;
        // "libc.so" is a linker script on glibc systems, so the runtime's own probing for "libc" can fail.
        if (name == CLibrary && OperatingSystem.IsLinux() && NativeLibrary.TryLoad(NativeLibraries.C, out var libc)) return libc;
        return 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PcapIf
    {
        public PcapIf* Next;
        public byte* Name;
        public byte* Description;
        public PcapAddr* Addresses;
        public uint Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PcapAddr
    {
        public PcapAddr* Next;
        public byte* Addr;
        public byte* Netmask;
        public byte* BroadAddr;
        public byte* DstAddr;
    }

    /// <summary>struct pcap_pkthdr: the timeval's fields are C longs, 4 or 8 bytes by platform.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PacketHeader
    {
        public CLong Seconds;
        public CLong Fraction;
        public uint CapturedLength;
        public uint Length;
    }

    /// <summary>struct pcap_stat, with room for the fourth counter some builds add.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Stat
    {
        public uint Received;
        public uint Dropped;
        public uint InterfaceDropped;
        public uint Captured;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct BpfProgram
    {
        public uint Length;
        public void* Instructions;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_findalldevs")]
    internal static partial int FindAllDevices(out PcapIf* devices, byte* errorBuffer);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_freealldevs")]
    internal static partial void FreeAllDevices(PcapIf* devices);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial PcapHandle Create(string device, byte* errorBuffer);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_set_snaplen")]
    internal static partial int SetSnapLength(PcapHandle pcap, int snapLength);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_set_promisc")]
    internal static partial int SetPromiscuous(PcapHandle pcap, int promiscuous);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_set_timeout")]
    internal static partial int SetTimeout(PcapHandle pcap, int milliseconds);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_set_buffer_size")]
    internal static partial int SetBufferSize(PcapHandle pcap, int bytes);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_set_immediate_mode")]
    internal static partial int SetImmediateMode(PcapHandle pcap, int immediate);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_set_tstamp_precision")]
    internal static partial int SetTimestampPrecision(PcapHandle pcap, int precision);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_get_tstamp_precision")]
    internal static partial int GetTimestampPrecision(PcapHandle pcap);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_activate")]
    internal static partial int Activate(PcapHandle pcap);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_compile", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Compile(PcapHandle pcap, BpfProgram* program, string filter, int optimize, uint netmask);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_setfilter")]
    internal static partial int SetFilter(PcapHandle pcap, BpfProgram* program);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_freecode")]
    internal static partial void FreeCode(BpfProgram* program);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_setnonblock")]
    internal static partial int SetNonBlocking(PcapHandle pcap, int nonBlocking, byte* errorBuffer);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_get_selectable_fd")]
    internal static partial int GetSelectableFd(PcapHandle pcap);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_next_ex")]
    internal static partial int NextEx(PcapHandle pcap, out PacketHeader* header, out byte* data);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_datalink")]
    internal static partial int DataLink(PcapHandle pcap);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_snapshot")]
    internal static partial int Snapshot(PcapHandle pcap);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_stats")]
    internal static partial int Stats(PcapHandle pcap, Stat* stats);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_breakloop")]
    internal static partial void BreakLoop(PcapHandle pcap);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_geterr")]
    internal static partial byte* GetError(PcapHandle pcap);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_statustostr")]
    internal static partial byte* StatusToString(int status);

    [LibraryImport(PcapLibrary, EntryPoint = "pcap_close")]
    internal static partial void Close(nint pcap);

    [LibraryImport(CLibrary, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    /// <summary>A C string owned by libpcap, copied to managed memory; never freed here.</summary>
    internal static string Text(byte* text) => text is null ? "" : Marshal.PtrToStringUTF8((nint)text) ?? "";

    /// <summary>libpcap's message for the last error on <paramref name="pcap"/>.</summary>
    internal static string LastError(PcapHandle pcap) => Text(GetError(pcap));
}
