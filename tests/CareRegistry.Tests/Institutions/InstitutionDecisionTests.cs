using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Wolverine.Http;

namespace CareRegistry.Tests.Institutions;

// Given events, when a command, then events or a problem: no host, no database.
public class InstitutionDecisionTests
{
    private static readonly Guid Id = Guid.CreateVersion7();

    private static InstitutionRegistered Registered(DateOnly? on = null) => new(
        Id, "广福养老中心", "Guangfu", "52530112DM00000117", InstitutionKind.ElderlyCare, null, null, Ownership.Private,
        "530112", "昆明市西山区", new Beds(300, 0, 80, 0, 0), null, null, on ?? new DateOnly(2014, 6, 1));

    private static Institution Given(params object[] events) =>
        events.Skip(1).Aggregate(Institution.Begin((InstitutionRegistered)events[0]), (state, e) => e switch
        {
            InstitutionDetailsChanged d => state.With(d),
            InstitutionBedsChanged b => state.With(b),
            InstitutionClosed c => state.With(c),
            _ => throw new ArgumentException(e.GetType().Name),
        });

    [Fact]
    public void Changing_beds_records_the_new_counts()
    {
        var institution = Given(Registered());
        var command = new ChangeBeds(new DateOnly(2020, 1, 1), new BedsInput(ElderlyCare: 350, Nursing: 90), "expansion");

        Assert.Same(WolverineContinue.NoProblems, command.Check(institution));
        var changed = Assert.IsType<InstitutionBedsChanged>(Assert.Single(command.Decide(institution)));
        Assert.Equal(new Beds(350, 0, 90, 0, 0), changed.Beds);
        Assert.Equal(new DateOnly(2020, 1, 1), changed.EffectiveOn);
    }

    [Fact]
    public void Beds_cannot_change_after_the_institution_closed()
    {
        var institution = Given(Registered(), new InstitutionClosed(Id, new DateOnly(2021, 1, 1), "operator withdrew"));

        var problem = new ChangeBeds(new DateOnly(2022, 1, 1), new BedsInput(ElderlyCare: 1), null).Check(institution);

        Assert.Equal(StatusCodes.Status409Conflict, problem.Status);
        Assert.Contains("closed since 2021-01-01", problem.Detail);
    }

    [Fact]
    public void A_late_change_effective_before_closure_is_still_accepted()
    {
        var institution = Given(Registered(), new InstitutionClosed(Id, new DateOnly(2021, 1, 1), "operator withdrew"));

        Assert.Same(WolverineContinue.NoProblems, new ChangeBeds(new DateOnly(2020, 6, 1), new BedsInput(ElderlyCare: 1), null).Check(institution));
    }

    [Fact]
    public void Nothing_can_take_effect_before_the_institution_was_established()
    {
        var problem = new ChangeInstitutionDetails("新名", null, null, null, new DateOnly(2010, 1, 1), null).Check(Given(Registered()));

        Assert.Equal(StatusCodes.Status409Conflict, problem.Status);
        Assert.Contains("established on 2014-06-01", problem.Detail);
    }

    [Fact]
    public void Closing_twice_is_refused()
    {
        var institution = Given(Registered(), new InstitutionClosed(Id, new DateOnly(2021, 1, 1), "withdrawn"));

        var problem = new CloseInstitution(new DateOnly(2022, 1, 1), "again").Check(institution);

        Assert.Equal(StatusCodes.Status409Conflict, problem.Status);
        Assert.Contains("already closed", problem.Detail);
    }

    [Fact]
    public void Changing_details_keeps_what_was_not_given()
    {
        var institution = Given(Registered());

        var changed = Assert.IsType<InstitutionDetailsChanged>(Assert.Single(
            new ChangeInstitutionDetails(null, null, "昆明市西山区新址", null, new DateOnly(2020, 1, 1), "moved").Decide(institution)));

        Assert.Equal("广福养老中心", changed.Name);
        Assert.Equal("昆明市西山区新址", changed.Address);
        Assert.Equal(Ownership.Private, changed.Ownership);
    }

    [Theory]
    [InlineData("medicalSubtype")]
    [InlineData("grade")]
    public void Registration_refuses_medical_fields_on_a_care_home(string field)
    {
        var command = Scenario.CareHome() with
        {
            MedicalSubtype = field == "medicalSubtype" ? MedicalSubtype.Clinic : null,
            Grade = field == "grade" ? 2 : null,
        };

        var problem = Assert.IsType<HttpValidationProblemDetails>(command.Validate());
        Assert.Contains(field, problem.Errors.Keys);
    }

    [Fact]
    public void A_grade_belongs_to_hospitals_only()
    {
        var clinic = Scenario.Hospital() with { MedicalSubtype = MedicalSubtype.Clinic, Grade = 1 };
        var badGrade = Scenario.Hospital() with { Grade = 4 };

        Assert.Contains("grade", Assert.IsType<HttpValidationProblemDetails>(clinic.Validate()).Errors.Keys);
        Assert.Contains("grade", Assert.IsType<HttpValidationProblemDetails>(badGrade.Validate()).Errors.Keys);
        Assert.Same(WolverineContinue.NoProblems, Scenario.Hospital().Validate());
    }
}
