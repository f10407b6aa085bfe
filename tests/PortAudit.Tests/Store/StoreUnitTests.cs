using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
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
    public void Every_field_of_a_flow_record_is_a_column_of_the_schema()
    {
        string schema = StoreSchema.Migration(1);
        Assert.Equal(FlowFields.Names.Length, FlowColumns.Record.Length);
        foreach (var column in FlowColumns.All)
            Assert.Matches($@"(?m)^\s*""?{column.Name}""? {System.Text.RegularExpressions.Regex.Escape(column.SqlType)}[\s,]", schema);
    }

    [Fact]
    public void The_spool_keeps_batches_across_runs_and_leaves_out_a_frame_cut_by_a_crash()
    {
        string path = Path.Combine(Path.GetTempPath(), $"portaudit-spool-{Guid.NewGuid():N}.spool");
        try
        {
            var batch = new FlowBatch("edge");
            for (int i = 0; i < 3; i++) batch.Add(SomeFlow(i), "cap.pcap"u8);
            var spool = new FlowSpool(path);
            spool.Append(batch);
            spool.Append(batch);
            byte[] rows = batch.Rows.ToArray();
            File.AppendAllText(path, "cut"); // a frame header torn by a crash

            var reopened = new FlowSpool(path);
            Assert.Equal(2, reopened.Frames);
            Assert.Equal(6, reopened.Flows);
            var replayed = new List<(int, byte[], int[])>();
            reopened.Replay(new FlowBatch("edge"), b => replayed.Add((b.Count, b.Rows.ToArray(), b.Days.ToArray())));
            Assert.Equal(2, replayed.Count);
            Assert.All(replayed, r =>
            {
                Assert.Equal(3, r.Item1);
                Assert.Equal(rows, r.Item2);
                Assert.Equal(batch.Days, r.Item3);
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Flow SomeFlow(int i) =>
        Flow.Restore(i + 1, IpProtocol.Udp, IpAddr.Parse("10.0.0.1"), (ushort)(1000 + i), IpAddr.Parse("2001:db8::1"), 53,
            1_700_000_000_000_000_000 + i * 86_400_000_000_000L, 1_700_000_000_500_000_000, FlowState.Unanswered, new FlowCounters(1, 60, 0, 0), default);
}
