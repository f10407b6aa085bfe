using System.Text.Json;

namespace PortAudit.Common;

/// <summary>
/// The fields of a JSON file one of our commands wrote (a model file, a report.json), read with each fault named: the
/// file, where in it (<c>provenance</c>, <c>models[2]</c>, <c>model KEY</c>), the field and what is wrong with it.
/// System.Text.Json's own words for a missing field or a value of another kind name neither the field nor the place
/// ("The given key was not present in the dictionary").
/// </summary>
/// <param name="file">The file, as the messages name it.</param>
public readonly struct JsonFields(string file)
{
    /// <summary>The field <paramref name="name"/> of the object <paramref name="parent"/>, found at <paramref name="where"/>.</summary>
    /// <exception cref="InputException"><paramref name="parent"/> is no object, or has no such field.</exception>
    public JsonElement Get(JsonElement parent, string name, string where) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value
            : throw Fault(where, parent.ValueKind == JsonValueKind.Object ? $"missing field '{name}'" : $"an object expected, found {Kind(parent)}");

    /// <summary>A whole number that fits 64 bits.</summary>
    public long Whole(JsonElement parent, string name, string where) =>
        Get(parent, name, where) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out long whole) ? whole
            : throw Fault(where, $"'{name}' must be a whole number");

    /// <summary>A finite number.</summary>
    public double Number(JsonElement parent, string name, string where) =>
        Get(parent, name, where) is { ValueKind: JsonValueKind.Number } value && value.TryGetDouble(out double number) && double.IsFinite(number) ? number
            : throw Fault(where, $"'{name}' must be a number");

    /// <summary>A text, or null where the file holds <c>null</c>.</summary>
    public string? Text(JsonElement parent, string name, string where) => Get(parent, name, where) switch
    {
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        { ValueKind: JsonValueKind.Null } => null,
        var other => throw Fault(where, $"'{name}' must be a text, is {Kind(other)}"),
    };

    /// <summary>The items of a list.</summary>
    public IEnumerable<JsonElement> List(JsonElement parent, string name, string where) =>
        Get(parent, name, where) is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray()
            : throw Fault(where, $"'{name}' must be a list");

    /// <summary>A list of finite numbers, <paramref name="list"/> itself named <paramref name="name"/> at <paramref name="where"/>.</summary>
    public double[] Numbers(JsonElement list, string name, string where)
    {
        if (list.ValueKind != JsonValueKind.Array) throw Fault(where, $"'{name}' must be a list of numbers");
        var numbers = new double[list.GetArrayLength()];
        int i = 0;
        foreach (var item in list.EnumerateArray())
            numbers[i++] = item.ValueKind == JsonValueKind.Number && item.TryGetDouble(out double number) && double.IsFinite(number) ? number
                : throw Fault(where, $"'{name}' item {i - 1} must be a number");
        return numbers;
    }

    /// <summary>A fault of the file at <paramref name="where"/>: "FILE: WHERE: PROBLEM".</summary>
    public InputException Fault(string where, string problem) => new($"{file}: {where}: {problem}");

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a text",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        _ => "null",
    };
}
