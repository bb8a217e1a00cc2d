using Contacto.Numbers;
using Contacto.Crypto;

namespace Contacto.Tests.Crypto;

public sealed class BlindIndexTests : IDisposable
{
    private readonly CryptoTestHost _host = new();
    private readonly Guid _tenant = Guid.CreateVersion7();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Same_value_gives_the_same_index_for_a_tenant_across_restarts_and_key_rotation()
    {
        var before = await _host.Crypto.BlindIndexAsync(_tenant, "message.to", "+14155550100");
        await _host.Keys.RotateDataKeyAsync(_tenant);
        ITenantCrypto restarted = new TenantCrypto(_host.NewService(_host.OpenKeyring()));

        var after = await restarted.BlindIndexAsync(_tenant, "message.to", "+14155550100");

        Assert.Equal(BlindIndex.Size, before.Length);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Index_differs_by_value_tenant_and_purpose()
    {
        var index = await _host.Crypto.BlindIndexAsync(_tenant, "message.to", "+14155550100");

        Assert.NotEqual(index, await _host.Crypto.BlindIndexAsync(_tenant, "message.to", "+14155550101"));
        Assert.NotEqual(index, await _host.Crypto.BlindIndexAsync(Guid.CreateVersion7(), "message.to", "+14155550100"));
        Assert.NotEqual(index, await _host.Crypto.BlindIndexAsync(_tenant, "message.from", "+14155550100"));
    }

    [Fact]
    public async Task Index_key_is_not_the_encryption_key()
    {
        await _host.Crypto.BlindIndexAsync(_tenant, "message.to", "+14155550100");
        _host.Service.TryGetCached(_tenant, out var keys);
        var unwrapped = keys!.AllKeys.Select(k => k.GetType()).ToList();

        Assert.Contains(typeof(DataKey), unwrapped);
        Assert.Contains(typeof(BlindIndexKey), unwrapped);
        var stored = await _host.Keys.ListKeysAsync(_tenant);
        Assert.NotEqual(stored.Single(k => k.Kind == TenantKeyKind.Encryption).WrappedKey, stored.Single(k => k.Kind == TenantKeyKind.BlindIndex).WrappedKey);
    }

    [Theory]
    [InlineData("+14155550100", "+14155550100")]
    [InlineData("14155550100", "+14155550100")]
    [InlineData(" +1 (415) 555-0100 ", "+14155550100")]
    [InlineData("0044 20 7946 0000", "+442079460000")]
    [InlineData("+44.20.7946.0000", "+442079460000")]
    [InlineData("+2904012", "+2904012")]
    public void E164_normalises_the_ways_a_number_is_written(string input, string expected)
    {
        Assert.Equal(expected, E164.Normalize(input));
    }

    [Theory]
    [InlineData("")]
    [InlineData("+0441234567")]
    [InlineData("+123456")]
    [InlineData("+1234567890123456")]
    [InlineData("+1415555O100")]
    [InlineData("+1 415 555 0100 ext 2")]
    public void E164_refuses_what_is_not_a_number_without_echoing_it(string input)
    {
        var error = Assert.Throws<FormatException>(() => E164.Normalize(input));

        Assert.False(E164.TryNormalize(input, out _));
        if (input.Length > 0)
        {
            Assert.DoesNotContain(input, error.Message);
        }
    }
}
