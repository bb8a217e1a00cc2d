using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Contacto.Crypto;
using Contacto.Storage;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Console;

/// <summary>
/// The console's data protection key ring (antiforgery tokens) lives in the database, so every
/// node of a cluster accepts the others' tokens. Each key's XML is sealed by the key service with
/// the platform's own data protection key before it is stored, so the table holds no key in clear.
/// </summary>
internal static class ConsoleKeyRing
{
    public const string Purpose = "console.data_protection_key";

    /// <summary>Sealed elements carry no record of their own: the key ring's owner stands in as the bound record id.</summary>
    static readonly Guid RecordId = PlatformKeyOwners.DataProtection;

    /// <summary>
    /// The repository resolves a context from a scope of the provider it is given; the application's
    /// scoped context is bound to the calling account, so the key ring gets a provider of its own
    /// that hands out system contexts.
    /// </summary>
    public static IServiceProvider ContextProvider(ContactoDbContextFactory contexts) =>
        new ServiceCollection().AddScoped(_ => contexts.CreateDbContext()).BuildServiceProvider();

    // Data protection calls these synchronously; the key service is asynchronous. Key ring loads and
    // key creation are rare and run on no synchronisation context, so blocking here is safe.
    internal static XElement Seal(ITenantCrypto crypto, XElement element)
    {
        var plaintext = Encoding.UTF8.GetBytes(element.ToString(SaveOptions.DisableFormatting));
        try
        {
            var envelope = crypto.SealAsync(PlatformKeyOwners.DataProtection, Purpose, RecordId, plaintext).AsTask().GetAwaiter().GetResult();
            return new XElement("sealedKey", Convert.ToBase64String(envelope));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    internal static XElement Open(ITenantCrypto crypto, XElement sealedElement)
    {
        var plaintext = crypto.OpenAsync(PlatformKeyOwners.DataProtection, Purpose, RecordId, Convert.FromBase64String(sealedElement.Value)).AsTask().GetAwaiter().GetResult();
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}

/// <summary>Seals each new data protection key with the key service before it is stored.</summary>
internal sealed class SealingXmlEncryptor(ITenantCrypto crypto) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
        new(ConsoleKeyRing.Seal(crypto, plaintextElement), typeof(SealingXmlDecryptor));
}

/// <summary>Opens a sealed key; data protection creates it by type name with the application's services.</summary>
internal sealed class SealingXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) =>
        ConsoleKeyRing.Open(services.GetRequiredService<ITenantCrypto>(), encryptedElement);
}

sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> builder)
    {
        builder.ToTable("data_protection_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.FriendlyName).HasMaxLength(64);
    }
}
