using Npgsql;

namespace CareRegistry.Common;

// Settings every connection of the service starts its session with, unless its connection string's Options name them.
public static class PostgresSessions
{
    // PostgreSQL compiles a statement's expressions to machine code (JIT) once its estimated cost passes jit_above_cost,
    // which only cost estimates decide, so larger tables bring more statements over it. At 1.2 million events the
    // service's statements that crossed it were the audit verify (a third of its time compiling: 6.6-7.0 s a run without,
    // 7.8-9.4 with), a refresh of every district's figures (1.35 s of 3.2 compiling) and Npgsql's type loading when a
    // data source opens (80 ms, nearly all of it compiling); the rebuild's reads compiled for 0.5 s of 118 and ran no
    // faster for it (docs/performance.md, the twenty-eighth stop).
    public static NpgsqlConnectionStringBuilder WithoutJit(this NpgsqlConnectionStringBuilder builder)
    {
        if (builder.Options?.Contains("jit", StringComparison.OrdinalIgnoreCase) != true)
            builder.Options = $"{builder.Options} -c jit=off".Trim();
        return builder;
    }
}
