namespace PortAudit.Pipeline.Filter;

/// <summary>
/// A filter expression that does not follow the grammar: <see cref="Exception.Message"/> starts with the column (from 1)
/// of the token at fault, <c>column 12: expected a port number from 0 to 65535, not '70000'</c>.
/// </summary>
public sealed class FilterSyntaxException(int column, string problem) : FormatException($"column {column}: {problem}")
{
    /// <summary>The column, from 1, where the fault is.</summary>
    public int Column { get; } = column;

    /// <summary>What is wrong there, without the column.</summary>
    public string Problem { get; } = problem;
}
