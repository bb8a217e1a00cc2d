using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Contacto.Webhooks;

namespace Contacto.Recordings;

/// <summary>
/// Blobs as objects of an S3-compatible store (AWS S3, MinIO, Ceph, ...). A PutObject is atomic:
/// the object is there whole or not at all. The client's HTTP goes through the platform's
/// outbound handler (TLS 1.2+, no proxy from the environment, no redirects).
/// </summary>
internal sealed class S3BlobStore : IBlobStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;

    public S3BlobStore(S3BlobStoreOptions options)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            AuthenticationRegion = options.Region,
            ForcePathStyle = options.ForcePathStyle,
            Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            HttpClientFactory = new OutboundClientFactory(TimeSpan.FromSeconds(options.TimeoutSeconds)),
            // Checksums only where the API requires them: S3-compatible stores differ in the
            // trailing-checksum (aws-chunked) uploads the SDK would otherwise send; GCM already
            // authenticates every byte that comes back.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        _client = new AmazonS3Client(new BasicAWSCredentials(options.AccessKeyId, options.ReadSecretAccessKey()), config);
        _bucket = options.Bucket;
        _prefix = options.Prefix;
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        using var body = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
        // One signed body with its length, not aws-chunked streaming, which not every S3-compatible
        // store decodes (s3rver stored the chunk framing as the object).
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = _prefix + key, InputStream = body, UseChunkEncoding = false }, cancellationToken);
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        try
        {
            using var response = await _client.GetObjectAsync(_bucket, _prefix + key, cancellationToken);
            using var content = new MemoryStream();
            await response.ResponseStream.CopyToAsync(content, cancellationToken);
            return content.ToArray();
        }
        catch (AmazonS3Exception error) when (error.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(prefix, folder: true);
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix };
        ListObjectsV2Response response;
        do
        {
            response = await _client.ListObjectsV2Async(request, cancellationToken);
            keys.AddRange((response.S3Objects ?? []).Select(o => o.Key[_prefix.Length..]));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        await _client.DeleteObjectAsync(_bucket, _prefix + key, cancellationToken);
    }

    public void Dispose() => _client.Dispose();

    private sealed class OutboundClientFactory(TimeSpan connectTimeout) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(OutboundHttp.CreateOperatorHandler(connectTimeout));
    }
}
