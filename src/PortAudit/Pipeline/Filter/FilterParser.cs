using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Pipeline.Filter;

/// <summary>
/// Parses a filter expression by recursive descent:
/// <code>
/// expression := or
/// or         := and ( ("or" | "||") and )*
/// and        := unary ( ("and" | "&amp;&amp;") unary )*
/// unary      := ("not" | "!") unary | "(" or ")" | term
/// term       := [src | dst] FIELD VALUE ("," VALUE)*
///             | [src | dst] ADDRESS-OR-CIDR            (host or net, as tcpdump reads "src 10.0.0.1")
///             | tcp | udp | icmp | icmp6 | sctp        (transport, as tcpdump writes it)
/// </code>
/// "and" binds tighter than "or", as in tcpdump, Wireshark and Zeek's scripts.
/// </summary>
internal sealed class FilterParser
{
    /// <summary>Every field, as the grammar names it.</summary>
    public static readonly string[] Fields = ["host", "net", "port", "portrange", "transport", "app", "servername", "state", "verdict", "rule", "role", "zone"];

    // Fields that take src or dst: those about one end of the flow.
    private static readonly string[] SidedFields = ["host", "net", "port", "portrange", "role", "zone"];

    // Transports tcpdump users write as a whole term.
    private static readonly string[] BareTransports = ["tcp", "udp", "icmp", "icmp6", "icmpv6", "sctp"];

    /// <summary>
    /// Most parentheses and <c>not</c>s one inside another. The parser descends once per level, and a script-made filter
    /// of 60,000 parentheses ended the process with a stack overflow; people write a handful.
    /// </summary>
    public const int MaxDepth = 1000;

    private readonly List<FilterToken> _tokens;
    private int _next;
    private int _depth;

    private FilterParser(List<FilterToken> tokens) => _tokens = tokens;

    /// <summary>The tree of <paramref name="expression"/>.</summary>
    /// <exception cref="FilterSyntaxException">The expression does not follow the grammar; the message says where and why.</exception>
    public static FilterNode Parse(string expression)
    {
        var parser = new FilterParser(FilterLexer.Split(expression));
        var node = parser.Or();
        var rest = parser.Peek;
        if (rest.Kind == FilterTokenKind.Close) throw new FilterSyntaxException(rest.Column, "')' without its '('");
        if (rest.Kind != FilterTokenKind.End)
            throw new FilterSyntaxException(rest.Column, $"expected 'and' or 'or' before {rest.Shown}");
        return node;
    }

    private FilterToken Peek => _tokens[_next];

    private FilterToken Take() => _tokens[_next++];

    private FilterNode Or() => Chain(FilterTokenKind.Or, And, FilterChain.Or);

    private FilterNode And() => Chain(FilterTokenKind.And, Unary, FilterChain.And);

    // OPERAND (OPERATOR OPERAND)*: one node over all the operands, evaluated left to right, or the operand alone.
    private FilterNode Chain(FilterTokenKind operation, Func<FilterNode> operand, Func<FilterNode[], FilterNode> join)
    {
        var first = operand();
        if (Peek.Kind != operation) return first;
        List<FilterNode> operands = [first];
        while (Peek.Kind == operation)
        {
            Take();
            operands.Add(operand());
        }
        return join([.. operands]);
    }

    private FilterNode Unary()
    {
        var token = Take();
        switch (token.Kind)
        {
            case FilterTokenKind.Not:
                Descend(token);
                var negated = new FilterNot(Unary());
                _depth--;
                return negated;
            case FilterTokenKind.Open:
                Descend(token);
                var inner = Or();
                var close = Take();
                if (close.Kind != FilterTokenKind.Close)
                    throw new FilterSyntaxException(close.Column, $"expected ')' for the '(' at column {token.Column}, not {close.Shown}");
                _depth--;
                return inner;
            case FilterTokenKind.Word:
                return Term(token);
            default:
                throw new FilterSyntaxException(token.Column, $"expected a term ({string.Join(", ", Fields)}), not {token.Shown}");
        }
    }

    private void Descend(FilterToken token)
    {
        if (++_depth > MaxDepth)
            throw new FilterSyntaxException(token.Column, $"{token.Shown} is nested deeper than {MaxDepth} levels of parentheses and 'not'");
    }

