using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Permits;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Jurisdictions;

public record RegimeInForce(string PermitType, string Department, string Regime, string DecidedBy, DateOnly? Since, string? Basis);

public record RegimeRecord(string Jurisdiction, string PermitType, string Regime, DateOnly EffectiveOn, string Basis, string PendingApplications);

public record JurisdictionView(string Code, string Level, DateOnly AsOf, IReadOnlyList<RegimeInForce> Regimes, IReadOnlyList<RegimeRecord> History,
    int DemeritThreshold, string DemeritThresholdSetBy, ElderlyPopulationRecorded? Population, IReadOnlyList<Designations.JurisdictionDesignated> Designations);

public static class GetJurisdictionEndpoint
{
    [WolverineGet("/api/jurisdictions/{code}"), Tags("Jurisdictions")]
    [ProducesResponseType<JurisdictionView>(200)]
    public static async Task<IResult> Get(string code, string? asOf, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation().Check("code", Division.PrefixProblem(code));
        var day = ReadParameters.AsOf(v, asOf) ?? clock.Today();
        if (!v.IsValid) return Results.Problem(v.ToProblem());

        var levels = await session.LoadManyAsync<Jurisdiction>(ct, RegimeBook.StreamIdsFor(code));
        var book = new RegimeBook(levels);
        var regimes = Enum.GetValues<PermitType>().Select(type =>
        {
            var (regime, basis) = book.Resolve(type, code, day);
            return new RegimeInForce(Json.Wire(type), Json.Wire(PermitTypes.DepartmentOf(type)), Json.Wire(regime),
                basis?.Jurisdiction ?? "before any reform", basis?.EffectiveOn, basis?.Basis);
        }).ToList();
        var history = levels.SelectMany(l => l.Regimes).OrderBy(r => r.EffectiveOn)
            .Select(r => new RegimeRecord(r.Jurisdiction, Json.Wire(r.PermitType), Json.Wire(r.Regime), r.EffectiveOn, r.Basis, Json.Wire(r.PendingApplications)))
            .ToList();
        var level = code.Length switch { 2 when code == "00" => "nation", 2 => "province", 4 => "city", _ => "district" };
        var (threshold, set) = book.DemeritThreshold(code, day);
        var population = levels.FirstOrDefault(l => l.Code == code)?.PopulationOn(day);
        // The programmes this jurisdiction itself is designated to on the day.
        var designations = (levels.FirstOrDefault(l => l.Code == code)?.Designations ?? []).Where(d => d.Designation.IsInForceOn(day)).ToList();
        return Results.Json(new JurisdictionView(code, level, day, regimes, history, threshold, set?.Jurisdiction ?? "default", population, designations), Json.Options);
    }
}
