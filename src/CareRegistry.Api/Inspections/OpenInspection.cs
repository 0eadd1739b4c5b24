using CareRegistry.Localization;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Attributes;

namespace CareRegistry.Inspections;

public record OpenInspection(InspectionKind? Kind, Guid[]? InstitutionIds, Department[]? Departments, string[]? Inspectors, DateOnly? OpenedOn)
{
    public ProblemDetails Validate()
    {
        var v = new Validation().Defined("kind", Kind).Date("openedOn", OpenedOn);
        if (InstitutionIds is not { Length: > 0 and <= 100 }) v.Add("institutionIds", L.T("must name 1 to 100 institutions"));
        else if (InstitutionIds.Distinct().Count() != InstitutionIds.Length) v.Add("institutionIds", L.T("must not repeat an institution"));
        if (Departments is not { Length: > 0 and <= 3 } || Departments.Distinct().Count() != Departments.Length) v.Add("departments", L.T("must name 1 to 3 different departments"));
        else if (Kind == InspectionKind.Joint && Departments.Length < 2) v.Add("departments", L.T("a joint inspection needs at least two departments"));
        if (Inspectors is not { Length: > 0 and <= 50 }) v.Add("inspectors", L.T("must name 1 to 50 inspectors"));
        else foreach (var name in Inspectors) v.Require("inspectors", name, 100);
        return v.Answer();
    }
}

public static class OpenInspectionEndpoint
{
    // The institutions it names (those that exist).
    public static async Task<IReadOnlyList<Institution>> LoadAsync(OpenInspection command, IQuerySession session, CancellationToken ct) =>
        command.InstitutionIds is { Length: > 0 and <= 100 } ids ? await session.LoadManyAsync<Institution>(ct, ids.Distinct()) : [];

    // An inspector of one of its departments opens it, inside the jurisdiction of every institution it names.
    [WolverineBefore]
    public static AccessSubject Concerns(OpenInspection command, IReadOnlyList<Institution> found) =>
        AccessSubject.Nothing.DecidedByAny((command.Departments ?? []).Where(Enum.IsDefined)).WithinAll(found);

    public static ProblemDetails Validate(OpenInspection command, IReadOnlyList<Institution> found) =>
        command.Validate().Then(() => CheckInstitutions(command, found));

    public static ProblemDetails CheckInstitutions(OpenInspection command, IReadOnlyList<Institution> found)
    {
        if (command.InstitutionIds!.FirstOrDefault(id => found.All(i => i.Id != id)) is var missing && missing != Guid.Empty)
            return Problems.NotFound(L.T("no institution {0}", missing));
        if (found.FirstOrDefault(i => i.IsClosedOn(command.OpenedOn!.Value)) is { } closed)
            return Problems.Conflict(L.T("institution {0} is closed since {1:yyyy-MM-dd}", closed.Uscc, closed.ClosedOn));
        return WolverineContinue.NoProblems;
    }

    [WolverinePost("/api/inspections"), Tags("Inspections")]
    public static (StreamCreated, IStartStream) Post(OpenInspection command)
    {
        var id = Guid.CreateVersion7();
        var opened = new InspectionOpened(id, command.Kind!.Value, command.InstitutionIds!, command.Departments!,
            command.Inspectors!.Select(i => i.Trim()).ToList(), command.OpenedOn!.Value);
        return (new StreamCreated(id, 1, $"/api/inspections/{id}"), MartenOps.StartStream<Inspection>(id, opened));
    }
}
