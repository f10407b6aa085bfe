using System.Globalization;
using System.Text;
using PortAudit.Audit;

namespace PortAudit.Tests.Scenarios;

/// <summary>Findings of one kind in one scenario, split by the auditor's judgement.</summary>
/// <param name="Scenario">Scenario name.</param>
/// <param name="Kind">Finding kind.</param>
/// <param name="Findings">Findings of the kind.</param>
/// <param name="Actionable">Those labelled actionable.</param>
/// <param name="Noise">Those labelled noise.</param>
/// <param name="Unlabelled">Those no label judges.</param>
public sealed record KindFigures(string Scenario, FindingKind Kind, int Findings, int Actionable, int Noise, int Unlabelled)
{
    /// <summary>Findings worth acting on over findings; 1 when there are none (nothing to wade through).</summary>
    public double Precision => Findings == 0 ? 1 : (double)Actionable / Findings;
}

/// <summary>What the scenario suite measures: precision per kind and scenario, planted problems caught, false missing.</summary>
public static class ScenarioFigures
{
    /// <summary>The precision every kind must reach in every scenario.</summary>
    public const double PrecisionGoal = 0.9;

    /// <summary>Figures of every kind that has findings in <paramref name="result"/>.</summary>
    public static IEnumerable<KindFigures> PerKind(ScenarioResult result) =>
        FindingNames.AllKinds.Select(kind =>
        {
            var judged = result.Report.Findings.Where(f => f.Kind == kind).Select(result.Scenario.LabelOf).ToList();
            return new KindFigures(result.Scenario.Name, kind, judged.Count,
                judged.Count(l => l?.Judgement == Judgement.Actionable), judged.Count(l => l?.Judgement == Judgement.Noise), judged.Count(l => l is null));
        }).Where(k => k.Findings > 0);

    /// <summary>Missing findings an auditor would not act on.</summary>
    public static int FalseMissing(ScenarioResult result) =>
        result.Report.Findings.Count(f => f.Kind == FindingKind.Missing && result.Scenario.LabelOf(f)?.Judgement != Judgement.Actionable);

    /// <summary>Why <paramref name="planted"/> was not judged right in <paramref name="result"/>, or null when it was.</summary>
    public static string? Miss(ScenarioResult result, PlantedProblem planted)
    {
        var findings = result.Report.Findings
            .Where(f => FindingEnds.Match(f, planted.Client, planted.Server, Port(planted))).ToList();
        var flows = result.Flows
            .Where(f => f.Flow.ServerPort == planted.Port && FindingEnds.Name(f.Verdict.Client, f.Flow.Client) == planted.Client
                        && FindingEnds.Name(f.Verdict.Server, f.Flow.Server) == planted.Server).ToList();
        var problems = new List<string>();
        // A planted missing flow is the absence of traffic: its evidence is the finding, not a flow.
        if (flows.Count == 0 && planted.Kind != FindingKind.Missing)
            problems.Add("no flow of the planted traffic was audited");
        if (planted.Kind == FindingKind.Missing && flows.Count > 0)
            problems.Add($"the planted missing traffic shows {flows.Count} flows");
        if (planted.Kind is { } kind && !findings.Any(f => f.Kind == kind))
            problems.Add($"no {kind.Name()} finding");
        // A finding is a claim traceable to packets: the planted flows' ids are in it.
        else if (planted.Kind is { } traced and not FindingKind.Missing && flows.Count > 0
                 && !findings.Any(f => f.Kind == traced && flows.Any(g => f.FlowIds.Contains(g.Flow.Id))))
            problems.Add($"the {traced.Name()} finding carries none of the planted flows' ids");
        if (planted.Severity is { } severity && planted.Kind is { } rated && !findings.Any(f => f.Kind == rated && f.Severity == severity))
            problems.Add($"no {rated.Name()} finding of severity {severity.Name()} ({string.Join(", ", findings.Where(f => f.Kind == rated).Select(f => f.Severity.Name()))})");
        if (planted.Verdict is { } verdict && flows.FirstOrDefault(f => f.Verdict.Verdict != verdict) is { Flow: not null } wrong)
            problems.Add($"a flow was judged {wrong.Verdict.Verdict.Name()} ({wrong.Verdict.Reason}), not {verdict.Name()}");
        foreach (var forbidden in findings.Where(f => planted.NotAs.Contains(f.Kind)))
            problems.Add($"reported as {forbidden.Kind.Name()} ({forbidden.Reason})");
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>The figures table: per scenario and kind, then planted problems and false missing.</summary>
    public static string Table(IReadOnlyList<ScenarioResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine($"{"scenario",-22} {"kind",-18} {"findings",8} {"actionable",10} {"noise",6} {"unlabelled",10} {"precision",9}");
        foreach (var figures in results.SelectMany(PerKind))
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{figures.Scenario,-22} {figures.Kind.Name(),-18} {figures.Findings,8} {figures.Actionable,10} {figures.Noise,6} {figures.Unlabelled,10} {figures.Precision,9:0.00}"));
        text.AppendLine();
        foreach (var result in results)
        {
            var planted = result.Scenario.Planted;
            text.AppendLine($"{result.Scenario.Name,-22} planted caught {planted.Count(p => Miss(result, p) is null)}/{planted.Count}, " +
                            $"false missing {FalseMissing(result)}");
            foreach (var missed in planted.Where(p => Miss(result, p) is not null))
                text.AppendLine($"    missed: {missed.Name}: {Miss(result, missed)}");
        }
        return text.ToString();
    }

    /// <summary>A finding as a label row would name it, for the test output.</summary>
    public static string Describe(Finding finding) =>
        $"{finding.Kind.Name()} {finding.ClientHost} -> {finding.ServerHost} {finding.Transport}/{finding.Ports} rule={finding.Rule ?? "-"} " +
        $"flows={finding.Tally.Flows} ({finding.Reason})";

    private static string Port(PlantedProblem planted) => planted.Port.ToString(CultureInfo.InvariantCulture);
}
