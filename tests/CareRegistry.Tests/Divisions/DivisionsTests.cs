using CareRegistry.Common;
using CareRegistry.Demo;
using CareRegistry.Divisions;
using GbT2260 = CareRegistry.Divisions.Divisions;

namespace CareRegistry.Tests.Divisions;

// The GB/T 2260 table as the registry reads it: prefixes, municipalities, abolished codes, and what is refused.
public class DivisionsTests
{
    [Theory]
    [InlineData("00", "中华人民共和国", DivisionLevel.Nation, null)]
    [InlineData("53", "云南省", DivisionLevel.Province, "00")]
    [InlineData("5301", "昆明市", DivisionLevel.City, "53")]
    [InlineData("530111", "官渡区", DivisionLevel.District, "5301")]
    [InlineData("5107", "绵阳市", DivisionLevel.City, "51")]
    [InlineData("510704", "游仙区", DivisionLevel.District, "5107")]
    [InlineData("71", "台湾省", DivisionLevel.Province, "00")]
    public void Provinces_cities_and_districts_are_found_by_the_registry_prefixes(string code, string name, DivisionLevel level, string? parent)
    {
        var d = GbT2260.Find(code);
        Assert.NotNull(d);
        Assert.Equal((code, name, level, parent), (d.Code, d.Name, d.Level, d.Parent));
        Assert.Null(d.ValidTo);
        Assert.True(GbT2260.Exists(code));
        Assert.Null(GbT2260.ProblemFor(code));
    }

    [Fact]
    public void Names_carry_pinyin()
    {
        Assert.Equal("guan du qu", GbT2260.Find("530111")!.Pinyin);
        Assert.Equal("chong qing shi", GbT2260.Find("50")!.Pinyin);
        Assert.Equal("lao ting xian", GbT2260.Find("130225")!.Pinyin);   // 乐亭: the toponymic reading, not le
    }

    [Theory]
    [InlineData("50", "5001", "500112", "渝北区")]   // Chongqing: districts under 市辖区
    [InlineData("50", "5002", "500229", "城口县")]   // and counties under 县
    [InlineData("11", "1101", "110105", "朝阳区")]
    [InlineData("12", "1201", "120101", "和平区")]
    [InlineData("31", "3101", "310151", "崇明区")]
    [InlineData("42", "4290", "429004", "仙桃市")]   // county-level cities the province administers directly
    [InlineData("46", "4690", "469002", "琼海市")]
    [InlineData("41", "4190", "419001", "济源市")]
    [InlineData("65", "6590", "659001", "石河子市")]
    public void Municipalities_and_directly_administered_cities_have_a_4_digit_level(string province, string city, string district, string name)
    {
        Assert.Equal(DivisionLevel.City, GbT2260.Find(city)!.Level);
        Assert.Equal(province, GbT2260.Find(city)!.Parent);
        Assert.Equal((name, city), (GbT2260.Find(district)!.Name, GbT2260.Find(district)!.Parent));
        Assert.Equal([province, city, district], GbT2260.Path(district).Select(d => d.Code));
        Assert.Null(Division.PrefixProblem(city));
        Assert.Null(Division.DistrictProblem(district));
    }

    [Fact]
    public void A_city_without_districts_stands_as_its_own_district()
    {
        Assert.Equal(DivisionLevel.City, GbT2260.Find("4419")!.Level);
        Assert.Equal(("东莞市", DivisionLevel.District), (GbT2260.Find("441900")!.Name, GbT2260.Find("441900")!.Level));
        Assert.Null(Division.DistrictProblem("441900"));
    }

    [Fact]
    public void Abolished_codes_still_validate_with_the_day_they_ended_and_their_successors()
    {
        var chenggong = GbT2260.Find("530121");
        Assert.NotNull(chenggong);
        Assert.Equal(("呈贡县", new DateOnly(2011, 5, 19)), (chenggong.Name, chenggong.ValidTo));
        Assert.Equal(["530114"], GbT2260.ReplacedBy("530121"));
        Assert.Equal(new DateOnly(2011, 5, 20), GbT2260.Find("530114")!.ValidFrom);
        Assert.Null(Division.DistrictProblem("530121"));
        Assert.Null(Division.PrefixProblem("530121"));

        Assert.Equal(new DateOnly(2021, 3, 10), GbT2260.Find("330104")!.ValidTo);           // 江干区, merged in 2021
        Assert.Equal(["330102", "330114"], GbT2260.ReplacedBy("330104"));
        Assert.Equal(new DateOnly(2021, 1, 20), GbT2260.Find("513402")!.ValidFrom);          // 会理市, after the base table
    }

