using System.Net;
using Contacto.Crypto;
using Contacto.Media.Audio;
using Contacto.Media.Engine;
using Contacto.Media.Recording;
using Contacto.Media.Rtp;
using Contacto.Media.Sdp;
using Contacto.Recordings;
using Contacto.Storage;
using Contacto.Tests.Crypto;
using Contacto.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Contacto.Tests.Recordings;

public sealed class RecordingStoreTests
{
    private readonly Guid _account = Guid.CreateVersion7();
    private readonly Guid _recording = Guid.CreateVersion7();

    public static TheoryData<StorageProvider, BlobStoreKind> Stores => new()
    {
        { StorageProvider.Sqlite, BlobStoreKind.Local },
        { StorageProvider.PostgreSql, BlobStoreKind.Local },
        { StorageProvider.Sqlite, BlobStoreKind.S3 },
    };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ARecordedCallReadsBackAsTheAudioItRecordedAndNoBlobHoldsItInClear(StorageProvider provider, BlobStoreKind kind)
    {
        using var host = await CryptoTestHost.CreateAsync(provider);
        await using var blobs = await Blobs.OpenAsync(kind, host.Directory);
        var store = new RecordingStore(host.Crypto, blobs.Store, NullLogger<RecordingStore>.Instance);
        var sink = new PlaintextTee(store.CreateSink(_account, _recording));

        // A call on loopback: the caller plays 1.5 s of noise, the callee records both sides in
        // stereo, in chunks of a quarter of a second.
        await using var engine = new MediaEngine(new MediaEngineOptions
        {
            BindAddress = IPAddress.Loopback, MinPort = 16384, MaxPort = 19999, PacingLoops = 1, EphemeralOverlap = EphemeralOverlapPolicy.Warn,
        });
        await using var caller = engine.CreateSession();
        await using var callee = engine.CreateSession();
        var offerer = new SdpNegotiator(new MediaCapabilities(), IPAddress.Loopback, caller.RtpPort);
        var (answer, calleeMedia) = new SdpNegotiator(new MediaCapabilities(), IPAddress.Loopback, callee.RtpPort).Answer(offerer.CreateOffer());
        caller.Apply(offerer.AcceptAnswer(answer));
        callee.Apply(calleeMedia);
        var recording = callee.StartRecording(new RecordingOptions { Audio = RecordedAudio.Both, Stereo = true, ChunkBytes = 8000 }, sink);
        var random = new Random(7);
        Assert.True(await caller.PlayAsync(new PcmAudioSource(new PcmAudio(Enumerable.Range(0, 12_000).Select(_ => (short)random.Next(-12_000, 12_000)).ToArray())))
            .WaitAsync(TimeSpan.FromSeconds(30)));
        await Task.Delay(300);
        recording.Stop();
        var summary = await recording.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        using var audio = new MemoryStream();
        var stored = await store.ReadAsync(_account, _recording, audio);

        Assert.NotNull(stored);
        Assert.Equal(sink.Plaintext, audio.ToArray());
        Assert.Equal(summary, stored.Summary);
        Assert.Equal((summary.Frames, summary.Chunks, new RecordingFormat(8000, 2)), (stored.Frames, stored.Chunks, stored.Format));
        Assert.True(stored.Chunks >= 6, $"{stored.Chunks} chunks");
        var noise = sink.Plaintext.Where((_, i) => i % 4 < 2).ToArray();     // the left (inbound) channel: the caller's noise
        Assert.True(noise.Count(b => b != 0) > 10_000, "the callee heard the noise");

        var files = Directory.EnumerateFiles(blobs.Root, "*", SearchOption.AllDirectories).ToList();
        Assert.True(files.Count >= stored.Chunks + 1);
        Assert.Empty(ClearAudio.FoundIn(sink.Plaintext, files));
        // The scan finds audio where it is in clear.
        var control = Path.Combine(host.Directory, "clear.pcm");
        await File.WriteAllBytesAsync(control, sink.Plaintext);
        Assert.NotEmpty(ClearAudio.FoundIn(sink.Plaintext, [control]));
    }

