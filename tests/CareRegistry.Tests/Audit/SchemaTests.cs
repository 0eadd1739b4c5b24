using CareRegistry.Tests.Infrastructure;
using Weasel.Core;

namespace CareRegistry.Tests.Audit;

// The hash chain, the idempotency claims and the history's index on the event table are schema objects of the store, so db-apply creates them and db-assert
// checks them: on the database the fixture set up, Weasel finds each of them present and as configured.
public class SchemaTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    [Fact]
    public async Task The_chain_and_the_idempotency_claims_are_schema_objects_that_match_the_database()
    {
        var migration = await Fixture.Store.Storage.Database.CreateMigrationAsync();
        var ours = migration.Deltas.Where(d => d.SchemaObject.Identifier.Name.StartsWith("careregistry_")).ToList();

        Assert.Equal(
            ["careregistry_audit_chain", "careregistry_bigrams", "careregistry_chain", "careregistry_chain_event", "careregistry_chain_truncate",
             "careregistry_chain_truncate", "careregistry_concerned_institutions", "careregistry_event_hash", "careregistry_events_by_institution",
             "careregistry_idempotency", "careregistry_idempotency_commit"],
            ours.Select(d => d.SchemaObject.Identifier.Name).Order());
        Assert.All(ours, d => Assert.True(d.Difference == SchemaPatchDifference.None, $"{d.SchemaObject.Identifier} differs: {d.Difference}"));
        // The institution table's expression indexes (trigrams, character pairs) read back as defined: left in place.
        var institutions = migration.Deltas.Single(d => d.SchemaObject.Identifier.Name == "mt_doc_institution");
        Assert.Equal(SchemaPatchDifference.None, institutions.Difference);
    }
}
