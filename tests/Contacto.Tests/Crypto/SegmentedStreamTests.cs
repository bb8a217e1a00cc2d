using System.Buffers.Binary;
using System.Security.Cryptography;
using Contacto.Crypto;

namespace Contacto.Tests.Crypto;

public sealed class SegmentedStreamTests : IDisposable
{
    private const string Purpose = "call.recording";
    private const int Segment = SegmentedStream.DefaultSegmentSize;
    private const int Chunk = Segment + FieldEnvelope.TagSize;

    private readonly CryptoTestHost _host = new();
    private readonly Guid _tenant = Guid.CreateVersion7();
    private readonly Guid _record = Guid.CreateVersion7();

    public void Dispose() => _host.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Segment - 1)]
    [InlineData(Segment)]
    [InlineData(Segment + 1)]
    [InlineData(3 * Segment + 5)]
    public async Task Object_of_any_size_round_trips_with_the_documented_length(int size)
    {
        var plaintext = RandomNumberGenerator.GetBytes(size);

        var encrypted = await EncryptAsync(plaintext);

        var segments = Math.Max(1, (size + Segment - 1) / Segment);
        Assert.Equal(SegmentedStream.HeaderSize + size + segments * FieldEnvelope.TagSize, encrypted.Length);
        Assert.Equal(SegmentedStream.Format, encrypted[0]);
        Assert.Equal((uint)Segment, BinaryPrimitives.ReadUInt32BigEndian(encrypted.AsSpan(5)));
        Assert.Equal(plaintext, await DecryptAsync(encrypted));
    }

    [Fact]
    public async Task Truncation_at_a_segment_boundary_is_detected()
    {
        var encrypted = await EncryptAsync(RandomNumberGenerator.GetBytes(3 * Segment + 5));

        await AssertRejectedAsync(encrypted[..(SegmentedStream.HeaderSize + 2 * Chunk)]);
    }

    [Fact]
    public async Task Truncation_inside_a_segment_is_detected()
    {
        var encrypted = await EncryptAsync(RandomNumberGenerator.GetBytes(2 * Segment));

        await AssertRejectedAsync(encrypted[..^1]);
        await AssertRejectedAsync(encrypted[..(SegmentedStream.HeaderSize + 10)]);
        await AssertRejectedAsync(encrypted[..SegmentedStream.HeaderSize]);
    }

    [Fact]
    public async Task Reordered_segments_are_detected()
    {
        var encrypted = await EncryptAsync(RandomNumberGenerator.GetBytes(3 * Segment));
        var reordered = (byte[])encrypted.Clone();
        encrypted.AsSpan(SegmentedStream.HeaderSize + Chunk, Chunk).CopyTo(reordered.AsSpan(SegmentedStream.HeaderSize));
        encrypted.AsSpan(SegmentedStream.HeaderSize, Chunk).CopyTo(reordered.AsSpan(SegmentedStream.HeaderSize + Chunk));

        await AssertRejectedAsync(reordered);
    }

    [Fact]
    public async Task Segment_spliced_in_from_another_object_is_detected()
    {
        var plaintext = RandomNumberGenerator.GetBytes(2 * Segment + 7);
        var encrypted = await EncryptAsync(plaintext);
        var other = await EncryptAsync(plaintext);

        var spliced = (byte[])encrypted.Clone();
        other.AsSpan(SegmentedStream.HeaderSize + Chunk, Chunk).CopyTo(spliced.AsSpan(SegmentedStream.HeaderSize + Chunk));

        await AssertRejectedAsync(spliced);
    }

    [Fact]
    public async Task Appended_data_is_detected()
    {
        var encrypted = await EncryptAsync(RandomNumberGenerator.GetBytes(Segment));

        await AssertRejectedAsync([.. encrypted, .. encrypted.AsSpan(SegmentedStream.HeaderSize, Chunk)]);
        await AssertRejectedAsync([.. encrypted, 0]);
    }

    [Fact]
    public async Task Flipped_bit_in_the_header_or_any_segment_is_detected()
    {
        var encrypted = await EncryptAsync(RandomNumberGenerator.GetBytes(2 * Segment + 3));

        foreach (var offset in new[] { 0, 3, 7, 12, 30, SegmentedStream.HeaderSize + 5, SegmentedStream.HeaderSize + Chunk - 1, encrypted.Length - 1 })
        {
            var tampered = (byte[])encrypted.Clone();
            tampered[offset] ^= 0x04;
            await AssertRejectedAsync(tampered);
        }
    }

    [Fact]
    public async Task Object_opens_only_for_its_own_tenant_record_and_purpose()
    {
        var encrypted = await EncryptAsync(RandomNumberGenerator.GetBytes(100));

        await Assert.ThrowsAnyAsync<CryptographicException>(() => _host.Crypto.DecryptAsync(_tenant, Purpose, Guid.CreateVersion7(), new MemoryStream(encrypted), Stream.Null));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => _host.Crypto.DecryptAsync(_tenant, "export.archive", _record, new MemoryStream(encrypted), Stream.Null));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => _host.Crypto.DecryptAsync(Guid.CreateVersion7(), Purpose, _record, new MemoryStream(encrypted), Stream.Null));
    }

    [Fact]
    public async Task Memory_used_does_not_grow_with_the_object()
    {
        using var lease = await _host.Crypto.LeaseKeysAsync(_tenant);
        // Warm up: the first runs allocate for JIT tiering and pool buckets, whatever the size.
        await RoundTripThroughFileAsync(lease, 64 << 20);

        var small = await RoundTripThroughFileAsync(lease, 1 << 20);
        var large = await RoundTripThroughFileAsync(lease, 64 << 20);

        Assert.True(large.Encrypt - small.Encrypt < 4096, $"encrypting 64 MiB allocated {large.Encrypt} bytes, 1 MiB {small.Encrypt}");
        Assert.True(large.Decrypt - small.Decrypt < 4096, $"decrypting 64 MiB allocated {large.Decrypt} bytes, 1 MiB {small.Decrypt}");
        Assert.True(large.Encrypt + large.Decrypt < 64 * 1024, $"a 64 MiB round trip allocated {large.Encrypt + large.Decrypt} bytes");
    }

    private async Task<byte[]> EncryptAsync(byte[] plaintext)
    {
        using var output = new MemoryStream();
        await _host.Crypto.EncryptAsync(_tenant, Purpose, _record, new MemoryStream(plaintext), output);
        return output.ToArray();
    }

    private async Task<byte[]> DecryptAsync(byte[] encrypted)
    {
        using var output = new MemoryStream();
        await _host.Crypto.DecryptAsync(_tenant, Purpose, _record, new MemoryStream(encrypted), output);
        return output.ToArray();
    }

    private Task AssertRejectedAsync(byte[] encrypted) =>
        Assert.ThrowsAnyAsync<CryptographicException>(() => DecryptAsync(encrypted));

    /// <summary>
    /// Encrypts a generated object to a file, then decrypts it into a checking sink, counting what
    /// each step allocates. Every stream completes synchronously, so the step stays on this thread
    /// and the per-thread count excludes tests running alongside.
    /// </summary>
    private async Task<(long Encrypt, long Decrypt)> RoundTripThroughFileAsync(TenantKeyLease lease, long size)
    {
        var path = Path.Combine(_host.Directory, "object.bin");
        var source = new PatternStream(size);
        var sink = new CountingStream();
        long encrypt, decrypt;
        using (var file = new SynchronousStream(File.Create(path)))
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            await lease.EncryptAsync(Purpose, _record, source, file);
            encrypt = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        using (var file = new SynchronousStream(File.OpenRead(path)))
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            await lease.DecryptAsync(Purpose, _record, file, sink);
            decrypt = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(size, sink.Length);
        return (encrypt, decrypt);
    }

    private sealed class SynchronousStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(inner.Read(buffer.Span));

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            inner.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush() => inner.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>A readable stream of <c>size</c> bytes that holds none of them.</summary>
    private sealed class PatternStream(long size) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => size;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Min(buffer.Length, size - _position);
            for (var i = 0; i < count; i++)
            {
                buffer[i] = (byte)(_position + i);
            }
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A writable stream that counts what it is given and checks it is the pattern.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            for (var i = 0; i < buffer.Length; i++)
            {
                if (buffer[i] != (byte)(_length + i))
                {
                    throw new InvalidDataException($"Byte {_length + i} differs from what was encrypted.");
                }
            }
            _length += buffer.Length;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
