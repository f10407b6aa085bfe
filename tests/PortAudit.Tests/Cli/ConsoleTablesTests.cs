using PortAudit.Cli;
using PortAudit.Report.Text;

namespace PortAudit.Tests.Cli;

/// <summary>The one console layout every listing shares: what it guarantees a script and a terminal, not what the rows say.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class ConsoleTablesTests
{
    private static string[] Lines(TextListing listing, int width = 1 << 20)
    {
        var output = new StringWriter();
        ConsoleTables.Write(listing, output, width);
        return output.ToString().Split(Environment.NewLine)[..^1];
    }

    [Fact]
    public void ColumnsAreTwoSpacesApartWithNoBorderAndNoTrailingBlanks()
    {
        var table = new TableRows(new TableColumn("name"), new TableColumn("n", AlignRight: true), new TableColumn("last"));
        table.Add("a", "5", "x");
        table.Add("longer", "100", "");

        Assert.Equal(["name      n  last", "a         5  x", "longer  100"], Lines(new TextListing(["before"], table, ["after"]))[1..^1]);
    }

    [Fact]
    public void PacketTextIsShownNotObeyed()
    {
        var table = new TableRows("sni");
        table.Add("[red]x[/] \u001b[2J\u202Eevil");

        string row = Lines(new TextListing(table))[1];

        Assert.DoesNotContain('\u001b', row);
        Assert.DoesNotContain('\u202E', row);
        Assert.StartsWith("[red]x[/] ", row);
    }

    [Fact]
    public void LongCellsAreCutToTheColumnAndANoteFollowsItsRowIndented()
    {
        var table = new TableRows(new TableColumn("id", MaxWidth: 20), new TableColumn("to"));
        table.AddWithNote("when: x", "a-rule-id-long-enough", "b");

        Assert.Equal(["id                    to", "a-rule-id-long-enou~  b", "    when: x"], Lines(new TextListing(table)));
    }

    [Fact]
    public void RedirectedOutputIsNeverWrapped()
    {
        var table = new TableRows("a", "b");
        table.Add(new string('x', 300), new string('y', 300));

        Assert.Equal(2, Lines(new TextListing(table)).Length);
    }
}
