using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Contacto.Accounts;
using Contacto.Audit;

namespace Contacto.Console;

/// <summary>
/// The console's pages, rendered on the server: plain forms that work without JavaScript, every
/// value HTML-encoded, no inline script or style (the CSP forbids them). Each form carries the
/// antiforgery token.
/// </summary>
public static class ConsoleHtml
{
    public const string StylePath = "/console/assets/console.css";
    public const string ScriptPath = "/console/assets/console.js";

    /// <summary>What every page needs: the signed-in user (null before sign-in) and the form token.</summary>
    public sealed record Frame(string Csrf, ConsoleUser? User = null);

    public static string SignIn(Frame frame, string returnUrl, string? error) => Page(frame, "Sign in", $"""
        {Error(error)}<form method="post" action="/console/sign-in">
        {Hidden(frame)}<input type="hidden" name="return_url" value="{E(returnUrl)}">
        <label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" required>
        <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit">Sign in</button>
        </form>
        <h2>Single sign-on</h2>
        <form method="post" action="/console/sso/start">
        {Hidden(frame)}<input type="hidden" name="return_url" value="{E(returnUrl)}">
        <label for="auth-id">Your account's Auth ID</label><input id="auth-id" name="auth_id" autocomplete="organization" required>
        <button type="submit">Sign in with SSO</button>
        </form>
        """);

    public static string SecondFactor(Frame frame, string returnUrl, string? error) => Page(frame, "Second factor", $"""
        {Error(error)}<form method="post" action="/console/second-factor">
        {Hidden(frame)}<input type="hidden" name="return_url" value="{E(returnUrl)}">
        <label for="code">Code from your authenticator app, or a recovery code</label>
        <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
        <button type="submit">Continue</button>
        </form>
        {PasskeyButton("use-passkey", "Use a passkey instead")}
        """);

    public static string Enrol(Frame frame, string secret, string email, string? error) => Page(frame, "Set up your authenticator", $"""
        <p>A second factor is required. Add this key to an authenticator app (TOTP, 6 digits, 30 seconds), then enter the code it shows.</p>
        {TotpKey(secret, email)}
        {Error(error)}<form method="post" action="/console/enrol">
        {Hidden(frame)}<label for="code">Code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
        <button type="submit">Confirm</button>
        </form>
        """);

    /// <summary>A new key for the authenticator; the enrolled one keeps working until a code from this one confirms it.</summary>
    public static string ReplaceTotp(Frame frame, string secret, string pending) => Page(frame, "Replace your authenticator", $"""
        <p>Add this new key to your authenticator app, then enter the code it shows. Until then your current key keeps working.</p>
        {TotpKey(secret, frame.User!.Email)}
        <form method="post" action="/console/security/totp/confirm">
        {Hidden(frame)}<input type="hidden" name="pending" value="{E(pending)}">
        <label for="code">Code from the new key</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
        <button type="submit">Replace</button>
        </form>
        """);

    static string TotpKey(string secret, string email)
    {
        var uri = $"otpauth://totp/Contacto:{Uri.EscapeDataString(email)}?secret={secret}&issuer=Contacto&digits=6&period=30";
        return $"""
            <p>Key: <code id="totp-secret">{E(secret)}</code></p>
            <p>Or open: <a id="totp-uri" href="{E(uri)}">{E(uri)}</a></p>
            """;
    }

    public static string Reauthenticate(Frame frame, string returnUrl, bool hasPassword, string? error) => Page(frame, "Confirm it is you",
        hasPassword ? $"""
        <p>Changing your second factors needs a fresh proof: your password and a code from your authenticator (or a recovery code).</p>
        {Error(error)}<form method="post" action="/console/reauthenticate">
        {Hidden(frame)}<input type="hidden" name="return_url" value="{E(returnUrl)}">
        <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
        <label for="code">Code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
        <button type="submit">Confirm</button>
        </form>
        """ : "<p>You sign in with single sign-on: sign out and sign in again, then come back within a few minutes.</p>");

