using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Report.Records;
using PortAudit.Store;

namespace PortAudit.Tests.Store;

/// <summary>The store's parts that need no server: locations, columns, the spool.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class StoreUnitTests
{
    [Theory]
    [InlineData("postgresql://audit:pa%3Ass@db.example:6432/flows?sslmode=require", "postgresql://audit@db.example:6432/flows")]
    [InlineData("postgres://db/flows", "postgresql://db/flows")]
    [InlineData("Host=db;Username=audit;Password=pass;Database=flows", "postgresql://audit@db/flows")]
    public void A_location_is_shown_without_its_password(string text, string shown)
    {
        var store = StoreLocation.Parse(text);
        Assert.Equal(shown, store.Display);
        Assert.DoesNotContain("pa", store.Display.Replace("postgresql", ""));
    }

    [Fact]
    public void An_unknown_url_parameter_is_refused_by_name()
    {
        var error = Assert.Throws<InputException>(() => StoreLocation.Parse("postgresql://u:hidden@db/flows?sslcert=x"));
        Assert.Contains("sslcert", error.Message);
        Assert.DoesNotContain("hidden", error.Message);
    }

    [Fact]
    public void A_binding_whose_calls_went_unread_keeps_that_in_the_store()
    {
        // The audit judges such a binding as if any operation was called: a flow audited again from the store must be too.
        var log = new PortAudit.Flows.Facts.RpcCallLog();
        var spoolss = log.Bind(new Guid("12345678-1234-abcd-ef00-0123456789ab"), 1, "pipe spoolss")!;
        spoolss.Called(69);
        log.LoseCalls("a gap in the TCP stream");
        Span<char> head = stackalloc char[RpcCallText.MaxHead];
        string element = new string(head[..RpcCallText.FormatHead(spoolss, head)]) + spoolss.Via;
        Assert.Equal("12345678-1234-abcd-ef00-0123456789ab 1 69? pipe spoolss", element);
        var read = RpcCallText.Parse([element], false, "a gap in the TCP stream");
        var binding = Assert.Single(read.Bindings);
        Assert.Equal((true, (ushort)69, "a gap in the TCP stream"), (binding.CallsUnseen, Assert.Single(binding.Opnums), read.Uninspectable));
    }

    [Fact]
    public void A_binding_the_server_refused_stays_refused_in_the_store()
    {
        // A refused interface ran nothing: audited again from the store it must not read as bound.
        var log = new PortAudit.Flows.Facts.RpcCallLog();
        var drsuapi = log.Bind(new Guid("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), 4, "bind")!;
        drsuapi.Offered();
        drsuapi.Answered(accepted: false);
        Span<char> head = stackalloc char[RpcCallText.MaxHead];
        string element = new string(head[..RpcCallText.FormatHead(drsuapi, head)]) + drsuapi.Via;
        Assert.Equal("e3514235-4b06-11d1-ab04-00c04fc2dcd2 4 -! bind", element);
        var binding = Assert.Single(RpcCallText.Parse([element], false, null).Bindings);
        Assert.Equal((true, 0, false), (binding.Refused, binding.Opnums.Count, binding.CallsUnseen));
    }

    [Fact]
    public void Every_field_of_a_flow_record_is_a_column_of_the_schema()
    {
        string schema = string.Join("\n", Enumerable.Range(1, StoreSchema.Version).Select(StoreSchema.Migration));
        Assert.Equal(FlowFields.Names.Length, FlowColumns.Record.Length);
        foreach (var column in FlowColumns.All)
            Assert.Matches($@"(?m)^\s*""?{column.Name}""? {System.Text.RegularExpressions.Regex.Escape(column.SqlType)}[\s,;]", schema);
    }

    internal static Flow SomeFlow(int i, string? recordId = null) =>
        Flow.Restore(i + 1, IpProtocol.Udp, IpAddr.Parse("10.0.0.1"), (ushort)(1000 + i), IpAddr.Parse("2001:db8::1"), 53,
            1_700_000_000_000_000_000 + i * 86_400_000_000_000L, 1_700_000_000_500_000_000, FlowState.Unanswered, new FlowCounters(1, 60, 0, 0), default,
            recordId is null ? FlowEvidence.Inspected : FlowEvidence.ExporterAppId, recordId);
}
