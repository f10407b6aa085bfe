using System.Reflection;

namespace PortAudit.Tests;

/// <summary>Keeps the tiers from rotting: a new test class without its tier, or with two, fails here.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class TierTests
{
    /// <summary>Classes xunit runs: concrete, with at least one fact or theory (custom facts derive from FactAttribute).</summary>
    private static IEnumerable<Type> TestClasses() =>
        typeof(TierTests).Assembly.GetTypes().Where(type => type is { IsClass: true, IsAbstract: false } &&
            type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
                .Any(method => method.IsDefined(typeof(FactAttribute), inherit: true)));

    /// <summary>The values of the Tier traits declared on the class.</summary>
    private static List<string?> TiersOf(Type type) =>
        type.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(TraitAttribute) && Equals(a.ConstructorArguments[0].Value, Tier.Name))
            .Select(a => a.ConstructorArguments[1].Value as string)
            .ToList();

    [Fact]
    public void EveryTestClassHasExactlyOneKnownTier()
    {
        var wrong = TestClasses()
            .Select(type => (type.FullName, Tiers: TiersOf(type)))
            .Where(c => c.Tiers.Count != 1 || !Tier.All.Contains(c.Tiers[0]))
            .Select(c => $"{c.FullName}: [{string.Join(", ", c.Tiers)}]")
            .ToList();

        Assert.True(wrong.Count == 0, $"each test class needs exactly one of [Trait(Tier.Name, Tier.{{{string.Join("|", Tier.All)}}})]:\n" +
            string.Join("\n", wrong));
    }

    [Fact]
    public void TheCheckSeesTheTestClassesAndNoTraitOnAMethod()
    {
        var classes = TestClasses().ToList();

        // This class and a fixed sample from each folder: a discovery that finds nothing would pass the check above vacuously.
        Assert.Contains(typeof(TierTests), classes);
        Assert.Contains(typeof(Flows.AllocationTests), classes);
        Assert.Contains(typeof(Sources.Live.LiveCaptureTests), classes);
        Assert.DoesNotContain(typeof(Flows.FlowRunner), classes);
        // A Tier on a method would add to its class's tier in xunit's filter, so a test could be in two tiers at once.
        Assert.Empty(classes.SelectMany(c => c.GetMethods())
            .Where(m => m.GetCustomAttributesData().Any(a => a.AttributeType == typeof(TraitAttribute) && Equals(a.ConstructorArguments[0].Value, Tier.Name)))
            .Select(m => $"{m.DeclaringType}.{m.Name}"));
    }
}
