using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>
/// A reusable block of decoded packets with copies of their frames, handed from the decoding thread to the
/// flow-table thread. Batches circulate through a small pool, so the hand-over allocates nothing per packet.
/// </summary>
internal sealed class PacketBatch
{
    public const int Capacity = 2048;
    private const int FrameBytes = 1 << 20;

    private byte[] _frames = new byte[FrameBytes];
    private int _used;

    public readonly Entry[] Entries = new Entry[Capacity];

    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    /// <summary>True when <paramref name="length"/> more frame bytes fit (an empty batch always takes a frame).</summary>
    public bool HasRoomFor(int length) => Count == 0 || _used + length <= _frames.Length;

    public void Add(in DecodedPacket packet, ReadOnlySpan<byte> frame, long timestampNs)
    {
        // Only a frame larger than the whole buffer gets here with an empty batch: grow once for it.
        if (_used + frame.Length > _frames.Length) _frames = new byte[Math.Max(frame.Length, FrameBytes)];
        frame.CopyTo(_frames.AsSpan(_used));
        ref var entry = ref Entries[Count++];
        entry.Packet = packet;
        entry.FrameOffset = _used;
        entry.FrameLength = frame.Length;
        entry.TimestampNs = timestampNs;
        _used += frame.Length;
    }

    public ReadOnlySpan<byte> Frame(in Entry entry) => _frames.AsSpan(entry.FrameOffset, entry.FrameLength);

    public void Clear()
    {
        Count = 0;
        _used = 0;
    }

    public struct Entry
    {
        public DecodedPacket Packet;
        public int FrameOffset;
        public int FrameLength;
        public long TimestampNs;
    }
}
