using System.Security.Cryptography;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Scenarios;
using PortAudit.Tests.Sources.Live;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// QUIC: the client's Initial opened with RFC 9001's keys (checked against its Appendix A and RFC 9369's), the
/// ClientHello gathered from CRYPTO frames across packets and datagrams, a server's answer as the only other evidence,
/// and hostile datagrams that must neither throw nor name anything they did not prove.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class QuicInspectorTests
{
    private const string Client = "192.0.2.20", Server = "198.51.100.30";
    private const string Named = "sni=paste.example.net; alpn=h2,http/1.1; version=quic1";

    /// <summary>RFC 9001 A.2 (and RFC 9369 A.2): the CRYPTO frame of the client's Initial, a ClientHello to example.com.</summary>
    public const string RfcCryptoFrame =
        "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
        + "616d706c652e636f6dff01000100000a00080006001d0017001800100007000504616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
        + "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b0003020304000d0010000e0403050306030203080408050806002d00020101001c0002400100"
        + "3900320408ffffffffffffffff05048000ffff07048000ffff0801100104800075300901100f088394c8f03e51570806048000ffff";

    /// <summary>RFC 9001 A.2: the protected client Initial, 1200 bytes.</summary>
    public const string RfcProtectedV1 =
        "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
        + "1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
        + "30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
        + "4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
        + "485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
        + "7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f89937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
        + "be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c7468449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
        + "c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
        + "291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe5896425c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
        + "14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ffef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
        + "e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009ddc324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
        + "203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77fcb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
        + "fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03adea2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
        + "90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
        + "40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca06948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
        + "8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
        + "54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
        + "f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
        + "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241e221af44860018ab0856972e194cd934";

    /// <summary>RFC 9369 A.2: the same Initial in QUIC version 2.</summary>
    public const string RfcProtectedV2 =
        "d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04"
        + "9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a"
        + "12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"
        + "18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff3312ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3"
        + "d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520"
        + "bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"
        + "ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c1216ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5"
        + "4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b"
        + "8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de714d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"
        + "9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd"
        + "80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18"
        + "d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"
        + "7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710"
        + "10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e"
        + "06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"
        + "34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd"
        + "5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e38d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89"
        + "d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b536f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"
        + "9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96ba18b2faa745b6fe189cf772a9f84cbfc";

    private const string RfcDetail = "sni=example.com; alpn=alpn; version=";

    /// <summary>The ClientHello of <see cref="TlsInspectorTests.ClientHello"/> as a handshake message (its record header left out).</summary>
    public static readonly byte[] Hello = TlsInspectorTests.ClientHello("paste.example.net")[5..];

    /// <summary>The client's <paramref name="datagrams"/> (and the server's, FromClient false) to UDP 443 through the engine.</summary>
    public static Flow Inspect(params (bool FromClient, byte[] Data)[] datagrams)
    {
        var capture = new ScenarioCapture("quic", 1_700_000_000);
        for (int i = 0; i < datagrams.Length; i++)
        {
            var (fromClient, data) = datagrams[i];
            if (fromClient) capture.Udp(Client, Server, 443, 1 + i * 0.01, data, answer: Answer.Silent, clientPort: 50000);
            else capture.Udp(Server, Client, 50000, 1 + i * 0.01, data, answer: Answer.Silent, clientPort: 443);
        }
        return Assert.Single(InspectTestData.Inspect(capture.Build()));
    }

    /// <summary>The client's datagrams alone through the engine.</summary>
    public static Flow FromClient(params byte[][] datagrams) => Inspect([.. datagrams.Select(d => (true, d))]);

    private static byte[] Frames(params byte[][] frames) => [.. frames.SelectMany(f => f)];

    [Fact]
    public void ClientKeysAreRfc9001AppendixA1s()
    {
        Span<byte> initial = stackalloc byte[32], client = stackalloc byte[32];
        HKDF.Extract(HashAlgorithmName.SHA256, QuicPackets.ExampleDestination, Hex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"), initial);
        Assert.Equal("7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44", Convert.ToHexStringLower(initial));
        QuicInitialProtection.ExpandLabel(initial, "client in"u8, client);
        Assert.Equal("c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea", Convert.ToHexStringLower(client));

        byte[] key = new byte[16], iv = new byte[12], hp = new byte[16];
        QuicInitialProtection.ClientKeys(QuicVersion.V1, QuicPackets.ExampleDestination, key, iv, hp);
        Assert.Equal(("1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2"),
            (Convert.ToHexStringLower(key), Convert.ToHexStringLower(iv), Convert.ToHexStringLower(hp)));
    }

    [Theory]
    [InlineData(RfcProtectedV1, "quic1")]
    [InlineData(RfcProtectedV2, "quic2")]
    public void TheRfcsClientInitialOpensToItsClientHello(string packet, string version)
    {
        var (result, flow) = Once(new QuicInspector(), Hex(packet), tcp: false);
        Assert.Equal((InspectResult.Match, RfcDetail + version), (result, flow.AppDetail?.ToString()));
        Assert.Equal((AppLabel.Quic, RfcDetail + version), (FromClient(Hex(packet)).App, FromClient(Hex(packet)).AppDetail?.ToString()));
    }

    [Theory]
    [InlineData(QuicPackets.Version1, RfcProtectedV1)]
    [InlineData(QuicPackets.Version2, RfcProtectedV2)]
    public void TheBuilderRebuildsTheRfcsProtectedPacket(uint version, string expected)
    {
        // Packet number 2 in 4 bytes, 1162 bytes of frames (RFC 9001 A.2): the builder seals and masks as the RFC did.
        var packet = QuicPackets.Initial(Hex(RfcCryptoFrame), version, source: [], packetNumber: 2, payloadLength: 1162);
        Assert.Equal(expected, Convert.ToHexStringLower(packet));
    }

    [Theory]
    [InlineData(QuicPackets.Version1, "quic1")]
    [InlineData(QuicPackets.Version2, "quic2")]
    [InlineData(QuicPackets.Draft29, "draft-29")]
    [InlineData(0xff000020u, "draft-32")]
    public void EachVersionNamesItsHello(uint version, string word)
    {
        var flow = FromClient(QuicPackets.ClientInitial(Hello, version));
        Assert.Equal((AppLabel.Quic, Named.Replace("quic1", word)), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void AHelloSplitOverTwoInitialsInTwoDatagramsIsReadWhole()
    {
        int half = Hello.Length / 2;
        var first = QuicPackets.Initial(QuicPackets.Crypto(0, Hello[..half]), packetNumber: 0);
        var second = QuicPackets.Initial(QuicPackets.Crypto(half, Hello[half..]), packetNumber: 1);
        Assert.Equal(Named, FromClient(first, second).AppDetail?.ToString());
        // The second half first: the start names nothing until it comes.
        Assert.Equal(Named, FromClient(second, first).AppDetail?.ToString());
    }

    [Fact]
    public void AHelloInThreeDatagramsIsNamedByItsStartWhenTheStartComesSecond()
    {
        int a = 60, b = Hello.Length - 10;
        var end = QuicPackets.Initial(QuicPackets.Crypto(b, Hello[b..]));
        var start = QuicPackets.Initial(QuicPackets.Crypto(0, Hello[..a]), packetNumber: 1);
        var middle = QuicPackets.Initial(QuicPackets.Crypto(a, Hello[a..b]), packetNumber: 2);
        // The middle never comes: what the start named stays.
        var cut = FromClient(end, QuicPackets.Initial(QuicPackets.Crypto(0, Hello[..80]), packetNumber: 1));
        Assert.Equal("sni=paste.example.net; hello-unread; version=quic1", cut.AppDetail?.ToString());
        Assert.Equal(Named, FromClient(end, start, middle).AppDetail?.ToString());
    }

    [Fact]
    public void AHelloWhoseRestNeverComesKeepsWhatItsStartNamed()
    {
        var first = QuicPackets.Initial(QuicPackets.Crypto(0, Hello[..60]));
        var flow = FromClient(first);
        Assert.Equal((AppLabel.Quic, "hello-unread; version=quic1"), (flow.App, flow.AppDetail?.ToString()));
        // The name's extension whole in the start: it is named, with the word that says the rest went unread.
        var named = FromClient(QuicPackets.Initial(QuicPackets.Crypto(0, Hello[..(Hello.Length - 20)])));
        Assert.StartsWith("sni=paste.example.net", named.AppDetail?.ToString());
        Assert.Contains("hello-unread", named.AppDetail?.ToString());
    }

    [Fact]
    public void CryptoFramesOutOfOrderInOnePacketAndCoalescedPacketsAreGathered()
    {
        // Chrome shuffles its CRYPTO frames, PINGs and PADDING between them.
        int a = Hello.Length / 3, b = 2 * Hello.Length / 3;
        var shuffled = QuicPackets.Initial(Frames(QuicPackets.Crypto(b, Hello[b..]), [0x01, 0x00, 0x00], QuicPackets.Crypto(0, Hello[..a]),
            [0x01], QuicPackets.Crypto(a, Hello[a..b])));
        Assert.Equal(Named, FromClient(shuffled).AppDetail?.ToString());

        // Two Initials in one datagram, then a 0-RTT packet the inspector leaves alone.
        var one = QuicPackets.Initial(QuicPackets.Crypto(0, Hello[..a]), payloadLength: 300);
        var two = QuicPackets.Initial(QuicPackets.Crypto(a, Hello[a..]), packetNumber: 1, payloadLength: 800);
        byte[] zeroRtt = [0xD0, 0, 0, 0, 1, 8, .. QuicPackets.ExampleDestination, 0, 0x40, 100, .. new byte[100]];
        byte[] datagram = [.. one, .. two, .. zeroRtt];
        Assert.True(datagram.Length >= QuicInspector.MinClientDatagram);
        Assert.Equal(Named, FromClient(datagram).AppDetail?.ToString());
    }

    [Fact]
    public void AckAndConnectionCloseFramesAreRead()
    {
        byte[] ack = [0x03, 5, 0, 1, 0, 2, 1, 0, 0, 0];
        byte[] close = [0x1c, 0x0a, 0x06, 3, .. Ascii("bye")];
        var flow = FromClient(QuicPackets.Initial(Frames(ack, close, QuicPackets.Crypto(0, Hello))));
        Assert.Equal(Named, flow.AppDetail?.ToString());
    }

    [Fact]
    public void AnInitialThatDoesNotAuthenticateIsNoQuicUnlessTheServerAnswers()
    {
        var forged = QuicPackets.ClientInitial(Hello);
        forged[^1] ^= 1;
        Assert.Null(FromClient(forged).App);

        var answered = Inspect((true, forged), (false, QuicPackets.ServerLongHeader()));
        Assert.Equal((AppLabel.Quic, "version=quic1"), (answered.App, answered.AppDetail?.ToString()));
        var handshake = Inspect((true, forged), (false, QuicPackets.ServerLongHeader(typeBits: 2)));
        Assert.Equal(AppLabel.Quic, handshake.App);
        var negotiated = Inspect((true, forged), (false, QuicPackets.VersionNegotiation()));
        Assert.Equal(AppLabel.Quic, negotiated.App);
        // An answer to another connection ID, or in another version, proves nothing.
        Assert.Null(Inspect((true, forged), (false, QuicPackets.ServerLongHeader(clientSource: [9, 9, 9, 9]))).App);
        Assert.Null(Inspect((true, forged), (false, QuicPackets.ServerLongHeader(QuicPackets.Version2, typeBits: 1))).App);
    }

    [Fact]
    public void AClientInitialUnder1200BytesOrOfAnUnknownVersionIsNoQuic()
    {
        var small = QuicPackets.Initial(QuicPackets.Crypto(0, Hello), payloadLength: 400);
        Assert.True(small.Length < QuicInspector.MinClientDatagram);
        Assert.Equal(InspectResult.NoMatch, Once(new QuicInspector(), small, tcp: false).Result);
        var unknown = QuicPackets.ClientInitial(Hello);
        unknown[4] = 7;
        Assert.Equal(InspectResult.NoMatch, Once(new QuicInspector(), unknown, tcp: false).Result);
        Assert.Equal(InspectResult.NoMatch, Once(new QuicInspector(), QuicPackets.ClientInitial(Hello), tcp: true).Result);
    }

    [Fact]
    public void CryptoDataThatDisagreesWithBytesPlacedIsUnread()
    {
        var lie = (byte[])Hello.Clone();
        lie[^3] ^= 0x55;
        // All but the last bytes, then a retransmission of the end whose bytes differ from those placed.
        var first = QuicPackets.Initial(QuicPackets.Crypto(0, Hello[..^2]));
        var flow = FromClient(first, QuicPackets.Initial(QuicPackets.Crypto(Hello.Length - 10, lie[^10..]), packetNumber: 1));
        Assert.Equal((AppLabel.Quic, "sni=paste.example.net; alpn=h2,http/1.1; hello-unread; version=quic1"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Theory]
    [InlineData(16384L)]
    [InlineData(16380L)]
    [InlineData((1L << 62) - 1)]
    public void HugeCryptoOffsetsAreBoundedAndNeverThrow(long offset)
    {
        var flow = FromClient(QuicPackets.Initial(Frames(QuicPackets.Crypto(offset, Hello[..80]), QuicPackets.Crypto(0, Hello[..30]))));
        Assert.Equal((AppLabel.Quic, "hello-unread; version=quic1"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void AHelloDeclaredLongerThanTheBoundIsUnread()
    {
        byte[] longer = [1, 0x00, 0x40, 0x00, .. Hello[4..]];
        var flow = FromClient(QuicPackets.ClientInitial(longer));
        Assert.Equal((AppLabel.Quic, "hello-unread; version=quic1"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void EveryTruncationAndManyByteFlipsNeverThrow()
    {
        int half = Hello.Length / 2;
        byte[][] valid =
        [
            QuicPackets.Initial(Frames(QuicPackets.Crypto(half, Hello[half..]), QuicPackets.Crypto(0, Hello[..half]))),
            QuicPackets.Initial(QuicPackets.Crypto(0, Hello), token: [1, 2, 3]),
        ];
        var inspector = new QuicInspector();
        foreach (var datagram in valid)
        {
            for (int length = 0; length <= datagram.Length; length++)
            {
                var (result, _) = Once(inspector, datagram[..length], tcp: false);
                // A cut datagram is under 1200 bytes or has lost its tag: nothing is named from it.
                if (length < datagram.Length) Assert.Equal(InspectResult.NoMatch, result);
            }
        }
        var random = new Random(9001);
        for (int round = 0; round < 300; round++)
        {
            var mutated = (byte[])valid[round % 2].Clone();
            // The header mostly: lengths, varints, connection IDs; the rest lands in the sealed payload.
            int at = round % 3 == 0 ? random.Next(mutated.Length) : random.Next(Math.Min(mutated.Length, 40));
            mutated[at] ^= (byte)(1 + random.Next(255));
            var flow = FromClient(mutated);
            // Only an Initial that authenticates names anything, and a flip in it breaks the tag.
            if (flow.App == AppLabel.Quic) Assert.NotNull(flow.AppDetail);
        }
    }

    [Fact]
    public void PlaintextFramesThatLieNeverThrow()
    {
        // Frames sealed as they are: the tag holds, so the lies reach the frame reader.
        byte[][] lies =
        [
            [0x06, 0x00, 0x7f, 0xff],                       // a CRYPTO length past the payload
            [0x06, 0xff],                                    // a varint cut short
            [0x02, 0x00, 0x00, 0xbf, 0xff, 0xff, 0xff, 0x00], // an ACK range count of a billion
            [0x1c, 0x00, 0x00, 0x7f, 0xff],                   // a close reason past the payload
            [0x06, 0x00, 0x04, 1, 0, 0, 0],                   // an empty hello
            [0x06, 0x00, 0x04, 2, 0, 0, 0],                   // a message that is no ClientHello
            [0x08, 0x06, 0x00, 0x04, 1, 0, 0, 0],             // a frame an Initial may not carry
        ];
        foreach (var frames in lies)
        {
            var flow = FromClient(QuicPackets.Initial(frames));
            Assert.Equal(AppLabel.Quic, flow.App);
            Assert.Contains("version=quic1", flow.AppDetail?.ToString());
        }
    }

    [Fact]
    public void OtherUdpIsTurnedAwayWithoutAllocating()
    {
        var inspector = new QuicInspector();
        var flow = NewFlow(tcp: false, 443);
        byte[] dns = Hex("abcd01000001000000000000076578616d706c6503636f6d0000010001");
        byte[] shortHeader = [0x40, .. new byte[1300]];
        byte[] unknownVersion = [0xC0, 0x0a, 0x1a, 0x2a, 0x3a, .. new byte[1300]];
        byte[][] datagrams = [dns, shortHeader, unknownVersion];
        var results = new InspectResult[datagrams.Length];
        long allocated = ThreadAllocation.Least(5, () =>
        {
            for (int i = 0; i < datagrams.Length; i++)
            {
                ulong scratch = 0;
                var input = new InspectionInput(flow, datagrams[i], true, false, 0, ref scratch);
                results[i] = inspector.Inspect(ref input);
            }
        });
        Assert.Equal(0, allocated);
        Assert.All(results, r => Assert.Equal(InspectResult.NoMatch, r));
    }
}

/// <summary>tshark as the oracle for the QUIC of the shared captures: its server name and ALPN, and the label.</summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class QuicInspectorTsharkTests
{
    [NeedsProgramFact("tshark", shared: "captures/dlt_ppp.pcap")]
    public void TheDraft29InitialOfDltPppNamesWhatTsharkReads()
    {
        string path = SharedData.Path("captures/dlt_ppp.pcap")!;
        var tshark = External.Run("tshark", "-r", path, "-Y", "quic", "-T", "fields",
            "-e", "tls.handshake.extensions_server_name", "-e", "tls.handshake.extensions_alpn_str").Trim().Split('\t');
        var flow = Assert.Single(InspectTestData.Inspect(path).Flows, f => f.ServerPort == 443);
        Assert.Equal(AppLabel.Quic, flow.App);
        Assert.Equal($"sni={tshark[0]}; alpn={tshark[1]}; version=draft-29", flow.AppDetail?.ToString());
    }

    [NeedsProgramFact("tshark")]
    public void TsharkOpensTheBuildersInitialsToTheSameServerName()
    {
        // Versions 1 and draft-29, and a hello in two CRYPTO frames out of order in one packet, each its own connection ID
        // (tshark follows connections by it). tshark 4.0 knows no final version 2: the RFC vector checks that one.
        var hello = QuicInspectorTests.Hello;
        int half = hello.Length / 2;
        var capture = new ScenarioCapture("quic-tshark", 1_700_000_000)
            .Udp("192.0.2.20", "198.51.100.30", 443, 1, QuicPackets.ClientInitial(hello, destination: [1, 1, 1, 1, 1, 1, 1, 1]), answer: Answer.Silent)
            .Udp("192.0.2.21", "198.51.100.30", 443, 2, QuicPackets.ClientInitial(hello, QuicPackets.Draft29, [2, 2, 2, 2, 2, 2, 2, 2]), answer: Answer.Silent)
            .Udp("192.0.2.22", "198.51.100.30", 443, 3, QuicPackets.Initial([.. QuicPackets.Crypto(half, hello[half..]), .. QuicPackets.Crypto(0, hello[..half])],
                destination: [3, 3, 3, 3, 3, 3, 3, 3]), answer: Answer.Silent);
        var (tshark, ours) = TsharkServerNames.Read(capture.Build(), "tls.handshake.extensions_server_name");
        Assert.Equal(["paste.example.net", "paste.example.net", "paste.example.net"], tshark);
        Assert.Equal(new string?[] { "paste.example.net", "paste.example.net", "paste.example.net" }, ours);
    }
}
