using Parquet;
using PortAudit.Report.Records;

namespace PortAudit.Tests.Report.Records;

/// <summary>The Parquet table's row groups, lists and nulls, and the uids: in process.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class ParquetTableTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"portaudit-table-{Guid.NewGuid():N}.parquet");

    [Fact]
    public async Task RowsGoOutARowGroupAtATimeAndReadBackWhole()
    {
        int rows = 2 * ParquetTable.RowGroupRows + 5;
        ParquetColumn[] columns = [new("n", ParquetKind.Number), new("text", ParquetKind.Text), new("tags", ParquetKind.TextList), new("ids", ParquetKind.NumberList)];
        using (var table = new ParquetTable(File.Create(_path), columns, [1, 0, 2, 3]))
        {
            IFlowFieldSink sink = table;
            for (int i = 0; i < rows; i++)
            {
                sink.Number(0, i);
                if (i % 2 == 0) sink.Text(1, $"row {i}");
                else sink.Null(1);
                // Every third row has no list, every third an empty one, the rest two items.
                if (i % 3 == 0) sink.Null(2);
                else sink.TextList(2, i % 3 == 1 ? [] : ["a", $"b{i}"]);
                table.Numbers(3, i % 3 == 2 ? [i, -i] : []);
                table.EndRow();
            }
        }
        await using (var reader = await ParquetReader.CreateAsync(_path))
        {
            Assert.Equal(3, reader.RowGroupCount);
            Assert.Equal(["text", "n", "tags", "ids"], reader.Schema.Fields.Select(f => f.Name));
        }
        var read = ParquetReaders.WithParquetNet(_path);
        Assert.Equal(rows, read.Count);
        Assert.Equal(read, ParquetReaders.WithDuckDb(_path));
        foreach (int i in new[] { 0, 1, 2, ParquetTable.RowGroupRows, rows - 1 })
        {
            Assert.Equal((long)i, read[i]["n"]);
            Assert.Equal(i % 2 == 0 ? $"row {i}" : null, read[i]["text"]);
            Assert.Equal(i % 3 == 0 ? null : i % 3 == 1 ? new List<object?>() : ["a", $"b{i}"], (List<object?>?)read[i]["tags"]);
            Assert.Equal(i % 3 == 2 ? [(long)i, (long)-i] : new List<object?>(), (List<object?>?)read[i]["ids"]);
        }
    }

    [Fact]
    public void AnEmptyTableIsAValidFile()
    {
        new ParquetTable(File.Create(_path), [new ParquetColumn("n", ParquetKind.Number)], [0]).Dispose();
        Assert.Empty(ParquetReaders.WithDuckDb(_path));
        Assert.Empty(ParquetReaders.WithParquetNet(_path));
    }

    [Fact]
    public void UidsAreZeekShapedStablePerNonceAndDifferAcrossRuns()
    {
        var nonce = new byte[16];
        var run = new FlowUids(nonce);
        Assert.Matches("^C[0-9A-Za-z]{17}$", run.Of(1));
        Assert.Equal(run.Of(1), new FlowUids(nonce).Of(1));
        Assert.Equal(100_000, Enumerable.Range(1, 100_000).Select(id => run.Of(id)).Distinct().Count());
        // Another run's flow 1 is another flow.
        Assert.NotEqual(new FlowUids().Of(1), new FlowUids().Of(1));
    }

    public void Dispose() => File.Delete(_path);
}