    public static string Security(Frame frame, int unusedRecoveryCodes, IReadOnlyList<ConsolePasskey> passkeys, bool recentProof, string? notice, string? error)
    {
        var passkeyRows = passkeys.Count == 0 ? "<p>No passkeys. Add one on the Account page.</p>" : $"""
            <table id="passkeys"><thead><tr><th scope="col">Added</th><th scope="col"></th></tr></thead><tbody>{string.Concat(passkeys.Select(p => $"""
            <tr><td>{Instant(p.CreatedAt)}</td><td><form method="post" action="/console/security/passkeys/{p.Id}/remove">{Hidden(frame)}<button type="submit">Remove</button></form></td></tr>
            """))}</tbody></table>
            """;
        return Page(frame, "Security", $"""
            {(notice is null ? "" : $"<p role=\"status\" id=\"notice\">{E(notice)}</p>")}{Error(error)}<p>{(recentProof
                ? "You proved it is you recently: you can change your factors now."
                : "Changing a factor first asks for your password and a code again.")} Every change signs out your other sessions and is in the audit trail.</p>
            <h2>Authenticator app</h2>
            <form method="post" action="/console/security/totp">{Hidden(frame)}<button type="submit">Replace the authenticator</button></form>
            <h2>Recovery codes</h2>
            <p><span id="recovery-unused">{unusedRecoveryCodes}</span> of {ConsoleUsers.RecoveryCodeCount} unused.</p>
            <form method="post" action="/console/security/recovery-codes">{Hidden(frame)}<button type="submit">Make new recovery codes</button></form>
            <h2>Passkeys</h2>
            {passkeyRows}
            """);
    }

    public static string RecoveryCodes(Frame frame, IReadOnlyList<string> codes) => Page(frame, "Your recovery codes", $"""
        <p>Keep these codes somewhere safe. Each signs you in once when you have no authenticator. They are shown only now.</p>
        <ul id="recovery-codes">{string.Concat(codes.Select(c => $"<li><code>{E(c)}</code></li>"))}</ul>
        <p><a href="{ConsoleText.Home}">Continue to the console</a></p>
        """);

    public static string Join(Frame frame, string token, string email, string? error) => Page(frame, "Join Contacto", $"""
        <p>Choose a password for <strong>{E(email)}</strong> ({ConsoleText.MinPasswordLength} characters or more).</p>
        {Error(error)}<form method="post" action="/console/invitations/{E(token)}">
        {Hidden(frame)}<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="{ConsoleText.MinPasswordLength}" required>
        <label for="confirm">Password again</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
        <button type="submit">Join</button>
        </form>
        """);

    public static string JoinWithSso(Frame frame, string token, string email) => Page(frame, "Join Contacto", $"""
        <p>Your account signs in with single sign-on: <strong>{E(email)}</strong> needs no password here. Join, then choose "Sign in with SSO" with your account's Auth ID and set up your second factor.</p>
        <form method="post" action="/console/invitations/{E(token)}">
        {Hidden(frame)}<button type="submit">Join</button>
        </form>
        """);

    public static string Message(Frame frame, string title, string text) => Page(frame, title, $"<p>{E(text)}</p>");

    public static string Overview(Frame frame, Account account, string name, string? revealedToken, string? error) => Page(frame, "Account", $"""
        <dl>
        <dt>Name</dt><dd>{E(name)}</dd>
        <dt>Auth ID</dt><dd><code id="auth-id">{E(account.AuthId)}</code></dd>
        <dt>Auth Token</dt><dd>{(revealedToken is null ? "hidden" : $"<code id=\"auth-token\">{E(revealedToken)}</code>")}</dd>
        <dt>Your user id</dt><dd><code id="user-id">{frame.User!.Id}</code> ({RoleName(frame.User.Role)})</dd>
        </dl>
        <h2>Passkeys</h2>
        <p>A passkey or security key can stand in for the authenticator code. Adding one needs a recent sign-in (or the Auth Token reveal below, or <a href="/console/reauthenticate?return_url=/console/account">confirming it is you</a>). Remove passkeys on the <a href="/console/security">Security</a> page.</p>
        {PasskeyButton("add-passkey", "Add a passkey")}
        {(revealedToken is null ? $"""
        <h2>Reveal the Auth Token</h2>
        <p>Confirm it is you: your password and a code from your authenticator.</p>
        {Error(error)}<form method="post" action="/console/account/token">
        {Hidden(frame)}<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
        <label for="code">Code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
        <button type="submit">Reveal</button>
        </form>
        """ : "")}
        """);

