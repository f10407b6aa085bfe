namespace PortAudit.Common;

/// <summary>
/// Counter sums that stop at <see cref="long.MaxValue"/> (and <see cref="long.MinValue"/>) instead of wrapping: flow
/// records carry 64-bit counters that a hostile or broken exporter sets near 2^63, and a wrapped sum would show as a
/// negative count; a checked one would end the run.
/// </summary>
public static class Saturating
{
    /// <summary><paramref name="a"/> + <paramref name="b"/>, held at the bound it would pass.</summary>
    public static long Add(long a, long b)
    {
        bool saturated = false;
        return Add(a, b, ref saturated);
    }

    /// <summary><paramref name="a"/> + <paramref name="b"/>, held at the bound it would pass; sets <paramref name="saturated"/> when it was.</summary>
    public static long Add(long a, long b, ref bool saturated)
    {
        long sum = unchecked(a + b);
        // Overflow: both operands have the same sign and the sum the other.
        if (((a ^ sum) & (b ^ sum)) >= 0) return sum;
        saturated = true;
        return a < 0 ? long.MinValue : long.MaxValue;
    }
}
