using System.Globalization;
using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Pipeline;

/// <summary>
/// The flow filter of <c>--filter</c>, <c>--since</c> and <c>--until</c>: <c>TERM [and TERM]...</c>, where a TERM is
/// <c>[not] host ADDR</c>, <c>net CIDR</c>, <c>port N</c>, <c>transport NAME</c> or <c>verdict NAME</c> with one value
/// or several joined by commas (any of them matches); host, net and port match either end. A flow is kept when every
/// term matches and it started within the window (at or after since, before until).
/// </summary>
/// <remarks>
/// A verdict exists only once the audit has judged a flow, so verdict terms are not asked on read
/// (<see cref="Selects"/> passes them over): they choose which judged flows are written (<see cref="SelectsVerdict"/>),
/// while the audit still judges every flow the other terms keep, and its findings stay those of all of them.
/// </remarks>
public sealed class FlowFilter : IFlowSelection
{
    private readonly Term[] _terms;
    private readonly long _sinceNs, _untilNs;

    private FlowFilter(Term[] terms, long sinceNs, long untilNs)
    {
        _terms = terms;
        _sinceNs = sinceNs;
        _untilNs = untilNs;
    }

    /// <summary>The term kinds, as the grammar names them.</summary>
    public static readonly string[] Kinds = ["host", "net", "port", "transport", "verdict"];

    /// <summary>True when the filter has verdict terms, which only an audit can answer.</summary>
    public bool JudgesVerdicts => _terms.Any(t => t.IsVerdict);

    /// <summary>
    /// Builds a filter from an expression (null or empty for none) and a window in nanoseconds since the epoch
    /// (null for open ends); null when nothing is filtered.
    /// </summary>
    /// <exception cref="FormatException">The expression does not follow the grammar; the message says where.</exception>
    public static FlowFilter? Create(string? expression, long? sinceNs, long? untilNs)
    {
        var terms = string.IsNullOrWhiteSpace(expression) ? [] : Parse(expression);
        if (terms.Length == 0 && sinceNs is null && untilNs is null) return null;
        return new FlowFilter(terms, sinceNs ?? long.MinValue, untilNs ?? long.MaxValue);
    }

    /// <inheritdoc />
    public bool Selects(Flow flow)
    {
        if (flow.StartNs < _sinceNs || flow.StartNs >= _untilNs) return false;
        foreach (var term in _terms)
            if (!term.IsVerdict && term.Matches(flow) == term.Negated) return false;
        return true;
    }

    /// <summary>True when <paramref name="verdict"/> satisfies every verdict term (always, without one).</summary>
    public bool SelectsVerdict(Verdict verdict)
    {
        foreach (var term in _terms)
            if (term.IsVerdict && term.MatchesVerdict(verdict) == term.Negated) return false;
        return true;
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
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return false;
        nanoseconds = (time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        return true;
    }

    private static Term[] Parse(string expression)
    {
        var words = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var terms = new List<Term>();
        int i = 0;
        while (i < words.Length)
        {
            if (terms.Count > 0)
            {
                if (!words[i].Equals("and", StringComparison.OrdinalIgnoreCase))
                    throw new FormatException($"expected 'and' before '{words[i]}'");
                i++;
            }
            bool negated = i < words.Length && words[i].Equals("not", StringComparison.OrdinalIgnoreCase);
            if (negated) i++;
            if (i + 1 >= words.Length)
                throw new FormatException($"a term is KIND VALUE with KIND one of {string.Join(", ", Kinds)}; '{expression}' ends early");
            terms.Add(Term.Parse(words[i].ToLowerInvariant(), words[i + 1], negated));
            i += 2;
        }
        return terms.ToArray();
    }

    /// <summary>One term: its kind and the values any of which matches.</summary>
    private sealed class Term(string kind, IpPrefix[] networks, int[] numbers, bool negated)
    {
        public bool Negated { get; } = negated;

        public bool IsVerdict => kind == "verdict";

        public bool MatchesVerdict(Verdict verdict) => numbers.Contains((int)verdict);

        public static Term Parse(string kind, string values, bool negated)
        {
            var parts = values.Split(',', StringSplitOptions.RemoveEmptyEntries);
            return kind switch
            {
                "host" or "net" => new Term(kind, parts.Select(p => Network(kind, p)).ToArray(), [], negated),
                "port" => new Term(kind, [], parts.Select(Port).ToArray(), negated),
                "transport" => new Term(kind, [], parts.Select(Transport).ToArray(), negated),
                "verdict" => new Term(kind, [], parts.Select(VerdictNumber).ToArray(), negated),
                _ => throw new FormatException($"unknown term '{kind}' (expected {string.Join(", ", Kinds)})"),
            };
        }

        // Asked for every packet of a filtered run: plain loops, no allocation.
        public bool Matches(Flow flow)
        {
            if (networks.Length > 0)
            {
                foreach (var network in networks)
                    if (network.Contains(flow.Client) || network.Contains(flow.Server)) return true;
                return false;
            }
            bool transport = kind == "transport";
            foreach (int number in numbers)
                if (transport ? number == flow.Protocol : number == flow.ClientPort || number == flow.ServerPort) return true;
            return false;
        }

        private static IpPrefix Network(string kind, string text)
        {
            if (kind == "host")
                return IpAddr.TryParse(text, out var address) ? IpPrefix.Single(address) : throw new FormatException($"host {text}: not an IP address");
            return IpPrefix.TryParse(text, out var prefix, out var problem) ? prefix : throw new FormatException($"net {text}: {problem}");
        }

        private static int Port(string text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 0 and <= 65535
                ? port : throw new FormatException($"port {text}: expected a number from 0 to 65535");

        private static int VerdictNumber(string text) =>
            Enum.GetValues<Verdict>().FirstOrDefault(v => v.Name() == text.ToLowerInvariant(), (Verdict)(-1)) is var verdict && verdict >= 0
                ? (int)verdict
                : throw new FormatException($"verdict {text}: expected {string.Join(", ", Enum.GetValues<Verdict>().Select(v => v.Name()))}");

        private static int Transport(string text) =>
            IpProtocol.TryParse(text.ToLowerInvariant(), out byte protocol) ? protocol
                : throw new FormatException($"transport {text}: expected tcp, udp, icmp, icmpv6, another protocol name or a number");
    }
}
