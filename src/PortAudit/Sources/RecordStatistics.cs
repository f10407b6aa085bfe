namespace PortAudit.Sources;

/// <summary>One record a flow-record source could not use, and where it sits in its input.</summary>
/// <param name="Input">The input as given.</param>
/// <param name="Place">Where: "line 12" for text formats, "byte 340" for binary ones.</param>
/// <param name="Reason">What was wrong, one line.</param>
public sealed record RecordProblem(string Input, string Place, string Reason)
{
    /// <summary>input: place: reason.</summary>
    public override string ToString() => $"{Input}: {Place}: {Reason}";
}

/// <summary>
/// What flow-record sources read in a run: records read and rejected (malformed lines, data sets whose template
/// never came), with the first problems kept for the report. Memory is bounded whatever the number of bad records.
/// </summary>
public sealed class RecordStatistics
{
    /// <summary>Most problems kept; the counters go on.</summary>
    public const int MaxProblems = 100;

    private readonly List<RecordProblem> _problems = [];

    /// <summary>Records read and used (a built and its teardown are two).</summary>
    public long Read { get; private set; }

    /// <summary>Records that could not be used, each reported in <see cref="Problems"/> while there is room.</summary>
    public long Rejected { get; private set; }

    /// <summary>The first <see cref="MaxProblems"/> problems, in the order met.</summary>
    public IReadOnlyList<RecordProblem> Problems => _problems;

    private readonly List<RecordProblem> _nameProblems = [];
    private readonly List<string> _otherZeekLogs = [];

    /// <summary>
    /// Zeek connections that took what a Zeek ssl.log, http.log or dce_rpc.log among the run's inputs says of them (a
    /// server name, a selected ALPN protocol, DCE/RPC calls), joined by uid (<see cref="Records.ZeekLogJoin"/>).
    /// </summary>
    public long ZeekJoined { get; private set; }

    /// <summary>Counts a connection that took facts from ssl.log, http.log or dce_rpc.log.</summary>
    public void CountZeekJoined() => ZeekJoined++;

    /// <summary>
    /// Records of a Zeek ssl.log, http.log or dce_rpc.log that could not be read (no uid, a malformed line), each in
    /// <see cref="ZeekJoinProblems"/> while there is room. They are not flow records: they do not count as rejected.
    /// </summary>
    public long ZeekJoinUnread { get; private set; }

    /// <summary>The first <see cref="MaxProblems"/> of <see cref="ZeekJoinUnread"/>, in the order met.</summary>
    public IReadOnlyList<RecordProblem> ZeekJoinProblems => _nameProblems;

    /// <summary>Counts <paramref name="records"/> name records unread for <paramref name="problem"/>, kept while there is room.</summary>
    public void CountZeekJoinUnread(RecordProblem problem, long records = 1)
    {
        ZeekJoinUnread += records;
        if (_nameProblems.Count < MaxProblems) _nameProblems.Add(problem);
    }

    /// <summary>
    /// Zeek logs among the inputs that hold no connections and join none (dns.log, files.log, weird.log...), as
    /// "FILE: dns": their records are not read as flows. At most <see cref="MaxProblems"/>.
    /// </summary>
    public IReadOnlyList<string> OtherZeekLogs => _otherZeekLogs;

    /// <summary>Notes that <paramref name="input"/> is Zeek's <paramref name="path"/> log, which holds no connections.</summary>
    public void NoteOtherZeekLog(string input, string path)
    {
        string note = $"{input}: {path}";
        if (_otherZeekLogs.Count < MaxProblems && !_otherZeekLogs.Contains(note)) _otherZeekLogs.Add(note);
    }

    /// <summary>IPFIX and NetFlow v9 templates let go to stay within the template cache's bounds, oldest first.</summary>
    public long TemplatesDropped { get; private set; }

    /// <summary>IPFIX and NetFlow v9 templates received over UDP and not announced again within their lifetime.</summary>
    public long TemplatesExpired { get; private set; }

    /// <summary>Counts <paramref name="templates"/> templates dropped for room.</summary>
    public void CountTemplatesDropped(int templates) => TemplatesDropped += templates;

    /// <summary>Counts <paramref name="templates"/> templates expired.</summary>
    public void CountTemplatesExpired(int templates) => TemplatesExpired += templates;

    /// <summary>Records read whose counters, summed, passed long.MaxValue and were held there.</summary>
    public long Saturated { get; private set; }

    /// <summary>Counts a record whose counters saturated.</summary>
    public void CountSaturated() => Saturated++;

    /// <summary>
    /// Records read that carried no time (a log line without a timestamp): their flows stand at the epoch
    /// (<see cref="Flows.Flow.HasTime"/> false).
    /// </summary>
    public long Undated { get; private set; }

    /// <summary>Counts a record read without a time.</summary>
    public void CountUndated() => Undated++;

    /// <summary>
    /// Records of a log that says its times are the local time of the host that wrote it (a Windows firewall log's
    /// <c>#Time Format: Local</c>), read as UTC because the site named no zone (<see cref="Records.LogTimeZones"/>).
    /// </summary>
    public long LocalTimesAsUtc { get; private set; }

    /// <summary>Counts a record whose local time was read as UTC.</summary>
    public void CountLocalTimeAsUtc() => LocalTimesAsUtc++;

    /// <summary>
    /// Records read whose end came before their start (an exporter's or firewall's clock stepped back between the two):
    /// their flows end where they start, lasting 0 s.
    /// </summary>
    public long TimeReversed { get; private set; }

    /// <summary>
    /// The end of a record that starts at <paramref name="startNs"/>: <paramref name="endNs"/>, or the start when the
    /// record ends before it, which is counted in <see cref="TimeReversed"/>.
    /// </summary>
    public long EndNotBefore(long startNs, long endNs)
    {
        if (endNs >= startNs) return endNs;
        TimeReversed++;
        return startNs;
    }

    /// <summary>Counts <paramref name="records"/> records read.</summary>
    public void CountRead(long records = 1) => Read += records;

    /// <summary>Counts a rejected record and keeps its problem while there is room.</summary>
    public void Reject(RecordProblem problem) => Reject(problem, 1);

    /// <summary>
    /// Counts <paramref name="records"/> records rejected together for one <paramref name="problem"/> (a damaged
    /// Parquet row group loses all its rows at once), and keeps the problem while there is room.
    /// </summary>
    public void Reject(RecordProblem problem, long records)
    {
        Rejected += records;
        if (_problems.Count < MaxProblems) _problems.Add(problem);
    }
}
