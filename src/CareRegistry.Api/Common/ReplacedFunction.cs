using Weasel.Core;
using Weasel.Postgresql.Functions;

namespace CareRegistry.Common;

// A PostgreSQL function kept by Marten's schema tooling (db-apply, db-assert, the apply at start-up). Its definition
// is written the way pg_get_functiondef prints it, which is what Weasel compares it with. A changed definition is
// replaced in place (CREATE OR REPLACE): Weasel's own update drops the old function first, with CASCADE, which
// would take a trigger that calls it along — and the trigger, found present before the script ran, would not be
// created again.
public sealed class ReplacedFunction(string definition) : Function(ParseIdentifier(definition), definition)
{
    protected override ISchemaObjectDelta CreateFunctionDelta(FunctionBase? actual) => new InPlace(this, (Function?)actual);

    private sealed class InPlace(Function expected, Function? actual) : FunctionDelta(expected, actual)
    {
        public override void WriteUpdate(Migrator rules, TextWriter writer) => Expected.WriteCreateStatement(rules, writer);
    }
}
