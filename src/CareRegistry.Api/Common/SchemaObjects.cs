using System.Data.Common;
using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;

namespace CareRegistry.Common;

// Schema objects of our own that Marten's tooling (db-apply, db-assert, the apply at start-up) keeps with its own. A
// feature added to StoreOptions.Storage is applied after Marten's tables, so its objects may alter them. Marten keeps
// one feature per storage type, so each is keyed by the class that owns it.
public sealed class SchemaObjectsFeature(Type owner, StoreOptions opts, params ISchemaObject[] objects)
    : FeatureSchemaBase(owner.Name, opts.Advanced.Migrator)
{
    public override Type StorageType => owner;

    protected override IEnumerable<ISchemaObject> schemaObjects() => objects;
}

// An object Weasel cannot compare by itself (an index with its settings, a table's settings): a catalogue query counts
// it as wanted, and when it counts none, the create statements (written to be run again safely) are run.
public abstract class CheckedSchemaObject(DbObjectName identifier) : ISchemaObject
{
    public DbObjectName Identifier { get; } = identifier;

    public abstract void WriteCreateStatement(Migrator migrator, TextWriter writer);

    public abstract void WriteDropStatement(Migrator rules, TextWriter writer);

    // One statement whose first column counts the object as wanted.
    public abstract void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder);

    // A subquery counting the columns of a table or index in a schema that meet a condition on pg_attribute (alias a).
    protected static string CountColumns(Weasel.Core.DbCommandBuilder builder, string schema, string relation, string condition)
    {
        var name = builder.AddParameter(relation).ParameterName;
        var nsp = builder.AddParameter(schema).ParameterName;
        return "(select count(*) from pg_attribute a join pg_class r on r.oid = a.attrelid join pg_namespace n on n.oid = r.relnamespace "
               + $"where r.relname = :{name} and n.nspname = :{nsp} and {condition})";
    }

    public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct = default)
    {
        var present = await reader.ReadAsync(ct) && await reader.GetFieldValueAsync<long>(0, ct) > 0;
        return new SchemaObjectDelta(this, present ? SchemaPatchDifference.None : SchemaPatchDifference.Create);
    }

    public IEnumerable<DbObjectName> AllNames()
    {
        yield return Identifier;
    }
}
