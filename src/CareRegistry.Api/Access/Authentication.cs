using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace CareRegistry.Access;

// JWT bearer tokens carrying sub, department, role and jurisdiction claims. A deployment points Auth:Authority at
// its OIDC issuer (keys come from its discovery document); development signs with a shared key (Auth:SigningKey,
// which ops/up generates once under .data/).
public static class Authentication
{
    public static WebApplicationBuilder AddCareRegistryAuthentication(this WebApplicationBuilder builder)
    {
        var auth = builder.Configuration.GetSection("Auth");
        var authority = auth["Authority"];
        var signingKey = auth["SigningKey"];
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.Authority = string.IsNullOrWhiteSpace(authority) ? null : authority;
            o.RequireHttpsMetadata = !builder.Environment.IsDevelopment() && authority?.StartsWith("http://", StringComparison.Ordinal) != true;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = auth["Issuer"] ?? "careregistry-dev",
                ValidAudience = auth["Audience"] ?? "careregistry",
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = "sub",
                RoleClaimType = "role",
                IssuerSigningKey = string.IsNullOrWhiteSpace(signingKey) ? null : new SymmetricSecurityKey(KeyBytes(signingKey)),
            };
        });
        builder.Services.AddAuthorization();
        return builder;
    }

    // The key is base64 (as ops/up writes it); a plain passphrase is accepted too.
    public static byte[] KeyBytes(string key)
    {
        try { return Convert.FromBase64String(key); }
        catch (FormatException) { return Encoding.UTF8.GetBytes(key); }
    }
}
