using System.Text;
using Contacto.Crypto;
using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Tests.Crypto;

/// <summary>The key store on each database the platform runs on, through the platform's migrations.</summary>
public sealed class DataKeyStoreTests
{
    private static readonly byte[] Text = Encoding.UTF8.GetBytes("Ticket 4411 is resolved");

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Keys_rotate_rewrap_retire_and_shred(StorageProvider provider)
    {
        using var host = await CryptoTestHost.CreateAsync(provider);
        var tenant = Guid.CreateVersion7();
        var other = Guid.CreateVersion7();
        var record = Guid.CreateVersion7();
        var old = await host.Crypto.SealAsync(tenant, "message.text", record, Text);
        var untouched = await host.Crypto.SealAsync(other, "message.text", record, Text);

        await host.Keys.RotateDataKeyAsync(tenant);
        var resealed = await host.Crypto.ResealAsync(tenant, "message.text", record, old);
        await host.Keys.RetireDataKeyAsync(tenant, 1);
        await host.Keys.RotateKekAsync(null, 2, CancellationToken.None);
        ITenantCrypto restarted = new TenantCrypto(host.NewService(host.OpenKeyring()));

        Assert.Equal(Text, await restarted.OpenAsync(tenant, "message.text", record, resealed));
        Assert.Equal(KeyUnavailableReason.Retired, (await Assert.ThrowsAsync<TenantKeyUnavailableException>(
            () => restarted.OpenAsync(tenant, "message.text", record, old).AsTask())).Reason);
        Assert.All(await host.Keys.ListKeysAsync(tenant), k => Assert.Equal(2, k.KekVersion));

        await host.Keys.ScheduleShreddingAsync(tenant, TimeSpan.FromDays(1));
        host.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await host.Keys.ShredDueAsync());
        Assert.Equal(0, await host.Keys.ShredDueAsync());

        Assert.Empty(await host.Keys.ListKeysAsync(tenant));
        Assert.NotNull((await host.Store.GetShreddingAsync(tenant, CancellationToken.None))?.DestroyedAt);
        Assert.Equal(KeyUnavailableReason.Destroyed, (await Assert.ThrowsAsync<TenantKeyUnavailableException>(
            () => restarted.OpenAsync(tenant, "message.text", record, resealed).AsTask())).Reason);
        Assert.Equal(Text, await restarted.OpenAsync(other, "message.text", record, untouched));
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Adding_an_existing_key_version_reports_false_instead_of_overwriting(StorageProvider provider)
    {
        using var host = await CryptoTestHost.CreateAsync(provider);
        var tenant = Guid.CreateVersion7();
        await host.Crypto.SealAsync(tenant, "message.text", Guid.CreateVersion7(), Text);
        var existing = (await host.Keys.ListKeysAsync(tenant))[0];
        var original = existing.WrappedKey;

        var added = await host.Store.TryAddKeyAsync(new TenantKeyRecord
        {
            AccountId = tenant,
            Kind = existing.Kind,
            Version = existing.Version,
            KekVersion = existing.KekVersion,
            WrappedKey = new byte[60],
            State = TenantKeyState.Active,
            CreatedAt = host.Time.GetUtcNow(),
        }, CancellationToken.None);

        Assert.False(added);
        Assert.Equal(original, (await host.Keys.ListKeysAsync(tenant))[0].WrappedKey);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Two_nodes_using_a_new_tenant_at_once_end_up_with_one_key(StorageProvider provider)
    {
        using var host = await CryptoTestHost.CreateAsync(provider);
        var tenant = Guid.CreateVersion7();
        var record = Guid.CreateVersion7();
        ITenantCrypto first = new TenantCrypto(host.NewService());
        ITenantCrypto second = new TenantCrypto(host.NewService());

        var sealedBoth = await Task.WhenAll(
            first.SealAsync(tenant, "message.text", record, Text).AsTask(),
            second.SealAsync(tenant, "message.text", record, Text).AsTask());

        Assert.Equal(2, (await host.Keys.ListKeysAsync(tenant)).Count);
        Assert.Equal(Text, await first.OpenAsync(tenant, "message.text", record, sealedBoth[1]));
        Assert.Equal(Text, await second.OpenAsync(tenant, "message.text", record, sealedBoth[0]));
    }
}
