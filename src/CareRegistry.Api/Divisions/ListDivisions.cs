using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Divisions;

public sealed record DivisionChild(string Code, string Name, string Pinyin, DivisionLevel Level, DateOnly? ValidFrom, DateOnly? ValidTo);

public sealed record DivisionList(string Parent, string ParentName, IReadOnlyList<DivisionChild> Items);

public static class ListDivisionsEndpoint
{
    // The divisions directly under one (the provinces when parent is absent), abolished ones included with validTo,
    // for pickers that go province → city → district. A few hundred rows at most: no paging.
    [WolverineGet("/api/divisions"), Tags("Divisions")]
    [ProducesResponseType<DivisionList>(200)]
    public static IResult List(string? parent)
    {
        var code = string.IsNullOrEmpty(parent) ? "00" : parent;
        if (Divisions.ProblemFor(code) is { } problem) return Results.Problem(new Validation().Add("parent", problem).ToProblem());
        var items = Divisions.ChildrenOf(code).Select(d => new DivisionChild(d.Code, d.Name, d.Pinyin, d.Level, d.ValidFrom, d.ValidTo)).ToList();
        return Results.Json(new DivisionList(code, Divisions.Find(code)!.Name, items), Json.Options);
    }
}
