using System.Security.Cryptography;
using System.Text;
using Contacto.Crypto;
using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Applications;

/// <summary>
/// An application: where Contacto sends what arrives for the numbers linked to it (inbound
/// messages to its message URL; calls to the voice URLs once voice lands). Every URL passed the
/// outbound URL policy when saved, and passes it again at each send. URLs may carry the
/// customer's secrets, so each is sealed with the account's key (purpose
/// <c>application.{field}</c>, the API's field name); see <see cref="Url"/>.
/// </summary>
public sealed class Application : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }

    /// <summary>Plivo's form: a 17-digit number, as a string.</summary>
    public string AppId { get; set; } = "";
    public string AppName { get; set; } = "";
    public Guid? SubaccountId { get; set; }
    public byte[]? AnswerUrlSealed { get; set; }
    public string AnswerMethod { get; set; } = "POST";
    public byte[]? HangupUrlSealed { get; set; }
    public string HangupMethod { get; set; } = "POST";
    public byte[]? FallbackAnswerUrlSealed { get; set; }
    public string FallbackMethod { get; set; } = "POST";
    public byte[]? MessageUrlSealed { get; set; }
    public string MessageMethod { get; set; } = "POST";
    public bool LogIncomingMessages { get; set; } = true;
    public bool DefaultNumberApp { get; set; }
    public bool DefaultEndpointApp { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ModifiedAt { get; set; }

    /// <summary>The URL of an API field (<c>answer_url</c>, <c>hangup_url</c>, <c>fallback_answer_url</c>, <c>message_url</c>), opened with the account's keys.</summary>
    public string? Url(TenantKeyLease keys, string field) =>
        SealedUrl(field) is { } url ? Encoding.UTF8.GetString(keys.Open("application." + field, Id, url)) : null;

    /// <summary>Sets (or, with null, clears) the URL of an API field, sealed with the account's keys.</summary>
    public void SetUrl(TenantKeyLease keys, string field, string? url)
    {
        var sealedUrl = url is null ? null : keys.Seal("application." + field, Id, Encoding.UTF8.GetBytes(url));
        switch (field)
        {
            case "answer_url": AnswerUrlSealed = sealedUrl; break;
            case "hangup_url": HangupUrlSealed = sealedUrl; break;
            case "fallback_answer_url": FallbackAnswerUrlSealed = sealedUrl; break;
            case "message_url": MessageUrlSealed = sealedUrl; break;
            default: throw new ArgumentOutOfRangeException(nameof(field));
        }
    }

    byte[]? SealedUrl(string field) => field switch
    {
        "answer_url" => AnswerUrlSealed,
        "hangup_url" => HangupUrlSealed,
        "fallback_answer_url" => FallbackAnswerUrlSealed,
        "message_url" => MessageUrlSealed,
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

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
        foreach (var method in new[] { nameof(Application.AnswerMethod), nameof(Application.HangupMethod), nameof(Application.FallbackMethod), nameof(Application.MessageMethod) })
            builder.Property(method).HasMaxLength(8);
        builder.Property(a => a.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(a => a.ModifiedAt).HasConversion(UnixMilliseconds.NullableConverter);
    }
}
