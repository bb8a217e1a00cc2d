using Microsoft.Extensions.Options;
using MimeKit;

namespace Contacto.Mail;

internal enum SmtpSecurity
{
    StartTls,
    SslOnConnect,

    /// <summary>Plain SMTP: for a relay on the same host only.</summary>
    None,
}

/// <summary>Section <c>Smtp</c>: the relay every e-mail of the platform goes through (paging, console notices). No host: no e-mail.</summary>
internal sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public string? From { get; set; }
}

/// <summary>Messages name the key and never repeat the password.</summary>
sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions o)
    {
        var errors = new List<string>();
        if (o.Port is < 1 or > 65535)
            errors.Add($"Smtp:Port: must be between 1 and 65535 (got {o.Port})");
        if (o.Host is { Length: > 0 } && (o.From is null || !MailboxAddress.TryParse(o.From, out _)))
            errors.Add("Smtp:From: required with Smtp:Host, a valid e-mail address");
        if (o.UserName is not null && o.Password is null)
            errors.Add("Smtp:Password: required with Smtp:UserName");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
