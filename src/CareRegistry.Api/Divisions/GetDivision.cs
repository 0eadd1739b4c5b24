using CareRegistry.Localization;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Divisions;

public sealed record DivisionStep(string Code, string Name);

// Names for a code, so clients show 云南省 / 昆明市 / 官渡区 rather than digits. Path runs from the province down to the
// division itself; validTo and replacedBy appear for codes since abolished.
public sealed record DivisionView(string Code, string Name, string Pinyin, DivisionLevel Level, string? Parent, DateOnly? ValidFrom,
    DateOnly? ValidTo, IReadOnlyList<string>? ReplacedBy, IReadOnlyList<DivisionStep> Path)
{
    public static DivisionView From(DivisionInfo d)
    {
        var successors = Divisions.ReplacedBy(d.Code);
        return new(d.Code, d.Name, d.Pinyin, d.Level, d.Parent, d.ValidFrom, d.ValidTo, successors.Count == 0 ? null : successors,
            Divisions.Path(d.Code).Select(p => new DivisionStep(p.Code, p.Name)).ToList());
    }
}

public static class GetDivisionEndpoint
{
    [WolverineGet("/api/divisions/{code}"), Tags("Divisions")]
    [ProducesResponseType<DivisionView>(200)]
    public static IResult Get(string code)
    {
        // Malformed is the caller's mistake (400); well-formed but not in the table is a code that does not exist (404).
        if (code.Length is not (2 or 4 or 6) || !code.All(char.IsAsciiDigit))
            return Results.Problem(new Validation().Add("code", Divisions.ProblemFor(code)!.Value).ToProblem());
        return Divisions.Find(code) is { } found
            ? Results.Json(DivisionView.From(found), Json.Options)
            : Results.Problem(Problems.NotFound(L.T("{0} {1}", code, Divisions.ProblemFor(code))));
    }
}
