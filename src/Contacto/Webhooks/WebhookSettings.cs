using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Webhooks;

/// <summary>An account's own callback settings; an account without a row has the operator's defaults.</summary>
internal sealed class WebhookSettings : ITenantOwned
{
    public Guid AccountId { get; set; }

    /// <summary>Callbacks in flight at once from this account to one host (scheme, name and port).</summary>
    public int MaxConcurrentPerHost { get; set; }

    public DateTimeOffset ModifiedAt { get; set; }
}

sealed class WebhookSettingsConfiguration : IEntityTypeConfiguration<WebhookSettings>
{
    public void Configure(EntityTypeBuilder<WebhookSettings> builder)
    {
        builder.ToTable("webhook_settings");
        builder.HasKey(s => s.AccountId);
        builder.Property(s => s.ModifiedAt).HasConversion(Contacto.Storage.UnixMilliseconds.Converter);
    }
}
