using System.Security.Cryptography;
using PortAudit.Flows;

namespace PortAudit.Tests.Flows;

/// <summary>The one-block SHA-1 behind the Community ID against the framework's SHA-1.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class ShortSha1Tests
{
    [Fact]
    public void Every_length_that_fits_one_block_hashes_as_the_framework_does()
    {
        var random = new Random(20240601);
        for (int length = 0; length <= ShortSha1.MaxMessageLength; length++)
        {
            for (int trial = 0; trial < 200; trial++)
            {
                var message = new byte[length];
                random.NextBytes(message);
                var ours = new byte[20];
                ShortSha1.Hash(message, ours);
                Assert.Equal(SHA1.HashData(message), ours);
            }
        }
    }

    [Fact]
    public void Blocks_hashed_in_lanes_hash_as_the_framework_hashes_each()
    {
        var random = new Random(20261123);
        var blocks = new byte[ShortSha1.Lanes * ShortSha1.BlockLength];
        var digests = new byte[ShortSha1.Lanes * ShortSha1.DigestLength];
        for (int trial = 0; trial < 500; trial++)
        {
            // Lengths from empty to the longest that fits, different in every lane.
            var messages = Enumerable.Range(0, ShortSha1.Lanes).Select(_ =>
            {
                var message = new byte[random.Next(ShortSha1.MaxMessageLength + 1)];
                random.NextBytes(message);
                return message;
            }).ToArray();
            random.NextBytes(blocks); // what Pad must overwrite
            for (int lane = 0; lane < ShortSha1.Lanes; lane++)
            {
                var block = blocks.AsSpan(lane * ShortSha1.BlockLength, ShortSha1.BlockLength);
                messages[lane].CopyTo(block);
                ShortSha1.Pad(block, messages[lane].Length);
            }
            ShortSha1.HashLanes(blocks, digests);
            for (int lane = 0; lane < ShortSha1.Lanes; lane++)
                Assert.Equal(SHA1.HashData(messages[lane]), digests.AsSpan(lane * ShortSha1.DigestLength, ShortSha1.DigestLength).ToArray());
        }
    }

    [Fact]
    public void The_FIPS_example_abc_hashes_to_its_published_digest()
    {
        // FIPS 180-2, appendix A.1: SHA-1("abc").
        var digest = new byte[20];
        ShortSha1.Hash("abc"u8, digest);
        Assert.Equal("a9993e364706816aba3e25717850c26c9cd0d89d", Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void A_message_longer_than_one_block_is_refused()
    {
        var digest = new byte[20];
        Assert.Throws<ArgumentException>(() => ShortSha1.Hash(new byte[ShortSha1.MaxMessageLength + 1], digest));
    }
}
