using CareRegistry.Tests.Infrastructure;
using CareRegistry.Institutions;
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
             "careregistry_idempotency", "careregistry_idempotency_commit", "careregistry_ids"],
            ours.Select(d => d.SchemaObject.Identifier.Name).Order());
        Assert.All(ours, d => Assert.True(d.Difference == SchemaPatchDifference.None, $"{d.SchemaObject.Identifier} differs: {d.Difference}"));
        // The institution table's expression indexes (trigrams, character pairs) read back as defined: left in place.
        var institutions = migration.Deltas.Single(d => d.SchemaObject.Identifier.Name == "mt_doc_institution");
        Assert.Equal(SchemaPatchDifference.None, institutions.Difference);
        // So do the inspections' and agreements' indexes of their institutions, with their storage parameter, and the
        // jurisdictions' index of their codes.
        foreach (var table in new[] { "mt_doc_inspection", "mt_doc_partnership", "mt_doc_jurisdiction" })
            Assert.Equal(SchemaPatchDifference.None, migration.Deltas.Single(d => d.SchemaObject.Identifier.Name == table).Difference);
    }

    // An inspection or an agreement is found by the institutions it names through a GIN index of that array's ids alone
    // (as text, whose containment is exact: no find is read again to be rechecked), whose new entries go straight into
    // it: a lookup reads no pending list that grows with the writes since the last vacuum.
    [Fact]
    public async Task The_inspections_and_agreements_of_an_institution_are_indexed_by_their_array_alone_without_a_pending_list()
    {
        await using var connection = await Fixture.Db.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select t.relname, c.relname, pg_get_indexdef(i.indexrelid), coalesce(array_to_string(c.reloptions, ','), '') from pg_index i "
            + "join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid join pg_am a on a.oid = c.relam "
            + "where t.relname in ('mt_doc_inspection', 'mt_doc_partnership') and a.amname = 'gin' and t.relnamespace = to_regnamespace(current_schema())", connection);
        var indexes = new List<(string Table, string Name, string Definition, string Options)>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) indexes.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));

        Assert.Equal(["mt_doc_inspection", "mt_doc_partnership"], indexes.Select(x => x.Table).Order());
        var inspections = Assert.Single(indexes, x => x.Table == "mt_doc_inspection");
        Assert.Equal(CareRegistry.Inspections.InspectionsConfiguration.InstitutionIndex, inspections.Name);
        Assert.Contains("careregistry_ids((data -> 'institutionIds'::text))", inspections.Definition);
        var agreements = Assert.Single(indexes, x => x.Table == "mt_doc_partnership");
        Assert.Equal(CareRegistry.Partnerships.PartnershipsConfiguration.PartyIndex, agreements.Name);
        Assert.Contains("careregistry_ids((data -> 'partyIds'::text))", agreements.Definition);
        Assert.All(indexes, x => Assert.Equal("fastupdate=off", x.Options));
    }

    // The function the indexes are built on never fails a write, whatever the member holds: an array's values as text,
    // nothing for anything else.
    [Theory]
    [InlineData("""["0195e0c4-0000-7000-8000-000000000001", "0195e0c4-0000-7000-8000-000000000002"]""", "{0195e0c4-0000-7000-8000-000000000001,0195e0c4-0000-7000-8000-000000000002}")]
    [InlineData("[]", "{}")]
    [InlineData("""["not an id", 7]""", "{\"not an id\",7}")]
    [InlineData("""{"id": "0195e0c4-0000-7000-8000-000000000001"}""", "{}")]
    [InlineData("\"0195e0c4-0000-7000-8000-000000000001\"", "{}")]
    [InlineData(null, "{}")]
    public async Task The_ids_of_a_member_are_its_array_values_as_text_and_nothing_else(string? member, string expected)
    {
        await using var connection = await Fixture.Db.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand($"select {CareRegistry.Common.MemberIndex.Function}($1::jsonb)::text", connection);
        command.Parameters.AddWithValue((object?)member ?? DBNull.Value);
        Assert.Equal(expected, await command.ExecuteScalarAsync());
    }

    // The history's index, and the standing rebuild's listing of every institution, name each institution an event's
    // JSON names once, and the empty id never, whatever the fields hold.
    [Theory]
    [InlineData("""{"institutionId": "a", "institutionIds": ["a", "b", null, "00000000-0000-0000-0000-000000000000"], "partyIds": ["b", "c", 7]}""", "7 a b c")]
    [InlineData("""{"institutionId": "00000000-0000-0000-0000-000000000000", "partyIds": []}""", "")]
    [InlineData("""{"institutionId": 7, "institutionIds": {"a": "b"}, "partyIds": "c"}""", "")]
    [InlineData("""{"permitId": "a"}""", "")]
    [InlineData("""["a", "b"]""", "")]
    [InlineData("\"a\"", "")]
    [InlineData(null, "")]
    public async Task The_institutions_an_event_concerns_are_each_named_once_and_never_the_empty_id(string? data, string expected)
    {
        await using var connection = await Fixture.Db.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand($"select {ConcernedEvents.Function}($1::jsonb)", connection);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)data ?? DBNull.Value);
        var named = (string[])(await command.ExecuteScalarAsync())!;
        Assert.Equal(expected, string.Join(' ', named.Order(StringComparer.Ordinal)));
        Assert.Equal(named.Length, named.Distinct().Count());
    }

    // The pairs of adjacent characters a two-character search looks up: every one of them, nothing for a text too short.
    [Theory]
    [InlineData("福寿康宁福寿", "宁福 寿康 康宁 福寿")]
    [InlineData("ab a", " a ab b ")]
    [InlineData("福", "")]
    [InlineData("", "")]
    public async Task The_pairs_of_a_text_are_its_adjacent_characters(string text, string expected)
    {
        await using var connection = await Fixture.Db.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand($"select {InstitutionText.Bigrams}($1)", connection);
        command.Parameters.AddWithValue(text);
        var pairs = (string[])(await command.ExecuteScalarAsync())!;
        Assert.Equal(expected, string.Join(' ', pairs.Distinct().Order(StringComparer.Ordinal)));
    }
}
