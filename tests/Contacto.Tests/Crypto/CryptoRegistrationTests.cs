using System.Text;
using Contacto.Crypto;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Crypto;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CryptoRegistrationTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Registered_services_seal_and_open_with_the_local_keyring()
    {
        using var host = Build(o => o.Local.KeysDirectory = Path.Combine(_directory, "keys"));
        await host.StartAsync();
        var crypto = host.Services.GetRequiredService<ITenantCrypto>();
        var tenant = Guid.CreateVersion7();
        var record = Guid.CreateVersion7();

        var envelope = await crypto.SealAsync(tenant, "message.text", record, "hello"u8.ToArray());

        Assert.Equal("hello"u8.ToArray(), await crypto.OpenAsync(tenant, "message.text", record, envelope));
        Assert.Equal(2, (await host.Services.GetRequiredService<ITenantKeyAdministration>().ListKeysAsync(tenant)).Count);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_fails_with_a_clear_message_when_the_configuration_is_incomplete()
    {
        using var host = Build(o =>
        {
            o.Provider = KekProviderKind.Pkcs11;
            o.Pkcs11.ModulePath = Path.Combine(_directory, "missing.so");
            o.Pkcs11.PinEnvironmentVariable = "CONTACTO_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ModulePath", error.Message);
        Assert.Contains("TokenLabel is required", error.Message);
        Assert.Contains("PIN is missing", error.Message);
    }

    [Fact]
    public async Task Start_fails_when_the_key_material_is_readable_by_others()
    {
        var keys = Path.Combine(_directory, "keys");
        using (var first = Build(o => o.Local.KeysDirectory = keys))
        {
            await first.StartAsync();
            await first.StopAsync();
        }
        File.SetUnixFileMode(Path.Combine(keys, "master.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        using var host = Build(o => o.Local.KeysDirectory = keys);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("group or others", error.Message);
    }

    [Fact]
    public async Task Maintenance_worker_destroys_keys_once_the_waiting_period_is_over()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var audit = new RecordingAuditSink();
        using var host = Build(o => o.Local.KeysDirectory = Path.Combine(_directory, "keys"), services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton<IKeyAuditSink>(audit);
        });
        await host.StartAsync();
        var crypto = host.Services.GetRequiredService<ITenantCrypto>();
        var tenant = Guid.CreateVersion7();
        var record = Guid.CreateVersion7();
        var envelope = await crypto.SealAsync(tenant, "message.text", record, "bye"u8.ToArray());
        await host.Services.GetRequiredService<ITenantKeyAdministration>().ScheduleShreddingAsync(tenant);

        time.Advance(TimeSpan.FromDays(7) + new CryptoOptions().ShreddingCheckInterval);
        await audit.KeysDestroyed.WaitAsync(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<TenantKeyUnavailableException>(() => crypto.OpenAsync(tenant, "message.text", record, envelope).AsTask());
        Assert.Equal(KeyUnavailableReason.Destroyed, error.Reason);
        await host.StopAsync();
    }

    private IHost Build(Action<CryptoOptions> configure, Action<IServiceCollection>? more = null, ILoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }
        var database = Path.Combine(_directory, "keys.db");
        builder.Services.AddDbContextFactory<KeyStoreTestContext>(o => o.UseSqlite($"Data Source={database}"));
        more?.Invoke(builder.Services);
        builder.Services.AddContactoCrypto<KeyStoreTestContext>(configure);
        var host = builder.Build();
        using var db = host.Services.GetRequiredService<IDbContextFactory<KeyStoreTestContext>>().CreateDbContext();
        db.Database.EnsureCreated();
        return host;
    }

    [Collection(SoftHsmCollection.Name)]
    public sealed class WithToken(SoftHsmFixture hsm) : IDisposable
    {
        private readonly CryptoRegistrationTests _outer = new();

        public void Dispose() => _outer.Dispose();

        [Fact]
        public async Task Pkcs11_provider_starts_from_configuration_and_never_logs_the_pin()
        {
            var variable = "CONTACTO_TEST_PIN_" + Guid.NewGuid().ToString("N");
            Environment.SetEnvironmentVariable(variable, hsm.Pin);
            var logs = new CapturingLoggerProvider();
            try
            {
                using var host = _outer.Build(o =>
                {
                    o.Provider = KekProviderKind.Pkcs11;
                    o.Pkcs11.ModulePath = SoftHsmFixture.ModulePath;
                    o.Pkcs11.TokenLabel = hsm.TokenLabel;
                    o.Pkcs11.PinEnvironmentVariable = variable;
                }, logs: logs);
                await host.StartAsync();
                var crypto = host.Services.GetRequiredService<ITenantCrypto>();
                var tenant = Guid.CreateVersion7();
                var record = Guid.CreateVersion7();

                var envelope = await crypto.SealAsync(tenant, "message.text", record, "via token"u8.ToArray());

                Assert.Equal("via token", Encoding.UTF8.GetString(await crypto.OpenAsync(tenant, "message.text", record, envelope)));
                Assert.Contains(logs.Lines, line => line.Contains("Pkcs11Kek"));
                Assert.DoesNotContain(logs.Lines, line => line.Contains(hsm.Pin));
                await host.StopAsync();
            }
            finally
            {
                Environment.SetEnvironmentVariable(variable, null);
            }
        }
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider, ILogger
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(formatter(state, exception) + exception);
            }
        }

        public void Dispose()
        {
        }
    }
}
