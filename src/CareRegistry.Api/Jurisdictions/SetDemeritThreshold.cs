using CareRegistry.Common;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Jurisdictions;

public record SetDemeritThreshold(int? Threshold, DateOnly? EffectiveOn, string? Basis)
{
    public ProblemDetails Validate(string code)
    {
        var v = new Validation().Check("code", Division.PrefixProblem(code)).Date("effectiveOn", EffectiveOn).Require("basis", Basis, 300);
        if (Threshold is not (>= 1 and <= 120)) v.Add("threshold", "must be a whole number from 1 to 120");
        return v.Answer();
    }
}

public static class SetDemeritThresholdEndpoint
{
    public static ProblemDetails Validate(string code, SetDemeritThreshold command) => command.Validate(code);

    [WolverinePost("/api/jurisdictions/{code}/demerit-threshold"), Tags("Jurisdictions")]
    public static async Task<CommandAccepted> Post(string code, SetDemeritThreshold command, IDocumentSession session, CancellationToken ct)
    {
        var id = Jurisdiction.StreamIdFor(code);
        var stream = await session.Events.FetchForExclusiveWriting<Jurisdiction>(id, ct);
        stream.AppendOne(new DemeritThresholdSet(code, command.Threshold!.Value, command.EffectiveOn!.Value, command.Basis!.Trim()));
        return new CommandAccepted(id, stream.CurrentVersion ?? 0);
    }
}
