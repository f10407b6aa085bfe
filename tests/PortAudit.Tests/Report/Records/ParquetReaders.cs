using System.Collections;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Parquet;
using Parquet.Schema;

namespace PortAudit.Tests.Report.Records;

/// <summary>
/// Reads a Parquet file's rows as column name → value, with two readers that share no code with each other or with
/// the writer: Parquet.Net's column reader and DuckDB's <c>read_parquet</c>. Values come out in one canonical form so
/// that the readers and flows.jsonl compare with Equal: text as strings, integers as long, doubles as double,
/// timestamps as ISO 8601 UTC text with microseconds (flows.jsonl's form), lists as lists of those.
/// </summary>
internal static class ParquetReaders
{
    public static List<Dictionary<string, object?>> WithParquetNet(string path) => ReadWithParquetNet(path).GetAwaiter().GetResult();

    private static async Task<List<Dictionary<string, object?>>> ReadWithParquetNet(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var rows = new List<Dictionary<string, object?>>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int count = checked((int)group.RowCount);
            var groupRows = Enumerable.Range(0, count).Select(_ => new Dictionary<string, object?>()).ToList();
            foreach (var field in reader.Schema.Fields)
            {
                if (field is ListField list)
                {
                    var lists = await ReadLists(group, (DataField)list.Item);
                    Assert.Equal(count, lists.Count);
                    for (int r = 0; r < count; r++) groupRows[r][field.Name] = lists[r];
                    continue;
                }
                object?[] read = await ReadValues(group, (DataField)field, count);
                for (int r = 0; r < count; r++) groupRows[r][field.Name] = read[r];
            }
            rows.AddRange(groupRows);
        }
        return rows;
    }

    // The items as stored, with their levels: repetition level 0 starts a row, definition level 0 there is no list,
    // and only an item at the greatest definition level is an item (below, the row's list is empty).
    private static async Task<List<List<object?>?>> ReadLists(ParquetRowGroupReader group, DataField item)
    {
        List<List<object?>?> lists = [];
        int stored = checked((int)group.GetMetadata(item)!.MetaData!.NumValues);
        var definition = new int[stored];
        var repetition = new int[stored];
        if (item.ClrType == typeof(long))
        {
            var numbers = new long[stored];
            await group.ReadRawAsync<long>(item, numbers, definition, repetition);
            Collect(numbers.Select(n => (object?)n).ToArray(), definition, repetition);
        }
        else
        {
            var texts = new ReadOnlyMemory<char>[stored];
            await group.ReadRawAsync<ReadOnlyMemory<char>>(item, texts, definition, repetition);
            Collect(texts.Select(t => (object?)t.ToString()).ToArray(), definition, repetition);
        }
        return lists;

        void Collect(object?[] values, int[] definition, int[] repetition)
        {
            int next = 0;
            for (int i = 0; i < repetition.Length; i++)
            {
                if (repetition[i] == 0) lists.Add(definition[i] == 0 ? null : []);
                if (definition[i] == item.MaxDefinitionLevel) lists[^1]!.Add(values[next++]);
            }
        }
    }

    private static async Task<object?[]> ReadValues(ParquetRowGroupReader group, DataField field, int count)
    {
        Memory<int>? repetition = null;
        // Parquet.Net 6 types a string column as ReadOnlyMemory<char> and reads it as strings as well.
        if (field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>))
        {
            var texts = new string?[count];
            await group.ReadAsync(field, texts.AsMemory(), repetition);
            return texts.Select(t => (object?)t).ToArray();
        }
        if (field.ClrType == typeof(long)) return await Read<long>(group, field, count, repetition);
        if (field.ClrType == typeof(double)) return await Read<double>(group, field, count, repetition);
        if (field.ClrType == typeof(DateTime)) return await Read<DateTime>(group, field, count, repetition);
        if (field.ClrType == typeof(bool)) return await Read<bool>(group, field, count, repetition);
        throw new InvalidOperationException($"{field.Name}: unexpected type {field.ClrType}");
    }

    private static async Task<object?[]> Read<T>(ParquetRowGroupReader group, DataField field, int count, Memory<int>? repetition) where T : struct
    {
        var values = new T?[count];
        await group.ReadAsync(field, values.AsMemory(), repetition);
        return values.Select(v => Canonical(v)).ToArray();
    }

    public static List<Dictionary<string, object?>> WithDuckDb(string path, string query = "select * from read_parquet($path)")
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        // Timestamps WITH TIME ZONE come back in the session's zone: UTC, as the files hold them.
        command.CommandText = "SET TimeZone = 'UTC'";
        command.ExecuteNonQuery();
        command.CommandText = query;
        command.Parameters.Add(new DuckDBParameter("path", path));
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>();
            for (int i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = reader.IsDBNull(i) ? null : Canonical(reader.GetValue(i));
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>A value of either reader in the canonical form.</summary>
    public static object? Canonical(object? value) => value switch
    {
        null => null,
        string text => text,
        bool flag => flag,
        long or int or short or byte or ulong or uint or ushort or sbyte => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        double number => number,
        DateTime time => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        IList list => list.Cast<object?>().Select(Canonical).ToList(),
        _ => throw new InvalidOperationException($"unexpected value type {value.GetType()}"),
    };

    /// <summary>A JSON value in the canonical form: numbers as long unless they have a fraction.</summary>
    public static object? Canonical(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => value.TryGetInt64(out long n) && !value.GetRawText().Contains('.') ? (object)n : value.GetDouble(),
        JsonValueKind.Array => value.EnumerateArray().Select(Canonical).ToList(),
        _ => throw new InvalidOperationException($"unexpected JSON value {value}"),
    };
}
