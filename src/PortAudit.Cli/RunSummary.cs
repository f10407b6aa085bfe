using PortAudit.Audit;
using PortAudit.Pipeline;
using Serilog;

namespace PortAudit.Cli;

/// <summary>Logs what a read did and turns its input errors into the exit code.</summary>
public static class RunSummary
{
    /// <summary>
    /// Logs counters and warnings, prints each input error; returns 2 when there was one, or when more flow records were
    /// rejected than an audit's report may hold and stay complete (<see cref="RecordCounts.TooManyRejected"/>), else 0.
    /// </summary>
    /// <param name="log">Where the counters and warnings go.</param>
    /// <param name="summary">The read.</param>
    /// <param name="live">
    /// A collector or a live capture, which runs until stopped: its rejected records (data sets that came before their
    /// template, as UDP export delivers them) are warned of and counted but do not set the exit code.
    /// </param>
    public static int Report(ILogger log, TrafficSummary summary, bool live = false)
    {
        var stats = summary.Traffic;
        foreach (var (linkType, count) in stats.UnsupportedLinkTypes)
            log.Warning("link type {LinkType}: {Packets} packets skipped", linkType, count);
        if (summary.Flows.FlowsEvicted > 0)
            log.Warning("flow table full: {Evicted} flows ended early (raise --max-flows)", summary.Flows.FlowsEvicted);
        if (summary.Flows.TunnelPacketsUntracked > 0)
            log.Warning("more tunnel ends than --max-flows (a table's share in a split run): {Packets} tunnel packets were counted in the flows they carry but in no flow of the tunnel itself",
                summary.Flows.TunnelPacketsUntracked);
        if (summary.Flows.OrphanFragments > 0)
            log.Information("{Fragments} IP fragments without their first fragment were not counted", summary.Flows.OrphanFragments);
        // A warning, not the summary line alone: --quiet hides that line, and lost packets make every flow count uncertain.
        if (stats.Dropped > 0)
            log.Warning("the capture lost {Dropped} packets before they were read (libpcap's drops, and packets an interface that failed never delivered): flows lack them (against drops, raise --buffer-size, narrow --filter or lower --snaplen)",
                stats.Dropped);
        var packets = PacketCounts.Of(stats);
        log.Information("{Packets} packets, {Bytes} bytes, {Flows} flows; not IP {NotIp}, truncated {Truncated}, malformed {Malformed}",
            packets.Read, packets.Bytes, summary.Flows.FlowsCreated, packets.NotIp, packets.Truncated, packets.Malformed);
        var records = summary.Records;
        if (records.Read > 0 || records.Rejected > 0)
            log.Information("{Read} flow records read, {Rejected} rejected", records.Read, records.Rejected);
        // Bad records do not fail the run: they are counted, and the first of them named with their place.
        foreach (var problem in records.Problems) log.Warning("rejected record: {Problem}", problem.ToString());
        if (records.Rejected > records.Problems.Count)
            log.Warning("{More} more rejected records not listed", records.Rejected - records.Problems.Count);
        if (records.ZeekJoined > 0)
            log.Information("{Joined} Zeek connections took what ssl.log, http.log or dce_rpc.log among the inputs say of them (joined by uid)", records.ZeekJoined);
        foreach (var problem in records.ZeekJoinProblems) log.Warning("record of a Zeek log joined to conn.log not read: {Problem}", problem.ToString());
        if (records.ZeekJoinUnread > records.ZeekJoinProblems.Count)
            log.Warning("{More} more records of ssl.log, http.log or dce_rpc.log not read", records.ZeekJoinUnread - records.ZeekJoinProblems.Count);
        // A Zeek directory given whole (logs/*.log): the logs that hold no connections are named, not read as flows.
        foreach (var other in records.OtherZeekLogs)
            log.Warning("{Log} log of Zeek: no connections in it, no flows read from it (conn.log holds them; ssl.log, http.log and dce_rpc.log add to them)", other);
        if (records.TemplatesDropped > 0)
            log.Warning("{Templates} IPFIX/NetFlow templates dropped, oldest first: more than the cache holds (4,096 per exporter and domain, 65,536 and 2^22 fields in all)", records.TemplatesDropped);
        if (records.TemplatesExpired > 0)
            log.Information("{Templates} IPFIX/NetFlow templates expired: not announced again within their lifetime", records.TemplatesExpired);
        if (records.Undated > 0)
            log.Warning("{Records} flow records carry no time (log lines without a timestamp): their flows stand at the epoch, " +
                "1970-01-01, in flows.jsonl and widen no capture window or timeline", records.Undated);
        if (records.LocalTimesAsUtc > 0)
            log.Warning("{Records} flow records are in the local time of the host that wrote them (a Windows firewall log) and were read as UTC: " +
                "name that host's zone with --log-zone (an IANA name such as Europe/Berlin, or UTC if it is)", records.LocalTimesAsUtc);
        if (records.Saturated > 0)
            log.Warning("{Records} flow records whose counters summed past 2^63-1: held there", records.Saturated);
        if (records.TimeReversed > 0)
            log.Warning("{Records} flow records end before they start (a clock stepped back between the two): their flows end where they start, lasting 0 s",
                records.TimeReversed);
        foreach (var error in summary.Errors) TerminalText.Error($"portaudit: {error.Message}");
        bool tooManyRejected = !live && TooManyRejected(summary);
        // A script reads the exit code, not the warnings: flows of a log whose records were mostly refused are not its traffic.
        if (tooManyRejected)
            TerminalText.Error($"portaudit: {records.Rejected} of {records.Read + records.Rejected} flow records rejected, more than " +
                $"{RecordCounts.MaxRejectedShare * 100:0}% or {RecordCounts.MaxRejected} of them: the flows stand for part of the input");
        return summary.Errors.Count > 0 || tooManyRejected ? ExitCodes.BadInput : ExitCodes.Ok;
    }

