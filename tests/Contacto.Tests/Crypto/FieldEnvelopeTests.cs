using System.Security.Cryptography;
using System.Text;
using Contacto.Crypto;

namespace Contacto.Tests.Crypto;

public sealed class FieldEnvelopeTests : IDisposable
{
    private const string Purpose = "message.text";
    private static readonly byte[] Text = Encoding.UTF8.GetBytes("Your code is 482913");

    private readonly CryptoTestHost _host = new();
    private readonly Guid _tenant = Guid.CreateVersion7();
    private readonly Guid _record = Guid.CreateVersion7();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Sealed_field_opens_to_the_same_plaintext()
    {
        var envelope = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        Assert.Equal(Text, await _host.Crypto.OpenAsync(_tenant, Purpose, _record, envelope));
    }

    [Fact]
    public async Task Envelope_has_the_documented_layout()
    {
        var envelope = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        Assert.Equal(Text.Length + 33, envelope.Length);
        Assert.Equal(FieldEnvelope.Format, envelope[0]);
        Assert.Equal([0, 0, 0, 1], envelope[1..5]);
        Assert.Equal(1, FieldEnvelope.ReadKeyVersion(envelope));
        Assert.DoesNotContain(Convert.ToHexString(Text), Convert.ToHexString(envelope));
    }

    [Fact]
    public async Task Each_seal_uses_a_fresh_nonce()
    {
        var first = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        var second = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        Assert.NotEqual(first[5..17], second[5..17]);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Envelope_copied_to_another_row_fails_to_open()
    {
        var envelope = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        await Assert.ThrowsAnyAsync<CryptographicException>(() => _host.Crypto.OpenAsync(_tenant, Purpose, Guid.CreateVersion7(), envelope).AsTask());
    }

    [Fact]
    public async Task Envelope_copied_to_another_tenant_fails_to_open()
    {
        var envelope = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        await Assert.ThrowsAnyAsync<CryptographicException>(() => _host.Crypto.OpenAsync(Guid.CreateVersion7(), Purpose, _record, envelope).AsTask());
    }

    [Fact]
    public async Task Envelope_copied_to_another_purpose_fails_to_open()
    {
        var envelope = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        await Assert.ThrowsAnyAsync<CryptographicException>(() => _host.Crypto.OpenAsync(_tenant, "message.to", _record, envelope).AsTask());
    }

    [Fact]
    public async Task Changing_any_bit_of_any_byte_fails_to_open()
    {
        var envelope = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        using var lease = await _host.Crypto.LeaseKeysAsync(_tenant);

        for (var i = 0; i < envelope.Length; i++)
        {
            foreach (var bit in new byte[] { 0x01, 0x80 })
            {
                var tampered = (byte[])envelope.Clone();
                tampered[i] ^= bit;
                Assert.ThrowsAny<CryptographicException>(() => lease.Open(Purpose, _record, tampered));
            }
        }
    }

    [Fact]
    public async Task Truncated_or_extended_envelope_fails_to_open()
    {
        var envelope = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        using var lease = await _host.Crypto.LeaseKeysAsync(_tenant);

        Assert.ThrowsAny<CryptographicException>(() => lease.Open(Purpose, _record, envelope[..^1]));
        Assert.ThrowsAny<CryptographicException>(() => lease.Open(Purpose, _record, [.. envelope, 0]));
        Assert.ThrowsAny<CryptographicException>(() => lease.Open(Purpose, _record, envelope[..32]));
    }

    [Fact]
    public async Task Envelope_relabelled_with_another_key_version_fails_to_open()
    {
        var envelope = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        await _host.Keys.RotateDataKeyAsync(_tenant);
        using var lease = await _host.Crypto.LeaseKeysAsync(_tenant);

        envelope[4] = 2;
        Assert.ThrowsAny<CryptographicException>(() => lease.Open(Purpose, _record, envelope));
        envelope[4] = 9;
        var unknown = Assert.Throws<TenantKeyUnavailableException>(() => lease.Open(Purpose, _record, envelope));
        Assert.Equal(KeyUnavailableReason.UnknownVersion, unknown.Reason);
    }

    [Fact]
    public async Task Unknown_format_is_refused_with_a_clear_message()
    {
        var envelope = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        envelope[0] = 7;

        var error = await Assert.ThrowsAnyAsync<CryptographicException>(() => _host.Crypto.OpenAsync(_tenant, Purpose, _record, envelope).AsTask());
        Assert.Contains("Unsupported envelope format 7", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Message.Text")]
    [InlineData("message text")]
    [InlineData("a-purpose-name-that-goes-on-far-longer-than-sixty-four-characters-x")]
    public async Task Malformed_purpose_is_refused(string purpose)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _host.Crypto.SealAsync(_tenant, purpose, _record, Text).AsTask());
    }

    [Fact]
    public async Task Span_overloads_seal_into_a_caller_buffer()
    {
        using var lease = await _host.Crypto.LeaseKeysAsync(_tenant);
        var envelope = new byte[FieldEnvelope.SealedLength(Text.Length) + 10];
        var plaintext = new byte[Text.Length];

        var written = lease.Seal(Purpose, _record, Text, envelope);
        var opened = lease.Open(Purpose, _record, envelope.AsSpan(0, written), plaintext);

        Assert.Equal(FieldEnvelope.SealedLength(Text.Length), written);
        Assert.Equal(Text.Length, opened);
        Assert.Equal(Text, plaintext);
    }

    [Fact]
    public async Task Reseal_moves_an_envelope_to_the_current_key_version()
    {
        var envelope = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        await _host.Keys.RotateDataKeyAsync(_tenant);

        var resealed = await _host.Crypto.ResealAsync(_tenant, Purpose, _record, envelope);

        Assert.Equal(2, FieldEnvelope.ReadKeyVersion(resealed));
        Assert.Equal(Text, await _host.Crypto.OpenAsync(_tenant, Purpose, _record, resealed));
    }
}
