namespace PortAudit.Pipeline.Filter;

/// <summary>
/// A node of a parsed filter. Evaluation has three values: true, false, and null for "not known yet" (an application
/// term asked while the flow is still being read, a verdict term before the audit judged it), combined as Kleene's
/// logic does, so a flow is dropped early only when no later fact could keep it.
/// </summary>
internal abstract class FilterNode
{
    /// <summary>True, false, or null when the answer depends on what is not known at this stage.</summary>
    public abstract bool? Evaluate(in FilterFacts facts);

    /// <summary>The terms under this node, in the order written.</summary>
    public abstract IEnumerable<FilterTerm> Terms();
}

/// <summary><c>A and B</c>: false as soon as either side is.</summary>
internal sealed class FilterAnd(FilterNode left, FilterNode right) : FilterNode
{
    /// <inheritdoc />
    public override bool? Evaluate(in FilterFacts facts)
    {
        bool? a = left.Evaluate(facts);
        if (a == false) return false;
        bool? b = right.Evaluate(facts);
        if (b == false) return false;
        return a == true && b == true ? true : null;
    }

    /// <inheritdoc />
    public override IEnumerable<FilterTerm> Terms() => left.Terms().Concat(right.Terms());
}

/// <summary><c>A or B</c>: true as soon as either side is.</summary>
internal sealed class FilterOr(FilterNode left, FilterNode right) : FilterNode
{
    /// <inheritdoc />
    public override bool? Evaluate(in FilterFacts facts)
    {
        bool? a = left.Evaluate(facts);
        if (a == true) return true;
        bool? b = right.Evaluate(facts);
        if (b == true) return true;
        return a == false && b == false ? false : null;
    }

    /// <inheritdoc />
    public override IEnumerable<FilterTerm> Terms() => left.Terms().Concat(right.Terms());
}

/// <summary><c>not A</c>: unknown stays unknown.</summary>
internal sealed class FilterNot(FilterNode inner) : FilterNode
{
    /// <inheritdoc />
    public override bool? Evaluate(in FilterFacts facts) => !inner.Evaluate(facts);

    /// <inheritdoc />
    public override IEnumerable<FilterTerm> Terms() => inner.Terms();
}
