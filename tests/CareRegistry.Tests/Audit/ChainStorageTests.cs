using System.Net;
using System.Text.Json.Nodes;
using CareRegistry.Audit;
using CareRegistry.Institutions;
using CareRegistry.Tests.Infrastructure;
using Weasel.Core;

namespace CareRegistry.Tests.Audit;

// The chain's hashes are stored as bytes (AuditChain.HashColumn). A chain an earlier version stored as hex text is
// converted in place by the schema's apply, and nothing an auditor holds changes: the same digest, the same links,
// and verify still finds the chain whole, with appends after it chained as before.
public class ChainStorageTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private async Task<string> HashType()
    {
        await using var cmd = Db.CreateCommand(
            $"select atttypid::regtype::text from pg_attribute where attrelid = '{AuditChain.Table}'::regclass and attname = 'hash'");
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private Task<SchemaPatchDifference> Difference() => Fixture.SchemaDifferenceAsync(AuditChain.Table);

    private async Task<List<string?>> Links(Guid stream)
    {
        var events = (await Client.Get($"/api/audit/streams/{stream}")).ShouldBe(HttpStatusCode.OK).Body!.AsArray();
        return [.. events.SelectMany(e => new[] { e!["prevHash"]?.GetValue<string>(), e["hash"]!.GetValue<string>() })];
    }

    private async Task<JsonObject> Verify() => (await Client.Get("/api/audit/verify")).ShouldBe(HttpStatusCode.OK).Body!.AsObject();

    [Fact]
    public async Task A_chain_stored_as_hex_text_is_converted_to_bytes_and_proves_the_same()
    {
        var id = await Client.Register(Scenario.CareHome("链存养老院"));
        await Client.Post($"/api/institutions/{id}/beds", new ChangeBeds(new DateOnly(2020, 1, 1), new BedsInput(ElderlyCare: 120), null));
        Assert.Equal("bytea", await HashType());
        Assert.Equal(SchemaPatchDifference.None, await Difference());
        var digest = (await Client.Get("/api/audit/digest")).ShouldBe(HttpStatusCode.OK)["value"].GetValue<string>();
        var links = await Links(id);
        Assert.All(links.Skip(1), h => Assert.Matches("^[0-9a-f]{64}$", h!));

        // The chain as the earlier version stored it: each hash as its 64 hex digits.
        await using (var back = Db.CreateCommand($"""
            alter table {AuditChain.Table} alter column prev_hash type text using encode(prev_hash, 'hex'),
                                           alter column hash type text using encode(hash, 'hex')
            """))
            await back.ExecuteNonQueryAsync();
        Assert.Equal("text", await HashType());
        Assert.NotEqual(SchemaPatchDifference.None, await Difference());

        await Fixture.Store.Storage.Database.ApplyAllConfiguredChangesToDatabaseAsync();
        Assert.Equal("bytea", await HashType());
        Assert.Equal(SchemaPatchDifference.None, await Difference());
        Assert.Equal(digest, (await Client.Get("/api/audit/digest")).ShouldBe(HttpStatusCode.OK)["value"].GetValue<string>());
        Assert.Equal(links, await Links(id));
        Assert.Equal("ok", (await Verify())["status"]!.GetValue<string>());

        // Appended after the conversion: linked to the converted hash, and the whole chain verifies.
        await Client.Post($"/api/institutions/{id}/beds", new ChangeBeds(new DateOnly(2021, 1, 1), new BedsInput(ElderlyCare: 150), null));
        var after = await Links(id);
        Assert.Equal(links[^1], after[^2]);
        Assert.Equal("ok", (await Verify())["status"]!.GetValue<string>());
    }
}
