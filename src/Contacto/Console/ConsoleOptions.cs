using Contacto.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Contacto.Console;

/// <summary>Section <c>Console</c>: the customer console's sessions and invitations.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>
    /// The public address invitation links start with, and whose host is the passkeys' relying party.
    /// Unset, it is the public listener's address (<see cref="PublicListener.Url"/>).
    /// </summary>
    public string PublicUrl { get; set; } = "";

    /// <summary>True when <see cref="PublicUrl"/> was derived from the public listener rather than set.</summary>
    internal bool PublicUrlFromListener { get; set; }


    /// <summary>A session unused this long ends.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A session ends this long after sign-in, however busy.</summary>
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long after a password check the second factor (or enrolment) may follow.</summary>
    public TimeSpan SecondFactorTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Revealing the Auth Token or changing factors needs a re-authentication this recent.</summary>
    public TimeSpan ReauthenticationWindow { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Argon2id memory per hash; lower only in tests.</summary>
    public int PasswordHashMemoryKib { get; set; } = PasswordHasher.DefaultMemoryKib;
}

/// <summary>An unset <see cref="ConsoleOptions.PublicUrl"/> follows the public listener's address.</summary>
sealed class ConsolePublicUrlDefault(IConfiguration configuration) : IPostConfigureOptions<ConsoleOptions>
{
    public void PostConfigure(string? name, ConsoleOptions options)
    {
        if (options.PublicUrl.Length > 0)
            return;
        options.PublicUrl = PublicListener.Url(configuration["Listen:Public"]);
        options.PublicUrlFromListener = true;
    }
}

sealed class ConsoleOptionsValidator : IValidateOptions<ConsoleOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsoleOptions o)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(o.PublicUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
            errors.Add("Console:PublicUrl: must be an absolute https address");
        if (o.IdleTimeout <= TimeSpan.Zero || o.AbsoluteTimeout < o.IdleTimeout)
            errors.Add("Console:AbsoluteTimeout: must be at least Console:IdleTimeout, which must be positive");
        if (o.SecondFactorTimeout <= TimeSpan.Zero || o.ReauthenticationWindow <= TimeSpan.Zero || o.InvitationLifetime <= TimeSpan.Zero)
            errors.Add("Console:SecondFactorTimeout, ReauthenticationWindow and InvitationLifetime: must be positive");
        if (o.PasswordHashMemoryKib < 1024)
            errors.Add("Console:PasswordHashMemoryKib: must be at least 1024");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
