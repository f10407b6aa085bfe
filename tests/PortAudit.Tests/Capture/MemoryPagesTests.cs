using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;

namespace PortAudit.Tests.Capture;

/// <summary>A buffer touched ahead of use has every page mapped, and keeps what it held.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class MemoryPagesTests
{
    [LinuxFact]
    public unsafe void EveryPageOfATouchedBufferIsResidentWithItsContentsUnchanged()
    {
        int page = Environment.SystemPageSize;
        using var mapping = new AnonymousMapping(66L * page, AnonymousMapping.ReadWrite);
        // 64 whole pages and the start of a 65th: the last, partial page must be touched too.
        var buffer = new Span<byte>((void*)mapping.Start, 64 * page + 100);
        buffer[3 * page + 5] = 0x5c;
        Assert.Equal(1, AnonymousMapping.ResidentPages(mapping.Start, 66));

        MemoryPages.Touch(buffer);

        Assert.Equal(65, AnonymousMapping.ResidentPages(mapping.Start, 66));
        Assert.Equal(0x5c, buffer[3 * page + 5]);
        Assert.Equal(0, buffer[^1]);
    }
}
