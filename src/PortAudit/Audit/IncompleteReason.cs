namespace PortAudit.Audit;

/// <summary>Why an audit's reports do not cover everything it was given (report.json <c>incomplete</c>).</summary>
public enum IncompleteReason
{
    /// <summary>Stopped by a signal: the reports cover what was read until then.</summary>
    Interrupted,

    /// <summary>An input could not be opened or was damaged: what came after the damage was not read.</summary>
    DamagedInput,

    /// <summary>More flow records were read that could not be used than <see cref="RecordCounts.TooManyRejected"/> allows.</summary>
    RecordsRejected,

    /// <summary>The flow store the flows came from failed (unreachable, gone during the read, a refused query).</summary>
    StoreFailure,

    /// <summary>A live capture lost packets before they were read (libpcap counted drops): flows lack some of their packets.</summary>
    PacketsDropped,
}

/// <summary>Names of <see cref="IncompleteReason"/> as the reports write them.</summary>
public static class IncompleteReasonNames
{
    /// <summary>The words the reports use: "interrupted", "damaged input", "records rejected", "store failure", "packets dropped".</summary>
    public static string Name(this IncompleteReason reason) => reason switch
    {
        IncompleteReason.Interrupted => "interrupted",
        IncompleteReason.DamagedInput => "damaged input",
        IncompleteReason.RecordsRejected => "records rejected",
        IncompleteReason.StoreFailure => "store failure",
        IncompleteReason.PacketsDropped => "packets dropped",
        _ => reason.ToString(),
    };

    /// <summary>
    /// What the first line of every report and the console summary starts with: "INCOMPLETE (damaged input, records
    /// rejected): ", or nothing for a complete report.
    /// </summary>
    public static string FirstLinePrefix(IReadOnlyList<IncompleteReason> reasons) =>
        reasons.Count == 0 ? "" : $"INCOMPLETE ({string.Join(", ", reasons.Select(Name))}): ";
}
