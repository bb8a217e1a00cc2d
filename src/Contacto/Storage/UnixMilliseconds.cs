using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Contacto.Storage;

/// <summary>Instants as Unix milliseconds, so SQLite and PostgreSQL both compare and order them in queries.</summary>
internal static class UnixMilliseconds
{
    public static readonly ValueConverter<DateTimeOffset, long> Converter =
        new(v => v.ToUnixTimeMilliseconds(), v => DateTimeOffset.FromUnixTimeMilliseconds(v));

    public static readonly ValueConverter<DateTimeOffset?, long?> NullableConverter =
        new(v => v.HasValue ? v.Value.ToUnixTimeMilliseconds() : null, v => v.HasValue ? DateTimeOffset.FromUnixTimeMilliseconds(v.Value) : null);
}
