using System.Net;
using System.Text;
using ClosedXML.Excel;
using CareRegistry.Permits;
using CareRegistry.Tests.Disclosure;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Spreadsheets;

// Downloads that open right in Excel: .xlsx with Chinese headers and real date cells, CSV with a UTF-8 BOM.
public class DownloadTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    // A care home whose filing expires soon after 2024-06-01 (a permit-expiring alert with a due date).
    private async Task<Guid> BuildWorld()
    {
        await Client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29));
        var home = await Client.Register(Scenario.CareHome("下载养老院", "530111"));
        (await Client.Submit(home, PermitType.ElderlyCare, D(2019, 1, 1), D(2024, 7, 1))).ShouldBe(HttpStatusCode.Created);
        (await Client.Submit(await Client.Register(Scenario.CareHome("下载二养老院", "530111")), PermitType.ElderlyCare, D(2020, 3, 1)))
            .ShouldBe(HttpStatusCode.Created);
        await Fixture.Projected();
        return home;
    }

    private async Task<(byte[] Bytes, string? Type, string? FileName)> Download(string url, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null) request.Headers.Accept.ParseAdd(accept);
        using var response = await Client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType?.MediaType,
            response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
    }

    private static IXLWorksheet Sheet(byte[] bytes) => new XLWorkbook(new MemoryStream(bytes)).Worksheet(1);

    private static List<string> Headers(IXLWorksheet sheet) => sheet.Row(1).CellsUsed().Select(c => c.GetString()).ToList();

    [Fact]
    public async Task The_monitoring_table_opens_as_xlsx_with_Chinese_headers_and_a_date_cell()
    {
        await BuildWorld();
        var (bytes, type, name) = await Download("/api/statistics/integrated-care?jurisdiction=530111&asOf=2024-06-01", Xlsx);
        Assert.Equal(Xlsx, type);
        Assert.EndsWith(".xlsx", name);
        var sheet = Sheet(bytes);
        Assert.Equal(["行政区划代码", "统计日期", "指标代码", "指标名称", "数值", "分子", "分母", "说明", "机构ID", "数据计算时间"], Headers(sheet));
        var asOf = sheet.Cell(2, 2);
        Assert.Equal(XLDataType.DateTime, asOf.DataType);
        Assert.Equal(new DateTime(2024, 6, 1), asOf.GetDateTime());
        var row = sheet.RowsUsed().Single(r => r.Cell(3).GetString() == "elderly-care-institutions");
        Assert.Equal(XLDataType.Number, row.Cell(5).DataType);
        Assert.Equal(2, row.Cell(5).GetValue<int>());
    }

    [Fact]
    public async Task Alerts_and_the_search_download_as_xlsx_with_format_and_as_csv_with_a_BOM()
    {
        var home = await BuildWorld();
        var (bytes, _, _) = await Download("/api/alerts?jurisdiction=530111&asOf=2024-06-01&format=xlsx");
        var sheet = Sheet(bytes);
        Assert.Equal("预警类型", Headers(sheet)[0]);
        var dueColumn = Headers(sheet).IndexOf("到期日") + 1;
        var expiring = sheet.RowsUsed().Skip(1).Single(r => r.Cell(1).GetString() == "permit-expiring");
        Assert.Equal(XLDataType.DateTime, expiring.Cell(dueColumn).DataType);
        Assert.Equal(new DateTime(2024, 7, 1), expiring.Cell(dueColumn).GetDateTime());
        Assert.Equal("下载养老院", expiring.Cell(2).GetString());

        var search = Sheet((await Download("/api/institutions?jurisdiction=530111", Xlsx)).Bytes);
        Assert.Equal("机构名称", Headers(search)[0]);
        Assert.Equal(3, search.RowsUsed().Count());

        var (csv, csvType, _) = await Download("/api/institutions?jurisdiction=530111&format=csv");
        Assert.Equal("text/csv", csvType);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, csv[..3]);
        var text = Encoding.UTF8.GetString(csv[3..]);
        Assert.StartsWith("\"机构名称\",\"英文名称\",\"统一社会信用代码\"", text);
        Assert.Contains(home.ToString(), text);
        var alerts = Encoding.UTF8.GetString((await Download("/api/alerts?jurisdiction=530111&asOf=2024-06-01", "text/csv")).Bytes[3..]);
        Assert.Contains(",2024-07-01,", alerts);

        (await Client.Get("/api/institutions?format=pdf")).ShouldBeProblem(HttpStatusCode.BadRequest, "format");
    }

    [Fact]
    public async Task A_public_list_downloads_as_xlsx_and_csv_each_with_its_own_ETag()
    {
        await BuildWorld();
        var address = PublicClient.NewAddress();
        var xlsx = await Fixture.Public("/public/care-institutions?jurisdiction=530111", address, accept: Xlsx);
        Assert.Equal(200, xlsx.Context.Response.StatusCode);
        Assert.StartsWith(Xlsx, xlsx.Context.Response.ContentType);
        var stream = new MemoryStream();
        await xlsx.Context.Response.Body.CopyToAsync(stream);
        var sheet = Sheet(stream.ToArray());
        var headers = Headers(sheet);
        Assert.Equal("机构名称", headers[0]);
        var since = headers.IndexOf("生效日期") + 1;
        var dates = sheet.RowsUsed().Skip(1).Select(r => r.Cell(since)).ToList();
        Assert.All(dates, c => Assert.Equal(XLDataType.DateTime, c.DataType));
        // The first home's filing expired on 2024-07-01, so only the second is listed today.
        Assert.Equal(new DateTime(2020, 3, 1), Assert.Single(dates).GetDateTime());

        var csv = await Fixture.Public("/public/care-institutions?jurisdiction=530111&format=csv", address);
        var bytes = new MemoryStream();
        await csv.Context.Response.Body.CopyToAsync(bytes);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes.ToArray()[..3]);
        var etag = csv.Context.Response.Headers.ETag.ToString();
        Assert.NotEqual(xlsx.Context.Response.Headers.ETag.ToString(), etag);
        Assert.Equal(304, (await Fixture.Public("/public/care-institutions?jurisdiction=530111&format=csv", address, ifNoneMatch: etag)).Context.Response.StatusCode);
    }
}
