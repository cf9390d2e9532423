/**
 * The JSON Schema of policy files, generated from the valibot schema (the one definition) for
 * editors. It covers the schema kinds the policy file uses; any other kind is an error, so a new
 * kind cannot slip into the file format without the generator learning it.
 *
 * @module
 */
import type * as v from "valibot";
import { PolicyFileSchema } from "./schema.ts";

/** A JSON Schema node. */
export type JsonSchema = { [key: string]: unknown };

interface Node {
  type: string;
  pipe?: readonly { kind: string; type: string; requirement?: unknown; description?: string }[];
  entries?: Record<string, Node>;
  wrapped?: Node;
  item?: Node;
  options?: readonly (Node | string)[];
  key?: Node;
  value?: Node;
  literal?: unknown;
}

function convert(node: Node): JsonSchema {
  let out: JsonSchema;
  switch (node.type) {
    case "string":
    case "number":
    case "boolean":
      out = { type: node.type };
      break;
    case "literal":
      out = { const: node.literal };
      break;
    case "picklist":
      out = { enum: [...(node.options as string[])] };
      break;
    case "array":
      out = { type: "array", items: convert(node.item as Node) };
      break;
    case "union":
      out = { anyOf: (node.options as Node[]).map(convert) };
      break;
    case "record":
      out = { type: "object", propertyNames: convert(node.key as Node), additionalProperties: convert(node.value as Node) };
      break;
    case "strict_object": {
      const entries = Object.entries(node.entries ?? {});
      out = {
        type: "object",
        properties: Object.fromEntries(entries.map(([k, e]) => [k, convert(e.type === "optional" ? e.wrapped as Node : e)])),
        additionalProperties: false,
      };
      const required = entries.filter(([, e]) => e.type !== "optional").map(([k]) => k);
      if (required.length) out.required = required;
      break;
    }
    default:
      throw new Error(`The JSON Schema generator does not know valibot's "${node.type}"; teach it in json-schema.ts`);
  }
  for (const action of node.pipe?.slice(1) ?? []) {
    if (action.type === "description") out.description = action.description;
    else if (action.type === "min_length") out[out.type === "array" ? "minItems" : "minLength"] = action.requirement;
    else if (action.type === "regex") out.pattern = (action.requirement as RegExp).source;
    else if (action.type === "integer") out.type = "integer";
    else if (action.type === "min_value") out.minimum = action.requirement;
    // `check` actions (no NUL byte…) have no JSON Schema form: the loader still enforces them.
  }
  return out;
}

/**
 * The JSON Schema (draft 2020-12) of policy files, as committed in policies/policy.schema.json.
 *
 * @example
 * ```ts
 * import { policyJsonSchema } from "./json-schema.ts";
 * console.log(JSON.stringify(policyJsonSchema(), null, 2));
 * ```
 */
export function policyJsonSchema(): JsonSchema {
  const schema = PolicyFileSchema as unknown as v.GenericSchema & Node;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "Stockade policy file",
    ...convert(schema),
  };
}

/** The schema file's text: two-space JSON and a final newline. */
export function policyJsonSchemaText(): string {
  return JSON.stringify(policyJsonSchema(), null, 2) + "\n";
}
