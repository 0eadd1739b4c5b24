using CareRegistry.Localization;
using CareRegistry.Access;
using CareRegistry.Common;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http;
using Wolverine.Attributes;
using Wolverine.Http;
using JasperFx.Events;

namespace CareRegistry.Jurisdictions;

// The registered elderly population of a jurisdiction (户籍老年人口) from a date, beside the total registered
// population (户籍人口总数) when the source gives it: the denominators of beds per 1,000 elders and of the elderly share.
public record ElderlyPopulationRecorded(string Jurisdiction, int Aged60, int? Aged65, int? Aged80, DateOnly EffectiveOn, string Source, int? Total = null) : IRegistryEvent
{
    public string Describe() => $"elderly population of {Jurisdiction} from {EffectiveOn:yyyy-MM-dd}: {Aged60} aged 60+"
                                + (Total is { } t ? $" of {t} registered" : "") + $" ({Source})";
}

public record RecordPopulation(int? Aged60, int? Aged65, int? Aged80, DateOnly? EffectiveOn, string? Source, int? Total = null)
{
    public ProblemDetails Validate(string code)
    {
        var v = new Validation().Check("code", Division.PrefixProblem(code)).Date("effectiveOn", EffectiveOn).Require("source", Source, 300);
        if (Aged60 is not (>= 0 and <= 500_000_000)) v.Add("aged60", L.T("must be a whole number from 0 to 500,000,000"));
        if (Aged65 is < 0 || Aged65 > Aged60) v.Add("aged65", L.T("must not be negative or more than aged60"));
        if (Aged80 is < 0 || Aged80 > (Aged65 ?? Aged60)) v.Add("aged80", L.T("must not be negative or more than aged65 (or aged60)"));
        if (Total is { } total && (total > 2_000_000_000 || total < Aged60)) v.Add("total", L.T("must not be less than aged60 nor more than 2,000,000,000"));
        return v.Answer();
    }
}

public static class RecordPopulationEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(string code) => AccessSubject.Jurisdiction(code);

    public static ProblemDetails Validate(string code, RecordPopulation command) => command.Validate(code);

    public static Task<IEventStream<Jurisdiction>> LoadAsync(string code, IDocumentSession session, CancellationToken ct) =>
        JurisdictionCommand.LoadAsync(code, session, ct);

    public static ProblemDetails Before(IEventStream<Jurisdiction> stream, HttpContext http) => JurisdictionCommand.CheckIfMatch(stream, http);

    [WolverinePost("/api/jurisdictions/{code}/population"), Tags("Jurisdictions")]
    public static CommandAccepted Post(string code, RecordPopulation command, IEventStream<Jurisdiction> stream)
    {
        stream.AppendOne(new ElderlyPopulationRecorded(code, command.Aged60!.Value, command.Aged65, command.Aged80, command.EffectiveOn!.Value, command.Source!.Trim(), command.Total));
        return JurisdictionCommand.Accepted(stream);
    }
}
