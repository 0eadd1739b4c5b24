using CareRegistry.Jurisdictions;
using CareRegistry.Tests.Infrastructure;
using JasperFx.CodeGeneration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;

namespace CareRegistry.Tests.Common;

// The service runs Wolverine's pre-generated code (ops/codegen) and carries no runtime compiler; ops/test's
// `ops/codegen --check` is what fails when that code is stale.
public class GeneratedCodeTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    [Fact]
    public async Task Chains_load_their_generated_types_and_no_compiler_is_loaded()
    {
        Assert.Equal(TypeLoadMode.Static, Fixture.Host.Services.GetRequiredService<WolverineOptions>().CodeGeneration.TypeLoadMode);
        // A write and a read, so that their chains have been built.
        var home = await Client.Register(Scenario.CareHome());
        await Client.Get($"/api/institutions/{home}");
        var roslyn = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "")
            .Where(n => n.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) || n == "JasperFx.RuntimeCompiler").ToList();
        Assert.Empty(roslyn);
    }

    // GET /api/institutions/{id} finds the jurisdiction levels in SQL, by their codes: the same levels as in C#
    // (InspectionHttpTests.A_jurisdiction_sets_its_own_demerit_threshold_from_a_date reads a city's threshold through it).
    [Theory]
    [InlineData("530111")]
    [InlineData("5301")]
    [InlineData("53")]
    [InlineData("00")]
    public async Task The_sql_levels_of_a_jurisdiction_are_its_levels(string code)
    {
        var data = Fixture.Host.Services.GetRequiredService<NpgsqlDataSource>();
        await using var levels = data.CreateCommand($"select code from {Jurisdiction.LevelsSql("$1")} as code");
        levels.Parameters.Add(new NpgsqlParameter { Value = code });
        var found = new List<string>();
        await using (var reader = await levels.ExecuteReaderAsync())
            while (await reader.ReadAsync()) found.Add(reader.GetString(0));
        Assert.Equal(Jurisdiction.Levels(code), found.Distinct().ToList());
    }
}
