using System.Globalization;
using Contacto.Accounts;
using Contacto.Audit;
using Contacto.Console.Views;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http;
using RazorSlices;

namespace Contacto.Console;

/// <summary>What every page needs: the signed-in user (null before sign-in) and the form token.</summary>
public sealed record ConsoleFrame(string Csrf, ConsoleUser? User = null);

/// <summary>
/// A console page's model: what the layout needs (frame, title) and the page's own data. Each kind
/// of page names its template in <c>Console/Views</c>, which renders it with every value HTML-encoded.
/// </summary>
public abstract record ConsolePage(ConsoleFrame Frame, string Title)
{
    internal abstract RazorSlice Template();

    /// <summary>A console address the browser goes on to by itself (a refresh, which needs no script), or null.</summary>
    public virtual string? GoOnTo => null;

    /// <summary>The page as the answer, with <paramref name="statusCode"/>.</summary>
    internal IResult Result(int statusCode = StatusCodes.Status200OK)
    {
        var template = Template();
        template.StatusCode = statusCode;
        return template;
    }
}

/// <summary>
/// The base of the console's templates: the shared layout, and the pieces every page reuses
/// (the antiforgery field, the error alert) as partial templates.
/// </summary>
internal abstract class ConsoleSlice<TPage> : RazorSlice<TPage>, IUsesLayout<_Layout, ConsolePage> where TPage : ConsolePage
{
    public ConsolePage LayoutModel => Model;

    /// <summary>The user of a page that only signed-in users reach.</summary>
    protected ConsoleUser SignedIn => Model.Frame.User ?? throw new InvalidOperationException("This page needs a signed-in user");

    /// <summary>The hidden antiforgery field every form carries.</summary>
    protected ValueTask<HtmlString> CsrfField() => RenderPartialAsync(_Csrf.Create(Model.Frame));

    protected ValueTask<HtmlString> ErrorAlert(string? error) =>
        error is null ? ValueTask.FromResult(HtmlString.Empty) : RenderPartialAsync(_Error.Create(error));

    protected static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}

/// <summary>The roles as the console, the CLI and invitations name them.</summary>
public static class ConsoleRoles
{
    public static string Name(ConsoleRole role) => role switch
    {
        ConsoleRole.ReadOnly => "read-only",
        _ => role.ToString().ToLowerInvariant(),
    };

    public static bool TryParse(string? value, out ConsoleRole role)
    {
        foreach (var candidate in Enum.GetValues<ConsoleRole>())
        {
            if (Name(candidate) == value)
            {
                role = candidate;
                return true;
            }
        }
        role = default;
        return false;
    }
}

/// <summary>Signing in again through the account's provider, back to <paramref name="ReturnUrl"/>: how a user without a password proves it is them.</summary>
public sealed record SsoAgain(ConsoleFrame Frame, string AuthId, string ReturnUrl);

/// <summary>A button the script reveals: WebAuthn needs JavaScript; the rest of the console does not.</summary>
public sealed record PasskeyButton(string Id, string Label);

/// <summary>An authenticator key to add: as a QR code, as an <c>otpauth:</c> link, and as text to type.</summary>
public sealed record TotpKey(string Secret, string Email)
{
    public string Uri => $"otpauth://totp/Contacto:{System.Uri.EscapeDataString(Email)}?secret={Secret}&issuer=Contacto&digits=6&period=30";

    /// <summary>In groups of four, easier to read and type; authenticators ignore the spaces.</summary>
    public string Grouped => string.Join(' ', Secret.Chunk(4).Select(group => new string(group)));

    public HtmlString QrCode => new(TotpQrCode.Svg(Uri));
}

/// <summary>A plain table: a heading per column, a text per cell.</summary>
public sealed record DataTable(IReadOnlyList<string> Headings, IEnumerable<IReadOnlyList<string>> Rows);

public sealed record MessagePage(ConsoleFrame Frame, string Title, string Text) : ConsolePage(Frame, Title)
{
    internal override RazorSlice Template() => Views.Message.Create(this);
}

public sealed record SignInPage(ConsoleFrame Frame, string ReturnUrl, string? Error) : ConsolePage(Frame, "Sign in")
{
    internal override RazorSlice Template() => SignIn.Create(this);
}

/// <summary>The account's provider, and the form that starts signing in there.</summary>
public sealed record SsoStartPage(ConsoleFrame Frame, string AuthId, string ReturnUrl, string Issuer) : ConsolePage(Frame, "Single sign-on")
{
    internal override RazorSlice Template() => SsoStart.Create(this);
}

/// <summary>Back from the provider: the browser goes on to finish signing in from this page of the console's own.</summary>
public sealed record SsoReturnPage(ConsoleFrame Frame, string FinishUrl) : ConsolePage(Frame, "Signing you in")
{
    public override string? GoOnTo => FinishUrl;

    internal override RazorSlice Template() => SsoReturn.Create(this);
}

/// <summary>The code step; <paramref name="HasPasskey"/> offers the user's passkey instead.</summary>
public sealed record SecondFactorPage(ConsoleFrame Frame, string ReturnUrl, bool HasPasskey, string? Error) : ConsolePage(Frame, "Second factor")
{
    internal override RazorSlice Template() => SecondFactor.Create(this);
}

