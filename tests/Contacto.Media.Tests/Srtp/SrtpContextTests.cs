using Contacto.Media.Rtp;
using Contacto.Media.Srtp;

namespace Contacto.Media.Tests.Srtp;

public sealed class SrtpContextTests
{
    private static SrtpKeyMaterial Key(string keyHex, string saltHex, SrtpSuite suite = SrtpSuite.AesCm128HmacSha1_80) =>
        new(suite, Convert.FromHexString(keyHex), Convert.FromHexString(saltHex));

    // RFC 3711 appendix B.3.
    private static readonly SrtpKeyMaterial RfcKey = Key("E1F97A0D3E018BE0D64FA32C06DE4139", "0EC675AD498AFEEBB6960B3AABE6");

    [Fact]
    public void DerivesTheSessionKeysOfRfc3711AppendixB3()
    {
        Assert.Equal("C61E7A93744F39EE10734AFE3FF7A087", Convert.ToHexString(SrtpContext.Derive(RfcKey, 0, 16)));
        Assert.Equal("30CBBC08863D8C85D49DB34A9AE1", Convert.ToHexString(SrtpContext.Derive(RfcKey, 2, 14)));
        Assert.Equal("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", Convert.ToHexString(SrtpContext.Derive(RfcKey, 1, 20)));
    }

    [Fact]
    public void ProducesTheKeystreamOfRfc3711AppendixB2()
    {
        // B.2: session key 2B7E..., salt F0F1...FD, SSRC 0, index 0: the keystream is the payload
        // of an all-zero packet after encryption. Derive() runs AES-CM with the master key as the
        // session key, so a master key equal to B.2's session key and label 0 gives B.2's IV.
        var key = Key("2B7E151628AED2A6ABF7158809CF4F3C", "F0F1F2F3F4F5F6F7F8F9FAFBFCFD");

        var keystream = SrtpContext.Derive(key, 0, 48);

        Assert.Equal("E03EAD0935C95E80E166B16DD92B4EB4" + "D23513162B02D0F72A43A2FE4A5F97AB" + "41E95B3BB0A2E8DD477901E4FCA894C0",
            Convert.ToHexString(keystream));
    }

    [Fact]
    public void ProtectsTheReferencePacketAsLibsrtpDoes()
    {
        // libSRTP's srtp_validate: the RFC's master key and salt, SSRC 0xCAFEBABE, sequence 0x1234.
        var packet = new byte[64];
        var plain = Convert.FromHexString("800F1234DECAFBADCAFEBABE" + "ABABABABABABABABABABABABABABABAB");
        plain.CopyTo(packet, 0);
        using var sender = new SrtpContext(RfcKey);
        using var receiver = new SrtpContext(RfcKey);

        var length = sender.ProtectRtp(packet, plain.Length);

        Assert.Equal("800F1234DECAFBADCAFEBABE" + "4E55DC4CE79978D88CA4D215949D2402" + "B78D6ACC99EA179B8DBB", Convert.ToHexString(packet, 0, length));
        Assert.True(receiver.TryUnprotectRtp(packet, length, out var plainLength));
        Assert.Equal(plain, packet[..plainLength]);
    }

    [Theory]
    [InlineData(SrtpSuite.AesCm128HmacSha1_80, 10)]
    [InlineData(SrtpSuite.AesCm128HmacSha1_32, 4)]
    public void RoundTripsAcrossTheSequenceWrapAndRefusesReplaysAndForgeries(SrtpSuite suite, int tagLength)
    {
        var key = SrtpKeyMaterial.Generate(suite);
        using var sender = new SrtpContext(key);
        using var receiver = new SrtpContext(key);
        var payload = Enumerable.Range(0, 160).Select(i => (byte)i).ToArray();
        var buffer = new byte[256];
        byte[]? replay = null;
        for (var n = 0; n < 300; n++)
        {
            var sequence = (ushort)(65400 + n);
            var length = RtpHeader.Write(buffer, false, 0, sequence, (uint)(160 * n), 0x1234);
            payload.CopyTo(buffer, length);
            length = sender.ProtectRtp(buffer, length + payload.Length);
            Assert.Equal(12 + 160 + tagLength, length);
            Assert.NotEqual(payload, buffer[12..172]);
            replay ??= buffer[..length];

            Assert.True(receiver.TryUnprotectRtp(buffer, length, out var plain), $"packet {n}");
            Assert.Equal(payload, buffer[12..plain]);
        }

        var captured = replay!;
        var forged = captured.ToArray();
        Assert.False(receiver.TryUnprotectRtp(forged, forged.Length, out _));
        forged = captured.ToArray();
        forged[^1] ^= 1;
        using var fresh = new SrtpContext(key);
        Assert.False(fresh.TryUnprotectRtp(forged, forged.Length, out _));
        using var other = new SrtpContext(SrtpKeyMaterial.Generate(suite));
        Assert.False(other.TryUnprotectRtp(captured.ToArray(), captured.Length, out _));
    }

    [Fact]
    public void AcceptsReorderedPacketsInsideTheWindowOnce()
    {
        var key = SrtpKeyMaterial.Generate(SrtpSuite.AesCm128HmacSha1_80);
        using var sender = new SrtpContext(key);
        using var receiver = new SrtpContext(key);
        var packets = Enumerable.Range(0, 100).Select(n =>
        {
            var buffer = new byte[64];
            var length = RtpHeader.Write(buffer, false, 8, (ushort)n, 0, 7);
            return buffer[..sender.ProtectRtp(buffer, length + 8)];
        }).ToArray();

        Assert.True(receiver.TryUnprotectRtp(packets[99].ToArray(), packets[99].Length, out _));
        Assert.True(receiver.TryUnprotectRtp(packets[50].ToArray(), packets[50].Length, out _));
        Assert.False(receiver.TryUnprotectRtp(packets[50].ToArray(), packets[50].Length, out _));
        Assert.False(receiver.TryUnprotectRtp(packets[20].ToArray(), packets[20].Length, out _));
    }

    [Fact]
    public void ProtectsRtcpWithAnIndexAndAnEightyBitTag()
    {
        var key = SrtpKeyMaterial.Generate(SrtpSuite.AesCm128HmacSha1_32);
        using var sender = new SrtpContext(key);
        using var receiver = new SrtpContext(key);
        var buffer = new byte[RtcpPacket.MaxLength + SrtpContext.RtcpOverhead];
        var length = RtcpPacket.Write(buffer, 0xDEADBEEF, new RtcpSenderInfo(1, 2, 3, 4), null, "contacto", goodbye: false);
        var plain = buffer[..length];

        var first = sender.ProtectRtcp(buffer, length);
        var copy = buffer[..first];

        Assert.Equal(length + 14, first);
        Assert.Equal(plain[..8], buffer[..8]);
        Assert.NotEqual(plain[8..], buffer[8..length]);
        Assert.Equal(0x80, buffer[length]);
        Assert.True(receiver.TryUnprotectRtcp(buffer, first, out var plainLength));
        Assert.Equal(plain, buffer[..plainLength]);
        Assert.False(receiver.TryUnprotectRtcp(copy, copy.Length, out _));
        Assert.Equal(0xDEADBEEFu, RtcpPacket.Parse(plain)!.SenderSsrc);
    }

    [Fact]
    public void KeysNeverAppearInText()
    {
        var key = SrtpKeyMaterial.Generate(SrtpSuite.AesCm128HmacSha1_80);

        Assert.DoesNotContain(Convert.ToBase64String(key.MasterKey)[..8], key.ToString());
        Assert.DoesNotContain(Convert.ToHexString(key.MasterKey)[..8], key.ToString());
    }
}
