using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>
/// Reads one input of a flow-record format, one flow at a time: parsing stays here, apart from flow building. A
/// reader holds only the flows it has yet to complete (an ASA connection built but not torn down, an IPFIX record
/// waiting for its reverse), so memory is bounded by live flows, never by the size of the input.
/// </summary>
public interface IRecordReader : IDisposable
{
    /// <summary>
    /// Fills <paramref name="record"/> with the next flow; false at the end of the input, after the flows still held
    /// were handed out. Bad records are counted in the statistics the reader was given, never thrown.
    /// </summary>
    bool TryRead(ref FlowRecord record);

    /// <summary>
    /// True when the records carry the <see cref="FlowRecord.CutOff"/> mark of the run that wrote them (our own flow files,
    /// which may hold a day or a part of one): where the input ends then marks nothing. Known once the first record is
    /// read, the header that says so coming before it.
    /// </summary>
    bool CarriesCutOff => false;
}
