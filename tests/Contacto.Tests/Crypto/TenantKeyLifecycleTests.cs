using System.Text;
using Contacto.Crypto;

namespace Contacto.Tests.Crypto;

public sealed class TenantKeyLifecycleTests : IDisposable
{
    private const string Purpose = "message.text";
    private static readonly byte[] Text = Encoding.UTF8.GetBytes("Meet at 10");

    private readonly CryptoTestHost _host = new();
    private readonly Guid _tenant = Guid.CreateVersion7();
    private readonly Guid _record = Guid.CreateVersion7();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task First_use_stores_wrapped_encryption_and_index_keys_under_the_current_kek()
    {
        await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        var keys = await _host.Keys.ListKeysAsync(_tenant);
        Assert.Equal([TenantKeyKind.Encryption, TenantKeyKind.BlindIndex], keys.Select(k => k.Kind));
        Assert.All(keys, k =>
        {
            Assert.Equal(1, k.Version);
            Assert.Equal(_host.Kek.CurrentVersion, k.KekVersion);
            Assert.Equal(12 + 32 + 16, k.WrappedKey.Length);
        });
        Assert.NotEqual(keys[0].WrappedKey, keys[1].WrappedKey);
    }

    [Fact]
    public async Task Data_survives_a_restart()
    {
        var envelope = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        ITenantCrypto restarted = new TenantCrypto(_host.NewService(_host.OpenKeyring()));

        Assert.Equal(Text, await restarted.OpenAsync(_tenant, Purpose, _record, envelope));
    }

    [Fact]
    public async Task Wrapped_key_moved_to_another_tenant_does_not_unwrap()
    {
        var victim = Guid.CreateVersion7();
        await _host.Crypto.SealAsync(victim, Purpose, _record, Text);
        await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        var stolen = (await _host.Keys.ListKeysAsync(victim))[0];
        var own = (await _host.Keys.ListKeysAsync(_tenant))[0];
        own.WrappedKey = stolen.WrappedKey;
        own.KekVersion = stolen.KekVersion;
        await _host.Store.UpdateKeyAsync(own, CancellationToken.None);

        ITenantCrypto fresh = new TenantCrypto(_host.NewService());

        await Assert.ThrowsAnyAsync<System.Security.Cryptography.CryptographicException>(
            () => fresh.SealAsync(_tenant, Purpose, _record, Text).AsTask());
    }

    [Fact]
    public async Task Cached_keys_are_wiped_when_they_expire()
    {
        (await _host.Crypto.LeaseKeysAsync(_tenant)).Dispose();
        Assert.True(_host.Service.TryGetCached(_tenant, out var cached));
        var keys = cached.AllKeys.ToList();

        _host.Time.Advance(CryptoTestHost.CacheDuration * 1.25);

        Assert.False(_host.Service.TryGetCached(_tenant, out _));
        Assert.All(keys, k => Assert.True(k.IsWiped));
    }

    [Fact]
    public async Task Keys_in_use_are_wiped_only_when_the_last_lease_ends()
    {
        var lease = await _host.Crypto.LeaseKeysAsync(_tenant);
        _host.Service.TryGetCached(_tenant, out var cached);
        var keys = cached!.AllKeys.ToList();

        _host.Time.Advance(CryptoTestHost.CacheDuration * 2);
        var envelope = lease.Seal(Purpose, _record, Text);

        Assert.All(keys, k => Assert.False(k.IsWiped));
        lease.Dispose();
        Assert.All(keys, k => Assert.True(k.IsWiped));
        Assert.Equal(Text, await _host.Crypto.OpenAsync(_tenant, Purpose, _record, envelope));
    }

    [Fact]
    public async Task Keys_are_unwrapped_once_while_cached()
    {
        await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        _host.Time.Advance(CryptoTestHost.CacheDuration + TimeSpan.FromSeconds(1));
        await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        Assert.Equal(2, _host.Audit.Events.Count(e => e.Operation == KeyOperation.DataKeyLoaded && e.AccountId == _tenant));
    }