    /// <summary>
    /// Says, unless <paramref name="quiet"/>, that a stop request ended the read, how much of the input it had read and
    /// what was <paramref name="written"/> of it, and returns <see cref="ExitCodes.Interrupted"/>: a person who stopped
    /// the read is told what the output holds, a script reads the exit code.
    /// </summary>
    public static int Interrupted(TrafficSummary summary, bool quiet, string written)
    {
        if (!quiet) TerminalText.Error($"portaudit: interrupted after {ReadSoFar(summary)}: {written}");
        return ExitCodes.Interrupted;
    }

    /// <summary>How much of its input a run read: "80444 packets", "990 flow records", or both.</summary>
    public static string ReadSoFar(TrafficSummary summary)
    {
        var parts = new List<string>(2);
        if (summary.Traffic.Packets > 0 || summary.Records.Read == 0) parts.Add($"{summary.Traffic.Packets} packets");
        if (summary.Records.Read > 0) parts.Add($"{summary.Records.Read} flow records");
        return string.Join(" and ", parts);
    }

    private static bool TooManyRejected(TrafficSummary summary) =>
        new RecordCounts(summary.Records.Read, summary.Records.Rejected).TooManyRejected;

    /// <summary>
    /// Reports the read as <see cref="Report"/> does, then runs <paramref name="write"/> (the command's one result) only
    /// when every input was read whole; otherwise says that nothing was written to <paramref name="output"/> and returns 2.
    /// </summary>
    /// <remarks>
    /// For commands whose result summarises all their inputs (rpc's table, suggest-roles' ranking and draft): after an
    /// input that is not a capture or was cut short, the result would stand for traffic it did not cover (an empty table
    /// for a file that is not a capture) and replace a good previous file (issue 43, issue 47). Nothing is opened, so a
    /// file <paramref name="output"/> names stays as it was.
    /// </remarks>
    public static int ReportThenWrite(ILogger log, TrafficSummary summary, string? output, Action write)
    {
        int status = Report(log, summary);
        if (status != ExitCodes.Ok)
        {
            TerminalText.Error(output is null or "-"
                ? "portaudit: nothing written: an input could not be read whole"
                : $"portaudit: {output}: not written, the previous file is as it was: an input could not be read whole");
            return status;
        }
        write();
        return status;
    }
}
