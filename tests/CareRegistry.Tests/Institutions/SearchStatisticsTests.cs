using CareRegistry.Institutions;
using CareRegistry.Tests.Infrastructure;
using Weasel.Core;

namespace CareRegistry.Tests.Institutions;

// The name search's index keeps 1,000 sampled values of the searchable text (SearchStatistics): the schema sets it,
// db-assert checks it, and db-apply puts it back when it is lost (an index dropped and created again loses it).
public class SearchStatisticsTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private async Task<int> StatisticsTarget()
    {
        await using var cmd = Db.CreateCommand(
            $"select coalesce(attstattarget, -1) from pg_attribute where attrelid = '{SearchStatistics.Index}'::regclass and attnum = 1");
        return Convert.ToInt32(await cmd.ExecuteScalarAsync());
    }

    private Task<SchemaPatchDifference> Difference() => Fixture.SchemaDifferenceAsync(SearchStatistics.Index + "_statistics");

    [Fact]
    public async Task The_name_search_index_keeps_a_thousand_values_and_the_schema_restores_them()
    {
        Assert.Equal(SearchStatistics.Values, await StatisticsTarget());
        Assert.Equal(SchemaPatchDifference.None, await Difference());

        await using (var reset = Db.CreateCommand($"alter index {SearchStatistics.Index} alter column 1 set statistics -1"))
            await reset.ExecuteNonQueryAsync();
        Assert.Equal(SchemaPatchDifference.Create, await Difference());

        await Fixture.Store.Storage.Database.ApplyAllConfiguredChangesToDatabaseAsync();
        Assert.Equal(SearchStatistics.Values, await StatisticsTarget());
        Assert.Equal(SchemaPatchDifference.None, await Difference());
    }
}
