using Contacto.Audit;
using Contacto.Storage;
using Contacto.Tenancy;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Tenancy;

/// <summary>The data layer itself keeps tenants apart: a context made for one account neither sees nor saves another's rows.</summary>
public sealed class TenantDataLayerTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_tenant_context_sees_only_its_rows_and_refuses_to_save_anyone_elses(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var a = (await server.CreateAccountAsync("A")).Account;
        var b = (await server.CreateAccountAsync("B")).Account;
        var factory = server.Services.GetRequiredService<ContactoDbContextFactory>();

        await using (var system = factory.CreateDbContext())
        {
            system.AddRange(LogRecord(a.Id), LogRecord(b.Id));
            await system.SaveChangesAsync();
            Assert.True(await system.Set<ApiLogRecord>().Select(r => r.AccountId).Distinct().CountAsync() >= 2);
        }

        await using var asA = factory.CreateForAccount(a.Id);
        Assert.All(await asA.Set<ApiLogRecord>().ToListAsync(), r => Assert.Equal(a.Id, r.AccountId));
        Assert.All(await asA.Set<AuditRecord>().ToListAsync(), r => Assert.Equal(a.Id, r.AccountId));
        Assert.NotEmpty(await asA.Set<AuditRecord>().ToListAsync());
        Assert.Equal(0, await asA.Set<AuditRecord>().CountAsync(r => r.AccountId == b.Id));

        asA.Add(LogRecord(b.Id));
        await Assert.ThrowsAsync<TenantViolationException>(() => asA.SaveChangesAsync());
        asA.ChangeTracker.Clear();

        asA.Add(LogRecord(a.Id));
        Assert.Equal(1, await asA.SaveChangesAsync());
    }

    static ApiLogRecord LogRecord(Guid accountId) => new()
    {
        Id = Guid.CreateVersion7(),
        AccountId = accountId,
        At = DateTimeOffset.UtcNow,
        Method = "GET",
        Route = "/v1/",
        Status = 200,
        ApiId = Guid.CreateVersion7().ToString(),
    };
}
