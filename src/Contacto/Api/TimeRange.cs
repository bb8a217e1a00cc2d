using System.Linq.Expressions;

namespace Contacto.Api;

/// <summary>Plivo's time filters on a field: <c>{field}</c>, <c>{field}__gt</c>, <c>__gte</c>, <c>__lt</c>, <c>__lte</c>.</summary>
internal sealed record TimeRange(DateTimeOffset? After, bool AfterInclusive, DateTimeOffset? Before, bool BeforeInclusive)
{
    public static string[] ParameterNames(string field) => [field, $"{field}__gt", $"{field}__gte", $"{field}__lt", $"{field}__lte"];

    public static TimeRange From(ApiParameters parameters, string field)
    {
        if (parameters.Time(field) is { } exact)
            return new TimeRange(exact, true, exact, true);
        var gt = parameters.Time($"{field}__gt");
        var gte = parameters.Time($"{field}__gte");
        var lt = parameters.Time($"{field}__lt");
        var lte = parameters.Time($"{field}__lte");
        if (gt is not null && gte is not null || lt is not null && lte is not null)
            throw ApiException.BadRequest($"give at most one lower and one upper bound for {field}");
        return new TimeRange(gt ?? gte, gte is not null, lt ?? lte, lte is not null);
    }

    /// <summary>True when <paramref name="value"/> is within the bounds (for fields computed in memory).</summary>
    public bool Contains(DateTimeOffset value) =>
        (After is not { } after || (AfterInclusive ? value >= after : value > after))
        && (Before is not { } before || (BeforeInclusive ? value <= before : value < before));

    public IQueryable<T> Apply<T>(IQueryable<T> query, Expression<Func<T, DateTimeOffset>> field)
    {
        var parameter = field.Parameters[0];
        if (After is { } after)
            query = query.Where(Compare(field, parameter, after, AfterInclusive ? ExpressionType.GreaterThanOrEqual : ExpressionType.GreaterThan));
        if (Before is { } before)
            query = query.Where(Compare(field, parameter, before, BeforeInclusive ? ExpressionType.LessThanOrEqual : ExpressionType.LessThan));
        return query;
    }

    static Expression<Func<T, bool>> Compare<T>(
        Expression<Func<T, DateTimeOffset>> field, ParameterExpression parameter,
        DateTimeOffset bound, ExpressionType comparison)
    {
        var body = Expression.MakeBinary(comparison, field.Body,
            Expression.Constant(bound, typeof(DateTimeOffset)));
        return Expression.Lambda<Func<T, bool>>(body, parameter);
    }
}
