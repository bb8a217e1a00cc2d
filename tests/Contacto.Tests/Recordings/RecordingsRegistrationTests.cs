using Contacto.Media.Recording;
using Contacto.Recordings;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Tests.Recordings;

public sealed class RecordingsRegistrationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task ByDefaultRecordingsAreSealedIntoAnOwnerOnlyFolderOfTheDataDirectory()
    {
        using var host = Build();
        await host.Services.GetRequiredService<StorageInitializer>().MigrateAsync(CancellationToken.None);
        await host.StartAsync();
        var store = host.Services.GetRequiredService<RecordingStore>();
        var (account, recording) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var format = new RecordingFormat(8000, 1);
        var sink = store.CreateSink(account, recording);

        await sink.WriteChunkAsync(new RecordingChunk(0, 0, format, new byte[] { 1, 2, 3, 4 }, IsLast: true), CancellationToken.None);
        await sink.CompleteAsync(new RecordingSummary(format, 2, 1, RecordingEndReason.FinishKey, '#'), CancellationToken.None);
        using var audio = new MemoryStream();
        var stored = await store.ReadAsync(account, recording, audio);

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, audio.ToArray());
        Assert.Equal((RecordingEndReason.FinishKey, (char?)'#'), (stored!.Summary!.Reason, stored.Summary.FinishKey));
        var folder = _directory.Combine("data", "recordings");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.All(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories),
            file => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file)));
        await host.StopAsync();
    }

    [Fact]
    public async Task AnIncompleteS3ConfigurationStopsTheStartNamingItsKeys()
    {
        using var host = Build(("Recordings:Store", "S3"), ("Recordings:S3:ServiceUrl", "http://s3.internal:9000"),
            ("Recordings:S3:SecretAccessKeyEnvironmentVariable", "CONTACTO_TEST_UNSET_" + Guid.NewGuid().ToString("N")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Recordings:S3:ServiceUrl", error.Message);
        Assert.Contains("Recordings:S3:Bucket", error.Message);
        Assert.Contains("Recordings:S3:AccessKeyId", error.Message);
        Assert.Contains("Recordings:S3:SecretAccessKeyFile", error.Message);
    }

    private IHost Build(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["DataDir"] = _directory.Combine("data");
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }
        builder.Logging.ClearProviders();
        builder.Services.AddContactoPlatform();
        return builder.Build();
    }
}
