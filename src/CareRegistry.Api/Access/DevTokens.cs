using System.Security.Claims;
using CareRegistry.Common;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CareRegistry.Access;

// Signs development tokens with the shared key (the same claims ops/token writes), for the demo loader and tests.
public sealed class DevTokens(string signingKey, string issuer = "careregistry-dev", string audience = "careregistry")
{
    public string For(string user, Department? department, Role role, string jurisdiction = "00", TimeSpan? lifetime = null)
    {
        var claims = new List<Claim> { new("sub", user), new("role", Json.Wire(role)), new("jurisdiction", jurisdiction) };
        if (department is { } d) claims.Add(new Claim("department", Json.Wire(d)));
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.AddMinutes(-1),
            NotBefore = now.AddMinutes(-1),
            Expires = now + (lifetime ?? TimeSpan.FromHours(12)),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Authentication.KeyBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