public sealed record EnrolPage(ConsoleFrame Frame, string Secret, string Email, string? Error) : ConsolePage(Frame, "Set up your authenticator")
{
    internal override RazorSlice Template() => Enrol.Create(this);
}

/// <summary>A new key for the authenticator; the enrolled one keeps working until a code from this one confirms it.</summary>
public sealed record ReplaceTotpPage(ConsoleFrame Frame, string Secret, string Pending) : ConsolePage(Frame, "Replace your authenticator")
{
    internal override RazorSlice Template() => ReplaceTotp.Create(this);
}

/// <summary>Password and code again; for a user without a password (<paramref name="AuthId"/> names the account), signing in again through the provider.</summary>
public sealed record ReauthenticatePage(ConsoleFrame Frame, string ReturnUrl, bool HasPassword, string AuthId, string? Error) : ConsolePage(Frame, "Confirm it is you")
{
    internal override RazorSlice Template() => Reauthenticate.Create(this);
}

public sealed record SecurityPage(ConsoleFrame Frame, int UnusedRecoveryCodes, IReadOnlyList<ConsolePasskey> Passkeys, bool RecentProof, string? Notice, string? Error)
    : ConsolePage(Frame, "Security")
{
    internal override RazorSlice Template() => Security.Create(this);
}

public sealed record RecoveryCodesPage(ConsoleFrame Frame, IReadOnlyList<string> Codes) : ConsolePage(Frame, "Your recovery codes")
{
    internal override RazorSlice Template() => RecoveryCodes.Create(this);
}

/// <summary>Where an invitation link leads: its script posts the token from after '#'; without script the user pastes it.</summary>
public sealed record OpenInvitationPage(ConsoleFrame Frame) : ConsolePage(Frame, "Join Contacto")
{
    internal override RazorSlice Template() => OpenInvitation.Create(this);
}

/// <summary>How an invitation joins: with a password, through the account's provider too, or through it only.</summary>
public enum JoinSso
{
    None,
    Offered,
    Required,
}

/// <summary>An invitation: a password to choose and, where the account has SSO, joining through its provider instead.</summary>
public sealed record JoinPage(ConsoleFrame Frame, string Token, string Email, JoinSso Sso, string? Error) : ConsolePage(Frame, "Join Contacto")
{
    internal override RazorSlice Template() => Join.Create(this);
}

/// <summary>The account; <paramref name="FreshSignIn"/> when the session proved the user recently (what revealing the token needs of a user without a password).</summary>
public sealed record OverviewPage(ConsoleFrame Frame, Account Account, string Name, string? RevealedToken, bool HasPassword, bool FreshSignIn, string? Error)
    : ConsolePage(Frame, "Account")
{
    internal override RazorSlice Template() => Overview.Create(this);
}

public sealed record SubaccountsPage(ConsoleFrame Frame, IReadOnlyList<(Account Account, string Name)> Subaccounts) : ConsolePage(Frame, "Subaccounts")
{
    internal override RazorSlice Template() => Views.Subaccounts.Create(this);
}

public sealed record UsersPage(ConsoleFrame Frame, IReadOnlyList<ConsoleUser> Users, bool CanManage, string? InvitationLink, string? Error)
    : ConsolePage(Frame, "Users and roles")
{
    internal override RazorSlice Template() => Views.Users.Create(this);
}

public sealed record AuditTrailPage(ConsoleFrame Frame, IReadOnlyList<AuditRecord> Records) : ConsolePage(Frame, "Audit trail")
{
    internal override RazorSlice Template() => Views.AuditTrail.Create(this);
}

/// <summary>The filter form, and the list when the filter was valid (<paramref name="List"/> null otherwise).</summary>
public sealed record MessagesPage(ConsoleFrame Frame, ConsoleMessageLog.Filter? Filter, ConsoleMessageLog.Page? List, string? Error) : ConsolePage(Frame, "Messages")
{
    public static readonly string[] Directions = [Messaging.MessageDirections.Outbound, Messaging.MessageDirections.Inbound];

    IReadOnlyDictionary<string, string> Query => Filter?.Query ?? new Dictionary<string, string>();

    /// <summary>The form's value as the user sent it, to fill the form again.</summary>
    public string Value(string name) => Query.GetValueOrDefault(name, "");

    public bool IsChosen(string name, string choice) => Query.GetValueOrDefault(name) == choice;

    /// <summary>The same filter on another page.</summary>
    public string PageLink(int number) => "/console/messages?" + string.Join("&", Query.Where(p => p.Key != "page")
        .Append(new("page", number.ToString(CultureInfo.InvariantCulture))).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));

    internal override RazorSlice Template() => Messages.Create(this);
}

public sealed record MessageDetailPage(ConsoleFrame Frame, Messaging.OpenedMessage Entry, bool WithText) : ConsolePage(Frame, "Message")
{
    internal override RazorSlice Template() => MessageDetail.Create(this);
}

public sealed record SsoSettingsPage(ConsoleFrame Frame, ConsoleSsoSettings? Settings, string RedirectUri, bool CanEdit, string? Notice, string? Error)
    : ConsolePage(Frame, "Single sign-on")
{
    internal override RazorSlice Template() => SsoSettings.Create(this);
}
