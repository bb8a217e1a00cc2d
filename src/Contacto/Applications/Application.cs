using System.Security.Cryptography;
using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Applications;

/// <summary>
/// An application: where Contacto sends what arrives for the numbers linked to it (inbound
/// messages to <see cref="MessageUrl"/>; calls to the voice URLs once voice lands). Every URL
/// passed the outbound URL policy when saved, and passes it again at each send.
/// </summary>
public sealed class Application : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }

    /// <summary>Plivo's form: a 17-digit number, as a string.</summary>
    public string AppId { get; set; } = "";
    public string AppName { get; set; } = "";
    public Guid? SubaccountId { get; set; }
    public string? AnswerUrl { get; set; }
    public string AnswerMethod { get; set; } = "POST";
    public string? HangupUrl { get; set; }
    public string HangupMethod { get; set; } = "POST";
    public string? FallbackAnswerUrl { get; set; }
    public string FallbackMethod { get; set; } = "POST";
    public string? MessageUrl { get; set; }
    public string MessageMethod { get; set; } = "POST";
    public bool LogIncomingMessages { get; set; } = true;
    public bool DefaultNumberApp { get; set; }
    public bool DefaultEndpointApp { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ModifiedAt { get; set; }

    public static string NewAppId() => RandomNumberGenerator.GetString("0123456789", 17).TrimStart('0').PadLeft(17, '1');
}

sealed class ApplicationConfiguration : IEntityTypeConfiguration<Application>
{
    public void Configure(EntityTypeBuilder<Application> builder)
    {
        builder.ToTable("applications");
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => a.AppId).IsUnique();
        builder.HasIndex(a => new { a.AccountId, a.CreatedAt });
        builder.Property(a => a.AppId).HasMaxLength(17);
        builder.Property(a => a.AppName).HasMaxLength(64);
        foreach (var url in new[] { nameof(Application.AnswerUrl), nameof(Application.HangupUrl), nameof(Application.FallbackAnswerUrl), nameof(Application.MessageUrl) })
            builder.Property(url).HasMaxLength(2048);
        foreach (var method in new[] { nameof(Application.AnswerMethod), nameof(Application.HangupMethod), nameof(Application.FallbackMethod), nameof(Application.MessageMethod) })
            builder.Property(method).HasMaxLength(8);
        builder.Property(a => a.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(a => a.ModifiedAt).HasConversion(UnixMilliseconds.NullableConverter);
    }
}
