/**
 * The one builder of DynamoDB expressions: every attribute name goes through a `#n` placeholder (reserved words
 * like `name`, `metadata`, `end` and user-chosen metadata keys are then always safe), every value through `:v`.
 */
export type AttributePath = string | readonly string[];

export class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly nameIds = new Map<string, string>();

  /** `#n0.#n1` for ["metadata", "is_shared"]; the same attribute name always gets the same placeholder. */
  name(path: AttributePath): string {
    const segments = typeof path === "string" ? [path] : path;
    return segments
      .map((segment) => {
        let id = this.nameIds.get(segment);
        if (!id) {
          id = `#n${this.nameIds.size}`;
          this.nameIds.set(segment, id);
          this.names[id] = segment;
        }
        return id;
      })
      .join(".");
  }

  /** A ProjectionExpression over attributes, a path (["metadata", "is_shared"]) naming one inside a map. */
  projection(attributes: readonly AttributePath[]): string {
    return attributes.map((attribute) => this.name(attribute)).join(", ");
  }

  value(value: unknown): string {
    const id = `:v${Object.keys(this.values).length}`;
    this.values[id] = value;
    return id;
  }

  /** The attribute maps of a command; DynamoDB rejects empty ones, so they are left out when unused. */
  attributes(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

export interface UpdateSpec {
  /** `SET path = :value`. */
  set?: ReadonlyArray<readonly [AttributePath, unknown]>;
  /** `SET path = if_not_exists(path, :value)`: written only on the first write of the item. */
  setIfNotExists?: ReadonlyArray<readonly [AttributePath, unknown]>;
  remove?: readonly AttributePath[];
  /** `ADD path :value` (numbers and sets). */
  add?: ReadonlyArray<readonly [AttributePath, unknown]>;
  /** `DELETE path :value` (removes elements from a set). */
  delete?: ReadonlyArray<readonly [AttributePath, unknown]>;
}

/** Builds `SET … REMOVE … ADD … DELETE …`; null when the spec has no action at all (nothing to send). */
export function buildUpdateExpression(spec: UpdateSpec, expr: ExpressionBuilder): string | null {
  const sets = [
    ...(spec.set ?? []).map(([path, value]) => `${expr.name(path)} = ${expr.value(value)}`),
    ...(spec.setIfNotExists ?? []).map(([path, value]) => {
      const name = expr.name(path);
      return `${name} = if_not_exists(${name}, ${expr.value(value)})`;
    }),
  ];
  const pairs = (list: UpdateSpec["add"]) => (list ?? []).map(([path, value]) => `${expr.name(path)} ${expr.value(value)}`);
  const clauses = [
    ["SET", sets.join(", ")],
    ["REMOVE", (spec.remove ?? []).map((path) => expr.name(path)).join(", ")],
    ["ADD", pairs(spec.add).join(", ")],
    ["DELETE", pairs(spec.delete).join(", ")],
  ].filter(([, body]) => body);
  return clauses.length > 0 ? clauses.map(([action, body]) => `${action} ${body}`).join(" ") : null;
}
