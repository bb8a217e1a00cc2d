using System.CommandLine;
using Contacto.Accounts;
using Contacto.Crypto;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Cli;

/// <summary><c>contacto keys ...</c>: tenant data keys and the key-encryption key. Never prints key material.</summary>
static class KeysCommands
{
    public static Command Create(CliContext context)
    {
        var account = new Option<string>("--account") { Description = "The account's Auth ID (MA... or SA...)", Required = true };
        var batchSize = new Option<int>("--batch-size") { Description = "Keys rewrapped per batch (1 to 10000)", DefaultValueFactory = _ => 100 };

        var list = new Command("list", "List an account's key versions, their state and KEK version.") { account };
        list.SetAction((parse, ct) => context.RunAsync((services, token) => WithAccountAsync(context, services, parse.GetValue(account)!, async id =>
        {
            foreach (var key in await services.GetRequiredService<ITenantKeyAdministration>().ListKeysAsync(id, token))
                await context.Output.WriteLineAsync(
                    $"{key.Kind,-11} v{key.Version}  {key.State,-7}  kek v{key.KekVersion}  created {key.CreatedAt:yyyy-MM-dd HH:mm}{(key.RetiredAt is { } retired ? $"  retired {retired:yyyy-MM-dd HH:mm}" : "")}");
            return 0;
        }, token), ct));

        var rotate = new Command("rotate", "Add a data key version for an account; new data uses it, older versions still decrypt.") { account };
        rotate.SetAction((parse, ct) => context.RunAsync((services, token) => WithAccountAsync(context, services, parse.GetValue(account)!, async id =>
        {
            var version = await services.GetRequiredService<ITenantKeyAdministration>().RotateDataKeyAsync(id, token);
            await context.Output.WriteLineAsync($"Data key version {version} is now current for {parse.GetValue(account)}.");
            return 0;
        }, token), ct));

        var version = new Option<int>("--version") { Description = "The key version to retire", Required = true };
        var retire = new Command("retire", "Stop a data key version from decrypting (re-encrypt its data first).") { account, version };
        retire.SetAction((parse, ct) => context.RunAsync((services, token) => WithAccountAsync(context, services, parse.GetValue(account)!, async id =>
        {
            await services.GetRequiredService<ITenantKeyAdministration>().RetireDataKeyAsync(id, parse.GetValue(version), token);
            await context.Output.WriteLineAsync($"Data key version {parse.GetValue(version)} of {parse.GetValue(account)} is retired.");
            return 0;
        }, token), ct));

        var rotateKek = new Command("rotate-kek", "Add a key-encryption key version and rewrap every tenant key under it.") { batchSize };
        rotateKek.SetAction((parse, ct) => context.RunAsync((services, token) => RewrapAsync(context, parse.GetValue(batchSize),
            (progress, size) => services.GetRequiredService<ITenantKeyAdministration>().RotateKekAsync(progress, size, token),
            kekVersion => $"KEK version {kekVersion} is current; every tenant key is wrapped under it."), ct));

        var rewrap = new Command("rewrap", "Rewrap tenant keys not yet under the current KEK version (resumes an interrupted rotate-kek).") { batchSize };
        rewrap.SetAction((parse, ct) => context.RunAsync((services, token) => RewrapAsync(context, parse.GetValue(batchSize),
            (progress, size) => services.GetRequiredService<ITenantKeyAdministration>().RewrapAsync(progress, size, token),
            count => $"Rewrapped {count} key(s)."), ct));

        return new Command("keys", "Tenant data keys and the key-encryption key.") { list, rotate, retire, rotateKek, rewrap };
    }

    static async Task<int> WithAccountAsync(CliContext context, IServiceProvider services, string authId, Func<Guid, Task<int>> action, CancellationToken token)
    {
        var found = Credentials.IsAuthId(authId) ? await services.GetRequiredService<AccountService>().FindAsync(authId, token) : null;
        if (found is null)
        {
            await context.Error.WriteLineAsync($"contacto: no account with Auth ID {authId}");
            return 1;
        }
        return await action(found.Id);
    }

    static async Task<int> RewrapAsync(CliContext context, int batchSize, Func<IProgress<RewrapProgress>, int, Task<int>> run, Func<int, string> done)
    {
        if (batchSize is < 1 or > 10000)
        {
            await context.Error.WriteLineAsync("contacto: --batch-size must be between 1 and 10000");
            return 2;
        }
        var progress = new InlineProgress(p => context.Output.WriteLine($"rewrapped {p.Done}/{p.Total}"));
        await context.Output.WriteLineAsync(done(await run(progress, batchSize)));
        return 0;
    }

    /// <summary>Reports as work happens, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    sealed class InlineProgress(Action<RewrapProgress> report) : IProgress<RewrapProgress>
    {
        public void Report(RewrapProgress value) => report(value);
    }
}
