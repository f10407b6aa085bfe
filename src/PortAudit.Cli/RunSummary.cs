using PortAudit.Decode;
using PortAudit.Pipeline;
using Serilog;

namespace PortAudit.Cli;

/// <summary>Logs what a read did and turns its input errors into the exit code.</summary>
public static class RunSummary
{
    /// <summary>Logs counters and warnings, prints each input error; returns 2 when there was one, else 0.</summary>
    public static int Report(ILogger log, TrafficSummary summary)
    {
        var stats = summary.Traffic;
        foreach (var (linkType, count) in stats.UnsupportedLinkTypes)
            log.Warning("link type {LinkType}: {Packets} packets skipped", linkType, count);
        if (summary.Flows.FlowsEvicted > 0)
            log.Warning("flow table full: {Evicted} flows ended early (raise --max-flows)", summary.Flows.FlowsEvicted);
        if (summary.Flows.OrphanFragments > 0)
            log.Information("{Fragments} IP fragments without their first fragment were not counted", summary.Flows.OrphanFragments);
        log.Information("{Packets} packets, {Bytes} bytes, {Flows} flows; not IP {NotIp}, truncated {Truncated}, malformed {Malformed}",
            stats.Packets, stats.CapturedBytes, summary.Flows.FlowsCreated,
            stats.Count(DecodeStatus.NotIp), stats.Count(DecodeStatus.Truncated), stats.Count(DecodeStatus.Malformed));
        var records = summary.Records;
        if (records.Read > 0 || records.Rejected > 0)
            log.Information("{Read} flow records read, {Rejected} rejected", records.Read, records.Rejected);
        // Bad records do not fail the run: they are counted, and the first of them named with their place.
        foreach (var problem in records.Problems) log.Warning("rejected record: {Problem}", problem.ToString());
        if (records.Rejected > records.Problems.Count)
            log.Warning("{More} more rejected records not listed", records.Rejected - records.Problems.Count);
        if (records.TemplatesDropped > 0)
            log.Warning("{Templates} IPFIX/NetFlow templates dropped, oldest first: more than the cache holds per exporter and domain", records.TemplatesDropped);
        if (records.TemplatesExpired > 0)
            log.Information("{Templates} IPFIX/NetFlow templates expired: not announced again within their lifetime", records.TemplatesExpired);
        if (records.Saturated > 0)
            log.Warning("{Records} flow records whose counters summed past 2^63-1: held there", records.Saturated);
        foreach (var error in summary.Errors) TerminalText.Error($"portaudit: {error.Message}");
        return summary.Errors.Count > 0 ? ExitCodes.BadInput : ExitCodes.Ok;
    }

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
