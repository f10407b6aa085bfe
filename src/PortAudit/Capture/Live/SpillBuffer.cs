using System.Diagnostics;
using PortAudit.Decode;
using PortAudit.Sources.Files;

namespace PortAudit.Capture.Live;

/// <summary>
/// Packets the standby reader took out of the kernel's buffer while the capture thread was late, in the order taken,
/// until the capture thread reads them. Never touched by two threads at once: the standby writes only while it holds
/// the ring (<see cref="RingGate"/>), which the capture thread gives up only once it has read everything here, and the
/// capture thread reads only while it holds the ring. The memory is allocated and mapped once, when the capture opens.
/// </summary>
internal sealed class SpillBuffer
{
    private readonly byte[] _bytes;
    private readonly Entry[] _entries;
    private int _count;
    private int _next;
    private int _used;

    private struct Entry
    {
        public int Source;
        public int Offset;
        public int Length;
        public int OriginalLength;
        public int LinkType;
        public long TimestampNs;
    }

    /// <summary>A buffer of <paramref name="bytes"/> bytes of packet data, with its pages mapped now.</summary>
    public SpillBuffer(int bytes)
    {
        _bytes = new byte[bytes];
        // Room for packets of 64 bytes on average; the shortest Ethernet frame is 60.
        _entries = new Entry[Math.Max(1, bytes / 64)];
        // Mapped before the first packet: a first touch traps to the hypervisor on a virtual machine, and the standby
        // writes here exactly when the capture is already late (docs/live.md, "The first packets' pages").
        MemoryPages.Touch(_bytes);
        MemoryPages.Touch(_entries);
    }

    /// <summary>Packets taken and not read yet.</summary>
    public int Pending => _count - _next;

    /// <summary>Bytes of packet data held now.</summary>
    public int BytesHeld => _used;

    /// <summary>
    /// True when a packet of up to <paramref name="length"/> bytes fits; checked before it is taken from libpcap. Once
    /// every packet was read, the whole buffer is free again.
    /// </summary>
    public bool HasRoomFor(int length) =>
        _next == _count ? length <= _bytes.Length : _count < _entries.Length && _bytes.Length - _used >= length;

    /// <summary>Keeps a copy of <paramref name="packet"/>, read on <paramref name="source"/>. The caller checked the room.</summary>
    public void Add(int source, in PacketRecord packet)
    {
        Debug.Assert(HasRoomFor(packet.Data.Length), "the standby checks the room before it takes a packet");
        if (_next == _count) _count = _next = _used = 0;
        packet.Data.CopyTo(_bytes.AsSpan(_used));
        _entries[_count++] = new Entry
        {
            Source = source, Offset = _used, Length = packet.Data.Length,
            OriginalLength = packet.OriginalLength, LinkType = packet.LinkType, TimestampNs = packet.TimestampNs,
        };
        _used += packet.Data.Length;
    }

    /// <summary>
    /// The oldest packet not read yet, pointing into this buffer (valid until the ring is given up), with the index of
    /// its source; false when none is left.
    /// </summary>
    public bool TryTake(long offset, out int source, out PacketRecord packet)
    {
        if (_next == _count)
        {
            source = -1;
            packet = default;
            return false;
        }
        ref var entry = ref _entries[_next++];
        source = entry.Source;
        packet = new PacketRecord(_bytes.AsSpan(entry.Offset, entry.Length), entry.TimestampNs, entry.OriginalLength,
            entry.LinkType, offset);
        return true;
    }
}
