using PortAudit.Audit;

namespace PortAudit.Tests.Audit;

/// <summary>The last key asked and its answer: a hit only for an equal key, and only the last one remembered.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class LastLookupTests
{
    [Fact]
    public void Nothing_is_remembered_at_first_not_even_for_the_default_key()
    {
        var last = new LastLookup<int, string>();
        Assert.False(last.TryGet(0, out _));
    }

    [Fact]
    public void Only_the_last_key_remembered_answers()
    {
        var last = new LastLookup<(string, int), string>();
        last.Remember(("dc01", 389), "ldap");
        Assert.True(last.TryGet(("dc01", 389), out var value));
        Assert.Equal("ldap", value);
        Assert.False(last.TryGet(("dc01", 636), out _));

        last.Remember(("dc01", 636), "ldaps");
        Assert.False(last.TryGet(("dc01", 389), out _));
        Assert.True(last.TryGet(("dc01", 636), out value));
        Assert.Equal("ldaps", value);
    }
}
