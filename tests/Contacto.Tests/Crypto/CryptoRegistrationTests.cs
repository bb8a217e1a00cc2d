using System.Collections.Concurrent;
using System.Text;
using Contacto;
using Contacto.Crypto;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Crypto;

public sealed class CryptoRegistrationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task Registered_services_seal_and_open_with_the_local_keyring()
    {
        using var host = await BuildAsync();
        await StartAsync(host);
        var crypto = host.Services.GetRequiredService<ITenantCrypto>();
        var tenant = Guid.CreateVersion7();
        var record = Guid.CreateVersion7();

        var envelope = await crypto.SealAsync(tenant, "message.text", record, "hello"u8.ToArray());

        Assert.Equal("hello"u8.ToArray(), await crypto.OpenAsync(tenant, "message.text", record, envelope));
        Assert.Equal(2, (await host.Services.GetRequiredService<ITenantKeyAdministration>().ListKeysAsync(tenant)).Count);
        Assert.True(File.Exists(_directory.Combine("data", "keys", "master.key")), "the keyring defaults to {data}/keys");
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_fails_with_a_clear_message_when_the_configuration_is_incomplete()
    {
        using var host = await BuildAsync(o =>
        {
            o.Provider = KekProviderKind.Pkcs11;
            o.Pkcs11.ModulePath = _directory.Combine("missing.so");
            o.Pkcs11.PinEnvironmentVariable = "CONTACTO_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(host));

        Assert.Contains("ModulePath", error.Message);
        Assert.Contains("TokenLabel or Crypto:Pkcs11:SlotId is required", error.Message);
        Assert.Contains("PIN is missing", error.Message);
    }

    [Fact]
    public async Task Start_fails_when_the_key_material_is_readable_by_others()
    {
        using (var first = await BuildAsync())
        {
            await StartAsync(first);
            await first.StopAsync();
        }
        File.SetUnixFileMode(_directory.Combine("data", "keys", "master.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        using var host = await BuildAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(host));

        Assert.Contains("group or others", error.Message);
    }

    [Fact]
    public void Pin_file_must_be_owner_only_and_its_line_end_is_not_part_of_the_pin()
    {
        var file = _directory.Combine("pin");
        File.WriteAllText(file, "4821\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var options = new Pkcs11Options { PinEnvironmentVariable = null, PinFile = file };

        var error = Assert.Throws<InvalidOperationException>(() => options.ReadPin());
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Contains("group or others", error.Message);
        Assert.DoesNotContain("4821", error.Message);
        Assert.Equal("4821"u8.ToArray(), options.ReadPin());
    }

    [Fact]
    public async Task Maintenance_worker_destroys_keys_once_the_waiting_period_is_over()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logs = new CapturingLoggerProvider();
        using var host = await BuildAsync(more: services => services.AddSingleton<TimeProvider>(time), logs: logs);
        await StartAsync(host);
        var crypto = host.Services.GetRequiredService<ITenantCrypto>();
        var tenant = Guid.CreateVersion7();
        var record = Guid.CreateVersion7();
        var envelope = await crypto.SealAsync(tenant, "message.text", record, "bye"u8.ToArray());
        await host.Services.GetRequiredService<ITenantKeyAdministration>().ScheduleShreddingAsync(tenant);

        time.Advance(TimeSpan.FromDays(7) + new CryptoOptions().ShreddingCheckInterval);
        // The worker's report comes after the keys are gone; the audit event comes before (audit first, then act).
        await logs.Logged(ShreddingDoneEventId).WaitAsync(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<TenantKeyUnavailableException>(() => crypto.OpenAsync(tenant, "message.text", record, envelope).AsTask());
        Assert.Equal(KeyUnavailableReason.Destroyed, error.Reason);
        await host.StopAsync();
    }

    /// <summary>The platform as the server wires it (crypto included), on migrated SQLite storage.</summary>
    private async Task<IHost> BuildAsync(Action<CryptoOptions>? configure = null, Action<IServiceCollection>? more = null, ILoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["DataDir"] = _directory.Combine("data");
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }
        builder.Services.AddContactoPlatform();
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }
        more?.Invoke(builder.Services); // after the platform, so a test's replacements win
        return await Task.FromResult(builder.Build());
    }

    /// <summary>As the server starts: storage (migrations, then start-up tasks that open the keys), then the host.</summary>
    private static async Task StartAsync(IHost host)
    {
        await host.Services.GetRequiredService<StorageInitializer>().MigrateAsync(CancellationToken.None);
        await host.StartAsync();
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
                using var host = await _outer.BuildAsync(o =>
                {
                    o.Provider = KekProviderKind.Pkcs11;
                    o.Pkcs11.ModulePath = SoftHsmFixture.ModulePath;
                    o.Pkcs11.TokenLabel = hsm.TokenLabel;
                    o.Pkcs11.PinEnvironmentVariable = variable;
                }, logs: logs);
                await StartAsync(host);
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

    /// <summary>KeyMaintenanceService's "Destroyed the keys of {Count} account(s)".</summary>
    private const int ShreddingDoneEventId = 403;

    private sealed class CapturingLoggerProvider : ILoggerProvider, ILogger
    {
        private readonly List<string> _lines = [];
        private readonly ConcurrentDictionary<int, TaskCompletionSource> _events = new();

        /// <summary>Completes once a line with this event id has been written.</summary>
        public Task Logged(int eventId) => Signal(eventId).Task;

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
            Signal(eventId.Id).TrySetResult();
        }

        public void Dispose()
        {
        }

        private TaskCompletionSource Signal(int eventId) =>
            _events.GetOrAdd(eventId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
