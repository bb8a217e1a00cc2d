using System.Threading.Channels;
using Contacto.Mail;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Contacto.Console;

/// <summary>
/// E-mails about changes to sign-in, through the platform's <see cref="Mailer"/> (the one paging
/// uses): to a user when their factors or their SSO identity change, to the account's owners when a
/// user joins or is disabled or the SSO settings change. Sent after the change committed and off the
/// request, from a queue in memory (a notice is lost if the node stops first; the audit trail keeps
/// the change itself), three tries each. A notice names the change and when, never a code, key or
/// link; without an SMTP relay none is sent.
/// </summary>
internal sealed partial class ConsoleNotices(
    Mailer mailer,
    ContactoDbContextFactory contexts,
    Crypto.ITenantCrypto crypto,
    TimeProvider time,
    ILogger<ConsoleNotices> logger) : BackgroundService
{
    const int Attempts = 3;
    static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    sealed record Notice(IReadOnlyList<string> To, string Subject, string Body);

    readonly Channel<Notice> queue = Channel.CreateBounded<Notice>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });

    /// <summary>Tells <paramref name="user"/> (their address opened) that <paramref name="change"/> happened to their console user.</summary>
    public void ToUser(ConsoleUser user, string change) =>
        Enqueue([user.Email], $"Contacto: {change}",
            $"{change} for your Contacto console user {user.Email}, at {Now()}.\n\n" +
            "If this was not you, sign in and check the Security page, or ask an owner of your account to disable your user.\n");

    /// <summary>Tells the enabled owners of the account that <paramref name="change"/> happened.</summary>
    public async Task ToOwnersAsync(Guid accountId, string change, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateForAccount(accountId);
        var owners = await db.Set<ConsoleUser>().AsNoTracking().Where(u => u.Role == ConsoleRole.Owner && u.Enabled).ToListAsync(cancellationToken);
        var to = new List<string>();
        foreach (var owner in owners)
            to.Add((await ConsoleEmails.OpenAsync(crypto, owner, cancellationToken)).Email);
        Enqueue(to, $"Contacto: {change}",
            $"{change}, at {Now()}.\n\nYou receive this as an owner of the account. Its audit trail in the console has the details.\n");
    }

    string Now() => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);

    void Enqueue(IReadOnlyList<string> to, string subject, string body)
    {
        if (mailer.Configured && to.Count > 0)
            queue.Writer.TryWrite(new Notice(to, subject, body));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var notice in queue.Reader.ReadAllAsync(stoppingToken))
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await mailer.SendAsync(notice.To, notice.Subject, notice.Body, stoppingToken);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The error's kind only: an SMTP answer may repeat an address.
                    if (attempt == Attempts)
                    {
                        NoticeLost(logger, Attempts, e.GetType().Name);
                        break;
                    }
                    await Task.Delay(RetryAfter, time, stoppingToken);
                }
            }
        }
    }

    [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "A console notice was not sent after {Attempts} attempts ({Error})")]
    static partial void NoticeLost(ILogger logger, int attempts, string error);
}
