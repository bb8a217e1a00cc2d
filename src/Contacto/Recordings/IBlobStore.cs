using System.Buffers;

namespace Contacto.Recordings;

/// <summary>
/// Where sealed objects go. Keys are paths of segments of <c>[a-z0-9._-]</c> joined by '/'. A put
/// is whole or absent, never partial, so a crash leaves every blob that was stored readable.
/// Nothing in clear ever reaches a store: callers hand it sealed bytes only.
/// </summary>
internal interface IBlobStore
{
    Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>The blob, or null when there is none.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every key under <paramref name="prefix"/> (a folder, ending in '/'), in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default);

    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}

internal static class BlobKeys
{
    private static readonly SearchValues<char> Allowed = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789._-");

    /// <summary>Refuses anything but segments of [a-z0-9._-] joined by '/' (no "..", no leading '/').</summary>
    public static void Validate(string key, bool folder = false)
    {
        var segments = key.Split('/');
        if (folder)
        {
            if (segments[^1].Length != 0)
            {
                throw new ArgumentException("A blob folder ends with '/'.", nameof(key));
            }
            segments = segments[..^1];
        }
        if (segments.Length == 0 || segments.Any(s => s.Length is 0 or > 128 || s is "." or ".." || s.AsSpan().ContainsAnyExcept(Allowed)))
        {
            throw new ArgumentException("A blob key is segments of a-z, 0-9, '.', '_' and '-' joined by '/'.", nameof(key));
        }
    }
}
