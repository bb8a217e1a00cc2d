using Contacto.Platform;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Console;

/// <summary>
/// The customer console on the public plane, under <c>/console</c>. Every response carries a strict
/// CSP and is never cached; every POST must carry the antiforgery token of this browser.
/// </summary>
internal static class ConsoleEndpoints
{
    public const string CsrfField = "__csrf";
    public const string StylePath = "/console/assets/console.css";
    public const string ScriptPath = "/console/assets/console.js";

    const string PageSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>
    /// Lets this response's forms lead to <paramref name="origin"/> as well: only for a page whose form
    /// starts single sign-on, whose answer redirects to the account's provider (form-action governs
    /// that redirect too). Every other page keeps <c>form-action 'self'</c>.
    /// </summary>
    public static void AllowFormTarget(HttpContext context, string origin) =>
        context.Response.Headers.ContentSecurityPolicy = PageSecurityPolicy.Replace("form-action 'self'", $"form-action 'self' {origin}", StringComparison.Ordinal);

    public static IEndpointRouteBuilder MapContactoConsole(this IEndpointRouteBuilder endpoints)
    {
        var console = endpoints.MapGroup("/console").AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = PageSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer"; // no page address names another page's secrets
            headers.CacheControl = "no-store";
            if (HttpMethods.IsPost(context.Request.Method) && !await IsFormAcceptedAsync(context))
                return new MessagePage(new ConsoleFrame(""), "Form refused",
                    "This form expired or came from another site. Go back, reload the page and try again.").Result(StatusCodes.Status400BadRequest);
            return await next(invocation);
        });

        console.MapGet("/", () => Results.Redirect(ConsoleText.Home));
        console.MapGet(StylePath["/console".Length..], () => EmbeddedAsset.Result("Contacto.Console.Assets.console.css", "text/css; charset=utf-8"));
        console.MapGet(ScriptPath["/console".Length..], () => EmbeddedAsset.Result("Contacto.Console.Assets.console.js", "text/javascript; charset=utf-8"));
        console.MapGet("/sign-in", (HttpContext c, ConsolePages p) => p.SignInPageAsync(c));
        console.MapPost("/sign-in", (HttpContext c, ConsolePages p) => p.SignInAsync(c));
        console.MapGet("/second-factor", (HttpContext c, ConsolePages p) => p.SecondFactorPageAsync(c));
        console.MapPost("/second-factor", (HttpContext c, ConsolePages p) => p.SecondFactorAsync(c));
        console.MapGet("/enrol", (HttpContext c, ConsolePages p) => p.EnrolPageAsync(c));
        console.MapPost("/enrol", (HttpContext c, ConsolePages p) => p.EnrolAsync(c));
        console.MapGet("/recovery-codes", (HttpContext c, ConsolePages p) => p.RecoveryCodesAsync(c));
        console.MapGet("/recovery-codes/download", (HttpContext c, ConsolePages p) => p.DownloadRecoveryCodesAsync(c));
        console.MapGet("/invitations", (HttpContext c, ConsolePages p) => p.InvitationPage(c));
        console.MapPost("/invitations", (HttpContext c, ConsolePages p) => p.OpenInvitationAsync(c));
        console.MapPost("/invitations/join", (HttpContext c, ConsolePages p) => p.JoinAsync(c));
        console.MapPost("/invitations/sso", (HttpContext c, ConsolePages p) => p.JoinWithSsoAsync(c));
        console.MapGet("/account", (HttpContext c, ConsolePages p) => p.OverviewAsync(c));
        console.MapPost("/account/token", (HttpContext c, ConsolePages p) => p.RevealTokenAsync(c));
        console.MapGet("/reauthenticate", (HttpContext c, ConsolePages p) => p.ReauthenticationPageAsync(c));
        console.MapPost("/reauthenticate", (HttpContext c, ConsolePages p) => p.ReauthenticateAsync(c));
        console.MapGet("/security", (HttpContext c, ConsolePages p) => p.SecurityAsync(c));
        console.MapPost("/security/totp", (HttpContext c, ConsolePages p) => p.NewTotpAsync(c));
        console.MapPost("/security/totp/confirm", (HttpContext c, ConsolePages p) => p.ReplaceTotpAsync(c));
        console.MapPost("/security/recovery-codes", (HttpContext c, ConsolePages p) => p.NewRecoveryCodesAsync(c));
        console.MapPost("/security/passkeys/{id:guid}/remove", (HttpContext c, Guid id, ConsolePages p) => p.RemovePasskeyAsync(c, id));
        console.MapGet("/subaccounts", (HttpContext c, ConsolePages p) => p.SubaccountsAsync(c));
        console.MapGet("/users", (HttpContext c, ConsolePages p) => p.UsersAsync(c));
        console.MapPost("/users/invite", (HttpContext c, ConsolePages p) => p.InviteAsync(c));
        console.MapPost("/users/{id:guid}/disable", (HttpContext c, Guid id, ConsolePages p) => p.DisableAsync(c, id));
        console.MapGet("/sso/start", (HttpContext c, ConsolePages p) => p.SsoStartPageAsync(c));
        console.MapPost("/sso/start", (HttpContext c, ConsolePages p) => p.SsoStartAsync(c));
        console.MapGet(ConsoleSso.CallbackPath["/console".Length..], (HttpContext c, ConsolePages p) => p.SsoCallback(c));
        console.MapGet(ConsoleSso.FinishPath["/console".Length..], (HttpContext c, ConsolePages p) => p.SsoFinishAsync(c));
        console.MapGet("/sso", (HttpContext c, ConsolePages p) => p.SsoSettingsAsync(c));
        console.MapPost("/sso", (HttpContext c, ConsolePages p) => p.SaveSsoSettingsAsync(c));
        console.MapPost("/sso/link", (HttpContext c, ConsolePages p) => p.LinkSsoAsync(c));
        console.MapPost("/passkeys/registration-options", (HttpContext c, ConsolePages p) => p.PasskeyRegistrationOptionsAsync(c));
        console.MapPost("/passkeys", (HttpContext c, ConsolePages p) => p.RegisterPasskeyAsync(c));
        console.MapPost("/passkeys/assertion-options", (HttpContext c, ConsolePages p) => p.PasskeyAssertionOptionsAsync(c));
        console.MapPost("/passkeys/assertion", (HttpContext c, ConsolePages p) => p.AssertPasskeyAsync(c));
        console.MapGet("/messages", (HttpContext c, ConsolePages p) => p.MessagesAsync(c));
        console.MapGet("/messages/{id:guid}", (HttpContext c, Guid id, ConsolePages p) => p.MessageAsync(c, id));
        console.MapGet("/audit", (HttpContext c, ConsolePages p) => p.AuditTrailAsync(c));
        console.MapPost("/sign-out", (HttpContext c, ConsolePages p) => p.SignOutAsync(c, everywhere: false));
        console.MapPost("/sign-out-everywhere", (HttpContext c, ConsolePages p) => p.SignOutAsync(c, everywhere: true));
        return endpoints;
    }

    /// <summary>
    /// The form is read here, once, for every handler: one the form reader refuses (a NUL, a key over
    /// its length limit, broken multipart) is refused like an expired one, not a server fault. A POST
    /// that is not a form (the passkey calls' JSON) shows its handler no form fields.
    /// </summary>
    static async Task<bool> IsFormAcceptedAsync(HttpContext context)
    {
        try
        {
            if (context.Request.HasFormContentType)
                await context.Request.ReadFormAsync(context.RequestAborted);
            else
                context.Features.Set<IFormFeature>(new FormFeature(FormCollection.Empty));
            return await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or AntiforgeryValidationException)
        {
            return false;
        }
    }
}
