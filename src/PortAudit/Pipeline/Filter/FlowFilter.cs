using System.Globalization;
using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Flows;

namespace PortAudit.Pipeline.Filter;

/// <summary>
/// The flow filter of <c>--filter</c>, <c>--since</c> and <c>--until</c>, shared by every command that reads flows. The
/// grammar (<see cref="FilterParser"/>) is tcpdump's where the words mean the same (<c>src net 10.0.0.0/8 and (dst port
/// 445 or dst port 139)</c>, <c>tcp</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>) with the fields of a flow and its audit
/// besides: <c>transport</c>, <c>app</c>, <c>state</c>, <c>verdict</c>, <c>rule</c>, <c>role</c>, <c>zone</c>. A flow is
/// kept when the expression holds and it started within the window (at or after since, before until).
/// </summary>
/// <remarks>
/// Each field is known from one stage on (<see cref="FilterStage"/>): ends, ports and transport while the flow is read;
/// application and state once it ended; verdict, rule, roles and zones once the audit judged it. The filter is asked at
/// each stage and answers "no" only when no fact still to come could make the expression hold, so a flow the address
/// terms drop never reaches the consumers, and one that waits on its application label reaches them at its end only
/// if it matches. The audit judges every flow the facts before judging keep (its findings and coverage are of those); the
/// audit's own terms choose which judged flows its flows.jsonl holds.
/// </remarks>
public sealed class FlowFilter : IFlowSelection
{
    private readonly FilterNode? _expression;
    private readonly long _sinceNs, _untilNs;

    private FlowFilter(FilterNode? expression, long sinceNs, long untilNs)
    {
        _expression = expression;
        _sinceNs = sinceNs;
        _untilNs = untilNs;
        var terms = expression?.Terms().ToArray() ?? [];
        AsksTheAudit = terms.Any(t => t.Known == FilterStage.Judged);
        Roles = terms.OfType<RoleTerm>().SelectMany(t => t.Roles).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Every field the grammar knows.</summary>
    public static IReadOnlyList<string> Fields => FilterParser.Fields;

    /// <summary>True when the filter has terms only an audit answers (verdict, rule, role, zone).</summary>
    public bool AsksTheAudit { get; }

    /// <summary>The role ids the filter's role terms name, for the audit to check against its catalog.</summary>
    public IReadOnlyList<string> Roles { get; }

    /// <summary>
    /// Builds a filter from an expression (null or empty for none) and a window in nanoseconds since the epoch
    /// (null for open ends); null when nothing is filtered.
    /// </summary>
    /// <exception cref="FilterSyntaxException">The expression does not follow the grammar; the message says at which column.</exception>
    public static FlowFilter? Create(string? expression, long? sinceNs, long? untilNs)
    {
        var node = string.IsNullOrWhiteSpace(expression) ? null : FilterParser.Parse(expression);
        if (node is null && sinceNs is null && untilNs is null) return null;
        return new FlowFilter(node, sinceNs ?? long.MinValue, untilNs ?? long.MaxValue);
    }

    /// <inheritdoc />
    public bool Selects(Flow flow, bool ended) => Holds(new FilterFacts(flow, ended ? FilterStage.Ended : FilterStage.Reading, null));

    /// <summary>True when the judged <paramref name="flow"/>, with its <paramref name="verdict"/>, matches in full.</summary>
    public bool SelectsJudged(Flow flow, FlowVerdict verdict) => Holds(new FilterFacts(flow, FilterStage.Judged, verdict));

    private bool Holds(in FilterFacts facts)
    {
        if (facts.Flow.StartNs < _sinceNs || facts.Flow.StartNs >= _untilNs) return false;
        return _expression?.Evaluate(facts) != false;
    }

    /// <summary>
    /// Parses a time as ISO 8601 (UTC unless it carries an offset: <c>2024-05-01T10:00:00Z</c>, <c>2024-05-01</c>) or as
    /// epoch seconds with an optional fraction (<c>1714557600.5</c>), into nanoseconds since the epoch.
    /// </summary>
    public static bool TryParseTime(string text, out long nanoseconds)
    {
        nanoseconds = 0;
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds))
        {
            if (seconds > long.MaxValue / 1_000_000_000m) return false;
            nanoseconds = (long)(seconds * 1_000_000_000m);
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            && UnixTime.TryFromTicks(time.UtcTicks, out nanoseconds);
    }
}