    [Theory]
    [InlineData(BlobStoreKind.Local)]
    [InlineData(BlobStoreKind.S3)]
    public async Task ACrashLeavesEveryCompletedChunkReadable(BlobStoreKind kind)
    {
        using var host = new CryptoTestHost();
        await using var blobs = await Blobs.OpenAsync(kind, host.Directory);
        var sink = new RecordingStore(host.Crypto, blobs.Store, NullLogger<RecordingStore>.Instance).CreateSink(_account, _recording);
        var format = new RecordingFormat(8000, 1);
        var chunks = Enumerable.Range(0, 3).Select(i => Enumerable.Range(0, 1600).Select(b => (byte)(b * 7 + i)).ToArray()).ToList();
        for (var i = 0; i < chunks.Count; i++)
        {
            await sink.WriteChunkAsync(new RecordingChunk(i, i * 800L, format, chunks[i], IsLast: false), CancellationToken.None);
        }
        if (kind == BlobStoreKind.Local)
        {
            // The fourth chunk's put was under way: its temporary file is all that is left of it.
            var folder = Path.Combine(blobs.Root, RecordingStore.Folder(_account, _recording));
            await File.WriteAllBytesAsync(Path.Combine(folder, "00000003.chunk.5d41402abc4b2a76b9719d911017c592.partial"), new byte[700]);
        }

        // After the restart: another key service (keys loaded afresh) and store.
        using var restarted = new TenantKeyService(host.OpenKeyring(), host.Store, host.Audit, host.Time, new CryptoOptions());
        using var audio = new MemoryStream();
        var stored = await new RecordingStore(new TenantCrypto(restarted), blobs.Store, NullLogger<RecordingStore>.Instance).ReadAsync(_account, _recording, audio);

        Assert.NotNull(stored);
        Assert.Null(stored.Summary);
        Assert.Equal((3, 2400L, TimeSpan.FromMilliseconds(300)), (stored.Chunks, stored.Frames, stored.Duration));
        Assert.Equal(chunks.SelectMany(c => c).ToArray(), audio.ToArray());
    }

    [Fact]
    public async Task AChunkMovedMissingOrFromAnotherRecordingOrAccountIsRefused()
    {
        using var host = new CryptoTestHost();
        await using var blobs = await Blobs.OpenAsync(BlobStoreKind.Local, host.Directory);
        var store = new RecordingStore(host.Crypto, blobs.Store, NullLogger<RecordingStore>.Instance);
        var other = Guid.CreateVersion7();
        await WriteAsync(store, _account, _recording, 3);
        await WriteAsync(store, _account, other, 3);
        string Chunk(Guid account, Guid recording, int index) => Path.Combine(blobs.Root, RecordingStore.Folder(account, recording), $"{index:D8}.chunk");

        // Another account sees nothing at the recording's id, and its own copy of the blobs does not open.
        var stranger = Guid.CreateVersion7();
        Assert.Null(await store.ReadAsync(stranger, _recording, Stream.Null));
        Directory.CreateDirectory(Path.GetDirectoryName(Chunk(stranger, _recording, 0))!);
        File.Copy(Chunk(_account, _recording, 0), Chunk(stranger, _recording, 0));
        await Assert.ThrowsAsync<InvalidDataException>(() => store.ReadAsync(stranger, _recording, Stream.Null));

        // Another recording's chunk in its place.
        File.Copy(Chunk(_account, other, 1), Chunk(_account, _recording, 1), overwrite: true);
        await Assert.ThrowsAsync<InvalidDataException>(() => store.ReadAsync(_account, _recording, Stream.Null));

        // The recording's own chunks swapped.
        await WriteAsync(store, _account, _recording, 3);
        File.Move(Chunk(_account, _recording, 0), Chunk(_account, _recording, 9));
        File.Move(Chunk(_account, _recording, 1), Chunk(_account, _recording, 0));
        File.Move(Chunk(_account, _recording, 9), Chunk(_account, _recording, 1));
        await Assert.ThrowsAsync<InvalidDataException>(() => store.ReadAsync(_account, _recording, Stream.Null));

        // A chunk gone from the middle.
        await WriteAsync(store, _account, _recording, 3);
        File.Delete(Chunk(_account, _recording, 1));
        var missing = await Assert.ThrowsAsync<InvalidDataException>(() => store.ReadAsync(_account, _recording, Stream.Null));
        Assert.Contains("Chunk 1", missing.Message);

        // A bit changed.
        await WriteAsync(store, _account, _recording, 3);
        var bytes = await File.ReadAllBytesAsync(Chunk(_account, _recording, 2));
        bytes[^20] ^= 1;
        await File.WriteAllBytesAsync(Chunk(_account, _recording, 2), bytes);
        await Assert.ThrowsAsync<InvalidDataException>(() => store.ReadAsync(_account, _recording, Stream.Null));

        await store.DeleteAsync(_account, _recording);
        Assert.Null(await store.ReadAsync(_account, _recording, Stream.Null));
        Assert.NotNull(await store.ReadAsync(_account, other, Stream.Null));
    }

