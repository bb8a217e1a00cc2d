using System.Numerics;
using System.Security.Cryptography;

namespace Contacto.Audit;

/// <summary>
/// The Merkle tree hash of RFC 9162 (section 2.1): leaf = SHA-256(0x00 | entry), node =
/// SHA-256(0x01 | left | right), a tree of n leaves split at the largest power of two below n.
/// Proofs (sections 2.1.3 and 2.1.4) are given as the leaf ranges whose subtree hashes make them,
/// so they can be computed from stored hashes of perfect subtrees (<see cref="AuditTreeTiles"/>)
/// without reading the leaves.
/// </summary>
internal static class MerkleTree
{
    public const int HashSize = 32;

    public static byte[] LeafHash(ReadOnlySpan<byte> entry)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([0x00]);
        hash.AppendData(entry);
        return hash.GetHashAndReset();
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[1 + 2 * HashSize];
        input[0] = 0x01;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + HashSize)..]);
        return SHA256.HashData(input);
    }

    /// <summary>PATH(index, D[size]): the ranges whose hashes prove leaf <paramref name="index"/>, from the leaf up.</summary>
    public static List<(long Start, long End)> InclusionPath(long index, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(size, index);
        var path = new List<(long, long)>();
        Path(index, 0, size, path);
        return path;

        static void Path(long m, long start, long end, List<(long, long)> path)
        {
            if (end - start == 1)
                return;
            var k = Split(end - start);
            if (m < start + k)
            {
                Path(m, start, start + k, path);
                path.Add((start + k, end));
            }
            else
            {
                Path(m, start + k, end, path);
                path.Add((start, start + k));
            }
        }
    }

    /// <summary>PROOF(first, D[second]): the ranges whose hashes prove that the tree of <paramref name="first"/> leaves is a prefix of the tree of <paramref name="second"/>.</summary>
    public static List<(long Start, long End)> ConsistencyPath(long first, long second)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(first, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(second, first);
        var path = new List<(long, long)>();
        Subproof(first, 0, second, true, path);
        return path;

        // SUBPROOF(m, D[start:end], whole): m counts the old tree's leaves from start.
        static void Subproof(long m, long start, long end, bool whole, List<(long, long)> path)
        {
            if (m == end - start)
            {
                if (!whole)
                    path.Add((start, end));
                return;
            }
            var k = Split(end - start);
            if (m <= k)
            {
                Subproof(m, start, start + k, whole, path);
                path.Add((start + k, end));
            }
            else
            {
                Subproof(m - k, start + k, end, false, path);
                path.Add((start, start + k));
            }
        }
    }

    /// <summary>MTH(D[start:end]) from the hashes of the perfect subtrees it is made of (level, index: leaves [index·2^level, (index+1)·2^level)).</summary>
    public static byte[] RangeHash(long start, long end, Func<int, long, byte[]> perfect)
    {
        var count = end - start;
        if (BitOperations.IsPow2(count))
        {
            var level = BitOperations.Log2((ulong)count);
            return perfect(level, start >> level);
        }
        var k = Split(count);
        return NodeHash(RangeHash(start, start + k, perfect), RangeHash(start + k, end, perfect));
    }

    /// <summary>The perfect subtrees <see cref="RangeHash"/> reads for a range, so a caller can load them first.</summary>
    public static IEnumerable<(int Level, long Index)> PerfectSubtrees(long start, long end)
    {
        while (!BitOperations.IsPow2(end - start))
        {
            var k = Split(end - start);
            var level = BitOperations.Log2((ulong)k);
            yield return (level, start >> level);
            start += k;
        }
        var last = BitOperations.Log2((ulong)(end - start));
        yield return (last, start >> last);
    }

    /// <summary>The root of <paramref name="count"/> (a power of two) consecutive hashes at one level.</summary>
    public static byte[] PerfectRoot(ReadOnlySpan<byte> hashes, int count)
    {
        if (count == 1)
            return hashes[..HashSize].ToArray();
        var level = hashes[..(count * HashSize)].ToArray();
        Span<byte> input = stackalloc byte[1 + 2 * HashSize];
        input[0] = 0x01;
        for (; count > 1; count /= 2)
            for (var i = 0; i < count / 2; i++)
            {
                level.AsSpan(2 * i * HashSize, 2 * HashSize).CopyTo(input[1..]);
                SHA256.HashData(input, level.AsSpan(i * HashSize, HashSize));
            }
        return level[..HashSize];
    }

    /// <summary>The largest power of two smaller than <paramref name="n"/> (n > 1).</summary>
    static long Split(long n) => 1L << BitOperations.Log2((ulong)(n - 1));
}

/// <summary>
/// The root of a tree as leaves arrive, in O(log n) memory: the roots of the perfect subtrees its
/// leaves fill so far, largest first. The verifier uses it to recompute roots from the records
/// alone, trusting no stored hash.
/// </summary>
internal sealed class MerkleFrontier
{
    readonly List<(int Level, byte[] Hash)> subtrees = [];

    public long Size { get; private set; }

    public void Append(byte[] leafHash)
    {
        var hash = leafHash;
        var level = 0;
        while (subtrees.Count > 0 && subtrees[^1].Level == level)
        {
            hash = MerkleTree.NodeHash(subtrees[^1].Hash, hash);
            subtrees.RemoveAt(subtrees.Count - 1);
            level++;
        }
        subtrees.Add((level, hash));
        Size++;
    }

    /// <summary>MTH of the leaves so far (at least one): the subtrees folded from the smallest.</summary>
    public byte[] Root()
    {
        if (Size == 0)
            throw new InvalidOperationException("An empty tree has no root here");
        var root = subtrees[^1].Hash;
        for (var i = subtrees.Count - 2; i >= 0; i--)
            root = MerkleTree.NodeHash(subtrees[i].Hash, root);
        return root;
    }
}
