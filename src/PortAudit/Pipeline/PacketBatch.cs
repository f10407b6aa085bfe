using PortAudit.Decode;
using PortAudit.Sources.Files;

namespace PortAudit.Pipeline;

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
    public void Add(in DecodedPacket packet, ReadOnlySpan<byte> frame, long timestampNs, long frameNumber, long ordinal,
        bool sweepBefore = false)
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
        entry.Ordinal = ordinal;
        entry.Kind = sweepBefore ? EntryKind.SweepThenPacket : EntryKind.Packet;
        _used += payload.Length;
    }

    /// <summary>
    /// Adds a sweep with no packet: the run swept its idle flows before the packet of <paramref name="ordinal"/>, which
    /// went to another shard, and this shard must sweep at the same moment.
    /// </summary>
    public void AddSweep(long timestampNs, long ordinal)
    {
        ref var entry = ref Entries[Count++];
        entry.Kind = EntryKind.Sweep;
        entry.TimestampNs = timestampNs;
        entry.Ordinal = ordinal;
        entry.PayloadLength = 0;
    }

    /// <summary>The input (1-based) the batch's packets come from.</summary>
    public int Input;

    /// <summary>
    /// The run ordinal up to which the batch completes its shard's view: every packet of the shard at or before it is in
    /// this batch or an earlier one.
    /// </summary>
    public long Watermark;

    /// <summary>True for the last batch of an input: the shard says so to the merger once it has read it.</summary>
    public bool EndsInput;

    /// <summary>True for the last batch of the run: the shard ends every flow it still holds.</summary>
    public bool EndOfRun;

    public ReadOnlySpan<byte> Payload(in Entry entry) => _payloads.AsSpan(entry.PayloadAt, entry.PayloadLength);

    public void Clear()
    {
        Count = 0;
        _used = 0;
        EndsInput = false;
        EndOfRun = false;
    }

    /// <summary>What an entry holds.</summary>
    public enum EntryKind : byte
    {
        /// <summary>A packet.</summary>
        Packet,
        /// <summary>A sweep of idle flows, then a packet.</summary>
        SweepThenPacket,
        /// <summary>A sweep alone.</summary>
        Sweep,
    }

    public struct Entry
    {
        public DecodedPacket Packet;
        public int PayloadAt;
        public int PayloadLength;
        public long TimestampNs;
        public long FrameNumber;
        public long Ordinal;
        public EntryKind Kind;
    }
}
