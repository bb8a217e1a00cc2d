using Contacto.Accounts;
using Contacto.Audit;
using Contacto.Auth;
using Contacto.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace Contacto.Console;

/// <summary>
/// What each console page does. Sign-in goes password, then second factor (or its enrolment),
/// each step on a new session. Failures count per source address and per e-mail address in the
/// same throttle as the API: answers to failures slow down, then the source address is locked out
/// for the window; an e-mail address is never locked out, so its owner still signs in from elsewhere.
/// Every sign-in event goes to the audit trail of the user's account; failures and refusals as
/// tallies per source and minute (<see cref="FailedAuthentications"/>).
/// </summary>
internal sealed class ConsolePages(
    ConsoleUsers users,
    ConsoleSessions sessions,
    ConsoleSso sso,
    ConsolePasskeys passkeys,
    ConsoleMessageLog messages,
    FreshRecoveryCodes freshCodes,
    ConsoleNotices notices,
    AuthThrottle throttle,
    FailedAuthentications failures,
    IAuditTrail audit,
    AuditLogReader auditLog,
    IAntiforgery antiforgery,
    AccountFields fields,
    AccountService accounts,
    ContactoDbContextFactory contexts,
    Crypto.ITenantCrypto crypto,
    Webhooks.OutboundUrlPolicy policy,
    TimeProvider time)
{
    const string Json = "application/json; charset=utf-8";
    const string SignInPath = "/console/sign-in";
    const string ReauthenticatePath = "/console/reauthenticate";
    const string SecurityPath = "/console/security";
    const string SsoPath = "/console/sso";
    const string RecoveryCodesPath = "/console/recovery-codes";

    public async Task<IResult> SignInPageAsync(HttpContext c) =>
        await sessions.FindAsync(c, c.RequestAborted) is { Session.Stage: SessionStage.SignedIn, User: var user }
            ? SignedInAlready(c, user)
            : Page(new SignInPage(Frame(c), ConsoleText.SafeReturnUrl(c.Request.Query["return_url"]), null));

    IResult SignedInAlready(HttpContext c, ConsoleUser user) =>
        Page(new MessagePage(Frame(c, user), "Signed in already",
            $"You are signed in as {user.Email}, with your second factor set up. To sign in as someone else, sign out first."));

    public async Task<IResult> SignInAsync(HttpContext c)
    {
        var form = await c.Request.ReadFormAsync(c.RequestAborted);
        var returnUrl = ConsoleText.SafeReturnUrl(form["return_url"]);
        var email = ConsoleText.NormaliseEmail(form["email"]);
        if (await RefusedAsync(c, null) is { } refused)
            return refused;
        var check = await users.CheckPasswordAsync(email ?? "", form["password"].ToString(), c.RequestAborted);
        if (check is not { Valid: true, User: { } user })
        {
            await FailAsync(c, email, check.User, AuditActions.ConsoleSignInFailed, "wrong e-mail address or password");
            return Page(new SignInPage(Frame(c), returnUrl, "Wrong e-mail address or password."), StatusCodes.Status401Unauthorized);
        }
        if (await sso.RequiredForAsync(user.AccountId, c.RequestAborted))
        {
            await audit.RecordAsync(Entry(c, user, AuditActions.ConsoleSignInFailed) with { Outcome = AuditOutcome.Denied, Reason = "the account requires SSO" }, c.RequestAborted);
            return Page(new SignInPage(Frame(c), returnUrl, "Your account signs in with single sign-on only."), StatusCodes.Status403Forbidden);
        }
        return await FirstFactorAcceptedAsync(c, user, AuditActions.ConsolePasswordAccepted, returnUrl);
    }

    /// <summary>Password or provider accepted: a new session that can only take the second factor (or its enrolment).</summary>
    async Task<IResult> FirstFactorAcceptedAsync(HttpContext c, ConsoleUser user, string action, string returnUrl)
    {
        var previous = await sessions.FindAsync(c, c.RequestAborted);
        await sessions.StartAsync(c, user, SessionStage.FirstFactor, previous?.Session, c.RequestAborted);
        await audit.RecordAsync(Entry(c, user, action), c.RequestAborted);
        return Results.Redirect(user.TotpConfirmed ? $"/console/second-factor?return_url={Uri.EscapeDataString(returnUrl)}" : "/console/enrol");
    }

    /// <summary>
    /// The sign-in page's SSO form asks for the account by GET: the answer names the account's
    /// provider and holds the form that starts the flow, the only page whose CSP lets a form lead there.
    /// </summary>
    public async Task<IResult> SsoStartPageAsync(HttpContext c)
    {
        var returnUrl = ConsoleText.SafeReturnUrl(c.Request.Query["return_url"]);
        var authId = c.Request.Query["auth_id"].ToString().Trim();
        if (!Credentials.IsAuthId(authId))
            return Page(new SignInPage(Frame(c), returnUrl, "That is not an Auth ID."), StatusCodes.Status400BadRequest);
        if (await sso.FindAsync(authId, c.RequestAborted) is not { } settings)
            return Page(new SignInPage(Frame(c), returnUrl, "Single sign-on is not set up for that account."), StatusCodes.Status404NotFound);
        if (!await AllowProviderAsync(c, settings))
            return SsoUnavailable(c);
        return Page(new SsoStartPage(Frame(c), authId, returnUrl, settings.Issuer));
    }

    /// <summary>Lets this page's forms lead to the account's provider (CSP form-action); false when the provider cannot be reached or named.</summary>
    async Task<bool> AllowProviderAsync(HttpContext c, ConsoleSsoSettings settings)
    {
        try
        {
            ConsoleEndpoints.AllowFormTarget(c, await sso.FormTargetAsync(settings, c.RequestAborted));
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or SecurityTokenException)
        {
            return false;
        }
    }

    public async Task<IResult> SsoStartAsync(HttpContext c)
    {
        var form = await c.Request.ReadFormAsync(c.RequestAborted);
        var returnUrl = ConsoleText.SafeReturnUrl(form["return_url"]);
        var authId = form["auth_id"].ToString().Trim();
        if (!Credentials.IsAuthId(authId))
            return Page(new SignInPage(Frame(c), returnUrl, "That is not an Auth ID."), StatusCodes.Status400BadRequest);
        return await StartSsoAsync(c, authId, returnUrl, null,
            () => Task.FromResult(Page(new SignInPage(Frame(c), returnUrl, "Single sign-on is not set up for that account."), StatusCodes.Status404NotFound)));
    }

    /// <summary>Sends the browser to the account's provider, or answers <paramref name="notSetUp"/>.</summary>
    async Task<IResult> StartSsoAsync(HttpContext c, string authId, string returnUrl, ConsoleSso.Linking? linking, Func<Task<IResult>> notSetUp)
    {
        try
        {
            return await sso.StartAsync(c, authId, returnUrl, linking, c.RequestAborted) is { } providerUrl ? Results.Redirect(providerUrl) : await notSetUp();
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or SecurityTokenException)
        {
            return SsoUnavailable(c);
        }
    }

    /// <summary>Joining through the provider: the flow carries the invitation, whose user it creates and links on return.</summary>
    public async Task<IResult> JoinWithSsoAsync(HttpContext c)
    {
        var token = (await c.Request.ReadFormAsync(c.RequestAborted))["token"].ToString().Trim();
        if (await users.FindInvitationAsync(token, c.RequestAborted) is not { } invitation
            || await accounts.FindByIdAsync(invitation.AccountId, c.RequestAborted) is not { } account)
            return InvitationGone(c);
        return await StartSsoAsync(c, account.AuthId, ConsoleText.Home, ConsoleSso.Linking.Invitation(invitation.Id), () => Task.FromResult(InvitationGone(c)));
    }

    /// <summary>A signed-in user links their own provider identity, only within the re-authentication window (password and second factor).</summary>
    public Task<IResult> LinkSsoAsync(HttpContext c) => SignedInPageAsync(c, async (session, user) =>
    {
        if (user.SsoSubject is not null)
            return await SsoPageAsync(c, user, null, "Your user is linked to the provider already.", StatusCodes.Status409Conflict);
        if (!sessions.RecentlyReauthenticated(session))
            return Results.Redirect($"{ReauthenticatePath}?return_url={Uri.EscapeDataString(SsoPath)}");
        var account = await AccountOfAsync(user);
        return await StartSsoAsync(c, account.AuthId, SsoPath, ConsoleSso.Linking.Self(user.Id),
            () => SsoPageAsync(c, user, null, "Single sign-on is not set up.", StatusCodes.Status404NotFound));
    });

    /// <summary>
    /// Where the provider sends the browser back. That navigation began on the provider's site, so
    /// the browser sends no SameSite=Strict cookie with it, nor with any redirect it answers: this step
    /// only hands the provider's answer on to <see cref="ConsoleSso.FinishPath"/> from a page of the
    /// console's own, a same-site navigation that carries the session cookie (to link oneself) and
    /// after which the new session's cookie is sent. It reads and sets no cookie itself.
    /// </summary>
    public IResult SsoCallback(HttpContext c)
    {
        var query = c.Request.Query;
        var answer = new[] { "code", "state", "error" }.Where(name => query[name].Count == 1 && query[name].ToString().Length <= 2048)
            .Select(name => $"{name}={Uri.EscapeDataString(query[name].ToString())}");
        return Page(new SsoReturnPage(new ConsoleFrame(""), $"{ConsoleSso.FinishPath}?{string.Join("&", answer)}"));
    }

    public async Task<IResult> SsoFinishAsync(HttpContext c)
    {
        if (await RefusedAsync(c, null) is { } refused)
            return refused;
        ConsoleSso.Outcome outcome;
        try
        {
            var current = await sessions.FindAsync(c, c.RequestAborted);
            var reauthenticated = current is { Session.Stage: SessionStage.SignedIn } signedIn && sessions.RecentlyReauthenticated(signedIn.Session) ? signedIn.User.Id : (Guid?)null;
            outcome = await sso.CompleteAsync(c, reauthenticated, Actor(c, null), c.RequestAborted);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or SecurityTokenException or System.Text.Json.JsonException)
        {
            return SsoUnavailable(c);
        }
        if (outcome.User is not { } user)
        {
            throttle.RecordFailure(c.Connection.RemoteIpAddress, null);
            await audit.RecordAsync(new AuditEntry(outcome.AccountId, Actor(c, null), AuditActions.ConsoleSsoFailed, Outcome: AuditOutcome.Failure, Reason: outcome.Failure),
                c.RequestAborted);
            return Page(new SignInPage(Frame(c), ConsoleText.Home, "Single sign-on did not succeed. Try again, or ask your administrator."), StatusCodes.Status401Unauthorized);
        }
        if (outcome.Joined)
            await UserJoinedAsync(c, user);
        // Linking oneself keeps the session that re-authenticated; any other success is a new sign-in.
        if (!outcome.LinkedSelf)
            return await FirstFactorAcceptedAsync(c, user, AuditActions.ConsoleSsoAccepted, outcome.ReturnUrl);
        notices.ToUser(user, "Your user was linked to the account's single sign-on provider");
        return Results.Redirect(SsoPath);
    }

    /// <summary>Adding a passkey changes the user's factors: only within the re-authentication window (sign-in counts).</summary>
    public Task<IResult> PasskeyRegistrationOptionsAsync(HttpContext c) => SignedInPageAsync(c, async (session, user) =>
        sessions.RecentlyReauthenticated(session)
            ? Results.Text(await passkeys.RegistrationOptionsAsync(c, session, user, c.RequestAborted), Json)
            : ReauthenticationNeeded());

    public Task<IResult> RegisterPasskeyAsync(HttpContext c) => SignedInPageAsync(c, async (session, user) =>
    {
        if (!sessions.RecentlyReauthenticated(session))
            return ReauthenticationNeeded();
        if (await ReadJsonAsync<Fido2NetLib.AuthenticatorAttestationRawResponse>(c) is not { } response
            || !await passkeys.RegisterAsync(c, session, user, response, Actor(c, user), c.RequestAborted))
            return Results.Json(new { error = "the authenticator's answer was refused" }, statusCode: StatusCodes.Status400BadRequest);
        notices.ToUser(user, "A passkey was added");
        return Results.Json(new { registered = true }, statusCode: StatusCodes.Status201Created);
    });

    public Task<IResult> PasskeyAssertionOptionsAsync(HttpContext c) => PendingAsync(c, async (session, user) =>
        await passkeys.AssertionOptionsAsync(c, session, user, c.RequestAborted) is { } options
            ? Results.Text(options, Json)
            : Results.Json(new { error = "no passkey is registered" }, statusCode: StatusCodes.Status404NotFound));

    public Task<IResult> AssertPasskeyAsync(HttpContext c) => PendingAsync(c, async (session, user) =>
    {
        if (await RefusedAsync(c, user) is { } refused)
            return refused;
        if (await ReadJsonAsync<Fido2NetLib.AuthenticatorAssertionRawResponse>(c) is not { } response
            || !await passkeys.AssertAsync(c, session, user, response, c.RequestAborted))
        {
            await FailAsync(c, user.Email, user, AuditActions.ConsoleSecondFactorFailed, "passkey refused");
            return Results.Json(new { error = "the passkey was refused" }, statusCode: StatusCodes.Status401Unauthorized);
        }
        await SignedInAsync(c, user, session, "passkey");
        return Results.Json(new { redirect = ConsoleText.SafeReturnUrl(c.Request.Query["return_url"]) });
    });

    static IResult ReauthenticationNeeded() =>
        Results.Json(new { error = "confirm it is you first (Security page): changing factors needs a fresh proof" }, statusCode: StatusCodes.Status403Forbidden);

    static async Task<T?> ReadJsonAsync<T>(HttpContext c) where T : class
    {
        try
        {
            return await System.Text.Json.JsonSerializer.DeserializeAsync<T>(c.Request.Body, cancellationToken: c.RequestAborted);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    IResult SsoUnavailable(HttpContext c) =>
        Page(new SignInPage(Frame(c), ConsoleText.Home, "The single sign-on provider could not be reached or answered wrongly."), StatusCodes.Status502BadGateway);

    public Task<IResult> SsoSettingsAsync(HttpContext c) => SignedInPageAsync(c, (_, user) => SsoPageAsync(c, user, null, null));

    async Task<IResult> SsoPageAsync(HttpContext c, ConsoleUser user, string? notice, string? error, int status = StatusCodes.Status200OK)
    {
        await audit.RecordAsync(Entry(c, user, AuditActions.ConsoleSsoRead, "console_sso", null), c.RequestAborted);
        var settings = await sso.FindAsync(user.AccountId, c.RequestAborted);
        if (settings is not null && user.SsoSubject is null)
            await AllowProviderAsync(c, settings); // its form links the user's identity at the provider
        return Page(new SsoSettingsPage(Frame(c, user), settings, ConsoleSso.RedirectUri(c), CanChangeSso(user), notice, error), status);
    }

    /// <summary>
    /// Who signs in, and through whom, is the owners' alone, and only with a fresh proof
    /// (re-authentication): an admin or a stolen session cannot repoint sign-in to another provider.
    /// </summary>
    public Task<IResult> SaveSsoSettingsAsync(HttpContext c) => SignedInPageAsync(c, async (session, user) =>
    {
        if (!CanChangeSso(user))
            return Forbidden(c, user);
        if (!sessions.RecentlyReauthenticated(session))
            return Results.Redirect($"{ReauthenticatePath}?return_url={Uri.EscapeDataString(SsoPath)}");
        var form = await c.Request.ReadFormAsync(c.RequestAborted);
        var issuer = form["issuer"].ToString().Trim();
        var clientId = form["client_id"].ToString().Trim();
        var secret = form["client_secret"].ToString();
        var existing = await sso.FindAsync(user.AccountId, c.RequestAborted);
        var error = !Uri.TryCreate(issuer, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps || issuer.Length > ConsoleSsoSettings.MaxIssuerLength
                ? "The issuer must be an https address."
            : clientId.Length is 0 or > 255 ? "Give the client id (at most 255 characters)."
            : secret.Length > 1024 || (secret.Length == 0 && existing is null) ? "Give the client secret."
            : null;
        if (error is null && await policy.ProblemWhenSavedAsync(issuer, c.RequestAborted) is { } refused)
            error = $"The issuer {refused}.";
        if (error is not null)
            return await SsoPageAsync(c, user, null, error, StatusCodes.Status400BadRequest);
        await sso.SaveAsync(user.AccountId, issuer, clientId, secret.Length == 0 ? null : secret, form["required"] == "true", Actor(c, user), c.RequestAborted);
        await notices.ToOwnersAsync(user.AccountId, $"The single sign-on settings of your account were changed by {user.Email}", c.RequestAborted);
        return await SsoPageAsync(c, user, "Saved.", null);
    });

    public Task<IResult> SecondFactorPageAsync(HttpContext c) => PendingAsync(c, async (_, user) =>
        user.TotpConfirmed
            ? Page(new SecondFactorPage(Frame(c), ConsoleText.SafeReturnUrl(c.Request.Query["return_url"]), await HasPasskeyAsync(c, user), null))
            : Results.Redirect("/console/enrol"));

    async Task<bool> HasPasskeyAsync(HttpContext c, ConsoleUser user) => (await passkeys.ListAsync(user, c.RequestAborted)).Count > 0;

    public Task<IResult> SecondFactorAsync(HttpContext c) => PendingAsync(c, async (session, user) =>
    {
        var form = await c.Request.ReadFormAsync(c.RequestAborted);
        var returnUrl = ConsoleText.SafeReturnUrl(form["return_url"]);
        if (await RefusedAsync(c, user) is { } refused)
            return refused;
        if (!await users.CheckSecondFactorAsync(user, form["code"].ToString(), c.RequestAborted))
        {
            await FailAsync(c, user.Email, user, AuditActions.ConsoleSecondFactorFailed, "wrong or used code");
            return Page(new SecondFactorPage(Frame(c), returnUrl, await HasPasskeyAsync(c, user), "That code is wrong or was used already."), StatusCodes.Status401Unauthorized);
        }
        await SignedInAsync(c, user, session, "second factor");
        return Results.Redirect(returnUrl);
    });

    public Task<IResult> EnrolPageAsync(HttpContext c) => PendingAsync(c, async (_, user) =>
        user.TotpConfirmed
            ? Results.Redirect("/console/second-factor")
            : Page(new EnrolPage(Frame(c), await users.PendingTotpSecretAsync(user, c.RequestAborted), user.Email, null)));

    public Task<IResult> EnrolAsync(HttpContext c) => PendingAsync(c, async (session, user) =>
    {
        var form = await c.Request.ReadFormAsync(c.RequestAborted);
        if (await RefusedAsync(c, user) is { } refused)
            return refused;
        var codes = await users.ConfirmTotpAsync(user, form["code"].ToString(), Actor(c, user), c.RequestAborted);
        if (codes is null)
        {
            await FailAsync(c, user.Email, user, AuditActions.ConsoleSecondFactorFailed, "wrong code at enrolment");
            return Page(new EnrolPage(Frame(c), await users.PendingTotpSecretAsync(user, c.RequestAborted), user.Email, "That code is wrong; try the next one."),
                StatusCodes.Status401Unauthorized);
        }
        freshCodes.Keep(c, await SignedInAsync(c, user, session, "TOTP enrolled"), codes);
        notices.ToUser(user, "An authenticator app was set up");
        return Results.Redirect(RecoveryCodesPath);
    });

    /// <summary>Codes just made, shown again on reload for a short while (<see cref="FreshRecoveryCodes"/>).</summary>
    public Task<IResult> RecoveryCodesAsync(HttpContext c) => SignedInPageAsync(c, (session, user) => Task.FromResult(
        freshCodes.Find(c, session) is { } codes
            ? Page(new RecoveryCodesPage(Frame(c, user), codes))
            : Page(new MessagePage(Frame(c, user), "Recovery codes",
                "Your recovery codes are no longer shown. If you did not keep them, make new ones on the Security page."), StatusCodes.Status404NotFound)));

    public Task<IResult> DownloadRecoveryCodesAsync(HttpContext c) => SignedInPageAsync(c, (session, user) => Task.FromResult(
        freshCodes.Find(c, session) is { } codes
            ? Results.File(System.Text.Encoding.UTF8.GetBytes($"Contacto recovery codes for {user.Email}. Each works once.\n\n{string.Join("\n", codes)}\n"),
                "text/plain; charset=utf-8", "contacto-recovery-codes.txt")
            : Results.Redirect(RecoveryCodesPath)));

    /// <summary>
    /// Where an invitation link leads. The link carries its token after '#', which browsers never
    /// send (so no request line, log or proxy sees it): the page's script posts it, and without
    /// script the user pastes it.
    /// </summary>
    public IResult InvitationPage(HttpContext c) => Page(new OpenInvitationPage(Frame(c)));

    /// <summary>
    /// An account with SSO offers joining through its provider; one that requires SSO gives its users
    /// no password: they join only through the provider, then enrol the second factor.
    /// </summary>
    public async Task<IResult> OpenInvitationAsync(HttpContext c)
    {
        var token = (await c.Request.ReadFormAsync(c.RequestAborted))["token"].ToString().Trim();
        if (await users.FindInvitationAsync(token, c.RequestAborted) is not { } invitation)
            return InvitationGone(c);
        return Page(new JoinPage(Frame(c), token, invitation.Email, await JoinSsoOfAsync(invitation.AccountId, c), null));
    }

    /// <summary>How the invitation's account lets users join; a page that offers its provider may send the browser there.</summary>
    async Task<JoinSso> JoinSsoOfAsync(Guid accountId, HttpContext c)
    {
        if (await sso.FindAsync(accountId, c.RequestAborted) is not { } settings)
            return JoinSso.None;
        await AllowProviderAsync(c, settings);
        return settings.Required ? JoinSso.Required : JoinSso.Offered;
    }

    public async Task<IResult> JoinAsync(HttpContext c)
    {
        var form = await c.Request.ReadFormAsync(c.RequestAborted);
        var token = form["token"].ToString();
        var invitation = await users.FindInvitationAsync(token, c.RequestAborted);
        if (invitation is null)
            return InvitationGone(c);
        var joinSso = await JoinSsoOfAsync(invitation.AccountId, c);
        if (joinSso == JoinSso.Required)
            return Page(new JoinPage(Frame(c), token, invitation.Email, joinSso, "This account signs in with single sign-on only: join through your provider."),
                StatusCodes.Status400BadRequest);
        var password = form["password"].ToString();
        var error = password.Length < ConsoleText.MinPasswordLength ? $"The password needs {ConsoleText.MinPasswordLength} characters or more."
            : password.Length > ConsoleText.MaxPasswordLength ? $"The password can have at most {ConsoleText.MaxPasswordLength} characters."
            : password != form["confirm"].ToString() ? "The two passwords differ."
            : null;
        if (error is not null)
            return Page(new JoinPage(Frame(c), token, invitation.Email, joinSso, error), StatusCodes.Status400BadRequest);
        // The invitation and the password just chosen are the first factor: the new user goes on to set up the second.
        if (await users.JoinAsync(token, password, Actor(c, null), c.RequestAborted) is not { } joined)
            return InvitationGone(c);
        await UserJoinedAsync(c, joined);
        return await FirstFactorAcceptedAsync(c, joined, AuditActions.ConsolePasswordAccepted, ConsoleText.Home);
    }

    Task UserJoinedAsync(HttpContext c, ConsoleUser joined) =>
        notices.ToOwnersAsync(joined.AccountId, $"A user joined your account: {joined.Email}, as {ConsoleRoles.Name(joined.Role)}", c.RequestAborted);

    public Task<IResult> OverviewAsync(HttpContext c) => SignedInPageAsync(c, (session, user) => OverviewPageAsync(c, session, user, null, null));

    public Task<IResult> RevealTokenAsync(HttpContext c) => SignedInPageAsync(c, async (session, user) =>
    {
        if (user.Role is ConsoleRole.Billing or ConsoleRole.ReadOnly)
            return Forbidden(c, user);
        if (!users.HasPassword(user))
        {
            // Without a password, the proof is a fresh sign-in through the provider and the second factor.
            if (!sessions.RecentlyReauthenticated(session))
                return await OverviewPageAsync(c, session, user, null, "Sign in again through your provider first.", StatusCodes.Status401Unauthorized);
        }
        else if (await ReauthenticateAsync(c, session, user, await c.Request.ReadFormAsync(c.RequestAborted),
                     () => OverviewPageAsync(c, session, user, null, "Wrong password or code.", StatusCodes.Status401Unauthorized)) is { } failed)
            return failed;
        var account = await AccountOfAsync(user);
        await audit.RecordAsync(Entry(c, user, AuditActions.AccountTokenRevealed, "account", account.AuthId), c.RequestAborted);
        return await OverviewPageAsync(c, session, user, await accounts.RevealTokenAsync(account, c.RequestAborted), null);
    });

    /// <summary>
    /// Password and a second factor again: the session may then reveal the Auth Token or change
    /// factors for <see cref="ConsoleOptions.ReauthenticationWindow"/>. Null on success, else the answer.
    /// </summary>
    async Task<IResult?> ReauthenticateAsync(HttpContext c, ConsoleSession session, ConsoleUser user, IFormCollection form, Func<Task<IResult>> wrong)
    {
        if (await RefusedAsync(c, user) is { } refused)
            return refused;
        if (!users.CheckPassword(user, form["password"].ToString()) || !await users.CheckSecondFactorAsync(user, form["code"].ToString(), c.RequestAborted))
        {
            await FailAsync(c, user.Email, user, AuditActions.ConsoleReauthenticated, "wrong password or code");
            return await wrong();
        }
        await sessions.MarkReauthenticatedAsync(session, c.RequestAborted);
        await audit.RecordAsync(Entry(c, user, AuditActions.ConsoleReauthenticated), c.RequestAborted);
        return null;
    }

    public Task<IResult> ReauthenticationPageAsync(HttpContext c) => SignedInPageAsync(c, async (_, user) =>
    {
        var account = await AccountOfAsync(user);
        await AllowSignInAgainAsync(c, user);
        return Page(new ReauthenticatePage(Frame(c, user), ConsoleText.SafeReturnUrl(c.Request.Query["return_url"]), users.HasPassword(user), account.AuthId, null));
    });

    /// <summary>A user without a password proves it is them by signing in again through the provider: the page's form may lead there.</summary>
    async Task AllowSignInAgainAsync(HttpContext c, ConsoleUser user)
    {
        if (!users.HasPassword(user) && await sso.FindAsync(user.AccountId, c.RequestAborted) is { } settings)
            await AllowProviderAsync(c, settings);
    }

    public Task<IResult> ReauthenticateAsync(HttpContext c) => SignedInPageAsync(c, async (session, user) =>
    {
        var form = await c.Request.ReadFormAsync(c.RequestAborted);
        var returnUrl = ConsoleText.SafeReturnUrl(form["return_url"]);
        return await ReauthenticateAsync(c, session, user, form, () =>
                   Task.FromResult(Page(new ReauthenticatePage(Frame(c, user), returnUrl, HasPassword: true, "", "Wrong password or code."), StatusCodes.Status401Unauthorized)))
               ?? Results.Redirect(returnUrl);
    });

    public Task<IResult> SecurityAsync(HttpContext c) => SignedInPageAsync(c, (session, user) => SecurityPageAsync(c, session, user, null, null));

    async Task<IResult> SecurityPageAsync(HttpContext c, ConsoleSession session, ConsoleUser user, string? notice, string? error, int status = StatusCodes.Status200OK) =>
        Page(new SecurityPage(Frame(c, user), await users.UnusedRecoveryCodesAsync(user, c.RequestAborted), await passkeys.ListAsync(user, c.RequestAborted),
            sessions.RecentlyReauthenticated(session), notice, error), status);

    /// <summary>Changing factors needs a recent proof: without one, the user proves it first and comes back to the Security page.</summary>
    Task<IResult> FactorChangeAsync(HttpContext c, Func<ConsoleSession, ConsoleUser, Task<IResult>> change) => SignedInPageAsync(c, (session, user) =>
        sessions.RecentlyReauthenticated(session)
            ? change(session, user)
            : Task.FromResult(Results.Redirect($"{ReauthenticatePath}?return_url={Uri.EscapeDataString(SecurityPath)}")));

    public Task<IResult> NewTotpAsync(HttpContext c) => FactorChangeAsync(c, async (session, user) =>
    {
        var (secret, pending) = await users.NewTotpSecretAsync(user, session, c.RequestAborted);
        return Page(new ReplaceTotpPage(Frame(c, user), secret, pending));
    });

    public Task<IResult> ReplaceTotpAsync(HttpContext c) => FactorChangeAsync(c, async (session, user) =>
    {
        var form = await c.Request.ReadFormAsync(c.RequestAborted);
        if (!await users.ReplaceTotpAsync(user, session, form["pending"].ToString(), form["code"].ToString(), Actor(c, user), c.RequestAborted))
            return await SecurityPageAsync(c, session, user, null, "That code did not match the new key; nothing changed. Start again.", StatusCodes.Status400BadRequest);
        notices.ToUser(user, "Your authenticator app was replaced");
        return await SecurityPageAsync(c, session, user, "Your authenticator was replaced: the old key no longer works, and your other sessions were signed out.", null);
    });

    public Task<IResult> NewRecoveryCodesAsync(HttpContext c) => FactorChangeAsync(c, async (session, user) =>
    {
        freshCodes.Keep(c, session, await users.RegenerateRecoveryCodesAsync(user, session, Actor(c, user), c.RequestAborted));
        notices.ToUser(user, "New recovery codes were made (the old ones no longer work)");
        return Results.Redirect(RecoveryCodesPath);
    });

    public Task<IResult> RemovePasskeyAsync(HttpContext c, Guid id) => FactorChangeAsync(c, async (session, user) =>
        await passkeys.RemoveAsync(user, session, id, Actor(c, user), c.RequestAborted) switch
        {
            ConsolePasskeys.Removal.Removed => await PasskeyRemovedAsync(c, session, user),
            ConsolePasskeys.Removal.LastFactor => await SecurityPageAsync(c, session, user, null,
                "This passkey is your only second factor: set up an authenticator app first.", StatusCodes.Status409Conflict),
            _ => Page(new MessagePage(Frame(c, user), "Not found", "You have no such passkey."), StatusCodes.Status404NotFound),
        });

    async Task<IResult> PasskeyRemovedAsync(HttpContext c, ConsoleSession session, ConsoleUser user)
    {
        notices.ToUser(user, "A passkey was removed");
        return await SecurityPageAsync(c, session, user, "The passkey was removed, and your other sessions were signed out.", null);
    }

    async Task<IResult> OverviewPageAsync(HttpContext c, ConsoleSession session, ConsoleUser user, string? token, string? error, int status = StatusCodes.Status200OK)
    {
        var account = await AccountOfAsync(user);
        await audit.RecordAsync(Entry(c, user, AuditActions.AccountRead, "account", account.AuthId), c.RequestAborted);
        var name = await fields.OpenAsync(account.Id, AccountFields.NamePurpose, account.NameSealed, c.RequestAborted);
        var fresh = sessions.RecentlyReauthenticated(session);
        if (!fresh)
            await AllowSignInAgainAsync(c, user);
        return Page(new OverviewPage(Frame(c, user), account, name, token, users.HasPassword(user), fresh, error), status);
    }

    public Task<IResult> SubaccountsAsync(HttpContext c) => SignedInPageAsync(c, async (_, user) =>
    {
        var (page, _) = await accounts.ListSubaccountsAsync(user.AccountId, 0, 100, c.RequestAborted);
        await audit.RecordAsync(Entry(c, user, AuditActions.SubaccountListed, "account", null), c.RequestAborted);
        var named = new List<(Account, string)>();
        foreach (var sub in page)
            named.Add((sub, await fields.OpenAsync(sub.Id, AccountFields.NamePurpose, sub.NameSealed, c.RequestAborted)));
        return Page(new SubaccountsPage(Frame(c, user), named));
    });

    public Task<IResult> UsersAsync(HttpContext c) => SignedInPageAsync(c, (_, user) => UsersPageAsync(c, user, null, null));

    async Task<IResult> UsersPageAsync(HttpContext c, ConsoleUser user, string? link, string? error, int status = StatusCodes.Status200OK)
    {
        await using var db = contexts.CreateForAccount(user.AccountId);
        var list = await db.Set<ConsoleUser>().AsNoTracking().OrderBy(u => u.CreatedAt).ToListAsync(c.RequestAborted);
        foreach (var listed in list)
            await ConsoleEmails.OpenAsync(crypto, listed, c.RequestAborted);
        await audit.RecordAsync(Entry(c, user, AuditActions.ConsoleUsersListed, "console_user", null), c.RequestAborted);
        return Page(new UsersPage(Frame(c, user), list, CanManageUsers(user), link, error), status);
    }

    public Task<IResult> InviteAsync(HttpContext c) => SignedInPageAsync(c, async (_, user) =>
    {
        if (!CanManageUsers(user))
            return Forbidden(c, user);
        var form = await c.Request.ReadFormAsync(c.RequestAborted);
        var email = ConsoleText.NormaliseEmail(form["email"]);
        if (email is null || !ConsoleRoles.TryParse(form["role"], out var role) || role > user.Role)
            return await UsersPageAsync(c, user, null, "Give an e-mail address and a role no higher than your own.", StatusCodes.Status400BadRequest);
        var account = await AccountOfAsync(user);
        var invitation = await users.InviteAsync(account.AuthId, email, role, Actor(c, user), c.RequestAborted);
        return await UsersPageAsync(c, user, invitation.Link, null);
    });

    public Task<IResult> DisableAsync(HttpContext c, Guid id) => SignedInPageAsync(c, async (_, user) =>
    {
        if (!CanManageUsers(user) || id == user.Id)
            return Forbidden(c, user);
        return await users.DisableAsync(user.AccountId, id, user.Role, Actor(c, user), c.RequestAborted) switch
        {
            ConsoleUsers.Disabling.Disabled => await UserDisabledAsync(c, user, id),
            ConsoleUsers.Disabling.Refused => Forbidden(c, user),
            _ => Page(new MessagePage(Frame(c, user), "Not found", "There is no such user in your account."), StatusCodes.Status404NotFound),
        };
    });

    async Task<IResult> UserDisabledAsync(HttpContext c, ConsoleUser by, Guid disabled)
    {
        await notices.ToOwnersAsync(by.AccountId, $"The user {disabled} of your account was disabled by {by.Email}", c.RequestAborted);
        return Results.Redirect("/console/users");
    }

    public Task<IResult> AuditTrailAsync(HttpContext c) => SignedInPageAsync(c, async (_, user) =>
    {
        await audit.RecordAsync(Entry(c, user, AuditActions.AuditLogRead, "audit_log", null), c.RequestAborted);
        var records = await auditLog.NewestAsync(user.AccountId, 200, c.RequestAborted);
        return Page(new AuditTrailPage(Frame(c, user), records));
    });

    /// <summary>The account's messages, newest first; each list and each detail read is audited like the API's.</summary>
    public Task<IResult> MessagesAsync(HttpContext c) => SignedInPageAsync(c, async (_, user) =>
    {
        var (filter, error) = ConsoleMessageLog.Parse(c.Request.Query);
        if (filter is null)
            return Page(new MessagesPage(Frame(c, user), null, null, error), StatusCodes.Status400BadRequest);
        var withText = ConsoleMessageLog.MaySeeText(user.Role);
        var page = await messages.ListAsync(user.AccountId, filter, withText, c.RequestAborted);
        await audit.RecordAsync(Entry(c, user, AuditActions.MessageListed, "message", null) with { Reason = $"{page.Entries.Count} shown, page {filter.Page}" }, c.RequestAborted);
        return Page(new MessagesPage(Frame(c, user), filter, page, null));
    });

    public Task<IResult> MessageAsync(HttpContext c, Guid id) => SignedInPageAsync(c, async (_, user) =>
    {
        var withText = ConsoleMessageLog.MaySeeText(user.Role);
        if (await messages.FindAsync(user.AccountId, id, withText, c.RequestAborted) is not { } entry)
            return Page(new MessagePage(Frame(c, user), "Not found", "There is no such message in your account."), StatusCodes.Status404NotFound);
        await audit.RecordAsync(Entry(c, user, AuditActions.MessageRead, "message", id.ToString()) with { Reason = withText ? "with text" : "metadata only" }, c.RequestAborted);
        return Page(new MessageDetailPage(Frame(c, user), entry, withText));
    });

    public async Task<IResult> SignOutAsync(HttpContext c, bool everywhere)
    {
        if (await sessions.FindAsync(c, c.RequestAborted) is { } found)
        {
            await sessions.EndAsync(c, found.Session, everywhere, c.RequestAborted);
            FreshRecoveryCodes.Forget(c);
            await audit.RecordAsync(Entry(c, found.User, everywhere ? AuditActions.ConsoleSessionsRevoked : AuditActions.ConsoleSignedOut), c.RequestAborted);
        }
        return Results.Redirect(SignInPath);
    }

    static bool CanManageUsers(ConsoleUser user) => user.Role >= ConsoleRole.Admin;

    static bool CanChangeSso(ConsoleUser user) => user.Role == ConsoleRole.Owner;

    /// <summary>A page for signed-in users; a user between password and code goes back to the code step, and comes here after it.</summary>
    async Task<IResult> SignedInPageAsync(HttpContext c, Func<ConsoleSession, ConsoleUser, Task<IResult>> page)
    {
        var here = Uri.EscapeDataString(c.Request.Path + c.Request.QueryString);
        return await sessions.FindAsync(c, c.RequestAborted) switch
        {
            { Session.Stage: SessionStage.SignedIn } found => await page(found.Session, found.User),
            { Session.Stage: SessionStage.FirstFactor } => Results.Redirect($"/console/second-factor?return_url={here}"),
            _ => Results.Redirect($"{SignInPath}?return_url={here}"),
        };
    }

    /// <summary>For the steps between password and second factor: only a session at that stage may take them; a signed-in user is told so.</summary>
    async Task<IResult> PendingAsync(HttpContext c, Func<ConsoleSession, ConsoleUser, Task<IResult>> step) =>
        await sessions.FindAsync(c, c.RequestAborted) switch
        {
            { Session.Stage: SessionStage.FirstFactor } found => await step(found.Session, found.User),
            { Session.Stage: SessionStage.SignedIn, User: var user } => SignedInAlready(c, user),
            _ => Results.Redirect(SignInPath),
        };

    async Task<ConsoleSession> SignedInAsync(HttpContext c, ConsoleUser user, ConsoleSession pending, string how)
    {
        throttle.RecordSuccess(ThrottleKey(user.Email)!);
        var session = await sessions.StartAsync(c, user, SessionStage.SignedIn, pending, c.RequestAborted);
        await audit.RecordAsync(Entry(c, user, AuditActions.ConsoleSignInSucceeded) with { Reason = how }, c.RequestAborted);
        return session;
    }

    /// <summary>A 429 page while the source address is locked out.</summary>
    async Task<IResult?> RefusedAsync(HttpContext c, ConsoleUser? user)
    {
        if (throttle.RefusedFor(c.Connection.RemoteIpAddress) is not { } wait)
            return null;
        Tally(c, user, AuditActions.ConsoleSignInThrottled, AuditOutcome.Denied, "too many failures");
        c.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Page(new MessagePage(Frame(c), "Too many attempts", $"Sign-in is locked for {(int)Math.Ceiling(wait.TotalMinutes)} minutes after too many failures."),
            StatusCodes.Status429TooManyRequests);
    }

    async Task FailAsync(HttpContext c, string? email, ConsoleUser? user, string action, string reason)
    {
        var delay = throttle.RecordFailure(c.Connection.RemoteIpAddress, ThrottleKey(email));
        Tally(c, user, action, AuditOutcome.Failure, reason);
        if (delay > TimeSpan.Zero)
            await Task.Delay(delay, time, c.RequestAborted);
    }

    /// <summary>Failures and refusals are tallied per source and minute, never appended to the user's chain one by one.</summary>
    void Tally(HttpContext c, ConsoleUser? user, string action, AuditOutcome outcome, string reason) =>
        failures.Add(user?.AccountId, action, Actor(c, user), "console_user", user?.Id.ToString(), outcome, c.Connection.RemoteIpAddress, reason);

    async Task<Account> AccountOfAsync(ConsoleUser user)
    {
        return await accounts.FindByIdAsync(user.AccountId, CancellationToken.None)
               ?? throw new InvalidOperationException("a signed-in console user's account is gone");
    }

    IResult InvitationGone(HttpContext c) =>
        Page(new MessagePage(Frame(c), "Invitation not valid", "This invitation link has expired or was used already. Ask for a new one."), StatusCodes.Status404NotFound);

    IResult Forbidden(HttpContext c, ConsoleUser user) =>
        Page(new MessagePage(Frame(c, user), "Not allowed", "Your role does not allow this."), StatusCodes.Status403Forbidden);

    ConsoleFrame Frame(HttpContext c, ConsoleUser? user = null) => new(antiforgery.GetAndStoreTokens(c).RequestToken!, user);

    static IResult Page(ConsolePage page, int status = StatusCodes.Status200OK) => page.Result(status);

    /// <summary>Sign-in events go to the user's account when the address names one, else to the platform's own trail.</summary>
    static AuditEntry Entry(HttpContext c, ConsoleUser? user, string action, string? resourceType = "console_user", string? resourceId = null) =>
        new(user?.AccountId, Actor(c, user), action, resourceType, resourceId ?? user?.Id.ToString());

    static AuditActor Actor(HttpContext c, ConsoleUser? user) =>
        new(ActorKind.ConsoleUser, user?.Id.ToString(), SourceAddress: AuditText.Address(c.Connection.RemoteIpAddress), UserAgent: UserAgent(c));

    static string? UserAgent(HttpContext c) => AuditText.Clip(c.Request.Headers.UserAgent.ToString(), 256);

    /// <summary>Failures count per e-mail address too; without a valid address, only per source address.</summary>
    static string? ThrottleKey(string? email) => email is { Length: > 0 } ? "console:" + email : null;
}
