using System.Linq.Expressions;
using System.Reflection;
using Marten.Linq.MatchesSql;

namespace CareRegistry.Common;

// A raw SQL condition on a Marten query, with its text and values as constants of the expression tree. Written as
// `Where(x => x.MatchesSql(...))`, anything inside the lambda other than a captured variable (a method call such as
// StandingSql.PrefixEnd(prefix), an interpolated string, an enum converted to its number) is evaluated by Marten
// compiling a delegate for that one query: a DynamicMethod JIT-compiled and later finalized on every request (about
// one in eight of the service's CPU samples while loading the work queues page). Constants are read as they are.
public static class SqlFilter
{
    private static readonly MethodInfo MatchesSql = typeof(MatchesSqlExtensions).GetMethod(
        nameof(MatchesSqlExtensions.MatchesSql), [typeof(object), typeof(string), typeof(object[])])!;

    // Positional '?' placeholders, in order, as MatchesSql takes them.
    public static IQueryable<T> WhereSql<T>(this IQueryable<T> query, string sql, params object[] values)
    {
        var row = Expression.Parameter(typeof(T), "x");
        Expression doc = typeof(T).IsValueType ? Expression.Convert(row, typeof(object)) : row;
        var call = Expression.Call(MatchesSql, doc, Expression.Constant(sql), Expression.Constant(values));
        return query.Where(Expression.Lambda<Func<T, bool>>(call, row));
    }
}
