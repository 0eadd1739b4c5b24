using System.Reflection;
using CareRegistry.Localization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Common;

// The answer to every command (api.md): { id, version }, the version also as a strong ETag.
public record CommandAccepted(Guid Id, long Version) : IHttpAware
{
    // Wolverine documents no answer for an IHttpAware return (nor for the tuple it comes in): say it here.
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(CommandAccepted), ["application/json"]));

    public void Apply(HttpContext context) => context.Response.Headers.ETag = Concurrency.ETag(Version);
}

// 201 Created with Location, for a command that starts a stream.
public record StreamCreated(Guid Id, long Version, [property: System.Text.Json.Serialization.JsonIgnore] string Location,
    IReadOnlyList<string>? Warnings = null) : IHttpAware
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe<StreamCreated>(builder);

    public void Apply(HttpContext context) => Answer(context, Location, Version);

    // For any body that starts a stream (this one, or one that says more, e.g. a webhook's generated secret): 201
    // instead of 200 in the document, and Location and ETag on the answer.
    public static void Describe<TBody>(EndpointBuilder builder)
    {
        builder.RemoveStatusCodeResponse(200);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(TBody), ["application/json"]));
    }

    public static void Answer(HttpContext context, string location, long version)
    {
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.Location = location;
        context.Response.Headers.ETag = Concurrency.ETag(version);
    }
}

public static class Concurrency
{
    public static string ETag(long version) => $"\"{version}\"";

    // If-Match: "N" (or N); absent means "apply to the latest version".
    public static ProblemDetails CheckIfMatch(HttpContext context, long currentVersion)
    {
        var header = context.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header) || header.Trim() == "*") return WolverineContinue.NoProblems;
        var text = header.Trim();
        // If-Match compares strongly (RFC 9110 13.1.1): a weak tag never matches.
        if (text.StartsWith("W/", StringComparison.Ordinal))
            return new ProblemDetails
            {
                Status = StatusCodes.Status412PreconditionFailed, Title = L.T("The stream has moved on").Render(),
                Detail = L.T("If-Match needs a strong entity tag such as \"{0}\"; a weak tag ({1}) never matches. Nothing was written.", currentVersion, text).Render(),
            };
        text = text.Trim('"');
        if (!long.TryParse(text, out var expected))
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["If-Match"] = [L.T("must be a stream version such as \"3\"").Render()] })
            {
                Status = 400, Title = L.T("Invalid If-Match header").Render(), Detail = L.T("If-Match must be a stream version such as \"3\".").Render(),
            };
        return expected == currentVersion
            ? WolverineContinue.NoProblems
            : new ProblemDetails
            {
                Status = StatusCodes.Status412PreconditionFailed,
                Title = L.T("The stream has moved on").Render(),
                Detail = L.T("If-Match expected version {0}, but the stream is at version {1}; nothing was written.", expected, currentVersion).Render(),
            };
    }
}

public static class Problems
{
    // Runs the next check only when the first found nothing.
    public static ProblemDetails Then(this ProblemDetails first, Func<ProblemDetails> next) =>
        ReferenceEquals(first, WolverineContinue.NoProblems) ? next() : first;

    public static ProblemDetails Conflict(Text detail) =>
        new() { Status = StatusCodes.Status409Conflict, Title = L.T("The command conflicts with the registry's state").Render(), Detail = detail.Render() };

    public static ProblemDetails NotFound(Text detail) =>
        new() { Status = StatusCodes.Status404NotFound, Title = L.T("Not found").Render(), Detail = detail.Render() };
}
