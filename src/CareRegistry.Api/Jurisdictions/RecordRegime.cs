using CareRegistry.Localization;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Permits;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http;
using Wolverine.Attributes;
using Wolverine.Http;
using JasperFx.Events;

namespace CareRegistry.Jurisdictions;

public record RecordRegime(PermitType? PermitType, Regime? Regime, DateOnly? EffectiveOn, string? Basis, PendingApplications? PendingApplications)
{
    public ProblemDetails Validate(string code)
    {
        var v = new Validation().Check("code", Division.PrefixProblem(code)).Defined("permitType", PermitType).Defined("regime", Regime)
            .Date("effectiveOn", EffectiveOn).Require("basis", Basis, 300);
        if (PendingApplications is { } p && !Enum.IsDefined(p)) v.Add("pendingApplications", L.T("must be keep or convert"));
        if (PendingApplications == Jurisdictions.PendingApplications.Convert && Regime != Permits.Regime.Filing)
            v.Add("pendingApplications", L.T("only a move to filing can convert pending applications"));
        return v.Answer();
    }
}

public static class RecordRegimeEndpoint
{
    // The department that owns the permit type sets its regime, for the jurisdiction in the route.
    [WolverineBefore]
    public static AccessSubject Concerns(string code, RecordRegime command) =>
        AccessSubject.Jurisdiction(code).Decided(command.PermitType is { } type && Enum.IsDefined(type) ? PermitTypes.DepartmentOf(type) : null);

    public static ProblemDetails Validate(string code, RecordRegime command) => command.Validate(code);

    public static Task<IEventStream<Jurisdiction>> LoadAsync(string code, IDocumentSession session, CancellationToken ct) =>
        JurisdictionCommand.LoadAsync(code, session, ct);

    public static ProblemDetails Before(IEventStream<Jurisdiction> stream, HttpContext http) => JurisdictionCommand.CheckIfMatch(stream, http);

    // Records the regime event and, when it says so, converts the applications pending on its date in the
    // jurisdiction (where this level decides) into filings effective that date, in the same transaction — also those
    // decided after that date by a decision recorded before the change was (PendingApplicationConversion).
    [WolverinePost("/api/jurisdictions/{code}/regimes"), Tags("Jurisdictions")]
    public static async Task<CommandAccepted> Post(string code, RecordRegime command, IEventStream<Jurisdiction> stream, IDocumentSession session, CancellationToken ct)
    {
        var changed = new RegimeChanged(code, command.PermitType!.Value, command.Regime!.Value, command.EffectiveOn!.Value,
            command.Basis!.Trim(), command.PendingApplications ?? PendingApplications.Keep);
        stream.AppendOne(changed);

        if (changed.PendingApplications == PendingApplications.Convert)
        {
            var updated = stream.Aggregate?.Apply(changed) ?? Jurisdiction.Create(changed);
            var prefix = Division.NormalizePrefix(code);
            var applications = await session.Query<Permit>()
                .Where(p => p.Type == changed.PermitType && p.Regime == Regime.Approval && p.SubmittedOn < changed.EffectiveOn && p.Jurisdiction.StartsWith(prefix))
                .ToListAsync(ct);
            var books = new Dictionary<string, RegimeBook>();
            foreach (var permit in applications)
            {
                if (!books.TryGetValue(permit.Jurisdiction, out var book))
                    books[permit.Jurisdiction] = book = new RegimeBook((await session.LoadManyAsync<Jurisdiction>(ct, RegimeBook.StreamIdsFor(permit.Jurisdiction)))
                        .Where(j => j.Code != code).Append(updated));
                if (PendingApplicationConversion.Decide(permit, changed, book) is { } converted)
                    session.Events.Append(permit.Id, converted);
            }
        }
        return JurisdictionCommand.Accepted(stream);
    }
}
