using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Attributes;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Designations;

// An institution designated to a programme (a demonstration unit, a remote-care pilot): health's decision, in the
// institution's jurisdiction, on the institution's own stream.
public static class DesignateInstitutionEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Institution institution) => AccessSubject.Institution(institution).Decided(Designation.Owner);

    public static ProblemDetails Validate(RecordDesignation command) => command.Validate();

    public static ProblemDetails Before(RecordDesignation command, Institution institution, HttpContext http) =>
        Concurrency.CheckIfMatch(http, institution.Version).Then(() => command.Check(institution));

    [WolverinePost("/api/institutions/{id}/designations"), Tags("Institutions")]
    public static (CommandAccepted, Events) Post(RecordDesignation command, [WriteAggregate(LoadStyle = Wolverine.Marten.ConcurrencyStyle.Exclusive)] Institution institution) =>
        Decided.Accept(institution.Id, institution.Version, command.Decide(institution));
}

// A city or district designated to a programme (Guizhou's three national pilot cities, Guandu's provincial pilot).
public static class DesignateJurisdictionEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(string code) => AccessSubject.Jurisdiction(code).Decided(Designation.Owner);

    public static ProblemDetails Validate(string code, RecordDesignation command) =>
        Division.PrefixProblem(code) is { } problem ? new Validation().Add("code", problem).ToProblem() : command.Validate();

    public static Task<IEventStream<Jurisdiction>> LoadAsync(string code, IDocumentSession session, CancellationToken ct) =>
        JurisdictionCommand.LoadAsync(code, session, ct);

    public static ProblemDetails Before(IEventStream<Jurisdiction> stream, HttpContext http) => JurisdictionCommand.CheckIfMatch(stream, http);

    [WolverinePost("/api/jurisdictions/{code}/designations"), Tags("Jurisdictions")]
    public static CommandAccepted Post(string code, RecordDesignation command, IEventStream<Jurisdiction> stream)
    {
        stream.AppendMany(command.Decide(code));
        return JurisdictionCommand.Accepted(stream);
    }
}
