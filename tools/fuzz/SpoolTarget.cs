using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources.Records;
using PortAudit.Store;

namespace PortAudit.Fuzz;

/// <summary>
/// The store's spool (<c>FlowSpool</c>) as a run opens one an earlier run left: the file checked frame by frame, then
/// what the check kept replayed as the store is sent it, each frame's days named as partitions and its rows read as
/// typed values (<c>StoreRows</c>, which trusts a checked frame). A damaged spool must end in a warning naming the
/// file; an exception out of the replay is a frame the check passed but should not have.
/// </summary>
public sealed class SpoolTarget(IReadOnlyList<FuzzSeed> seeds) : ReaderTarget("spool", false, seeds)
{
    /// <inheritdoc />
    public override FuzzVerdict Run(FuzzSeed seed, byte[] input, string scratch)
    {
        // A quarantine renames the file aside: each input gets a directory of its own.
        string directory = Path.Combine(scratch, "spool");
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "sensor.spool");
        File.WriteAllBytes(path, input);
        var notices = new List<string>();
        var spool = new FlowSpool(path, notices.Add);
        if (spool.Frames > 0) spool.Replay(new FlowBatch("sensor"), Send);
        return notices.Count > 0 ? FuzzVerdict.Rejected : FuzzVerdict.Accepted;
    }

    // What StoreIngest does with a frame short of the server: a partition per day, the rows read back as values.
    private static void Send(FlowBatch batch)
    {
        foreach (int day in batch.Days) StoreTime.Date(day);
        StoreRows.Read(batch.Rows, _ => DiscardedRows.Instance);
    }

    /// <summary>
    /// Seeds: the flows of shared captures as our own writer spools them, frames of a few flows each, one spool per
    /// capture: DCE/RPC calls (text arrays), an ICMP error (its sender's address), DNS (the application's detail),
    /// IPv6 and a tunnel.
    /// </summary>
    public static List<FuzzSeed> SpooledCaptures(string repo)
    {
        string captures = Path.Combine(repo, "..", "shared", "captures");
        string[] names = ["dcerpc.pcap", "zeek-icmp-icmp-destunreach-ip.pcap", "dns.pcap", "4in4tunnel.pcap", "6in4tunnel.pcap"];
        string scratch = Directory.CreateTempSubdirectory("portaudit-spool-seed-").FullName;
        try
        {
            return names.Select(n => Path.Combine(captures, n)).Where(File.Exists).Select(c => Spooled(c, scratch)).ToList();
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    // The capture read as `flows --store` reads it, each ended flow encoded at once (a run reuses its flows), in frames.
    private static FuzzSeed Spooled(string capture, string scratch)
    {
        string name = Path.GetFileName(capture);
        var frames = new FrameWriter(name);
        new TrafficRun(new FlowTableOptions(), frames).Read([new RecordFileSource(capture, RecordFormat.Capture)]);
        string path = Path.Combine(scratch, name + ".spool");
        var spool = new FlowSpool(path, _ => { });
        foreach (var frame in frames.Frames) spool.Append(frame);
        return new FuzzSeed(name + ".spool", File.ReadAllBytes(path));
    }

    // Ended flows into batches of a few flows, up to a seed's size: afl mutates every byte of a seed.
    private sealed class FrameWriter(string input) : IFlowObserver
    {
        private const int FlowsPerFrame = 3;
        private const int MostBytes = MaxSeedBytes / 2;
        private readonly byte[] _input = System.Text.Encoding.UTF8.GetBytes(input);
        private int _bytes;

        public List<FlowBatch> Frames { get; } = [];

        public bool ReadsPackets => false;

        public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload) { }

        public void OnFlowEnd(Flow flow)
        {
            if (_bytes >= MostBytes) return;
            if (Frames.Count == 0 || Frames[^1].Count == FlowsPerFrame) Frames.Add(new FlowBatch("sensor"));
            int before = Frames[^1].Rows.Length;
            Frames[^1].Add(flow, _input);
            _bytes += Frames[^1].Rows.Length - before;
        }
    }
}