    private FilterNode Term(FilterToken first)
    {
        string word = first.Text.ToLowerInvariant();
        var side = word switch { "src" => FilterSide.Client, "dst" => FilterSide.Server, _ => FilterSide.Either };
        var fieldToken = first;
        if (side != FilterSide.Either)
        {
            fieldToken = Peek;
            if (fieldToken.Kind != FilterTokenKind.Word)
                throw new FilterSyntaxException(fieldToken.Column, $"expected a field or an address after '{first.Text}', not {fieldToken.Shown}");
            // tcpdump's "src 10.0.0.1": an address after src or dst is a host or a net.
            if (!Fields.Contains(fieldToken.Text.ToLowerInvariant()))
                return Address(fieldToken.Text.Contains('/') ? "net" : "host", side, Values());
            Take();
        }
        else if (BareTransports.Contains(word))
        {
            return Transport([first]);
        }
        string field = fieldToken.Text.ToLowerInvariant();
        if (!Fields.Contains(field))
            throw new FilterSyntaxException(fieldToken.Column,
                $"unknown term '{fieldToken.Text}' (expected {string.Join(", ", Fields)}){Spelling.Suggestion(fieldToken.Text, Fields)}");
        if (side != FilterSide.Either && !SidedFields.Contains(field))
            throw new FilterSyntaxException(first.Column, $"'{first.Text}' does not apply to {field}: only to {string.Join(", ", SidedFields)}");
        var values = Values(fieldToken);
        return field switch
        {
            "host" or "net" => Address(field, side, values),
            "port" or "portrange" => new PortTerm(side, Parsed(values, Port)),
            "transport" => Transport(values),
            "app" => new AppTerm(Parsed(values, App)),
            "servername" => new ServerNameTerm(Parsed(values, ServerNameOf)),
            "state" => new StateTerm(Parsed(values, State)),
            "verdict" => new VerdictTerm(Parsed(values, VerdictOf)),
            "rule" => new RuleTerm(values.Select(v => v.Text).ToArray()),
            "role" => new RoleTerm(side, values.Select(v => v.Text).ToArray()),
            _ => new ZoneTerm(side, values.Select(v => v.Text).ToArray()),
        };
    }

    // VALUE ("," VALUE)*, after the field named by field (or, for "src ADDRESS", starting at the next token).
    private List<FilterToken> Values(FilterToken? field = null)
    {
        var values = new List<FilterToken>();
        while (true)
        {
            var value = Take();
            if (value.Kind != FilterTokenKind.Word)
                throw new FilterSyntaxException(value.Column, field is { } f
                    ? $"expected a value after '{f.Text}', not {value.Shown}"
                    : $"expected a value, not {value.Shown}");
            values.Add(value);
            if (Peek.Kind != FilterTokenKind.Comma) return values;
            Take();
        }
    }

    private static T[] Parsed<T>(List<FilterToken> values, Func<FilterToken, T> parse)
    {
        var parsed = new T[values.Count];
        for (int i = 0; i < parsed.Length; i++) parsed[i] = parse(values[i]);
        return parsed;
    }

    private static AddressTerm Address(string field, FilterSide side, List<FilterToken> values) =>
        new(field, side, Parsed(values, v =>
        {
            if (field == "host")
                return IpAddr.TryParse(v.Text, out var address)
                    ? IpPrefix.Single(address)
                    : throw new FilterSyntaxException(v.Column, $"host {v.Text}: not an IP address");
            return IpPrefix.TryParse(v.Text, out var prefix, out string? problem)
                ? prefix
                : throw new FilterSyntaxException(v.Column, $"net {v.Text}: {problem}");
        }));

    private static TransportTerm Transport(List<FilterToken> values) => new(Parsed(values, v =>
        IpProtocol.TryParse(v.Text, out byte protocol)
            ? protocol
            : throw new FilterSyntaxException(v.Column,
                $"transport {v.Text}: expected tcp, udp, icmp, icmpv6, another protocol name or a number{Spelling.Suggestion(v.Text, BareTransports)}")));

    private static PortRange Port(FilterToken value) =>
        PortRange.TryParse(value.Text, out var range, out string? problem)
            ? range
            : throw new FilterSyntaxException(value.Column, $"port {value.Text}: {problem}");

    private static string App(FilterToken value)
    {
        string name = value.Text.ToLowerInvariant();
        if (name == AppTerm.None || AppLabel.TryGetWellKnown(name, out _)) return name;
        var names = AppLabel.WellKnownNames;
        throw new FilterSyntaxException(value.Column,
            $"app {value.Text}: no inspector names it (expected one of {string.Join(", ", names)}, or none){Spelling.Suggestion(value.Text, names)}");
    }

    private static ServerName ServerNameOf(FilterToken value) =>
        ServerName.TryParse(value.Text, out var name, out string problem)
            ? name
            : throw new FilterSyntaxException(value.Column, $"servername {value.Text}: {problem}");

    private static FlowState State(FilterToken value)
    {
        var states = Enum.GetValues<FlowState>();
        foreach (var state in states)
            if (state.Name().Equals(value.Text, StringComparison.OrdinalIgnoreCase)) return state;
        var names = states.Select(s => s.Name()).ToArray();
        throw new FilterSyntaxException(value.Column, $"state {value.Text}: expected {string.Join(", ", names)}{Spelling.Suggestion(value.Text, names)}");
    }

    private static Verdict VerdictOf(FilterToken value)
    {
        foreach (var verdict in VerdictNames.All)
            if (verdict.Name().Equals(value.Text, StringComparison.OrdinalIgnoreCase)) return verdict;
        var names = VerdictNames.All.Select(v => v.Name()).ToArray();
        throw new FilterSyntaxException(value.Column, $"verdict {value.Text}: expected {string.Join(", ", names)}{Spelling.Suggestion(value.Text, names)}");
    }
}
