using System.CommandLine;
using System.Text.Json;
using Contacto.Accounts;
using Contacto.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Cli;

/// <summary><c>contacto account ...</c>: the operator's view of main accounts.</summary>
static class AccountCommands
{
    public static Command Create(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text" };
        var authId = new Argument<string>("auth-id") { Description = "The account's Auth ID (MA... or SA...)" };

        var name = new Option<string>("--name") { Description = "Account name", Required = true };
        var create = new Command("create", "Create a main account and print its Auth ID and Auth Token (shown only now).") { name, json };
        create.SetAction((parse, ct) => context.RunAsync(async (services, token) =>
        {
            var created = await services.GetRequiredService<AccountService>().CreateAsync(parse.GetValue(name)!, null, true, AuditActor.Operator, null, token);
            await PrintCredentials(context, parse.GetValue(json), created.Account.AuthId, created.AuthToken);
            return 0;
        }, ct));

        var list = new Command("list", "List main accounts.") { json };
        list.SetAction((parse, ct) => context.RunAsync(async (services, token) =>
        {
            var accounts = services.GetRequiredService<AccountService>();
            var fields = services.GetRequiredService<AccountFields>();
            var rows = new List<(string AuthId, string Name, bool Enabled, DateTimeOffset Created)>();
            foreach (var account in await accounts.ListMainAccountsAsync(token))
                rows.Add((account.AuthId, await fields.OpenAsync(account.Id, AccountFields.NamePurpose, account.NameSealed, token), account.Enabled, account.CreatedAt));
            if (parse.GetValue(json))
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(rows.Select(r => new { auth_id = r.AuthId, name = r.Name, enabled = r.Enabled, created = r.Created })));
            else
                foreach (var r in rows)
                    await context.Output.WriteLineAsync($"{r.AuthId}  {(r.Enabled ? "enabled " : "disabled")}  {r.Created:yyyy-MM-dd}  {r.Name}");
            return 0;
        }, ct));

        var grace = new Option<int>("--grace") { Description = "Seconds the old token keeps working (0 to 86400)", DefaultValueFactory = _ => 0 };
        var rotate = new Command("rotate-token", "Issue a new Auth Token; the old one stops now or after --grace seconds.") { authId, grace, json };
        rotate.SetAction((parse, ct) => context.RunAsync(async (services, token) =>
        {
            var seconds = parse.GetValue(grace);
            if (seconds is < 0 or > 86400)
            {
                await context.Error.WriteLineAsync("contacto: --grace must be between 0 and 86400 seconds");
                return 2;
            }
            var accounts = services.GetRequiredService<AccountService>();
            var account = await FindAsync(context, accounts, parse.GetValue(authId)!, token);
            if (account is null)
                return 1;
            var (newToken, _) = await accounts.RotateTokenAsync(account.Id, TimeSpan.FromSeconds(seconds), AuditActor.Operator, null, token);
            await PrintCredentials(context, parse.GetValue(json), account.AuthId, newToken);
            return 0;
        }, ct));

        return new Command("account", "Accounts: create, list, disable, enable, rotate-token.")
        {
            create, list, SetEnabled(context, authId, enabled: false), SetEnabled(context, authId, enabled: true), rotate,
        };
    }

    static Command SetEnabled(CliContext context, Argument<string> authId, bool enabled)
    {
        var command = new Command(enabled ? "enable" : "disable",
            enabled ? "Enable an account." : "Disable an account: its credentials (and its subaccounts') stop working at once.") { authId };
        command.SetAction((parse, ct) => context.RunAsync(async (services, token) =>
        {
            var accounts = services.GetRequiredService<AccountService>();
            var account = await FindAsync(context, accounts, parse.GetValue(authId)!, token);
            if (account is null)
                return 1;
            await accounts.UpdateAsync(account.Id, a => a.Enabled = enabled, new AuditEntry(account.Id, AuditActor.Operator, enabled ? AuditActions.AccountEnabled : AuditActions.AccountDisabled, "account", account.AuthId), token);
            await context.Output.WriteLineAsync($"{account.AuthId} {(enabled ? "enabled" : "disabled")}.");
            return 0;
        }, ct));
        return command;
    }

    internal static async Task<Account?> FindAsync(CliContext context, AccountService accounts, string authId, CancellationToken token)
    {
        var account = Credentials.IsAuthId(authId) ? await accounts.FindAsync(authId, token) : null;
        if (account is null)
            await context.Error.WriteLineAsync($"contacto: no account with Auth ID {authId}");
        return account;
    }

    static Task PrintCredentials(CliContext context, bool json, string authId, string token) =>
        context.Output.WriteLineAsync(json
            ? JsonSerializer.Serialize(new { auth_id = authId, auth_token = token })
            : $"Auth ID:    {authId}\nAuth Token: {token}\n(The token is shown only now.)");
}