    [Theory]
    [InlineData("999999", "there is no district 999999")]
    [InlineData("530199", "昆明市 5301 has no district 530199")]
    [InlineData("5399", "云南省 53 has no city 5399")]
    [InlineData("99", "there is no province 99")]
    [InlineData("530000", "云南省 is 53")]
    [InlineData("530100", "昆明市 is 5301")]
    public void Well_formed_codes_that_name_no_division_are_refused(string code, string reason)
    {
        Assert.Null(GbT2260.Find(code));
        Assert.False(GbT2260.Exists(code));
        var problem = GbT2260.ProblemFor(code)?.Render();
        Assert.NotNull(problem);
        Assert.Contains("is not a division in GB/T 2260", problem);
        Assert.Contains(reason, problem);
        Assert.Equal(problem, Division.PrefixProblem(code)?.Render());
        if (code.Length == 6) Assert.Equal(problem, Division.DistrictProblem(code)?.Render());
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("", "is required")]
    [InlineData("5", "2, 4 or 6-digit")]
    [InlineData("531", "2, 4 or 6-digit")]
    [InlineData("53011a", "2, 4 or 6-digit")]
    [InlineData("5301111", "2, 4 or 6-digit")]
    [InlineData("５３", "2, 4 or 6-digit")]   // full-width digits are not ASCII digits
    public void Malformed_codes_are_refused_for_their_shape(string? code, string reason)
    {
        Assert.Null(GbT2260.Find(code));
        Assert.Contains(reason, GbT2260.ProblemFor(code)?.Render());
    }

    [Fact]
    public void A_district_jurisdiction_must_be_six_digits_of_a_province()
    {
        Assert.Contains("6-digit", Division.DistrictProblem("5301")?.Render());
        Assert.Contains("province", Division.DistrictProblem("001234")?.Render());
        Assert.Null(Division.PrefixProblem("00"));
        Assert.Null(Division.PrefixProblem(""));
    }

    [Fact]
    public void The_table_is_whole()
    {
        var all = GbT2260.All.ToList();
        Assert.Equal(34, all.Count(d => d.Level == DivisionLevel.Province));
        Assert.InRange(all.Count(d => d.Level == DivisionLevel.City), 340, 360);
        Assert.InRange(all.Count(d => d.Level == DivisionLevel.District), 2850, 2950);
        foreach (var d in all)
        {
            Assert.Equal(d.Level switch { DivisionLevel.Nation or DivisionLevel.Province => 2, DivisionLevel.City => 4, _ => 6 }, d.Code.Length);
            if (d.Level == DivisionLevel.Nation) continue;
            Assert.Equal(d.Level == DivisionLevel.Province ? "00" : d.Code[..^2], d.Parent);
            Assert.False(string.IsNullOrWhiteSpace(d.Name), d.Code);
            Assert.Matches("^[a-zü]+( [a-zü]+)*$", d.Pinyin);
            Assert.Contains(d, GbT2260.ChildrenOf(d.Parent!));
        }
    }

    [Fact]
    public void Every_code_the_demo_data_uses_is_in_the_table()
    {
        var codes = DemoInstitutions.All.Select(e => e.Jurisdiction)
            .Concat(DemoPermits.Regimes.Select(r => r.Jurisdiction))
            .Concat(DemoPermits.Populations.Select(p => p.Jurisdiction))
            .Distinct();
        Assert.All(codes, code => Assert.Null(Division.PrefixProblem(code)?.Render()));
        Assert.All(DemoInstitutions.All, e => Assert.Null(Division.DistrictProblem(e.Jurisdiction)));
    }
}
