using CareRegistry.Common;
using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;

namespace CareRegistry.Statistics;

// How often PostgreSQL vacuums and analyses the standing facts. Nearly every list, table and queue is an index-only
// scan of them, which reads a row from the heap whenever its page is not marked all-visible; a write clears the mark
// and a vacuum sets it again. By default a table is vacuumed after a fifth of it changed (about 640,000 facts at
// 50,000 institutions), so after a day of commands most reads went to the heap: the work queues' statement made
// 2,358 heap fetches after 14,000 commands (docs/performance-log.md, "The seventh stop"). A hundredth keeps the mark
// current; each run reads only the pages written since the last.
public static class StandingVacuum
{
    public static readonly string[] Settings =
    [
        "autovacuum_vacuum_scale_factor=0.01",
        "autovacuum_vacuum_insert_scale_factor=0.01",
        "autovacuum_analyze_scale_factor=0.02",
    ];

    public static StoreOptions ConfigureStandingVacuum(this StoreOptions opts)
    {
        // After the document tables: Marten applies features added here after its own.
        opts.Storage.Add(new SchemaObjectsFeature(typeof(StandingVacuum), opts, new TableSettings(opts.DatabaseSchemaName)));
        return opts;
    }

    private sealed class TableSettings(string schema) : CheckedSchemaObject(new PostgresqlObjectName(schema, StandingSql.Table + "_vacuum", SchemaUtils.IdentifierUsage.General))
    {
        private string Table => $"{schema}.{StandingSql.Table}";

        public override void WriteCreateStatement(Migrator migrator, TextWriter writer) =>
            writer.WriteLine($"ALTER TABLE {Table} SET ({string.Join(", ", Settings)});");

        public override void WriteDropStatement(Migrator rules, TextWriter writer) =>
            writer.WriteLine($"ALTER TABLE IF EXISTS {Table} RESET ({string.Join(", ", Settings.Select(s => s.Split('=')[0]))});");

        public override void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder)
        {
            var name = builder.AddParameter(StandingSql.Table).ParameterName;
            var nsp = builder.AddParameter(schema).ParameterName;
            var wanted = builder.AddParameter(Settings).ParameterName;
            builder.Append($$"""
                select count(*) from pg_class t join pg_namespace n on n.oid = t.relnamespace
                where t.relname = :{{name}} and n.nspname = :{{nsp}} and coalesce(t.reloptions, '{}') @> :{{wanted}};
                """);
        }
    }
}
