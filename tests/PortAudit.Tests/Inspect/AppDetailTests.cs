using PortAudit.Flows.Facts;
using PortAudit.Inspect;

namespace PortAudit.Tests.Inspect;

/// <summary>appDetail as parts: what the builder records, how the parts format, and how a later message amends them.</summary>
[Trait("Tier", "unit")]
public class AppDetailTests
{
    [Fact]
    public void BuilderRecordsBareAndKeyedPartsThatFormatAsBefore()
    {
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        text.AppendEscaped("GET"u8, 128);
        text.Part("host");
        text.AppendEscaped("example.org\r"u8, 100);
        var detail = text.Build()!;

        Assert.Equal([new DetailPart(null, "GET"), new DetailPart("host", "example.org%0D")], detail.Parts);
        Assert.Equal("GET; host=example.org%0D", detail.ToString());
        Assert.Equal(detail.ToString().Length, detail.Length);
        Assert.Equal("example.org%0D", detail.Find("host"));
        Assert.Null(detail.Find("sni"));
    }

    [Fact]
    public void NothingBuiltIsNoDetail()
    {
        var text = new AppDetailBuilder(stackalloc char[16]);
        Assert.Null(text.Build());
    }

    [Fact]
    public void TheBufferBoundsTheFormattedTextAndTheLastValueKeepsWhatFitted()
    {
        var detail = Build(12, "GET", "host", "example.org");

        Assert.Equal("GET; host=ex", detail.ToString());
        Assert.Equal("ex", detail.Find("host"));
    }

    [Fact]
    public void AKeyTheBufferWouldCutIsLeftOutWithItsValueAndTheValueBeforeItStaysWhole()
    {
        var detail = Build(8, "smb3", "dialect", "3.1.1");

        Assert.Equal([new DetailPart(null, "smb3")], detail.Parts);
        Assert.Equal("smb3", detail.ToString());
    }

    [Fact]
    public void AKeyThatFitsWithNoRoomForItsValueReadsBackAsAnEmptyValue()
    {
        var detail = Build(14, "smb3", "dialect", "3.1.1");

        Assert.Equal([new DetailPart(null, "smb3"), new DetailPart("dialect", "")], detail.Parts);
        Assert.Equal("", detail.Find("dialect"));
    }

    [Fact]
    public void BareWordsAreFoundAsWordsAndNotAsValuesOfKeys()
    {
        var detail = AppDetail.Of(new(null, "query"), new("name", "response"), new(null, "broadcast"));

        Assert.True(detail.HasWord("broadcast"));
        Assert.False(detail.HasWord("response"));
        Assert.Equal("query", detail.ValueAt(0).ToString());
        Assert.Equal(3, detail.Count);
    }

    [Fact]
    public void PartsPastTheMostAreLeftOut()
    {
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        for (int i = 0; i <= AppDetailBuilder.MaxParts; i++)
        {
            text.Part("k" + i);
            text.Append("v");
        }
        var detail = text.Build()!;

        Assert.Equal(AppDetailBuilder.MaxParts, detail.Parts.Count);
        Assert.Equal("v", detail.Parts[^1].Value);
    }

    // A bare word, then one keyed part, in a buffer of the given size.
    private static AppDetail Build(int capacity, string word, string key, string value)
    {
        var text = new AppDetailBuilder(stackalloc char[capacity]);
        text.Append(word);
        text.Part(key);
        text.Append(value);
        return text.Build()!;
    }

    [Fact]
    public void WithReplacesAKeyedPartAndAppendsABareOne()
    {
        var hello = AppDetail.Of(new("sni", "a.example"), new("version", "tls1.3"));

        Assert.Equal("sni=a.example; version=tls1.2", hello.With(new("version", "tls1.2")).ToString());
        Assert.Equal("sni=a.example; version=tls1.3; starttls", hello.With(new(null, "starttls")).ToString());
        Assert.Equal("sni=a.example; version=tls1.3", hello.ToString());
    }

    [Theory]
    [InlineData("version", "tls1.2")]
    [InlineData("sni", "b.example")]
    [InlineData(null, "starttls")]
    [InlineData("alpn", "h2")]
    public void WithBuildsWhatOfBuildsFromTheParts(string? key, string value)
    {
        // With works on the text's spans; Of(parts) is what it must equal, part for part.
        var long300 = new string('x', 300) + ".example";
        foreach (var detail in new[]
        {
            AppDetail.Of(new("sni", long300), new("alpn", "h2,http/1.1"), new("version", "tls1.3"), new(null, "resumed")),
            AppDetail.Of(new(null, "GET"), new("host", "a.example")),
            AppDetail.Of(Enumerable.Range(0, 8).Select(i => new DetailPart($"k{i}", $"v{i}")).ToArray()),
        })
        {
            var part = new DetailPart(key, value);
            var parts = detail.Parts.ToList();
            int at = key is null ? -1 : parts.FindIndex(p => p.Key == key);
            var expected = AppDetail.Of([.. at < 0 ? parts : parts.Take(at), part]);

            var amended = detail.With(part);

            Assert.Equal(expected.ToString(), amended.ToString());
            Assert.Equal(expected.Parts, amended.Parts);
        }
    }

    [Fact]
    public void ADetailBuiltAgainIsTheOneBuiltBeforeButOnlyWithTheSameParts()
    {
        var first = Build(64, "GET", "host", "repeat.example");
        var again = Build(64, "GET", "host", "repeat.example");
        // The same text cut into other parts: "GET; host=repeat.example" as one bare word.
        var text = new AppDetailBuilder(stackalloc char[64]);
        text.Append("GET; host=repeat.example");
        var oneWord = text.Build()!;

        Assert.Same(first, again);
        Assert.NotSame(first, oneWord);
        Assert.Equal([new DetailPart(null, "GET; host=repeat.example")], oneWord.Parts);
        Assert.Equal([new DetailPart(null, "GET"), new DetailPart("host", "repeat.example")], Build(64, "GET", "host", "repeat.example").Parts);
    }

    [Fact]
    public void WordsOfAFixedVocabularyAreShared()
    {
        Assert.Same(AppDetail.Word("query"), AppDetail.Word("query"));
        Assert.Equal([new DetailPart(null, "query")], AppDetail.Word("query").Parts);
    }

    [Fact]
    public void FormatWritesIntoTheCallersBuffer()
    {
        var detail = AppDetail.Of(new(null, "smb3"), new("dialect", "3.1.1"));
        Span<char> buffer = stackalloc char[detail.Length];

        Assert.Equal("smb3; dialect=3.1.1", new string(buffer[..detail.Format(buffer)]));
    }
}
