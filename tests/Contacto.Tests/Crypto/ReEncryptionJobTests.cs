using System.Text;
using Contacto.Crypto;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Tests.Crypto;

public sealed class ReEncryptionJobTests : IDisposable
{
    private const string Purpose = "note.body";

    private readonly CryptoTestHost _host = new();
    private readonly Guid _tenant = Guid.CreateVersion7();
    private readonly IDbContextFactory<NotesContext> _notes;

    public ReEncryptionJobTests() => _notes = NotesContext.CreateFactory(Path.Combine(_host.Directory, "notes.db"));

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Moves_every_row_to_the_current_version_so_the_old_one_can_be_retired()
    {
        var texts = await WriteNotesAsync(25);
        await _host.Keys.RotateDataKeyAsync(_tenant);
        var reports = new List<ReEncryptionProgress>();

        var result = await new ReEncryptionJob(_host.Crypto).RunAsync(new NotesSource(_notes), _tenant, batchSize: 10,
            new InlineProgress(reports.Add));

        Assert.Equal(new ReEncryptionProgress(25, 25), result);
        Assert.Equal([10, 20, 25], reports.Select(r => r.Scanned));
        await _host.Keys.RetireDataKeyAsync(_tenant, 1);
        await using var db = await _notes.CreateDbContextAsync();
        foreach (var note in await db.Notes.ToListAsync())
        {
            Assert.Equal(2, FieldEnvelope.ReadKeyVersion(note.Body));
            Assert.Equal(texts[note.Id], Encoding.UTF8.GetString(await _host.Crypto.OpenAsync(_tenant, Purpose, note.Id, note.Body)));
        }
    }

    [Fact]
    public async Task Second_run_finds_nothing_left_to_do()
    {
        await WriteNotesAsync(5);
        await _host.Keys.RotateDataKeyAsync(_tenant);
        var job = new ReEncryptionJob(_host.Crypto);
        await job.RunAsync(new NotesSource(_notes), _tenant);

        var again = await job.RunAsync(new NotesSource(_notes), _tenant);

        Assert.Equal(new ReEncryptionProgress(5, 0), again);
    }

    private async Task<Dictionary<Guid, string>> WriteNotesAsync(int count)
    {
        var texts = new Dictionary<Guid, string>();
        await using var db = await _notes.CreateDbContextAsync();
        for (var i = 0; i < count; i++)
        {
            var id = Guid.CreateVersion7();
            texts[id] = $"note {i}";
            db.Notes.Add(new Note { AccountId = _tenant, Id = id, Body = await _host.Crypto.SealAsync(_tenant, Purpose, id, Encoding.UTF8.GetBytes(texts[id])) });
        }
        await db.SaveChangesAsync();
        return texts;
    }

    private sealed class InlineProgress(Action<ReEncryptionProgress> report) : IProgress<ReEncryptionProgress>
    {
        public void Report(ReEncryptionProgress value) => report(value);
    }

    /// <summary>How a capability's storage exposes one sealed column to the job.</summary>
    private sealed class NotesSource(IDbContextFactory<NotesContext> notes) : ISealedFieldSource
    {
        public string Purpose => ReEncryptionJobTests.Purpose;

        public async Task<IReadOnlyList<SealedField>> ReadBatchAsync(Guid accountId, Guid? after, int batchSize, CancellationToken cancellationToken)
        {
            await using var db = await notes.CreateDbContextAsync(cancellationToken);
            var rows = db.Notes.Where(n => n.AccountId == accountId);
            if (after is { } last)
            {
                rows = rows.Where(n => n.Id.CompareTo(last) > 0);
            }
            return await rows.OrderBy(n => n.Id).Take(batchSize)
                .Select(n => new SealedField(n.Id, n.Body)).ToListAsync(cancellationToken);
        }

        public async Task WriteBatchAsync(Guid accountId, IReadOnlyList<SealedField> resealed, CancellationToken cancellationToken)
        {
            await using var db = await notes.CreateDbContextAsync(cancellationToken);
            foreach (var field in resealed)
            {
                await db.Notes.Where(n => n.AccountId == accountId && n.Id == field.RecordId)
                    .ExecuteUpdateAsync(n => n.SetProperty(x => x.Body, field.Envelope), cancellationToken);
            }
        }
    }

    private sealed class Note
    {
        public Guid AccountId { get; set; }
        public Guid Id { get; set; }
        public byte[] Body { get; set; } = [];
    }

    private sealed class NotesContext(DbContextOptions<NotesContext> options) : DbContext(options)
    {
        public DbSet<Note> Notes => Set<Note>();

        public static IDbContextFactory<NotesContext> CreateFactory(string path)
        {
            var options = new DbContextOptionsBuilder<NotesContext>().UseSqlite($"Data Source={path}").Options;
            var factory = new Microsoft.EntityFrameworkCore.Infrastructure.PooledDbContextFactory<NotesContext>(options);
            using var db = factory.CreateDbContext();
            db.Database.EnsureCreated();
            return factory;
        }
    }
}
