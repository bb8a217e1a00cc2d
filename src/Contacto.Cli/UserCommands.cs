using System.CommandLine;
using System.Text.Json;
using Contacto.Audit;
using Contacto.Console;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Cli;

/// <summary><c>contacto user invite</c>: invitation links for console users; an account's first owner comes this way.</summary>
static class UserCommands
{
    public static Command Create(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text" };
        var account = new Option<string>("--account") { Description = "The main account's Auth ID", Required = true };
        var email = new Option<string>("--email") { Description = "The new user's e-mail address", Required = true };
        var role = new Option<string>("--role") { Description = "owner, admin, developer, billing or read-only", DefaultValueFactory = _ => "owner" };
        var invite = new Command("invite", "Invite a console user and print the single-use link (shown only now).") { account, email, role, json };
        invite.SetAction((parse, ct) => context.RunAsync(async (services, token) =>
        {
            if (!ConsoleRoles.TryParse(parse.GetValue(role), out var parsedRole))
            {
                await context.Error.WriteLineAsync("contacto: --role must be owner, admin, developer, billing or read-only");
                return 2;
            }
            ConsoleUsers.Invitation invitation;
            try
            {
                invitation = await services.GetRequiredService<ConsoleUsers>().InviteAsync(parse.GetValue(account)!, parse.GetValue(email)!, parsedRole, AuditActor.Operator, token);
            }
            catch (ArgumentException e)
            {
                await context.Error.WriteLineAsync($"contacto: {e.Message.Split(" (Parameter")[0]}");
                return 1;
            }
            var expires = invitation.Record.ExpiresAt;
            await context.Output.WriteLineAsync(parse.GetValue(json)
                ? JsonSerializer.Serialize(new { id = invitation.Record.Id, email = invitation.Record.Email, role = ConsoleRoles.Name(parsedRole), link = invitation.Link, expires })
                : $"Invitation for {invitation.Record.Email} ({ConsoleRoles.Name(parsedRole)}), valid once until {expires:u}:\n{invitation.Link}");
            return 0;
        }, ct));

        return new Command("user", "Console users: invitations.") { invite };
    }
}
