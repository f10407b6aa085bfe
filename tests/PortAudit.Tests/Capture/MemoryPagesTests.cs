using PortAudit.Capture;
using PortAudit.Tests.Pipeline;

namespace PortAudit.Tests.Capture;

/// <summary>A buffer touched ahead of use has every page mapped, and keeps what it held.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class MemoryPagesTests
{
    [PopulateFact]
    public unsafe void EveryPageOfATouchedBufferIsResidentWithItsContentsUnchanged()
    {
        using var mapping = new HeapPageFillerTests.AlignedMapping(HeapPageFillerTests.ProtRead | HeapPageFillerTests.ProtWrite);
        int page = Environment.SystemPageSize;
        // 64 whole pages and the start of a 65th: the last, partial page must be touched too.
        var buffer = new Span<byte>((void*)mapping.Region, 64 * page + 100);
        buffer[3 * page + 5] = 0x5c;
        Assert.Equal(1, HeapPageFillerTests.ResidentPages(mapping.Region, 66));

        MemoryPages.Touch(buffer);

        Assert.Equal(65, HeapPageFillerTests.ResidentPages(mapping.Region, 66));
        Assert.Equal(0x5c, buffer[3 * page + 5]);
        Assert.Equal(0, buffer[^1]);
    }
}
