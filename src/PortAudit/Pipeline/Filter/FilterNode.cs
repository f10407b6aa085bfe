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

/// <summary>
/// <c>A and B and ...</c> or <c>A or B or ...</c>: one node over a chain's operands, not a node per operator (a script's
/// filter of 300,000 terms nested that deep overflowed the stack when evaluated). An operand with the decisive value
/// (false for and, true for or) decides at once; when all have the other one, so does the chain; otherwise unknown.
/// </summary>
internal sealed class FilterChain : FilterNode
{
    private readonly FilterNode[] _operands;
    private readonly bool _decisive;

    private FilterChain(FilterNode[] operands, bool decisive) => (_operands, _decisive) = (operands, decisive);

    /// <summary><c>A and B and ...</c>: false as soon as one operand is, true when all are.</summary>
    public static FilterChain And(FilterNode[] operands) => new(operands, decisive: false);

    /// <summary><c>A or B or ...</c>: true as soon as one operand is, false when all are.</summary>
    public static FilterChain Or(FilterNode[] operands) => new(operands, decisive: true);

    /// <inheritdoc />
    public override bool? Evaluate(in FilterFacts facts)
    {
        bool allOther = true;
        foreach (var operand in _operands)
        {
            bool? value = operand.Evaluate(facts);
            if (value == _decisive) return _decisive;
            allOther &= value.HasValue;
        }
        return allOther ? !_decisive : null;
    }

    /// <inheritdoc />
    public override IEnumerable<FilterTerm> Terms() => _operands.SelectMany(o => o.Terms());
}

/// <summary><c>not A</c>: unknown stays unknown.</summary>
internal sealed class FilterNot(FilterNode inner) : FilterNode
{
    /// <inheritdoc />
    public override bool? Evaluate(in FilterFacts facts) => !inner.Evaluate(facts);

    /// <inheritdoc />
    public override IEnumerable<FilterTerm> Terms() => inner.Terms();
}
