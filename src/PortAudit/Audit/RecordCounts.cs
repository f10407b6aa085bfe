namespace PortAudit.Audit;

/// <summary>
/// The flow records an audit's inputs held (report.json <c>records</c>): read and used, and rejected (a line that does not
/// parse, a template loop, a lone surrogate). Every rejected record is counted here and in the run's summary; past
/// <see cref="TooManyRejected"/> the report is incomplete (<see cref="IncompleteReason.RecordsRejected"/>).
/// </summary>
/// <param name="Read">Records read and used.</param>
/// <param name="Rejected">Records that could not be used.</param>
public sealed record RecordCounts(long Read, long Rejected)
{
    /// <summary>The share of the records seen that may be rejected with the report still complete: one in a hundred.</summary>
    public const double MaxRejectedShare = 0.01;

    /// <summary>The number of rejected records past which the report is incomplete, whatever their share.</summary>
    public const long MaxRejected = 1000;

    /// <summary>
    /// True when more than <see cref="MaxRejectedShare"/> of the records seen, or more than <see cref="MaxRejected"/>, were
    /// rejected. A few damaged lines in a long log (a line cut by a rotation, an exporter's odd record) leave what the
    /// audit says unchanged, and marking every such run incomplete made the mark mean nothing; past one in a hundred the
    /// coverage and the verdicts may be those of another traffic, and past a thousand, however long the log, a systematic
    /// defect (an exporter whose every record of some kind is refused) is hiding flows.
    /// </summary>
    public bool TooManyRejected => Rejected > MaxRejected || Rejected > ((double)Read + Rejected) * MaxRejectedShare;

    /// <summary>True when the inputs held flow records at all (rather than packets only).</summary>
    public bool Any => Read > 0 || Rejected > 0;
}
