using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CareRegistry.Bench;

// The fast path: an export of the template (clusters 0..Shapes-1, loaded over HTTP) copied into clusters
// Shapes..N-1. Cluster c is a copy of template cluster c mod Shapes with every id remapped (the UUIDv7 time prefix
// kept, the rest derived from the old id and c) and the identity fields (name, Latin name, USCC, address,
// jurisdiction) replaced by cluster c's own. The file has the format GET /api/audit/export writes, so the service's
// `import --file` command loads it through the hash-chain trigger and rebuilds the read models.
public static partial class Clone
{
    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex GuidPattern();

    public static JsonObject Run(string templatePath, string outPath, int clusters)
    {
        var lines = File.ReadAllLines(templatePath).Where(l => l.Length > 0).ToArray();
        var events = lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();

        // Institutions of the template by their USCC serial (cluster * 8 + position).
        var institutions = new Dictionary<string, (int Cluster, int Position)>();
        foreach (var e in events)
            if (e["data"]?["uscc"]?.GetValue<string>() is { } uscc && e["data"]?["institutionId"]?.GetValue<string>() is { } iid
                && e["version"]!.GetValue<long>() == 1 && uscc[8] == 'B' && int.TryParse(uscc[9..17], out var n))
                institutions[iid] = (n / DataSet.ClusterSize, n % DataSet.ClusterSize);

        // Each stream belongs to the cluster of the institutions its events name; streams naming none (jurisdictions)
        // are national and written once.
        var streamCluster = new Dictionary<string, int>();
        for (var i = 0; i < events.Length; i++)
        {
            var stream = events[i]["streamId"]!.GetValue<string>();
            foreach (Match m in GuidPattern().Matches(lines[i]))
                if (institutions.TryGetValue(m.Value, out var at)) { streamCluster[stream] = at.Cluster; break; }
        }
        var national = events.Select(e => e["streamId"]!.GetValue<string>()).Where(s => !streamCluster.ContainsKey(s)).ToHashSet();
        var institutionStream = institutions.ToDictionary(kv => kv.Key, kv => kv.Value.Position);

        long written = 0;
        var shapes = DataSet.Shapes;
        using var output = new StreamWriter(outPath, false, new UTF8Encoding(false), 1 << 20);
        foreach (var line in lines) { output.Write(line); output.Write('\n'); written++; }
        for (var c = shapes; c < clusters; c++)
        {
            var cluster = c;
            var shape = DataSet.ShapeOf(cluster);
            var identities = Enumerable.Range(0, DataSet.ClusterSize).Select(p => DataSet.IdentityOf(cluster, p, shape[p])).ToArray();
            for (var i = 0; i < events.Length; i++)
            {
                var stream = events[i]["streamId"]!.GetValue<string>();
                if (national.Contains(stream) || streamCluster[stream] != cluster % shapes) continue;
                var text = GuidPattern().Replace(lines[i], m => national.Contains(m.Value) ? m.Value : Remap(m.Value, cluster));
                var e = JsonNode.Parse(text)!.AsObject();
                if (e["data"] is JsonObject data)
                {
                    if (institutionStream.TryGetValue(stream, out var position))
                    {
                        var id = identities[position];
                        if (data.ContainsKey("name")) data["name"] = id.Name;
                        if (data.ContainsKey("latinName")) data["latinName"] = id.LatinName;
                        if (data.ContainsKey("uscc")) data["uscc"] = id.Uscc;
                        if (data.ContainsKey("address")) data["address"] = id.Address;
                        if (data.ContainsKey("jurisdiction")) data["jurisdiction"] = id.Jurisdiction;
                    }
                    else if (data.ContainsKey("jurisdiction"))
                        data["jurisdiction"] = identities[0].Jurisdiction;
                }
                output.Write(e.ToJsonString());
                output.Write('\n');
                written++;
            }
        }
        return new JsonObject
        {
            ["templateEvents"] = events.Length, ["templateInstitutions"] = institutions.Count, ["clusters"] = clusters,
            ["institutions"] = clusters * DataSet.ClusterSize, ["events"] = written,
        };
    }

    // Keeps the first 48 bits (the UUIDv7 timestamp: registration order survives), derives the rest from (id, c).
    private static string Remap(string guid, int cluster)
    {
        Span<byte> hash = stackalloc byte[16];
        MD5.HashData(Encoding.ASCII.GetBytes(guid + "/" + cluster), hash);
        var hex = Convert.ToHexStringLower(hash);
        var variant = "89ab"[hash[15] & 3];
        return $"{guid[..13]}-7{hex[..3]}-{variant}{hex[3..6]}-{hex[6..18]}";
    }
}
