using CareRegistry.Statistics;
using CareRegistry.Tests.Infrastructure;
using Npgsql;
using Weasel.Core;

namespace CareRegistry.Tests.Statistics;

// The standings are compressed with lz4 (StandingCompression): the schema sets it, db-assert checks it, and db-apply
// puts it back when it is lost.
public class StandingCompressionTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    internal static async Task<string?> Compression(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand(
            $"select nullif(attcompression::text, '') from pg_attribute where attrelid = '{StandingCompression.Table}'::regclass and attname = 'data'");
        return await cmd.ExecuteScalarAsync() as string;
    }

    private Task<SchemaPatchDifference> Difference() => Fixture.SchemaDifferenceAsync(StandingCompression.Table + "_compression");

    [Fact]
    public async Task Standings_are_compressed_with_lz4_and_the_schema_restores_it()
    {
        Assert.Equal("l", await Compression(Db));
        Assert.Equal(SchemaPatchDifference.None, await Difference());

        await using (var reset = Db.CreateCommand($"alter table {StandingCompression.Table} alter column data set compression default"))
            await reset.ExecuteNonQueryAsync();
        Assert.Null(await Compression(Db));
        Assert.Equal(SchemaPatchDifference.Create, await Difference());

        await Fixture.Store.Storage.Database.ApplyAllConfiguredChangesToDatabaseAsync();
        Assert.Equal("l", await Compression(Db));
        Assert.Equal(SchemaPatchDifference.None, await Difference());
    }
}
