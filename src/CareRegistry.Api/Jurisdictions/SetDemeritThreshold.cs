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

public record SetDemeritThreshold(int? Threshold, DateOnly? EffectiveOn, string? Basis)
{
    public ProblemDetails Validate(string code)
    {
        var v = new Validation().Check("code", Division.PrefixProblem(code)).Date("effectiveOn", EffectiveOn).Require("basis", Basis, 300);
        if (Threshold is not (>= 1 and <= 120)) v.Add("threshold", L.T("must be a whole number from 1 to 120"));
        return v.Answer();
    }
}

public static class SetDemeritThresholdEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(string code) => AccessSubject.Jurisdiction(code);

    public static ProblemDetails Validate(string code, SetDemeritThreshold command) => command.Validate(code);

    public static Task<IEventStream<Jurisdiction>> LoadAsync(string code, IDocumentSession session, CancellationToken ct) =>
        JurisdictionCommand.LoadAsync(code, session, ct);

    public static ProblemDetails Before(IEventStream<Jurisdiction> stream, HttpContext http) => JurisdictionCommand.CheckIfMatch(stream, http);

    [WolverinePost("/api/jurisdictions/{code}/demerit-threshold"), Tags("Jurisdictions")]
    public static CommandAccepted Post(string code, SetDemeritThreshold command, IEventStream<Jurisdiction> stream)
    {
        stream.AppendOne(new DemeritThresholdSet(code, command.Threshold!.Value, command.EffectiveOn!.Value, command.Basis!.Trim()));
        return JurisdictionCommand.Accepted(stream);
    }
}
