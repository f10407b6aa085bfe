using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>
/// A reusable block of decoded packets with copies of their payloads, handed from the decoding thread to the
/// flow-table thread. Batches circulate through a small pool, so the hand-over allocates nothing per packet.
/// </summary>
internal sealed class PacketBatch
{
    public const int Capacity = 2048;
    private const int PayloadBytes = 1 << 20;

    private byte[] _payloads = new byte[PayloadBytes];
    private int _used;

    public readonly Entry[] Entries = new Entry[Capacity];

    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    /// <summary>True when the payload of <paramref name="packet"/> fits (an empty batch always takes one).</summary>
    public bool HasRoomFor(in DecodedPacket packet) => Count == 0 || _used + packet.PayloadLength <= _payloads.Length;

    /// <summary>
    /// Adds a packet with a copy of its transport payload, the only bytes the flow table's stages read: headers are
    /// decoded already, and most packets (handshakes, acknowledgments) carry none, so most copy nothing.
    /// </summary>
    public void Add(in DecodedPacket packet, ReadOnlySpan<byte> frame, long timestampNs, long frameNumber)
    {
        var payload = packet.Payload(frame);
        // Only a payload larger than the whole buffer gets here with an empty batch: grow once for it.
        if (_used + payload.Length > _payloads.Length) _payloads = new byte[Math.Max(payload.Length, PayloadBytes)];
        payload.CopyTo(_payloads.AsSpan(_used));
        ref var entry = ref Entries[Count++];
        entry.Packet = packet;
        entry.Packet.PayloadOffset = 0;
        entry.PayloadAt = _used;
        entry.PayloadLength = payload.Length;
        entry.TimestampNs = timestampNs;
        entry.FrameNumber = frameNumber;
        _used += payload.Length;
    }

    public ReadOnlySpan<byte> Payload(in Entry entry) => _payloads.AsSpan(entry.PayloadAt, entry.PayloadLength);

    public void Clear()
    {
        Count = 0;
        _used = 0;
    }

    public struct Entry
    {
        public DecodedPacket Packet;
        public int PayloadAt;
        public int PayloadLength;
        public long TimestampNs;
        public long FrameNumber;
    }
}
