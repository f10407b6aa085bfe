using System.Runtime.CompilerServices;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>A hash of two addresses that does not depend on their order, so both directions of a conversation share it.</summary>
internal static class HostPair
{
    /// <summary>The hash of <paramref name="a"/> and <paramref name="b"/>, in either order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(IpAddr a, IpAddr b) => Mix(a) + Mix(b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(IpAddr address)
    {
        ulong x = address.Low * 0x9E3779B97F4A7C15UL ^ address.High * 0xC2B2AE3D27D4EB4FUL;
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9UL;
        return x ^ (x >> 32);
    }
}
