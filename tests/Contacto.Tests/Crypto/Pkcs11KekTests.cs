using System.Security.Cryptography;
using System.Text;
using Contacto.Crypto;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Contacto.Tests.Crypto;

// One PKCS#11 module per process at a time: these tests share the token and run one after another.
[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11KekTests(SoftHsmFixture hsm)
{
    private static readonly byte[] Context = "tenant-key-context"u8.ToArray();

    [Fact]
    public void Wraps_and_unwraps_on_the_token_bound_to_the_context()
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        using var kek = Open();

        var wrapped = kek.Wrap(dataKey, Context);
        var unwrapped = new byte[32];
        kek.Unwrap(wrapped.KekVersion, wrapped.Blob, Context, unwrapped);

        Assert.Equal(dataKey, unwrapped);
        Assert.Equal(12 + 32 + 16, wrapped.Blob.Length);
        Assert.ThrowsAny<CryptographicException>(() => kek.Unwrap(wrapped.KekVersion, wrapped.Blob, "another"u8, unwrapped));
        var tampered = (byte[])wrapped.Blob.Clone();
        tampered[20] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => kek.Unwrap(wrapped.KekVersion, tampered, Context, unwrapped));
    }

    [Fact]
    public void Kek_versions_persist_on_the_token_and_old_versions_still_unwrap()
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        WrappedKey before;
        int added;
        using (var kek = Open())
        {
            before = kek.Wrap(dataKey, Context);
            added = kek.AddVersion();
            Assert.Equal(added, kek.Wrap(dataKey, Context).KekVersion);
        }

        using var reopened = Open();
        var unwrapped = new byte[32];
        reopened.Unwrap(before.KekVersion, before.Blob, Context, unwrapped);

        Assert.Equal(added, reopened.CurrentVersion);
        Assert.Equal(before.KekVersion + 1, added);
        Assert.Equal(dataKey, unwrapped);
    }

    [Fact]
    public void Kek_never_leaves_the_token()
    {
        using (Open())
        {
        }
        var factories = new Pkcs11InteropFactories();
        using var library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, SoftHsmFixture.ModulePath, AppType.MultiThreaded);
        var slot = library.GetSlotList(SlotsType.WithTokenPresent).Single(s => s.GetTokenInfo().Label.Trim() == hsm.TokenLabel);
        using var session = slot.OpenSession(SessionType.ReadOnly);
        session.Login(CKU.CKU_USER, hsm.Pin);
        var keys = session.FindAllObjects([factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY)]);

        Assert.NotEmpty(keys);
        foreach (var key in keys)
        {
            var attributes = session.GetAttributeValue(key, [CKA.CKA_EXTRACTABLE, CKA.CKA_SENSITIVE, CKA.CKA_LABEL]);
            Assert.False(attributes[0].GetValueAsBool());
            Assert.True(attributes[1].GetValueAsBool());
            Assert.StartsWith("contacto-kek-v", attributes[2].GetValueAsString());
            Assert.True(session.GetAttributeValue(key, [CKA.CKA_VALUE])[0].CannotBeRead);
        }
        session.Logout();
    }

    [Fact]
    public async Task Tenant_data_sealed_under_the_token_kek_opens_after_a_restart_and_a_kek_rotation()
    {
        using var host = new CryptoTestHost();
        var tenant = Guid.CreateVersion7();
        var record = Guid.CreateVersion7();
        var text = Encoding.UTF8.GetBytes("Recording consent given");
        byte[] envelope;
        using (var kek = Open())
        {
            ITenantCrypto crypto = new TenantCrypto(host.NewService(kek));
            envelope = await crypto.SealAsync(tenant, "message.text", record, text);
            await host.NewService(kek).RotateKekAsync(null, 100, CancellationToken.None);
        }

        using var reopened = Open();
        ITenantCrypto restarted = new TenantCrypto(host.NewService(reopened));

        Assert.Equal(text, await restarted.OpenAsync(tenant, "message.text", record, envelope));
        Assert.All(await host.Store.ListKeysAsync(tenant, CancellationToken.None), k => Assert.Equal(reopened.CurrentVersion, k.KekVersion));
    }

    [Fact]
    public void Wrong_pin_or_token_is_refused_without_echoing_the_pin()
    {
        var wrongPin = Encoding.UTF8.GetBytes("not-the-pin-1234");
        var error = Assert.ThrowsAny<Exception>(() => new Pkcs11Kek(Token(hsm.TokenLabel), wrongPin));
        Assert.DoesNotContain("not-the-pin-1234", error.ToString());

        var missing = Assert.Throws<InvalidOperationException>(() => new Pkcs11Kek(Token("no-such-token"), Encoding.UTF8.GetBytes(hsm.Pin)));
        Assert.Contains("no-such-token", missing.Message);
        var wrongSlot = Assert.Throws<InvalidOperationException>(() => new Pkcs11Kek(Token(hsm.TokenLabel, 424242), Encoding.UTF8.GetBytes(hsm.Pin)));
        Assert.Contains("slot 424242", wrongSlot.Message);
    }

    [Fact]
    public void Token_is_found_by_slot_id_alone()
    {
        var slotId = SlotOfToken();

        using var bySlot = new Pkcs11Kek(Token("", slotId), Encoding.UTF8.GetBytes(hsm.Pin));
        var wrapped = bySlot.Wrap(new byte[32], Context);

        Assert.Equal(bySlot.CurrentVersion, wrapped.KekVersion);
    }

    [Fact]
    public void Signing_key_is_generated_on_the_token_non_extractable_and_kept_across_restarts()
    {
        byte[] publicKey, signature;
        using (var kek = Open())
        {
            var key = kek.SigningKey("test-heads");
            publicKey = key.PublicKey;
            signature = key.Sign("signed head"u8);
        }
        using (var reopened = Open())
        {
            Assert.Equal(publicKey, reopened.SigningKey("test-heads").PublicKey);
        }
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(publicKey, out _);
        Assert.True(verifier.VerifyData("signed head"u8, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.False(verifier.VerifyData("another head"u8, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

        var factories = new Pkcs11InteropFactories();
        using var library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, SoftHsmFixture.ModulePath, AppType.MultiThreaded);
        var slot = library.GetSlotList(SlotsType.WithTokenPresent).Single(s => s.GetTokenInfo().Label.Trim() == hsm.TokenLabel);
        using var session = slot.OpenSession(SessionType.ReadOnly);
        session.Login(CKU.CKU_USER, hsm.Pin);
        var privateKey = Assert.Single(session.FindAllObjects([factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY),
            factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, "contacto-kek-sign-test-heads")]));
        var attributes = session.GetAttributeValue(privateKey, [CKA.CKA_EXTRACTABLE, CKA.CKA_SENSITIVE]);
        Assert.False(attributes[0].GetValueAsBool());
        Assert.True(attributes[1].GetValueAsBool());
        session.Logout();
    }

    private static Pkcs11Options Token(string label, ulong? slotId = null) =>
        new() { ModulePath = SoftHsmFixture.ModulePath, TokenLabel = label, SlotId = slotId };

    private Pkcs11Kek Open() => new(Token(hsm.TokenLabel), Encoding.UTF8.GetBytes(hsm.Pin));

    /// <summary>SoftHSM2 assigns the slot id when the token is initialised, so it is looked up by label.</summary>
    private ulong SlotOfToken()
    {
        var factories = new Pkcs11InteropFactories();
        using var library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, SoftHsmFixture.ModulePath, AppType.MultiThreaded);
        return library.GetSlotList(SlotsType.WithTokenPresent).Single(s => s.GetTokenInfo().Label.Trim() == hsm.TokenLabel).SlotId;
    }
}
