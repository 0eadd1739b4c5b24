// Compiled with the types openapi-typescript generates from docs/openapi.json (ops/contract/check): what a
// TypeScript client writes against the contract. A change of name, type or enum that breaks it fails ops/test.
import type { components, operations, paths } from "./generated/registry";

type Schemas = components["schemas"];

export const registration: Schemas["RegisterInstitution"] = {
  name: "西山区康乐养老院",
  uscc: "52530112MJY000001L",
  kind: "elderly-care",
  ownership: "private",
  jurisdiction: "530112",
  address: "云南省昆明市西山区前卫街道康乐路18号",
  beds: { elderlyCare: 120, nursing: 30 },
};

export const finding: Schemas["RecordFinding"] = {
  institutionId: "0191f3a2-7c4e-7d1a-9b2c-3e4f5a6b7c8d",
  category: "fire-safety",
  severity: "major",
  demeritPoints: 4,
  description: "三楼疏散通道堆放杂物",
};

type Created = paths["/api/institutions"]["post"]["responses"][201]["content"]["application/json"];
export const created: Created = { id: "0191f3a2-7c4e-7d1a-9b2c-3e4f5a6b7c8d", version: 1 };

type Table = operations["getMonitoringTable"]["responses"][200]["content"]["application/json"];
export function integrated(table: Table): number | undefined {
  return table.figures.find((f) => f.key === "integrated-institutions")?.value;
}

type Invalid = operations["registerInstitution"]["responses"][400]["content"]["application/problem+json"];
export function fields(problem: Invalid): string[] {
  return Object.keys(problem.errors);
}

export type FeedLine = operations["getAuditFeed"]["responses"][200]["content"]["application/x-ndjson"];
export type Query = NonNullable<operations["searchInstitutions"]["parameters"]["query"]>;
export const query: Query = { jurisdiction: "5301", integrated: true, asOf: "2024-06-01", limit: 50 };
