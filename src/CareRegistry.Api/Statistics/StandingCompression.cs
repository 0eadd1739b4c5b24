using CareRegistry.Common;
using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;

namespace CareRegistry.Statistics;

// How PostgreSQL compresses a stored standing. A standing is about 20 kB of JSON (the institution, its permits,
// inspections, agreements and live facts), kept out of line and compressed, and the standing projection rewrites one
// per institution a batch touches. With the default method (pglz) the compression was most of the 0.33 ms each store
// took (full 28: 67,489 stores, 22 s of PostgreSQL in the write trials, as much as the facts' inserts). lz4 compresses
// 20,000 standings in about half the time of pglz (7.8 → 4.0 s, parse included) and reads them back in half (14 → 7 µs
// each), for about a tenth more space (106 → 116 MB) (docs/performance-log.md, the sixteenth stop). lz4 is PostgreSQL
// 14's; an older server, or one built without it, keeps pglz.
public static class StandingCompression
{
    public const string Method = "lz4";
    public const string Table = "mt_doc_institutionstanding";

    public static StoreOptions ConfigureStandingCompression(this StoreOptions opts)
    {
        // After the document tables: Marten applies features added here after its own.
        opts.Storage.Add(new SchemaObjectsFeature(typeof(StandingCompression), opts, new ColumnCompression(opts.DatabaseSchemaName)));
        return opts;
    }

    // For the standing table or one made in its place (StandingRebuild's fresh tables). The table name is the
    // registry's own (Marten's mapping), never a caller's.
    public static string Sql(string qualifiedTable) => $$"""
        DO $do$ BEGIN
          IF current_setting('server_version_num')::int >= 140000 THEN
            ALTER TABLE {{qualifiedTable}} ALTER COLUMN data SET COMPRESSION {{Method}};
          END IF;
        EXCEPTION WHEN feature_not_supported THEN NULL;
        END $do$;
        """;

    private sealed class ColumnCompression(string schema)
        : CheckedSchemaObject(new PostgresqlObjectName(schema, Table + "_compression", SchemaUtils.IdentifierUsage.General))
    {
        public override void WriteCreateStatement(Migrator migrator, TextWriter writer) =>
            writer.WriteLine(Sql($"{schema}.{Table}"));

        public override void WriteDropStatement(Migrator rules, TextWriter writer) =>
            writer.WriteLine($"""
                DO $do$ BEGIN
                  IF current_setting('server_version_num')::int >= 140000 THEN
                    ALTER TABLE IF EXISTS {schema}.{Table} ALTER COLUMN data SET COMPRESSION default;
                  END IF;
                END $do$;
                """);

        // Present when the column says lz4, or when the server has no per-column method to set (read through to_jsonb:
        // the catalogue has no attcompression before 14).
        public override void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder) =>
            builder.Append("select case when current_setting('server_version_num')::int < 140000 then 1 else "
                           + CountColumns(builder, schema, Table, "a.attname = 'data' and to_jsonb(a) ->> 'attcompression' = 'l'") + " end;");
    }
}
