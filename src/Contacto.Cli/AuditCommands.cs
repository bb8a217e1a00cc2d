using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Contacto.Accounts;
using Contacto.Audit;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Cli;

/// <summary><c>contacto audit verify</c> and <c>contacto audit export</c>.</summary>
static class AuditCommands
{
    public static Command Create(CliContext context)
    {
        var account = new Option<string>("--account") { Description = "Only this account's chain (its Auth ID)" };

        var verify = new Command("verify", "Check the audit chains against the database and the anchored signed heads; name the account and the first problem.") { account };
        verify.SetAction((parse, ct) => context.RunAsync(async (services, token) =>
        {
            var chain = await ResolveChainAsync(context, services, parse.GetValue(account), token);
            if (chain is { Found: false })
                return 1;
            var result = await services.GetRequiredService<AuditVerifier>().VerifyAsync(chain?.Id, token);
            if (result.FirstProblem is { } problem)
            {
                await context.Output.WriteLineAsync(
                    $"BROKEN: {await ChainNameAsync(services, problem.ChainId, token)}, record {problem.Sequence}{(problem.RecordId is { } id ? $" ({id})" : "")}: {problem.What}");
                return 1;
            }
            await context.Output.WriteLineAsync($"OK: {result.Records} records in {result.Chains} chain(s), {result.Heads} anchored signed head(s) verified.");
            return 0;
        }, ct));

        var since = new Option<string>("--since") { Description = "Start time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z", Required = true };
        var format = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl");
        var export = new Command("export", "Write audit records since a time as JSON lines, oldest first (for a SIEM).") { since, format, account };
        export.SetAction((parse, ct) => context.RunAsync(async (services, token) =>
        {
            if (!DateTimeOffset.TryParse(parse.GetValue(since), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var from))
            {
                await context.Error.WriteLineAsync("contacto: --since is not a time");
                return 2;
            }
            var chain = await ResolveChainAsync(context, services, parse.GetValue(account), token);
            if (chain is { Found: false })
                return 1;
            await using var db = services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();
            var query = db.Set<AuditRecord>().AsNoTracking().Where(r => r.OccurredAt >= from);
            if (chain?.Id is { } chainId)
                query = query.Where(r => r.AccountId == chainId);
            await foreach (var r in query.OrderBy(r => r.OccurredAt).ThenBy(r => r.AccountId).ThenBy(r => r.Sequence).AsAsyncEnumerable().WithCancellation(token))
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    id = r.Id,
                    chain = r.AccountId,
                    sequence = r.Sequence,
                    time = r.OccurredAt,
                    actor_kind = r.ActorKind.ToString(),
                    actor_id = r.ActorId,
                    actor_auth_id = r.ActorAuthId,
                    source_address = r.SourceAddress,
                    user_agent = r.UserAgent,
                    action = r.Action,
                    resource_type = r.ResourceType,
                    resource_id = r.ResourceId,
                    outcome = r.Outcome.ToString(),
                    reason = r.Reason,
                    request_id = r.RequestId,
                    mac = Convert.ToHexString(r.Mac),
                }));
            return 0;
        }, ct));

        return new Command("audit", "The tamper-evident audit trail.") { verify, export };
    }

    /// <summary>The account a chain belongs to, by Auth ID, or the platform; a chain whose account is gone by its id alone.</summary>
    static async Task<string> ChainNameAsync(IServiceProvider services, Guid chainId, CancellationToken token)
    {
        if (chainId == Guid.Empty)
            return "the platform's chain";
        var owner = await services.GetRequiredService<AccountService>().FindByIdAsync(chainId, token);
        return owner is null ? $"chain {chainId} (no such account any more)" : $"account {owner.AuthId} (chain {chainId})";
    }

    /// <summary>Null for every chain; otherwise the account's chain, or not found (said on stderr).</summary>
    static async Task<(bool Found, Guid? Id)?> ResolveChainAsync(CliContext context, IServiceProvider services, string? authId, CancellationToken token)
    {
        if (authId is null)
            return null;
        var found = Credentials.IsAuthId(authId) ? await services.GetRequiredService<AccountService>().FindAsync(authId, token) : null;
        if (found is null)
            await context.Error.WriteLineAsync($"contacto: no account with Auth ID {authId}");
        return (found is not null, found?.Id);
    }
}