    public static string Subaccounts(Frame frame, IReadOnlyList<(Account Account, string Name)> subaccounts) => Page(frame, "Subaccounts",
        subaccounts.Count == 0 ? "<p>No subaccounts.</p>" : Table(["Name", "Auth ID", "Enabled", "Created"],
            subaccounts.Select(s => new[] { s.Name, s.Account.AuthId, s.Account.Enabled ? "yes" : "no", Instant(s.Account.CreatedAt) })));

    public static string Users(Frame frame, IReadOnlyList<ConsoleUser> users, bool canManage, string? invitationLink, string? error)
    {
        var rows = string.Concat(users.Select(u => $"""
            <tr><td>{E(u.Email)}</td><td><code>{u.Id}</code></td><td>{RoleName(u.Role)}</td><td>{(u.Enabled ? "enabled" : "disabled")}</td>
            <td>{(canManage && u.Enabled && u.Id != frame.User!.Id ? $"""<form method="post" action="/console/users/{u.Id}/disable">{Hidden(frame)}<button type="submit">Disable</button></form>""" : "")}</td></tr>
            """));
        var invite = canManage ? $"""
            <h2>Invite a user</h2>
            {(invitationLink is null ? "" : $"<p>Send this link to the new user; it works once: <code id=\"invitation-link\">{E(invitationLink)}</code></p>")}
            {Error(error)}<form method="post" action="/console/users/invite">
            {Hidden(frame)}<label for="email">E-mail</label><input id="email" name="email" type="email" required>
            <label for="role">Role</label><select id="role" name="role">{string.Concat(Enum.GetValues<ConsoleRole>().Select(r => $"<option value=\"{RoleName(r)}\">{RoleName(r)}</option>"))}</select>
            <button type="submit">Invite</button>
            </form>
            """ : "";
        return Page(frame, "Users and roles", $"""
            <table><thead><tr><th scope="col">E-mail</th><th scope="col">User id</th><th scope="col">Role</th><th scope="col">State</th><th scope="col"></th></tr></thead>
            <tbody>{rows}</tbody></table>
            {invite}
            """);
    }

    public static string AuditTrail(Frame frame, IReadOnlyList<AuditRecord> records) => Page(frame, "Audit trail",
        Table(["When", "Action", "Outcome", "Actor", "Resource", "From"], records.Select(r => new[]
        {
            Instant(r.OccurredAt), r.Action, r.Outcome.ToString(), $"{r.ActorKind} {r.ActorId}", $"{r.ResourceType} {r.ResourceId}", r.SourceAddress ?? "",
        })));

