namespace PortAudit.Fuzz;

/// <summary>The session's figures as a table: inputs per target and what became of them, peak memory, findings.</summary>
public static class FuzzSummary
{
    /// <summary>Writes the figures of <paramref name="session"/>.</summary>
    public static void Write(FuzzSession session, TextWriter output)
    {
        output.WriteLine($"{"target",-10} {"inputs",9} {"accepted",9} {"rejected",9} {"crashes",8} {"hangs",6} {"memory",7}");
        foreach (var (name, t) in session.Tallies)
            output.WriteLine($"{name,-10} {t.Inputs,9} {t.Accepted,9} {t.Rejected,9} {t.Crashes,8} {t.Hangs,6} {t.Memory,7}");
        long inputs = session.Tallies.Values.Sum(t => t.Inputs);
        double rate = session.Elapsed.TotalSeconds > 0 ? inputs / session.Elapsed.TotalSeconds : 0;
        output.WriteLine($"fuzz: {inputs} inputs in {session.Elapsed.TotalSeconds:0} s ({rate:0} per second), peak working set {session.PeakWorkingSet >> 20} MiB, " +
                         $"{session.Findings.Saved.Count} finding(s) saved{(session.StoppedOnHang ? ", stopped on a hang" : "")}");
        foreach (var name in session.Findings.Saved) output.WriteLine($"  {Path.Combine(session.Findings.Directory, name)}.input");
    }
}
