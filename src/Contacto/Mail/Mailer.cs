using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Contacto.Mail;

/// <summary>
/// The platform's one way to send e-mail: plain text over SMTP (MailKit) through the relay of
/// section <c>Smtp</c>, one connection per message. Incident paging and console notices both send
/// through it. Failures are MailKit's exceptions; each caller decides what they mean for a retry.
/// </summary>
internal sealed class Mailer(IOptions<SmtpOptions> options)
{
    /// <summary>Whether a relay is configured at all.</summary>
    public bool Configured => options.Value.Host is { Length: > 0 };

    public async Task SendAsync(IEnumerable<string> to, string subject, string body, CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        var email = new MimeMessage { Subject = subject };
        email.From.Add(MailboxAddress.Parse(smtp.From!));
        foreach (var address in to)
            email.To.Add(MailboxAddress.Parse(address));
        email.Body = new TextPart("plain") { Text = body };

        // Per step (connect, authenticate, send, quit).
        using var client = new SmtpClient { Timeout = (int)TimeSpan.FromSeconds(20).TotalMilliseconds };
        var security = smtp.Security switch
        {
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.None => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(smtp.Host!, smtp.Port, security, cancellationToken);
        if (smtp.UserName is not null)
            await client.AuthenticateAsync(smtp.UserName, smtp.Password!, cancellationToken);
        await client.SendAsync(email, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}
