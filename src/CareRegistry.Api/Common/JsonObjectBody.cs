using CareRegistry.Localization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Common;

// Every command body is a JSON object sent as application/json (UTF-8, the only charset JSON allows on the wire,
// RFC 8259). A body of null, an array or a bare value would reach the endpoint as no command at all, and another
// media type (merge-patch, UTF-16) would be misread as plain JSON, so both are refused before the body is bound.
// Wolverine middleware on command chains: it runs after AccessGate.Admit, so a caller without the role learns nothing.
public static class JsonObjectBody
{
    public static async Task<ProblemDetails> BeforeAsync(HttpContext context)
    {
        var type = context.Request.ContentType;
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var media)
            || !media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return new ProblemDetails
            {
                Status = StatusCodes.Status415UnsupportedMediaType, Title = L.T("Unsupported media type").Render(),
                Detail = (string.IsNullOrEmpty(type) ? L.T("A command is sent as application/json (UTF-8), not without a Content-Type.")
                    : L.T("A command is sent as application/json (UTF-8), not {0}.", type)).Render(),
            };

        context.Request.EnableBuffering();
        var first = -1;
        var buffer = new byte[1];
        while (await context.Request.Body.ReadAsync(buffer, context.RequestAborted) == 1)
            if (buffer[0] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)) { first = buffer[0]; break; }
        context.Request.Body.Position = 0;
        if (first == '{') return WolverineContinue.NoProblems;
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["body"] = [L.T("must be a JSON object").Render()] })
        {
            Status = StatusCodes.Status400BadRequest, Title = L.T("The request is invalid").Render(), Detail = L.T("The body must be a JSON object.").Render(),
        };
    }
}