    public static string Messages(Frame frame, ConsoleMessageLog.Filter? filter, ConsoleMessageLog.Page? page, string? error)
    {
        var query = filter?.Query ?? new Dictionary<string, string>();
        string Value(string name) => E(query.GetValueOrDefault(name, ""));
        string Options(string name, IEnumerable<string> choices) => "<option value=\"\">any</option>" + string.Concat(choices.Select(c =>
            $"<option value=\"{E(c)}\"{(query.GetValueOrDefault(name) == c ? " selected" : "")}>{E(c)}</option>"));
        string PageLink(int number, string label)
        {
            var parameters = query.Where(p => p.Key != "page").Append(new("page", number.ToString(CultureInfo.InvariantCulture)));
            return $"<a rel=\"{(label == "Newer" ? "prev" : "next")}\" href=\"/console/messages?{E(string.Join("&", parameters.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}")))}\">{label}</a>";
        }
        var list = page is null ? "" : page.Entries.Count == 0 ? "<p>No messages match.</p>" : $"""
            <table id="messages"><thead><tr><th scope="col">Time</th><th scope="col">Direction</th><th scope="col">State</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Units</th><th scope="col">Error</th></tr></thead>
            <tbody>{string.Concat(page.Entries.Select(e => $"""
            <tr><td><a href="/console/messages/{e.Message.Id}">{Instant(e.Message.CreatedAt)}</a></td><td>{E(e.Message.Direction)}</td><td>{E(e.Message.State)}</td><td>{E(e.From ?? "")}</td><td>{E(e.To ?? "")}</td><td>{e.Message.Units}</td><td>{E(e.Message.ErrorCode ?? "")}</td></tr>
            """))}</tbody></table>
            <nav aria-label="Pages">{(filter!.Page > 1 ? PageLink(filter.Page - 1, "Newer") : "")} {(page.HasMore ? PageLink(filter.Page + 1, "Older") : "")}</nav>
            """;
        return Page(frame, "Messages", $"""
            {Error(error)}<form method="get" action="/console/messages" class="filters">
            <label for="direction">Direction</label><select id="direction" name="direction">{Options("direction", [Messaging.MessageDirections.Outbound, Messaging.MessageDirections.Inbound])}</select>
            <label for="state">State</label><select id="state" name="state">{Options("state", Messaging.MessageStates.All)}</select>
            <label for="from">From day (UTC)</label><input id="from" name="from" type="date" value="{Value("from")}">
            <label for="to">To day (UTC)</label><input id="to" name="to" type="date" value="{Value("to")}">
            <label for="number">Number (sender or destination)</label><input id="number" name="number" type="tel" value="{Value("number")}">
            <button type="submit">Filter</button>
            </form>
            {list}
            """);
    }

    public static string MessageDetail(Frame frame, ConsoleMessageLog.Entry entry, bool withText)
    {
        var m = entry.Message;
        var text = !withText ? "not shown to your role" : entry.Text is null ? "not kept (logging was off)" : $"<span id=\"message-text\">{E(entry.Text)}</span>";
        string Optional(DateTimeOffset? at) => at is { } value ? Instant(value) : "";
        return Page(frame, "Message", $"""
            <dl>
            <dt>Message uuid</dt><dd><code id="message-uuid">{m.Id}</code></dd>
            <dt>Direction</dt><dd>{E(m.Direction)} ({E(m.Type)})</dd>
            <dt>From</dt><dd id="message-from">{E(entry.From ?? "not kept")}</dd>
            <dt>To</dt><dd id="message-to">{E(entry.To ?? "not kept")}</dd>
            <dt>State</dt><dd id="message-state">{E(m.State)}</dd>
            <dt>Error code</dt><dd>{E(m.ErrorCode is null ? "none" : $"{m.ErrorCode} ({Messaging.MessageErrors.Describe(m.ErrorCode)})")}</dd>
            <dt>Units</dt><dd>{m.Units}</dd>
            <dt>Destination country</dt><dd>{E(m.DestinationCountry)}</dd>
            <dt>Carrier</dt><dd>{E(m.Carrier ?? "")}</dd>
            <dt>Created</dt><dd>{Instant(m.CreatedAt)}</dd>
            <dt>Taken by the carrier</dt><dd>{Optional(m.SentAt)}</dd>
            <dt>Last update (receipt)</dt><dd>{Instant(m.UpdatedAt)}</dd>
            <dt>Text</dt><dd>{text}</dd>
            </dl>
            <p><a href="/console/messages">Back to the messages</a></p>
            """);
    }

    public static string SsoSettings(Frame frame, ConsoleSsoSettings? settings, string redirectUri, bool canEdit, string? notice, string? error)
    {
        var current = settings is null ? "<p>Single sign-on is not set up.</p>" : $"""
            <dl>
            <dt>Issuer</dt><dd><code id="sso-issuer">{E(settings.Issuer)}</code></dd>
            <dt>Client id</dt><dd><code>{E(settings.ClientId)}</code></dd>
            <dt>Client secret</dt><dd>stored sealed</dd>
            <dt>Required for every user</dt><dd id="sso-required">{(settings.Required ? "yes" : "no")}</dd>
            </dl>
            """;
        var form = !canEdit ? "" : $"""
            <h2>Connect an OpenID Connect provider</h2>
            {(notice is null ? "" : $"<p role=\"status\">{E(notice)}</p>")}{Error(error)}<form method="post" action="/console/sso">
            {Hidden(frame)}<label for="issuer">Issuer (https)</label><input id="issuer" name="issuer" type="url" value="{E(settings?.Issuer ?? "")}" required>
            <label for="client-id">Client id</label><input id="client-id" name="client_id" value="{E(settings?.ClientId ?? "")}" required>
            <label for="client-secret">Client secret{(settings is null ? "" : " (leave empty to keep)")}</label><input id="client-secret" name="client_secret" type="password" autocomplete="off">
            <label><input name="required" type="checkbox" value="true"{(settings?.Required == true ? " checked" : "")}> Require SSO for every user of the account</label>
            <button type="submit">Save</button>
            </form>
            """;
        return Page(frame, "Single sign-on", $"""
            <p>Register this redirect address with your provider: <code id="sso-redirect">{E(redirectUri)}</code>. After the provider, Contacto still asks for its own second factor.</p>
            {current}{form}
            """);
    }

    public static string RoleName(ConsoleRole role) => role switch
    {
        ConsoleRole.ReadOnly => "read-only",
        _ => role.ToString().ToLowerInvariant(),
    };

    public static bool TryParseRole(string? value, out ConsoleRole role)
    {
        foreach (var candidate in Enum.GetValues<ConsoleRole>())
        {
            if (RoleName(candidate) == value)
            {
                role = candidate;
                return true;
            }
        }
        role = default;
        return false;
    }

    static string Page(Frame frame, string title, string body)
    {
        var html = new StringBuilder();
        html.Append($"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{E(title)} · Contacto console</title>
            <link rel="stylesheet" href="{StylePath}">
            <script src="{ScriptPath}" defer></script>
            <link rel="icon" type="image/svg+xml" href="{Status.StatusPageHtml.IconPath}">
            </head>
            <body>
            <header><p class="brand">Contacto console</p>
            """);
        if (frame.User is { } user)
            html.Append($"""
                <nav aria-label="Console"><a href="/console/account">Account</a> <a href="/console/subaccounts">Subaccounts</a> <a href="/console/messages">Messages</a> <a href="/console/users">Users</a> <a href="/console/sso">SSO</a> <a href="/console/security">Security</a> <a href="/console/audit">Audit trail</a></nav>
                <p class="who">{E(user.Email)}</p>
                <form method="post" action="/console/sign-out">{Hidden(frame)}<button type="submit">Sign out</button></form>
                <form method="post" action="/console/sign-out-everywhere">{Hidden(frame)}<button type="submit">Sign out everywhere</button></form>
                """);
        html.Append($"""
            </header>
            <main><h1>{E(title)}</h1>
            {body}
            </main>
            </body>
            </html>

            """);
        return html.ToString();
    }

    static string Table(string[] headings, IEnumerable<string[]> rows) =>
        $"<table><thead><tr>{string.Concat(headings.Select(h => $"<th scope=\"col\">{E(h)}</th>"))}</tr></thead><tbody>"
        + string.Concat(rows.Select(r => $"<tr>{string.Concat(r.Select(c => $"<td>{E(c)}</td>"))}</tr>")) + "</tbody></table>";

    /// <summary>Shown by the script only: WebAuthn needs JavaScript; the rest of the console does not.</summary>
    static string PasskeyButton(string id, string label) =>
        $"<p><button type=\"button\" id=\"{id}\" hidden>{E(label)}</button></p><p id=\"passkey-status\" role=\"status\"></p>";

    static string Hidden(Frame frame) => $"<input type=\"hidden\" name=\"{ConsoleEndpoints.CsrfField}\" value=\"{E(frame.Csrf)}\">";

    static string Error(string? error) => error is null ? "" : $"<p class=\"error\" role=\"alert\">{E(error)}</p>\n";

    static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    static string E(string value) => HtmlEncoder.Default.Encode(value);
}
