using System.Net;
using Contacto.Audit;
using Contacto.Messaging;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Messaging;

/// <summary>
/// Sends of concurrent requests are committed together (group commit): each request's 202 comes
/// only after the commit that holds its messages, and a commit that fails fails all its requests.
/// </summary>
public sealed class MessageAcceptanceTests
{
    const int Concurrent = 60;

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Concurrent_sends_all_land_and_each_202_comes_after_its_message_and_audit_record_are_stored(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);
        var contexts = server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>();

        var ids = await Task.WhenAll(Enumerable.Range(1, Concurrent).Select(async i =>
        {
            var id = Guid.Parse((await sender.SendAsync(MessagingHarness.Destination(i))).Single());
            // Looked up as soon as this 202 arrives, while other requests are still in flight.
            await using var db = contexts.CreateDbContext();
            Assert.True(await db.Set<Message>().AnyAsync(m => m.Id == id), "a 202 before its message was stored");
            Assert.True(await db.Set<AuditRecord>().AnyAsync(r => r.ResourceId == id.ToString() && r.Action == AuditActions.MessageQueued),
                "a 202 before its audit record was stored");
            return id;
        }));

        Assert.Equal(Concurrent, ids.Distinct().Count());
        MessagingHarness.AssertAll(await sender.WaitForStatesAsync([.. ids.Select(i => i.ToString())], [MessageStates.Delivered], TimeSpan.FromSeconds(30)),
            Concurrent, MessageStates.Delivered);
        await using var check = contexts.CreateDbContext();
        Assert.Equal(Concurrent, await check.Set<AuditRecord>().CountAsync(r => r.AccountId == sender.AccountId && r.Action == AuditActions.MessageQueued));
        Assert.True((await server.Services.GetRequiredService<AuditVerifier>().VerifyAsync(sender.AccountId, CancellationToken.None)).Intact);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task When_the_commit_fails_every_request_in_it_gets_503_and_nothing_of_them_is_stored(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);
        var contexts = server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>();
        await using (var db = contexts.CreateDbContext())
            await db.Database.ExecuteSqlRawAsync(provider == StorageProvider.Sqlite
                ? "CREATE TRIGGER refuse_messages BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'refused'); END"
                : "CREATE FUNCTION refuse_messages() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$; " +
                  "CREATE TRIGGER refuse_messages BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_messages()");

        var answers = await Task.WhenAll(Enumerable.Range(1, Concurrent).Select(i => sender.Client.PostJsonAsync(sender.MessagePath,
            new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(i), text = "Hello from Contacto" })));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status));
        Assert.All(answers, a => Assert.Contains("nothing was queued", a.Body.Str("error")));
        await using (var db = contexts.CreateDbContext())
        {
            Assert.False(await db.Set<Message>().AnyAsync(m => m.AccountId == sender.AccountId));
            Assert.False(await db.Set<AuditRecord>().AnyAsync(r => r.AccountId == sender.AccountId && r.Action == AuditActions.MessageQueued));
            await db.Database.ExecuteSqlRawAsync(provider == StorageProvider.Sqlite ? "DROP TRIGGER refuse_messages" : "DROP TRIGGER refuse_messages ON messages");
        }
        Assert.True((await server.Services.GetRequiredService<AuditVerifier>().VerifyAsync(sender.AccountId, CancellationToken.None)).Intact);

        var after = await sender.SendAsync(MessagingHarness.Destination(1));
        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(after, [MessageStates.Delivered], TimeSpan.FromSeconds(20)), 1, MessageStates.Delivered);
    }
}
