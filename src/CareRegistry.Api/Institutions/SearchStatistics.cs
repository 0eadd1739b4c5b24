using CareRegistry.Common;
using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;

namespace CareRegistry.Institutions;

// How many values of the searchable text ANALYZE keeps. A name search pages by id, so PostgreSQL either walks the
// primary key in id order testing each row until the page is full, or takes the trigram index's matches and sorts
// them; it chooses by how many rows it expects to match. With the default 100 sampled values it can only guess in
// steps of about 1 % of the institutions: a word matching 455 of 53,563 (0.85 %) was guessed at 1,082, and the walk
// then tested 8,000-12,000 rows (25-41 ms alone, 100-290 ms under four readers) where the index answers in 2-6 ms.
// 14 of the bench's 150 three-to-five character searches were walked; with 1,000 values none (docs/performance-log.md,
// "The fourteenth stop"). Common words (养老院, a tenth of the names) are still walked, which is then the cheaper way.
public static class SearchStatistics
{
    public const string Index = "ix_institution_text_trgm";
    public const int Values = 1000;

    public static StoreOptions ConfigureSearchStatistics(this StoreOptions opts)
    {
        // After the document table and its indexes: Marten applies features added here after its own.
        opts.Storage.Add(new SchemaObjectsFeature(typeof(SearchStatistics), opts, new IndexStatistics(opts.DatabaseSchemaName)));
        return opts;
    }

    private sealed class IndexStatistics(string schema) : CheckedSchemaObject(new PostgresqlObjectName(schema, Index + "_statistics", SchemaUtils.IdentifierUsage.General))
    {
        // Analysed at once: otherwise the finer statistics wait for autovacuum's next analyse of the table.
        public override void WriteCreateStatement(Migrator migrator, TextWriter writer) =>
            writer.WriteLine($"ALTER INDEX {schema}.{Index} ALTER COLUMN 1 SET STATISTICS {Values}; ANALYZE {schema}.mt_doc_institution;");

        public override void WriteDropStatement(Migrator rules, TextWriter writer) =>
            writer.WriteLine($"ALTER INDEX IF EXISTS {schema}.{Index} ALTER COLUMN 1 SET STATISTICS -1;");

        public override void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder) =>
            builder.Append($"select {CountColumns(builder, schema, Index, $"a.attnum = 1 and a.attstattarget = {Values}")};");
    }
}
