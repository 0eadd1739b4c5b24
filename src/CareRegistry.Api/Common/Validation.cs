using CareRegistry.Localization;
using Microsoft.AspNetCore.Http;

namespace CareRegistry.Common;

// Collects field errors for a request and answers them as one 400 problem (RFC 9457, with errors{field:[...]}).
public sealed class Validation
{
    private readonly Dictionary<string, List<Text>> _errors = new();

    public bool IsValid => _errors.Count == 0;

    public Validation Add(string field, Text message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    // Another validation's errors, each field under a path of this one ("institutions[2]" + "." + "uscc").
    public Validation Include(string path, Validation other)
    {
        foreach (var (field, messages) in other._errors)
            foreach (var message in messages) Add($"{path}.{field}", message);
        return this;
    }

    public Validation Check(string field, Text? problem) => problem is { } p ? Add(field, p) : this;

    public Validation Require(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) return Add(field, L.T("is required"));
        if (value.Length > maxLength) Add(field, L.T("must be at most {0} characters", maxLength));
        if (value.Any(char.IsControl)) Add(field, L.T("must not contain control characters"));
        return this;
    }

    public Validation Optional(string field, string? value, int maxLength) =>
        value is null ? this : Require(field, value, maxLength);

    public Validation Date(string field, DateOnly? value, bool required = true) =>
        value is null ? (required ? Add(field, L.T("is required")) : this)
        : value.Value.Year is < 1949 or > 2200 ? Add(field, L.T("must be a date between 1949 and 2200"))
        : this;

    public Validation NotNegative(string field, int value) => value < 0 ? Add(field, L.T("must not be negative")) : this;

    public Validation Defined<TEnum>(string field, TEnum? value) where TEnum : struct, Enum =>
        value is null ? Add(field, L.T("is required"))
        : Enum.IsDefined(value.Value) ? this
        : Add(field, L.T("must be one of {0}", Json.WireValues<TEnum>()));

    // For Wolverine's Validate(): carry on, or stop with this problem.
    public Microsoft.AspNetCore.Mvc.ProblemDetails Answer() => IsValid ? Wolverine.Http.WolverineContinue.NoProblems : ToProblem();

    public HttpValidationProblemDetails ToProblem() => new(_errors.ToDictionary(e => e.Key, e => e.Value.Select(m => m.Render()).ToArray()))
    {
        Status = StatusCodes.Status400BadRequest,
        Title = L.T("The request is invalid").Render(),
    };
}
