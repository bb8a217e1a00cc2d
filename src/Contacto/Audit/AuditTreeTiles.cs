using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Audit;

/// <summary>
/// Stored hashes of one chain's Merkle tree, in tiles as Go's checksum database keeps them: tile
/// (level t, index k) holds the hashes at tree level 8t of positions 256k to 256k + width - 1,
/// concatenated. A hash at any other level is recomputed from at most 128 hashes of one tile, so
/// the store holds about one hash per leaf (plus one per 256 above), a root or a proof reads one
/// tile per 8 levels, and adding leaves rewrites only the tiles at the tree's right edge.
/// </summary>
internal sealed class AuditTreeTile : ITenantOwned
{
    public Guid AccountId { get; set; }
    public int Level { get; set; }
    public long Index { get; set; }
    public byte[] Hashes { get; set; } = [];
}

sealed class AuditTreeTileConfiguration : IEntityTypeConfiguration<AuditTreeTile>
{
    public void Configure(EntityTypeBuilder<AuditTreeTile> builder)
    {
        builder.ToTable("audit_tree_tiles");
        builder.HasKey(t => new { t.AccountId, t.Level, t.Index });
        builder.Property(t => t.AccountId).HasColumnName("chain_id");
        builder.Property(t => t.Level).HasColumnName("level");
        builder.Property(t => t.Index).HasColumnName("idx");
        builder.Property(t => t.Hashes).HasColumnName("hashes").HasMaxLength(AuditTreeTiles.Width * MerkleTree.HashSize);
    }
}

/// <summary>The tiles of one chain that a computation needs, in memory; see <see cref="AuditTreeTile"/>.</summary>
internal sealed class AuditTreeTiles
{
    public const int Height = 8;
    public const int Width = 1 << Height;

    readonly Guid chainId;
    readonly Dictionary<(int Level, long Index), Tile> tiles = [];
    readonly HashSet<(int Level, long Index)> changed = [];

    AuditTreeTiles(Guid chainId) => this.chainId = chainId;

    sealed class Tile(byte[] hashes, int width)
    {
        public byte[] Hashes = hashes;
        public int Width = width;
    }

    /// <summary>Loads the tiles that hold the given perfect subtrees (or, with none, nothing).</summary>
    public static async Task<AuditTreeTiles> LoadAsync(ContactoDbContext db, Guid chainId, IEnumerable<(int Level, long Index)> subtrees, CancellationToken cancellationToken)
    {
        var set = new AuditTreeTiles(chainId);
        foreach (var level in subtrees.Select(TileOf).Distinct().GroupBy(t => t.Level))
        {
            var indexes = level.Select(t => t.Index).ToList();
            var levelNumber = level.Key;
            var rows = await db.Set<AuditTreeTile>().AsNoTracking()
                .Where(t => t.AccountId == chainId && t.Level == levelNumber && indexes.Contains(t.Index)).ToListAsync(cancellationToken);
            foreach (var row in rows)
                set.tiles[(row.Level, row.Index)] = new Tile(row.Hashes, row.Hashes.Length / MerkleTree.HashSize);
        }
        return set;
    }

    /// <summary>The tiles at the right edge of a tree of <paramref name="size"/> leaves: what appending and its root need.</summary>
    public static async Task<AuditTreeTiles> LoadEdgeAsync(ContactoDbContext db, Guid chainId, long size, CancellationToken cancellationToken)
    {
        var set = await LoadAsync(db, chainId, size == 0 ? [] : MerkleTree.PerfectSubtrees(0, size), cancellationToken);
        // Another node may have stored a longer tree since this size was signed: continue from the size.
        foreach (var ((level, _), tile) in set.tiles)
            tile.Width = (int)Math.Min(tile.Width, (size >> (level * Height)) & (Width - 1));
        return set;
    }

    /// <summary>Adds the leaf at position <paramref name="size"/>; a tile that fills adds its root one tile level up.</summary>
    public void Append(long size, byte[] leafHash)
    {
        var hash = leafHash;
        var position = size;
        for (var level = 0; ; level++)
        {
            var key = (level, position >> Height);
            var offset = (int)(position & (Width - 1));
            if (!tiles.TryGetValue(key, out var tile))
                tiles[key] = tile = new Tile(new byte[Width * MerkleTree.HashSize], 0);
            else if (tile.Hashes.Length < Width * MerkleTree.HashSize)
                Array.Resize(ref tile.Hashes, Width * MerkleTree.HashSize);
            if (tile.Width != offset)
                throw new InvalidOperationException($"The stored tree of chain {chainId} does not end where its head says");
            hash.CopyTo(tile.Hashes, offset * MerkleTree.HashSize);
            tile.Width++;
            changed.Add(key);
            if (tile.Width < Width)
                return;
            hash = MerkleTree.PerfectRoot(tile.Hashes, Width);
            position >>= Height;
        }
    }

    /// <summary>MTH(D[start:end]) from the loaded tiles.</summary>
    public byte[] RangeHash(long start, long end) => MerkleTree.RangeHash(start, end, Perfect);

    /// <summary>The hash of the perfect subtree (level, index), from the one tile that holds its leaves' level.</summary>
    byte[] Perfect(int level, long index)
    {
        var (tileLevel, tileIndex) = TileOf((level, index));
        var count = 1 << (level % Height);
        var offset = (int)((index << (level % Height)) & (Width - 1));
        if (!tiles.TryGetValue((tileLevel, tileIndex), out var tile) || tile.Width < offset + count)
            throw new AuditTreeIncompleteException($"tile {tileLevel}/{tileIndex} of chain {chainId} is missing or short");
        return MerkleTree.PerfectRoot(tile.Hashes.AsSpan(offset * MerkleTree.HashSize), count);
    }

    static (int Level, long Index) TileOf((int Level, long Index) subtree) =>
        (subtree.Level / Height, (subtree.Index << (subtree.Level % Height)) >> Height);

    /// <summary>
    /// Writes the tiles <see cref="Append"/> changed. A tile only ever grows: another node that
    /// extended the same tree further keeps its longer tile (its first hashes are these).
    /// </summary>
    public async Task SaveAsync(ContactoDbContext db, CancellationToken cancellationToken)
    {
        foreach (var (level, index) in changed)
        {
            var tile = tiles[(level, index)];
            var hashes = tile.Hashes[..(tile.Width * MerkleTree.HashSize)];
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO audit_tree_tiles (chain_id, level, idx, hashes) VALUES ({chainId}, {level}, {index}, {hashes})
                ON CONFLICT (chain_id, level, idx) DO UPDATE SET hashes = excluded.hashes
                WHERE length(audit_tree_tiles.hashes) < length(excluded.hashes)
                """, cancellationToken);
        }
        changed.Clear();
    }
}

/// <summary>The stored tree lacks hashes a computation needs: it was damaged, or is behind.</summary>
internal sealed class AuditTreeIncompleteException(string message) : Exception(message);
