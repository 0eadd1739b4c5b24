using CareRegistry.Localization;
using System.Globalization;
using System.Text;
using CareRegistry.Common;
using ClosedXML.Excel;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace CareRegistry.Spreadsheets;

public enum TableFormat { Json, Csv, Xlsx }

// One column of a download: a Chinese header (what an official reads in Excel) and the value of a row. A DateOnly or
// DateTimeOffset value becomes a real date cell in .xlsx and YYYY-MM-DD in CSV; numbers stay numbers.
public sealed record Column<T>(string Header, Func<T, object?> Value);

// Lists and tables download as CSV or .xlsx (api.md): `format=csv|xlsx|json`, or Accept naming the spreadsheet type or
// text/csv. CSV starts with the UTF-8 byte-order mark: without it, Excel on Chinese Windows reads the bytes as GBK and
// shows garbled text. A download holds the same page as the JSON list; the next page is in a Link header.
public static class Tabular
{
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string CsvType = "text/csv";

    public static TableFormat Requested(HttpContext http, Validation v, string? format)
    {
        switch (format)
        {
            case null or "": break;
            case "json": return TableFormat.Json;
            case "csv": return TableFormat.Csv;
            case "xlsx": return TableFormat.Xlsx;
            default: v.Add("format", L.T("must be json, csv or xlsx")); return TableFormat.Json;
        }
        var accept = http.Request.Headers.Accept.ToString();
        if (accept.Contains(XlsxType, StringComparison.OrdinalIgnoreCase)) return TableFormat.Xlsx;
        if (accept.Contains(CsvType, StringComparison.OrdinalIgnoreCase)) return TableFormat.Csv;
        return TableFormat.Json;
    }

    public static string Extension(TableFormat format) => format == TableFormat.Xlsx ? "xlsx" : format == TableFormat.Csv ? "csv" : "json";

    // The file for a spreadsheet format; `next` (a cursor) becomes a Link to the next page.
    public static IResult File<T>(HttpContext http, TableFormat format, string name, IEnumerable<T> rows, IReadOnlyList<Column<T>> columns, string? next = null)
    {
        if (next is not null)
        {
            var query = QueryString.Create(http.Request.Query.Where(q => q.Key != "cursor").SelectMany(q => q.Value.Select(x => KeyValuePair.Create(q.Key, x))))
                .Add("cursor", next);
            http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}{query}>; rel=\"next\"";
        }
        var bytes = format == TableFormat.Xlsx ? Xlsx(name, rows, columns) : Csv(rows, columns);
        var type = format == TableFormat.Xlsx ? XlsxType : CsvType + "; charset=utf-8";
        return Results.File(bytes, type, $"{name}.{Extension(format)}");
    }

    public static byte[] Csv<T>(IEnumerable<T> rows, IReadOnlyList<Column<T>> columns)
    {
        var csv = new StringBuilder();
        csv.Append(string.Join(',', columns.Select(c => Quote(c.Header)))).Append("\r\n");
        foreach (var row in rows)
            csv.Append(string.Join(',', columns.Select(c => CsvCell(c.Value(row))))).Append("\r\n");
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }

    private static string CsvCell(object? value) => value switch
    {
        null => "",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToOffset(RegistryClock.Offset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        int or long or decimal or double => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        // A text that starts like a formula is kept as text, so a spreadsheet never evaluates what a user typed.
        _ => Quote(value.ToString() is { Length: > 0 } s && "=+-@".Contains(s[0]) ? "'" + s : value.ToString()),
    };

    private static string Quote(string? text) => text is null ? "" : "\"" + text.Replace("\"", "\"\"") + "\"";

    public static byte[] Xlsx<T>(string name, IEnumerable<T> rows, IReadOnlyList<Column<T>> columns)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.Worksheets.Add(name.Length > 31 ? name[..31] : name);
        for (var c = 0; c < columns.Count; c++)
        {
            var header = sheet.Cell(1, c + 1);
            header.SetValue(columns[c].Header);
            header.Style.Font.Bold = true;
            // Measuring text needs a font library the server may not have, so widths are set, not fitted.
            sheet.Column(c + 1).Width = Math.Clamp(Encoding.UTF8.GetByteCount(columns[c].Header) + 2, 10, 40);
        }
        var r = 2;
        foreach (var row in rows)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                var cell = sheet.Cell(r, c + 1);
                switch (columns[c].Value(row))
                {
                    case null: break;
                    case DateOnly d:
                        cell.SetValue(d.ToDateTime(TimeOnly.MinValue));
                        cell.Style.DateFormat.Format = "yyyy-mm-dd";
                        break;
                    case DateTimeOffset t:
                        cell.SetValue(t.ToOffset(RegistryClock.Offset).DateTime);
                        cell.Style.DateFormat.Format = "yyyy-mm-dd hh:mm:ss";
                        break;
                    case int i: cell.SetValue(i); break;
                    case long l: cell.SetValue(l); break;
                    case decimal m: cell.SetValue(m); break;
                    case var other:
                        cell.SetValue(other.ToString());
                        cell.DataType = XLDataType.Text;
                        break;
                }
            }
            r++;
        }
        sheet.SheetView.FreezeRows(1);
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }
}
