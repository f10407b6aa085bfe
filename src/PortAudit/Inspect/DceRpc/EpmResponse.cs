namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// Reads the towers out of the stub of an endpoint-mapper answer ([MS-RPCE] 3.1.4.2 / DCE 1.1 RPC appendix O):
/// ept_map (opnum 3) returns an array of tower pointers, ept_lookup (opnum 2) an array of entries that each point to a tower.
/// Counts are capped so that a hostile answer cannot make the reader loop for long. The stub is read in NDR or in NDR64,
/// as the presentation context the answer came on negotiated (Windows prefers NDR64 when the client offers it).
/// </summary>
public static class EpmResponse
{
    /// <summary>ept_lookup's operation number.</summary>
    public const ushort Lookup = 2;

    /// <summary>ept_map's operation number.</summary>
    public const ushort Map = 3;

    private const int ContextHandle = 20;
    private const uint MaxEntries = 500;
    private const uint MaxAnnotation = 64;

    /// <summary>
    /// Adds each readable tower of the answer to <paramref name="towers"/>; stops quietly at the first damage.
    /// <paramref name="ndr64"/>: the stub is in NDR64.
    /// </summary>
    public static void ReadTowers(ReadOnlySpan<byte> stub, ushort opnum, List<EpmTower> towers, bool ndr64 = false)
    {
        var reader = new NdrReader(stub, ndr64);
        if (!reader.TrySkip(ContextHandle) || !reader.TryUInt32(out uint count)) return;
        // Conformant varying array header: maximum count, offset, actual count.
        if (!reader.TryCount(out _) || !reader.TryCount(out _) || !reader.TryCount(out uint actual)) return;
        if (actual > MaxEntries || actual > count + 1) return;
        int pointers = 0;
        for (uint i = 0; i < actual; i++)
        {
            if (opnum == Lookup && !SkipEntryHead(ref reader)) return;
            if (!reader.TryCount(out uint referent)) return;
            if (referent != 0) pointers++;
            if (opnum == Lookup && !SkipAnnotation(ref reader)) return;
        }
        // The towers follow, deferred, in the order of their non-null pointers: twr_t is a conformant structure, its
        // conformance first, then tower_length and the octets.
        for (int i = 0; i < pointers; i++)
        {
            if (!reader.TryCount(out _) || !reader.TryUInt32(out uint length) || !reader.TryBytes(length, out var octets)) return;
            if (EpmTower.TryParse(octets, out var tower)) towers.Add(tower);
        }
    }

    // ept_entry_t starts with the object UUID, on the structure's boundary (it holds a pointer).
    private static bool SkipEntryHead(ref NdrReader reader)
    {
        reader.AlignStructure();
        return reader.TrySkip(16);
    }

    // The annotation is a varying string: offset, actual count, characters.
    private static bool SkipAnnotation(ref NdrReader reader) =>
        reader.TryCount(out _) && reader.TryCount(out uint length) && length <= MaxAnnotation && reader.TrySkip(length);
}
