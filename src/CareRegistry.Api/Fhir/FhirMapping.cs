using CareRegistry.Common;
using CareRegistry.Divisions;
using CareRegistry.Institutions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using Hl7.Fhir.Model;
using FhirAddress = Hl7.Fhir.Model.Address;
using FhirOrganization = Hl7.Fhir.Model.Organization;

namespace CareRegistry.Fhir;

// The registry's own FHIR names (docs/integration.md). The registry defines them; none is registered with HL7 yet.
public static class FhirUris
{
    public const string Base = "https://fhir.careregistry.cn";
    public const string Uscc = Base + "/sid/uscc";                                  // 统一社会信用代码 (GB 32100), 18 characters
    public const string Division = Base + "/sid/gb-t-2260";                         // 行政区划代码
    public const string InstitutionKind = Base + "/CodeSystem/institution-kind";
    public const string MedicalSubtype = Base + "/CodeSystem/medical-subtype";
    public const string Grade = Base + "/CodeSystem/hospital-grade";               // 医院等级: 1, 2, 3 (0 ungraded)
    public const string Ownership = Base + "/CodeSystem/ownership";
    public const string PermitType = Base + "/CodeSystem/permit-type";
    public const string PermitStatus = Base + "/CodeSystem/permit-status";
    public const string Department = Base + "/CodeSystem/department";
    public const string PartnershipKind = Base + "/CodeSystem/partnership-kind";
    public const string PartnershipService = Base + "/CodeSystem/partnership-service";
    // A permit on the Organization, shaped after the US National Directory's complex `qualification` extension (code,
    // identifier, status, period, issuer), which FHIR R4's Organization lacks (Practitioner has qualification).
    public const string Qualification = Base + "/StructureDefinition/qualification";
    public const string Operator = Base + "/StructureDefinition/operator";         // 公建民营: the operator's name
    public const string DivisionCode = Base + "/StructureDefinition/division-code";
}

// Institutions, their addresses and partnerships as FHIR R4 resources, as in force on a day.
public static class FhirMapping
{
    private static readonly Dictionary<InstitutionKind, string> KindNames = new()
    {
        [InstitutionKind.ElderlyCare] = "养老机构", [InstitutionKind.Medical] = "医疗机构", [InstitutionKind.CommunityCareCentre] = "社区养老服务中心",
        [InstitutionKind.CommunityCareStation] = "社区养老服务站", [InstitutionKind.DayCareCentre] = "社区老年人日间照料中心", [InstitutionKind.RuralMutualAidHome] = "农村幸福院",
    };

    private static readonly string[] GradeNames = ["未定级", "一级", "二级", "三级"];

    private static readonly Dictionary<PermitType, string> PermitNames = new()
    {
        [Permits.PermitType.ElderlyCare] = "养老机构备案/许可", [Permits.PermitType.MedicalPractice] = "医疗机构执业许可证",
        [Permits.PermitType.InternalClinic] = "内设医疗机构备案/许可", [Permits.PermitType.InsuranceDesignation] = "医保定点",
        [Permits.PermitType.IntegratedCarePilot] = "医养结合试点",
    };

    public static FhirOrganization Organization(Institution i, IEnumerable<Permit> permits, DateOnly day, DateTimeOffset lastUpdated)
    {
        var org = new FhirOrganization
        {
            Id = i.Id.ToString(),
            Meta = new Meta { LastUpdated = lastUpdated },
            Identifier = [new Identifier(FhirUris.Uscc, i.Uscc) { Use = Identifier.IdentifierUse.Official }],
            Active = !i.IsClosedOn(day),
            Name = i.Name,
            Alias = i.LatinName is { } latin ? [latin] : [],
            Type = Types(i).ToList(),
            Address = [Address(i)],
        };
        if (i.Operator is { } op) org.Extension.Add(new Extension(FhirUris.Operator, new FhirString(op)));
        foreach (var p in permits.Where(p => p.StatusOn(day) is not null).OrderBy(p => p.SubmittedOn))
            org.Extension.Add(Qualification(p, day));
        return org;
    }

    private static IEnumerable<CodeableConcept> Types(Institution i)
    {
        yield return new CodeableConcept(FhirUris.InstitutionKind, Json.Wire(i.Kind), KindNames[i.Kind], null);
        if (i.MedicalSubtype is { } m) yield return new CodeableConcept(FhirUris.MedicalSubtype, Json.Wire(m));
        if (i.Grade is { } g and >= 0 and <= 3) yield return new CodeableConcept(FhirUris.Grade, g.ToString(System.Globalization.CultureInfo.InvariantCulture), GradeNames[g], null);
        yield return new CodeableConcept(FhirUris.Ownership, Json.Wire(i.Ownership));
    }

