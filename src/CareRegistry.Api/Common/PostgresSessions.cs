using Npgsql;

namespace CareRegistry.Common;

// Settings every connection of the service starts its session with, unless its connection string's Options name them.
public static class PostgresSessions
{
    // PostgreSQL compiles a statement's expressions to machine code (JIT) once the planner's estimated cost passes
    // jit_above_cost, so the larger the tables the more statements it compiles. At 1.2 million events the service's
    // statements that did were the audit verify's walks (16.7 s of their 49.2 s compiling, full 59) and the figures of
    // every district at once (1.35 s of 3.2: the nation's table with none stored took 3.9-4.1 s with, 3.0-3.4 s
    // without); a rebuild (103-121 s) compiled for under 0.5 s and took as long either way (docs/performance-log.md,
    // the twenty-eighth stop).
    public static NpgsqlConnectionStringBuilder WithoutJit(this NpgsqlConnectionStringBuilder builder)
    {
        if (builder.Options?.Contains("jit", StringComparison.OrdinalIgnoreCase) != true)
            builder.Options = $"{builder.Options} -c jit=off".Trim();
        return builder;
    }
}
