using System.CommandLine;
using Contacto.Accounts;
using Contacto.Audit;
using Contacto.Messaging;
using Contacto.Numbers;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Cli;

/// <summary><c>contacto number add ...</c>: the operator's number inventory.</summary>
static class NumberCommands
{
    public static Command Create(CliContext context)
    {
        var number = new Option<string>("--number") { Description = "The number in international form, e.g. +351912345678", Required = true };
        var country = new Option<string>("--country") { Description = "ISO 3166 alpha-2 country of the number, e.g. PT", Required = true };
        var type = new Option<string>("--type") { Description = "local, mobile or tollfree", DefaultValueFactory = _ => NumberTypes.Local };
        type.AcceptOnlyFromAmong(NumberTypes.All);
        var account = new Option<string?>("--account") { Description = "The Auth ID that rents it; by default the only main account" };

        var add = new Command("add", "Add a number to an account's inventory, so it can send as src and be managed through the Number API.") { number, country, type, account };
        add.SetAction((parse, ct) => context.RunAsync(async (services, token) =>
        {
            var cc = parse.GetValue(country)!.ToUpperInvariant();
            if (!NumberPlan.TryParse(parse.GetValue(number), out var e164, out var region) || region != cc)
            {
                await context.Error.WriteLineAsync($"contacto: --number is not a valid number of {cc} in international form");
                return 2;
            }
            var owner = await OwnerAsync(context, services.GetRequiredService<AccountService>(), parse.GetValue(account), token);
            if (owner is null)
                return 1;
            try
            {
                await services.GetRequiredService<NumberService>().AddAsync(owner.Id, e164, cc, parse.GetValue(type)!, AuditActor.Operator, token);
            }
            catch (NumberService.NumberTakenException)
            {
                await context.Error.WriteLineAsync($"contacto: {NumberPlan.Mask(e164)} is already rented by an account");
                return 1;
            }
            await context.Output.WriteLineAsync($"Added {NumberPlan.Bare(e164)} ({parse.GetValue(type)}, {cc}) to {owner.AuthId}.");
            return 0;
        }, ct));

        return new Command("number", "Numbers: add to an account.") { add };
    }

    static async Task<Account?> OwnerAsync(CliContext context, AccountService accounts, string? authId, CancellationToken token)
    {
        if (authId is not null)
            return await AccountCommands.FindAsync(context, accounts, authId, token);
        var mains = await accounts.ListMainAccountsAsync(token);
        if (mains.Count == 1)
            return mains[0];
        await context.Error.WriteLineAsync("contacto: name the account with --account AUTH_ID");
        return null;
    }
}
