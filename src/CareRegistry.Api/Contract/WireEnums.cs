using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CareRegistry.Contract;

// Enums travel as kebab-case strings (Common/Json.cs). The converter is our own, so the generator cannot see their
// values: each enum's schema is written here as a string with its wire values.
public sealed class WireEnums : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type.IsEnum)
        {
            schema.Type = JsonSchemaType.String;
            schema.Enum = Values(type).Select(v => (JsonNode)JsonValue.Create(v)).ToList();
        }
        return Task.CompletedTask;
    }

    public static IEnumerable<string> Values(Type enumType) =>
        Enum.GetNames(enumType).Select(JsonNamingPolicy.KebabCaseLower.ConvertName);
}
