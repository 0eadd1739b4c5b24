using Microsoft.AspNetCore.Http;

namespace CareRegistry.Common;

// Collects field errors for a request and answers them as one 400 problem (RFC 9457, with errors{field:[...]}).
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new();

    public bool IsValid => _errors.Count == 0;

    public Validation Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public Validation Check(string field, string? problem) => problem is null ? this : Add(field, problem);

    public Validation Require(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) return Add(field, "is required");
        if (value.Length > maxLength) Add(field, $"must be at most {maxLength} characters");
        if (value.Any(char.IsControl)) Add(field, "must not contain control characters");
        return this;
    }

    public Validation Optional(string field, string? value, int maxLength) =>
        value is null ? this : Require(field, value, maxLength);

    public Validation Date(string field, DateOnly? value, bool required = true) =>
        value is null ? (required ? Add(field, "is required") : this)
        : value.Value.Year is < 1949 or > 2200 ? Add(field, "must be a date between 1949 and 2200")
        : this;

    public Validation NotNegative(string field, int value) => value < 0 ? Add(field, "must not be negative") : this;

    public Validation Defined<TEnum>(string field, TEnum? value) where TEnum : struct, Enum =>
        value is null ? Add(field, "is required")
        : Enum.IsDefined(value.Value) ? this
        : Add(field, $"must be one of {Json.WireValues<TEnum>()}");

    // For Wolverine's Validate(): carry on, or stop with this problem.
    public Microsoft.AspNetCore.Mvc.ProblemDetails Answer() => IsValid ? Wolverine.Http.WolverineContinue.NoProblems : ToProblem();

    public HttpValidationProblemDetails ToProblem() => new(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()))
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "The request is invalid",
    };
}
