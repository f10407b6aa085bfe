namespace PortAudit.Catalog;

/// <summary>
/// One indexed (rule, port range) pair with its sides as role sets: a host matches a side when it plays any of the
/// side's roles, the wildcards included (hosts carry <c>any</c> and <c>any@ZONE</c> as roles of their own).
/// </summary>
internal readonly record struct RuleEntry(Rule Rule, PortRange Range, RoleSet From, RoleSet To)
{
    /// <summary>A port that matches every range: for queries that leave the port to the caller.</summary>
    public const int AnyPort = -1;

    public bool Matches(int port, RoleSet from, RoleSet to) =>
        (port == AnyPort || Range.Contains(port)) && from.Intersects(From) && to.Intersects(To);
}

/// <summary>
/// The rules that match one query, enumerated lazily with a struct enumerator so that the
/// per-flow path allocates nothing.
/// </summary>
public readonly struct RuleMatches
{
    private readonly RuleEntry[] _exact;
    private readonly RuleEntry[] _wide;
    private readonly int _port;
    private readonly RoleSet _from;
    private readonly RoleSet _to;

    internal RuleMatches(RuleEntry[] exact, RuleEntry[] wide, int port, RoleSet from, RoleSet to)
    {
        _exact = exact;
        _wide = wide;
        _port = port;
        _from = from;
        _to = to;
    }

    /// <summary>Starts the enumeration (used by <c>foreach</c>).</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Walks the exact-port entries, then the wide ranges, skipping non-matches.</summary>
    public struct Enumerator
    {
        private readonly RuleMatches _matches;
        private int _position;

        internal Enumerator(RuleMatches matches)
        {
            _matches = matches;
            _position = -1;
            Current = null!;
        }

        /// <summary>The current matching rule.</summary>
        public Rule Current { get; private set; }

        /// <summary>Advances to the next matching rule.</summary>
        public bool MoveNext()
        {
            int total = _matches._exact.Length + _matches._wide.Length;
            while (++_position < total)
            {
                var entry = _position < _matches._exact.Length
                    ? _matches._exact[_position]
                    : _matches._wide[_position - _matches._exact.Length];
                if (entry.Matches(_matches._port, _matches._from, _matches._to))
                {
                    Current = entry.Rule;
                    return true;
                }
            }
            return false;
        }
    }
}
