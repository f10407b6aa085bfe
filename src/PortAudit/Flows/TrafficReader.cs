using System.Runtime.CompilerServices;
using PortAudit.Capture;
using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>
/// Drives the first stages: reads every packet of the given captures, decodes it and feeds the flow table.
/// A damaged capture stops at the damage; what was read before stays counted and the error is kept for the caller.
/// </summary>
public sealed class TrafficReader
{
    private readonly FlowTable _table;

    /// <summary>Creates a reader that feeds <paramref name="table"/>.</summary>
    public TrafficReader(FlowTable table) => _table = table;

    /// <summary>Counters over everything read.</summary>
    public TrafficStatistics Statistics { get; } = new();

    /// <summary>Inputs that could not be opened or were damaged, in the order met; the run went on with the next input.</summary>
    public List<InputException> Errors { get; } = new();

    /// <summary>Called now and then during a long read with the bytes read of the current input.</summary>
    public Action<ICaptureReader>? Progress { get; set; }

    /// <summary>Opens and reads each capture in turn, then ends every flow still open.</summary>
    public void ReadAll(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            ICaptureReader reader;
            try
            {
                reader = CaptureFile.Open(path);
            }
            catch (InputException ex)
            {
                Errors.Add(ex);
                continue;
            }
            using (reader) Read(reader);
        }
        _table.Flush();
    }

    /// <summary>Reads one capture to its end or its damage.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Read(ICaptureReader reader)
    {
        try
        {
            long packets = 0;
            while (reader.TryRead(out var record))
            {
                var status = PacketDecoder.Decode(record.LinkType, record.Data, out var packet);
                Statistics.Record(record.Data.Length, record.TimestampNs, status, record.LinkType);
                if (status == DecodeStatus.Ok) _table.Add(ref packet, record.Data, record.TimestampNs);
                if ((++packets & 0xFFFF) == 0) Progress?.Invoke(reader);
            }
        }
        catch (CaptureFormatException ex)
        {
            Errors.Add(ex);
        }
        Progress?.Invoke(reader);
    }
}
