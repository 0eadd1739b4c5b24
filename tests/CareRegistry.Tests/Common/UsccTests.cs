using CareRegistry.Common;

namespace CareRegistry.Tests.Common;

public class UsccTests
{
    [Theory]
    [InlineData("91350100M000100Y43")] // a code published as a GB 32100-2015 example
    [InlineData("91110000600037341L")]
    [InlineData("91350100m000100y43")] // lower case is read as upper case
    public void Accepts_codes_whose_check_character_matches(string code) => Assert.Null(Uscc.Problem(code));

    [Theory]
    [InlineData("91350100M000100Y44", "check character")]
    [InlineData("91350100M000100Y4", "18 characters")]
    [InlineData("91350100M000100I43", "alphabet")]
    [InlineData("", "required")]
    public void Refuses_codes_that_are_not_valid(string code, string reason) => Assert.Contains(reason, Uscc.Problem(code)?.Render());

    [Fact]
    public void Any_single_character_change_is_detected()
    {
        const string valid = "91350100M000100Y43";
        for (var i = 0; i < 17; i++)
        foreach (var c in Uscc.Alphabet.Where(c => c != valid[i]))
        {
            var changed = valid[..i] + c + valid[(i + 1)..];
            Assert.NotNull(Uscc.Problem(changed));
        }
    }

    [Theory]
    [InlineData("530111", null)]
    [InlineData("5301", "6-digit")]
    [InlineData("53011a", "6-digit")]
    [InlineData("001234", "province")]
    public void Division_codes_name_a_district(string code, string? reason)
    {
        var problem = Division.DistrictProblem(code)?.Render();
        if (reason is null) Assert.Null(problem); else Assert.Contains(reason, problem);
    }
}
