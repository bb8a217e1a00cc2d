using System.CommandLine;
using System.Text.Json;
using Contacto.Operations;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Cli;

/// <summary><c>contacto ops token ...</c>: tokens for the ops-plane staff API (until staff sign-in exists).</summary>
static class OpsCommands
{
    public static Command Create(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text" };

        var name = new Option<string>("--name") { Description = "Who or what the token is for", Required = true };
        var create = new Command("create", "Issue an operator token and print it (shown only now).") { name, json };
        create.SetAction((parse, ct) => context.RunAsync(async (services, token) =>
        {
            var label = parse.GetValue(name)!;
            if (label.Length is 0 or > 100)
            {
                await context.Error.WriteLineAsync("contacto: --name must be 1 to 100 characters");
                return 2;
            }
            var (created, presentable) = await services.GetRequiredService<OperatorTokenService>().CreateAsync(label, token);
            await context.Output.WriteLineAsync(parse.GetValue(json)
                ? JsonSerializer.Serialize(new { id = created.Id, name = created.Name, token = presentable })
                : $"Operator token for {created.Name} ({created.Id}):\n{presentable}\n(The token is shown only now. Send it as 'Authorization: Bearer <token>' to the ops plane.)");
            return 0;
        }, ct));

        var list = new Command("list", "List operator tokens (never their secrets).") { json };
        list.SetAction((parse, ct) => context.RunAsync(async (services, token) =>
        {
            var tokens = await services.GetRequiredService<OperatorTokenService>().ListAsync(token);
            if (parse.GetValue(json))
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(tokens.Select(t => new { id = t.Id, name = t.Name, created = t.CreatedAt, revoked = t.RevokedAt })));
            else
                foreach (var t in tokens)
                    await context.Output.WriteLineAsync($"{t.Id}  {(t.RevokedAt is null ? "active " : "revoked")}  {t.CreatedAt:yyyy-MM-dd}  {t.Name}");
            return 0;
        }, ct));

        var id = new Argument<Guid>("id") { Description = "The token's id, as 'list' prints it" };
        var revoke = new Command("revoke", "Revoke an operator token; it stops working at once.") { id };
        revoke.SetAction((parse, ct) => context.RunAsync(async (services, token) =>
        {
            var tokenId = parse.GetValue(id);
            if (!await services.GetRequiredService<OperatorTokenService>().RevokeAsync(tokenId, token))
            {
                await context.Error.WriteLineAsync($"contacto: no active operator token {tokenId}");
                return 1;
            }
            await context.Output.WriteLineAsync($"{tokenId} revoked.");
            return 0;
        }, ct));

        return new Command("ops", "Operations: tokens for the staff API.")
        {
            new Command("token", "Operator tokens: create, list, revoke.") { create, list, revoke },
        };
    }
}
