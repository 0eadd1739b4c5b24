using CareRegistry.Localization;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Attributes;

namespace CareRegistry.Inspections;

public record RecordFinding(Guid? InstitutionId, FindingCategory? Category, Severity? Severity, int? DemeritPoints, string? Description,
    DateOnly? RectificationDue, DateOnly? FoundOn)
{
    public const int MaxPoints = 12;

    public ProblemDetails Validate()
    {
        var v = new Validation().Defined("category", Category).Defined("severity", Severity).Require("description", Description, 2000)
            .Date("rectificationDue", RectificationDue, required: false).Date("foundOn", FoundOn, required: false);
        if (InstitutionId is null) v.Add("institutionId", L.T("is required"));
        if (DemeritPoints is not (>= 0 and <= MaxPoints)) v.Add("demeritPoints", L.T("must be a whole number from 0 to {0}", MaxPoints));
        return v.Answer();
    }

    public ProblemDetails Check(Inspection inspection, DateOnly foundOn) =>
        inspection.ClosedOn is { } closed ? Problems.Conflict(L.T("inspection {0} was closed on {1:yyyy-MM-dd}; findings can no longer be added", inspection.Id, closed))
        : !inspection.InstitutionIds.Contains(InstitutionId!.Value) ? Problems.Conflict(L.T("inspection {0} does not cover institution {1}", inspection.Id, InstitutionId))
        : foundOn < inspection.OpenedOn ? Problems.Conflict(L.T("the inspection opened on {0:yyyy-MM-dd}, after {1:yyyy-MM-dd}", inspection.OpenedOn, foundOn))
        : RectificationDue < foundOn ? Problems.Conflict(L.T("rectificationDue is before the finding"))
        : WolverineContinue.NoProblems;

    // The finding is the recording inspector's department's (one of the inspection's, as access has checked).
    public FindingRecorded Decide(Inspection inspection, DateOnly foundOn, Department department) => new(inspection.Id, Guid.CreateVersion7(), InstitutionId!.Value,
        Category!.Value, Severity!.Value, DemeritPoints!.Value, Description!.Trim(), RectificationDue, foundOn, department);
}

public record FindingAccepted(Guid Id, Guid FindingId, long Version) : IHttpAware
{
    public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new Microsoft.AspNetCore.Http.ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(FindingAccepted), ["application/json"]));

    public void Apply(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.Location = $"/api/inspections/{Id}#finding-{FindingId}";
        context.Response.Headers.ETag = Concurrency.ETag(Version);
    }
}

public static class RecordFindingEndpoint
{
    [WolverineBefore]
    public static Task<AccessSubject> Concerns(RecordFinding command, Inspection inspection, IQuerySession session, CancellationToken ct) =>
        InspectionAccess.ConcernsAsync(inspection, command.InstitutionId is { } own ? [own] : [], session, ct);

    public static ProblemDetails Validate(RecordFinding command) => command.Validate();

    public static ProblemDetails Before(RecordFinding command, Inspection inspection, HttpContext http, TimeProvider clock) =>
        Concurrency.CheckIfMatch(http, inspection.Version).Then(() => command.Check(inspection, command.FoundOn ?? clock.Today()));

    [WolverinePost("/api/inspections/{id}/findings"), Tags("Inspections")]
    public static (FindingAccepted, Events) Post(RecordFinding command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Inspection inspection,
        TimeProvider clock, HttpContext http)
    {
        var recorded = command.Decide(inspection, command.FoundOn ?? clock.Today(), Caller.Of(http).Department ?? inspection.Departments[0]);
        return (new FindingAccepted(inspection.Id, recorded.FindingId, inspection.Version + 1), new Events([recorded]));
    }
}
