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

    [Fact]
    public void WithoutTakesAKeyedPartAndWhatFollowsItBackAndKeepsTheRestAsParts()
    {
        var detail = AppDetail.Of(new("sni", "a.example"), new(null, "starttls"), new("version", "tls1.2"), new("cert", "unread"));

        var without = detail.Without("cert")!;
        Assert.Equal("sni=a.example; starttls; version=tls1.2", without.ToString());
        Assert.Equal(("tls1.2", true, 3), (without.Find("version"), without.HasWord("starttls"), without.Count));
        Assert.Equal("sni=a.example; starttls", detail.Without("version")!.ToString());
        Assert.Null(detail.Without("sni"));
        Assert.Same(detail, detail.Without("alpn"));
        // A bare word is no key.
        Assert.Same(detail, detail.Without("starttls"));
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

    [Theory]
    [InlineData("query; name=_sipinternaltls._tcp.palab.test; type=SRV")]
    [InlineData("answer; search=239.255.255.250:1900; st=urn:dial-multiscreen-org:service:dial:1")]
    [InlineData("INVITE; from=\"arik\" <sip:816666@voip.brurjula.net>%3Btag=6433ef9")]
    [InlineData("sni=aaaaaaaaaaaaaaaa.xx; version=tls1.3; proxy-source=11.111.11.111:52176")]
    [InlineData("200; request-unseen")]
    public void A_detail_parsed_from_its_text_has_the_parts_it_was_built_with(string text)
    {
        var parsed = AppDetail.Parse(text)!;
        var built = AppDetail.Of([.. parsed.Parts]);

        Assert.Equal(text, parsed.ToString());
        Assert.Equal(built.ToString(), parsed.ToString());
        Assert.Equal(built.Parts, parsed.Parts);
    }

    [Fact]
    public void Parsing_tells_keys_from_bare_words_and_keeps_eight_parts()
    {
        // A bare word with '=' after something no key is (an upper-case or spaced word) stays a word.
        Assert.Equal([new DetailPart(null, "GET /a=b"), new DetailPart("host", "x=y")], AppDetail.Parse("GET /a=b; host=x=y")!.Parts);
        var nine = AppDetail.Parse(string.Join("; ", Enumerable.Range(1, 9).Select(i => $"k{i}=v{i}")))!;
        Assert.Equal(AppDetailBuilder.MaxParts, nine.Count);
        Assert.Equal("k1=v1; k2=v2; k3=v3; k4=v4; k5=v5; k6=v6; k7=v7; k8=v8", nine.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("GET; host=a\u001b[2Jb")]
    [InlineData("caf\u00e9")]
    public void Text_no_writer_of_ours_makes_is_no_detail(string text) => Assert.Null(AppDetail.Parse(System.Text.RegularExpressions.Regex.Unescape(text)));
}
