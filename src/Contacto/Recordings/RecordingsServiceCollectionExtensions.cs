using Contacto.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Contacto.Recordings;

internal static class RecordingsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the recording store (sealed chunks under each account's key) and the blob store
    /// the <c>Recordings</c> section chooses: a local folder (default, <c>{data}/recordings</c>)
    /// or an S3-compatible store. Needs the platform's data directory and crypto.
    /// </summary>
    public static IServiceCollection AddContactoRecordings(this IServiceCollection services)
    {
        services.AddOptions<RecordingsOptions>().BindConfiguration(RecordingsOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RecordingsOptions>, RecordingsOptionsValidator>();
        services.AddSingleton<IBlobStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<RecordingsOptions>>().Value;
            if (options.Store == BlobStoreKind.S3)
            {
                return new S3BlobStore(options.S3);
            }
            if (options.Local.Path is { } path)
            {
                DataDirectory.EnsureOwnerOnly(Path.GetFullPath(path), "Recordings:Local:Path");
                return new LocalBlobStore(Path.GetFullPath(path));
            }
            return new LocalBlobStore(provider.GetRequiredService<DataDirectory>().Ensure("recordings"));
        });
        services.AddSingleton<RecordingStore>();
        services.AddSingleton<RecordingCatalog>();
        return services;
    }
}