    [Theory]
    [InlineData("recordings/../keys/master.key")]
    [InlineData("/etc/passwd")]
    [InlineData("recordings//x")]
    [InlineData("Recordings/x")]
    public async Task ABlobKeyOutsideItsGrammarIsRefused(string key)
    {
        using var directory = new TempDirectory();
        IBlobStore store = new LocalBlobStore(directory.Path);

        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, new byte[1]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(key));
    }

    [Fact]
    public void TheS3StoreIsConfiguredCompletelyAndReachedOverTlsOffLoopback()
    {
        var validator = new RecordingsOptionsValidator();
        using var directory = new TempDirectory();
        var secret = directory.Combine("secret");
        File.WriteAllText(secret, "not-a-real-secret");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        RecordingsOptions S3(string url, bool allowHttp = false) => new()
        {
            Store = BlobStoreKind.S3,
            S3 = new S3BlobStoreOptions { ServiceUrl = url, Bucket = "b", AccessKeyId = "k", SecretAccessKeyFile = secret, SecretAccessKeyEnvironmentVariable = null, AllowUnencryptedHttp = allowHttp },
        };

        Assert.True(validator.Validate(null, new RecordingsOptions()).Succeeded);
        Assert.True(validator.Validate(null, S3("https://s3.example.net")).Succeeded);
        Assert.True(validator.Validate(null, S3("http://127.0.0.1:9000")).Succeeded);
        Assert.True(validator.Validate(null, S3("http://s3.internal:9000", allowHttp: true)).Succeeded);
        var refused = validator.Validate(null, S3("http://s3.internal:9000"));
        Assert.Contains("Recordings:S3:ServiceUrl", refused.FailureMessage);
        var empty = validator.Validate(null, new RecordingsOptions { Store = BlobStoreKind.S3, S3 = new S3BlobStoreOptions { SecretAccessKeyEnvironmentVariable = null } });
        Assert.Contains("Recordings:S3:Bucket", empty.FailureMessage);
        Assert.Contains("Recordings:S3:AccessKeyId", empty.FailureMessage);
        Assert.Contains("Recordings:S3:SecretAccessKeyFile", empty.FailureMessage);
        Assert.DoesNotContain("not-a-real-secret", refused.FailureMessage + empty.FailureMessage);
    }

    private static async Task WriteAsync(RecordingStore store, Guid account, Guid recording, int chunks)
    {
        var sink = store.CreateSink(account, recording);
        var format = new RecordingFormat(8000, 1);
        for (var i = 0; i < chunks; i++)
        {
            await sink.WriteChunkAsync(new RecordingChunk(i, i * 100L, format, Enumerable.Repeat((byte)(i + 1), 200).ToArray(), i == chunks - 1), CancellationToken.None);
        }
        await sink.CompleteAsync(new RecordingSummary(format, chunks * 100L, chunks, RecordingEndReason.Stopped, null), CancellationToken.None);
    }

    /// <summary>A blob store for a test: a local folder, or a bucket of a real s3rver.</summary>
    private sealed class Blobs : IAsyncDisposable
    {
        private readonly S3rver? _server;
        private readonly S3BlobStore? _s3;

        private Blobs(IBlobStore store, string root, S3rver? server = null, S3BlobStore? s3 = null)
        {
            Store = store;
            Root = root;
            _server = server;
            _s3 = s3;
        }

        public IBlobStore Store { get; }

        /// <summary>Where the stored bytes end up as files (the folder, or s3rver's own directory).</summary>
        public string Root { get; }

        public static async Task<Blobs> OpenAsync(BlobStoreKind kind, string directory)
        {
            if (kind == BlobStoreKind.Local)
            {
                var root = Path.Combine(directory, "blobs");
                return new Blobs(new LocalBlobStore(root), root);
            }
            var server = await S3rver.StartAsync();
            var secret = Path.Combine(directory, "s3-secret");
            await File.WriteAllTextAsync(secret, S3rver.Credential);
            File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var s3 = new S3BlobStore(new S3BlobStoreOptions
            {
                ServiceUrl = server.ServiceUrl, Bucket = S3rver.Bucket, Prefix = "node-a/", AccessKeyId = S3rver.Credential,
                SecretAccessKeyEnvironmentVariable = null, SecretAccessKeyFile = secret,
            });
            return new Blobs(s3, server.DataDirectory, server, s3);
        }

        public async ValueTask DisposeAsync()
        {
            _s3?.Dispose();
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
    }

    /// <summary>Keeps a copy of every chunk's plaintext as it passes to the store's sink.</summary>
    private sealed class PlaintextTee(IRecordingSink inner) : IRecordingSink
    {
        private readonly MemoryStream _plaintext = new();

        public byte[] Plaintext => _plaintext.ToArray();

        public async ValueTask WriteChunkAsync(RecordingChunk chunk, CancellationToken cancellationToken)
        {
            _plaintext.Write(chunk.Pcm.Span);
            await inner.WriteChunkAsync(chunk, cancellationToken);
        }

        public ValueTask CompleteAsync(RecordingSummary summary, CancellationToken cancellationToken) => inner.CompleteAsync(summary, cancellationToken);
    }
}

/// <summary>Finds stretches of audio in files: 32-byte windows of it every 256 bytes, silence skipped.</summary>
internal static class ClearAudio
{
    public static List<string> FoundIn(byte[] audio, IEnumerable<string> files)
    {
        var windows = Enumerable.Range(0, audio.Length / 256)
            .Select(i => audio.AsMemory(i * 256, Math.Min(32, audio.Length - i * 256)))
            .Where(w => w.Length == 32 && w.Span.ContainsAnyExcept((byte)0))
            .ToList();
        Assert.NotEmpty(windows);
        return files.Where(file =>
        {
            var bytes = File.ReadAllBytes(file);
            return windows.Any(w => bytes.AsSpan().IndexOf(w.Span) >= 0);
        }).ToList();
    }
}
