using System.Net;
using Contacto.Crypto;
using Microsoft.Extensions.Options;

namespace Contacto.Recordings;

public enum BlobStoreKind
{
    /// <summary>A folder on this node (the default: <c>{data}/recordings</c>).</summary>
    Local,

    /// <summary>An S3-compatible object store, for clusters.</summary>
    S3,
}

/// <summary>Section <c>Recordings</c>.</summary>
internal sealed class RecordingsOptions
{
    public const string Section = "Recordings";

    public BlobStoreKind Store { get; set; } = BlobStoreKind.Local;

    /// <summary>Where users reach the public plane, for recording URLs; by default the public listener's address.</summary>
    public string? PublicUrl { get; set; }

    public LocalBlobStoreOptions Local { get; set; } = new();

    public S3BlobStoreOptions S3 { get; set; } = new();
}

internal sealed class LocalBlobStoreOptions
{
    /// <summary>The folder blobs go to; default <c>{data}/recordings</c>. Created owner-only, refused when open to others.</summary>
    public string? Path { get; set; }
}

internal sealed class S3BlobStoreOptions
{
    /// <summary>The store's endpoint, for example <c>https://s3.eu-west-1.amazonaws.com</c> or a MinIO/Ceph URL.</summary>
    public string ServiceUrl { get; set; } = "";

    /// <summary>The region requests are signed for.</summary>
    public string Region { get; set; } = "us-east-1";

    public string Bucket { get; set; } = "";

    /// <summary>Put before every key, for example <c>contacto/</c>, to share a bucket.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Bucket in the path (<c>host/bucket/key</c>) rather than the host name, as most S3-compatible stores want.</summary>
    public bool ForcePathStyle { get; set; } = true;

    public string AccessKeyId { get; set; } = "";

    /// <summary>Environment variable holding the secret access key; used when set and not empty.</summary>
    public string? SecretAccessKeyEnvironmentVariable { get; set; } = "CONTACTO_S3_SECRET_ACCESS_KEY";

    /// <summary>Owner-only file holding the secret access key, used when the environment variable is absent.</summary>
    public string? SecretAccessKeyFile { get; set; }

    /// <summary>Plain HTTP to a store on another host; off, so the store is reached over TLS 1.2+ unless it is on loopback.</summary>
    public bool AllowUnencryptedHttp { get; set; }

    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>The secret access key from the environment or the key file; never kept in options or logged.</summary>
    internal string ReadSecretAccessKey() => KeyFiles.ReadSecret(SecretAccessKeyEnvironmentVariable, SecretAccessKeyFile,
        $"No S3 secret access key: set the environment variable {SecretAccessKeyEnvironmentVariable} or Recordings:S3:SecretAccessKeyFile.");
}

internal sealed class RecordingsOptionsValidator : IValidateOptions<RecordingsOptions>
{
    public ValidateOptionsResult Validate(string? name, RecordingsOptions options)
    {
        if (options.Store != BlobStoreKind.S3)
        {
            return ValidateOptionsResult.Success;
        }
        var s3 = options.S3;
        var errors = new List<string>();
        if (!Uri.TryCreate(s3.ServiceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add("Recordings:S3:ServiceUrl: required with Recordings:Store=S3, an http(s) URL");
        }
        else if (url.Scheme == Uri.UriSchemeHttp && !s3.AllowUnencryptedHttp && !IsLoopback(url))
        {
            errors.Add($"Recordings:S3:ServiceUrl: {url.Host} is reached over TLS: use https (or Recordings:S3:AllowUnencryptedHttp=true, on purpose)");
        }
        if (string.IsNullOrWhiteSpace(s3.Bucket))
        {
            errors.Add("Recordings:S3:Bucket: required with Recordings:Store=S3");
        }
        if (string.IsNullOrWhiteSpace(s3.AccessKeyId))
        {
            errors.Add("Recordings:S3:AccessKeyId: required with Recordings:Store=S3");
        }
        if (!KeyFiles.SecretConfigured(s3.SecretAccessKeyEnvironmentVariable, s3.SecretAccessKeyFile))
        {
            errors.Add($"Recordings:S3:SecretAccessKeyFile: no secret access key: set the environment variable {s3.SecretAccessKeyEnvironmentVariable} or this file");
        }
        if (s3.TimeoutSeconds is < 1 or > 600)
        {
            errors.Add($"Recordings:S3:TimeoutSeconds: must be between 1 and 600 (got {s3.TimeoutSeconds})");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
