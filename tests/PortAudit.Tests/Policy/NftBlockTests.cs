using PortAudit.Common;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// nftables text whose blocks do not balance, nest without end, or hold no table: refused naming file and line (the
/// CLI's exit 2), as <c>nft -f</c> refuses it, never read as the rules before the cut or as a firewall allowing everything.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class NftBlockTests
{
    private static InputException Refused(string text) =>
        Assert.Throws<InputException>(() => PolicyLoader.Parse(text, "r.nft", PolicyFormat.NftText));

    [Fact]
    public void A_ruleset_cut_inside_a_chain_is_refused_naming_the_chain_line()
    {
        var refused = Refused("""
            table inet fw {
            	chain input {
            		type filter hook input priority 0; policy drop;
            		ct state established,related accept
            		tcp dport 5061 accept
            """);

        Assert.Equal("r.nft:2: 'chain input {' is never closed: the file ends inside it, inside 1 more opened from line 1 (a ruleset cut short; nft -f refuses it)", refused.Message);
    }

    [Fact]
    public void A_ruleset_cut_inside_an_inline_set_is_refused()
    {
        var refused = Refused("table ip filter {\n chain input {\n  type filter hook input priority 0; policy drop;\n  tcp dport { 1, 2 accept\n");

        Assert.StartsWith("r.nft:2: 'chain input {' is never closed", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ruleset_cut_inside_a_skipped_object_names_the_object()
    {
        var refused = Refused("table inet f {\n chain input {\n  type filter hook input priority 0; policy drop;\n }\n ct helper ftp {\n  type \"ftp\" protocol tcp\n");

        Assert.StartsWith("r.nft:5: 'ct helper ftp {' is never closed", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_brace_that_closes_nothing_is_refused_at_its_line()
    {
        var refused = Refused("table inet f {\n chain input {\n  type filter hook input priority 0; policy drop;\n }\n}\n}\n");

        Assert.StartsWith("r.nft:6: '}' closes no block", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tables_nested_thousands_deep_are_refused_at_the_nesting_limit()
    {
        string text = string.Concat(Enumerable.Repeat("table ip filter {\n", 20000)) + string.Concat(Enumerable.Repeat("}\n", 20000));

        var refused = Refused(text);

        Assert.StartsWith($"r.nft:{NftBlocks.MaxNesting + 1}: 'table ip filter {{' nests blocks deeper than {NftBlocks.MaxNesting} levels", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n\t\n")]
    public void An_empty_ruleset_file_is_refused(string text)
    {
        Assert.Equal("r.nft: the ruleset file is empty (a firewall read from it would allow everything)", Refused(text).Message);
    }

    [Theory]
    [InlineData("flush ruleset\n")]
    [InlineData("# nothing but a comment\n")]
    public void A_ruleset_without_a_table_is_refused(string text)
    {
        Assert.StartsWith("r.nft: no table in the ruleset", Refused(text).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_of_any_format_is_refused()
    {
        foreach (var format in Enum.GetValues<PolicyFormat>())
            Assert.Throws<InputException>(() => PolicyLoader.Parse("\n", "r.txt", format));
    }

    [Fact]
    public void Object_blocks_and_sets_that_close_are_read_as_before()
    {
        var policy = PolicyLoader.Parse("""
            table inet f {
             set trusted {
              type ipv4_addr
              elements = { 10.0.0.1,
                           10.0.0.2 }
             }
             ct helper ftp {
              type "ftp" protocol tcp
             }
             chain input {
              type filter hook input priority 0; policy drop;
              ip saddr @trusted tcp dport 22 accept
             }
            }
            """, "r.nft", PolicyFormat.NftText);

        Assert.Equal(2, policy.Chains.Single().Rules.Single().Source!.Prefixes.Count);
        Assert.Empty(policy.Issues);
    }

    [Fact]
    public void A_skipped_object_with_blocks_inside_ends_where_it_closes()
    {
        // Skipping starts at the object's line and ends when the blocks open before it are all that remain open.
        var policy = PolicyLoader.Parse("""
            table inet f {
             ct timeout agressive {
              protocol tcp
              policy = {
               established: 120, close: 10
              }
             }
             chain input {
              type filter hook input priority 0; policy drop;
              tcp dport 22 accept
             }
            }
            """, "r.nft", PolicyFormat.NftText);

        Assert.Equal("inet f input", policy.Chains.Single().Name);
        Assert.Single(policy.Chains.Single().Rules);
        Assert.Empty(policy.Issues);
    }
}