    // The permit's type, number, status on the day, its current period, and the department that issues it.
    private static Extension Qualification(Permit p, DateOnly day)
    {
        var period = p.PeriodOn(day);
        var q = new Extension { Url = FhirUris.Qualification };
        q.Extension.Add(new Extension("code", new CodeableConcept(FhirUris.PermitType, Json.Wire(p.Type), PermitNames[p.Type], null)));
        if (p.Number is { } number) q.Extension.Add(new Extension("identifier", new Identifier { Value = number }));
        q.Extension.Add(new Extension("status", new Code(Json.Wire(p.StatusOn(day)!.Value))));
        if (period is not null)
            q.Extension.Add(new Extension("period", new Period { Start = period.From.ToString("yyyy-MM-dd"), End = period.ExpiresOn?.ToString("yyyy-MM-dd") }));
        q.Extension.Add(new Extension("issuer", new CodeableConcept(FhirUris.Department, Json.Wire(p.Department))));
        q.Extension.Add(new Extension("regime", new Code(Json.Wire(p.Regime))));
        return q;
    }

    // The GB/T 2260 path as state, city and district names; the code itself in an extension (the `jurisdiction`
    // search parameter matches it as a prefix).
    private static FhirAddress Address(Institution i)
    {
        var path = Divisions.Divisions.Path(i.Jurisdiction);
        var address = new FhirAddress
        {
            Use = FhirAddress.AddressUse.Work, Type = FhirAddress.AddressType.Physical, Text = i.Address, Country = "CN",
            State = path.ElementAtOrDefault(0)?.Name, City = path.ElementAtOrDefault(1)?.Name, District = path.ElementAtOrDefault(2)?.Name,
        };
        address.Extension.Add(new Extension(FhirUris.DivisionCode, new Code(i.Jurisdiction)));
        return address;
    }

    // Where the institution is: one Location per institution (the same id), managed by its Organization.
    public static Location Location(Institution i, DateOnly day, DateTimeOffset lastUpdated) => new()
    {
        Id = i.Id.ToString(),
        Meta = new Meta { LastUpdated = lastUpdated },
        Status = i.IsClosedOn(day) ? Hl7.Fhir.Model.Location.LocationStatus.Inactive : Hl7.Fhir.Model.Location.LocationStatus.Active,
        Name = i.Name,
        Mode = Hl7.Fhir.Model.Location.LocationMode.Instance,
        Address = Address(i),
        // WGS-84, as FHIR's position asks; an approximate one (the district seat) is still the best known place.
        Position = i.Location is { } at ? new Hl7.Fhir.Model.Location.PositionComponent { Latitude = (decimal)at.Lat, Longitude = (decimal)at.Lon } : null,
        ManagingOrganization = new ResourceReference($"Organization/{i.Id}"),
    };

    // An agreement between two institutions: the first party as organization, the second as participating
    // organization, the kind as code, the services as specialty, the validity in force on the day as period.
    public static OrganizationAffiliation Affiliation(Partnership p, DateOnly day, DateTimeOffset lastUpdated)
    {
        var end = p.TerminatedOn is { } t && t <= p.ValidToOn(day) ? t : p.ValidToOn(day);
        return new OrganizationAffiliation
        {
            Id = p.Id.ToString(),
            Meta = new Meta { LastUpdated = lastUpdated },
            Active = p.IsActiveOn(day),
            Period = new Period { Start = p.ValidFrom.ToString("yyyy-MM-dd"), End = end.ToString("yyyy-MM-dd") },
            Organization = new ResourceReference($"Organization/{p.PartyIds[0]}"),
            ParticipatingOrganization = new ResourceReference($"Organization/{p.PartyIds[1]}"),
            Code = [new CodeableConcept(FhirUris.PartnershipKind, Json.Wire(p.Kind))],
            Specialty = p.Services.Select(s => new CodeableConcept(FhirUris.PartnershipService, Json.Wire(s))).ToList(),
            Location = [new ResourceReference($"Location/{p.PartyIds[0]}"), new ResourceReference($"Location/{p.PartyIds[1]}")],
        };
    }
}