    [Fact]
    public async Task Rotation_seals_new_data_with_the_new_version_and_still_opens_old_data()
    {
        var old = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        Assert.Equal(2, await _host.Keys.RotateDataKeyAsync(_tenant));
        var fresh = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        Assert.Equal(2, FieldEnvelope.ReadKeyVersion(fresh));
        Assert.Equal(Text, await _host.Crypto.OpenAsync(_tenant, Purpose, _record, old));
        Assert.Equal(Text, await _host.Crypto.OpenAsync(_tenant, Purpose, _record, fresh));
    }

    [Fact]
    public async Task Retired_version_refuses_to_decrypt_with_a_clear_error()
    {
        var old = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        await _host.Keys.RotateDataKeyAsync(_tenant);

        await _host.Keys.RetireDataKeyAsync(_tenant, 1);

        var error = await Assert.ThrowsAsync<TenantKeyUnavailableException>(() => _host.Crypto.OpenAsync(_tenant, Purpose, _record, old).AsTask());
        Assert.Equal(KeyUnavailableReason.Retired, error.Reason);
        Assert.Contains("retired", error.Message);
        Assert.Equal(TenantKeyState.Retired, (await _host.Keys.ListKeysAsync(_tenant)).Single(k => k is { Kind: TenantKeyKind.Encryption, Version: 1 }).State);
    }

    [Fact]
    public async Task Current_version_cannot_be_retired()
    {
        await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _host.Keys.RetireDataKeyAsync(_tenant, 1));
    }

    [Fact]
    public async Task Kek_rotation_rewraps_every_key_in_batches_and_reports_progress()
    {
        var tenants = Enumerable.Range(0, 5).Select(_ => Guid.CreateVersion7()).ToList();
        var envelopes = new List<byte[]>();
        foreach (var tenant in tenants)
        {
            envelopes.Add(await _host.Crypto.SealAsync(tenant, Purpose, _record, Text));
        }
        var reports = new List<RewrapProgress>();

        var kekVersion = await _host.Keys.RotateKekAsync(new SynchronousProgress<RewrapProgress>(reports.Add), batchSize: 3);

        Assert.Equal(2, kekVersion);
        Assert.Equal(new RewrapProgress(0, 10), reports[0]);
        Assert.Equal(new RewrapProgress(10, 10), reports[^1]);
        Assert.True(reports.Count >= 4, "ten keys in batches of three take four batches");
        foreach (var tenant in tenants)
        {
            Assert.All(await _host.Keys.ListKeysAsync(tenant), k => Assert.Equal(2, k.KekVersion));
        }
        ITenantCrypto restarted = new TenantCrypto(_host.NewService(_host.OpenKeyring()));
        for (var i = 0; i < tenants.Count; i++)
        {
            Assert.Equal(Text, await restarted.OpenAsync(tenants[i], Purpose, _record, envelopes[i]));
        }
        Assert.Equal(10, _host.Audit.Events.Count(e => e.Operation == KeyOperation.DataKeyRewrapped));
    }

    [Fact]
    public async Task Shredding_waits_then_destroys_and_data_no_longer_opens()
    {
        var envelope = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        var shredding = await _host.Keys.ScheduleShreddingAsync(_tenant);

        Assert.Equal(_host.Time.GetUtcNow() + TimeSpan.FromDays(7), shredding.DestroyAfter);
        var pending = await Assert.ThrowsAsync<TenantKeyUnavailableException>(() => _host.Crypto.SealAsync(_tenant, Purpose, _record, Text).AsTask());
        Assert.Equal(KeyUnavailableReason.ShreddingScheduled, pending.Reason);
        Assert.Equal(Text, await _host.Crypto.OpenAsync(_tenant, Purpose, _record, envelope));

        _host.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await _host.Keys.ShredDueAsync());
        _host.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _host.Keys.ShredDueAsync());

        Assert.Empty(await _host.Keys.ListKeysAsync(_tenant));
        var destroyed = await Assert.ThrowsAsync<TenantKeyUnavailableException>(() => _host.Crypto.OpenAsync(_tenant, Purpose, _record, envelope).AsTask());
        Assert.Equal(KeyUnavailableReason.Destroyed, destroyed.Reason);
        Assert.Contains("destroyed", destroyed.Message);
        await Assert.ThrowsAsync<TenantKeyUnavailableException>(() => _host.Keys.CancelShreddingAsync(_tenant));
        await Assert.ThrowsAsync<TenantKeyUnavailableException>(() => _host.Keys.RotateDataKeyAsync(_tenant));
    }

    [Fact]
    public async Task Shredding_wipes_cached_keys_at_once()
    {
        await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        _host.Service.TryGetCached(_tenant, out var cached);
        var keys = cached!.AllKeys.ToList();

        await _host.Keys.ScheduleShreddingAsync(_tenant, TimeSpan.Zero);
        await _host.Keys.ShredDueAsync();

        Assert.All(keys, k => Assert.True(k.IsWiped));
    }

    [Fact]
    public async Task Cancelled_shredding_never_destroys()
    {
        var envelope = await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        await _host.Keys.ScheduleShreddingAsync(_tenant);

        await _host.Keys.CancelShreddingAsync(_tenant);
        _host.Time.Advance(TimeSpan.FromDays(8));

        Assert.Equal(0, await _host.Keys.ShredDueAsync());
        Assert.Equal(Text, await _host.Crypto.OpenAsync(_tenant, Purpose, _record, envelope));
        await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
    }

    [Fact]
    public async Task Other_tenants_are_untouched_by_a_shredding()
    {
        var other = Guid.CreateVersion7();
        var envelope = await _host.Crypto.SealAsync(other, Purpose, _record, Text);
        await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);

        await _host.Keys.ScheduleShreddingAsync(_tenant, TimeSpan.Zero);
        await _host.Keys.ShredDueAsync();

        Assert.Equal(Text, await _host.Crypto.OpenAsync(other, Purpose, _record, envelope));
    }

    [Fact]
    public async Task Every_key_operation_is_audited_in_order()
    {
        await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        await _host.Keys.RotateDataKeyAsync(_tenant);
        await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        await _host.Keys.RetireDataKeyAsync(_tenant, 1);
        await _host.Keys.ScheduleShreddingAsync(_tenant);
        await _host.Keys.CancelShreddingAsync(_tenant);
        await _host.Keys.ScheduleShreddingAsync(_tenant, TimeSpan.Zero);
        await _host.Keys.ShredDueAsync();

        Assert.Equal(
        [
            KeyOperation.DataKeyCreated, KeyOperation.DataKeyCreated, KeyOperation.DataKeyLoaded,
            KeyOperation.DataKeyRotated, KeyOperation.DataKeyLoaded, KeyOperation.DataKeyRetired,
            KeyOperation.ShreddingScheduled, KeyOperation.ShreddingCancelled, KeyOperation.ShreddingScheduled,
            KeyOperation.KeysDestroyed,
        ], _host.Audit.Events.Where(e => e.AccountId == _tenant).Select(e => e.Operation));
        Assert.All(_host.Audit.Events, e => Assert.Equal(_host.Time.GetUtcNow(), e.At));
    }

    [Fact]
    public async Task Key_operations_are_refused_when_the_audit_cannot_record_them()
    {
        await _host.Crypto.SealAsync(_tenant, Purpose, _record, Text);
        _host.Audit.Fail = true;

        await Assert.ThrowsAsync<IOException>(() => _host.Keys.RotateDataKeyAsync(_tenant));
        await Assert.ThrowsAsync<IOException>(() => _host.Keys.ScheduleShreddingAsync(_tenant));

        Assert.Single(await _host.Keys.ListKeysAsync(_tenant), k => k.Kind == TenantKeyKind.Encryption);
        Assert.Null(await _host.Store.GetShreddingAsync(_tenant, CancellationToken.None));
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the test wants reports in order as they happen.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
