/**
 * The expression language of `when:` conditions and `{{ … }}` templates
 * (DESIGN.md §7): paths (`inputs.n`, `steps.a.output.field`,
 * `steps.a.output.items[0]`), string literals in single or double quotes,
 * numbers, `true` / `false` / `null`, `== != < > <= >= && || !`, `contains`
 * and parentheses.
 *
 * jsep (a maintained, dependency-free parser) turns the text into an AST;
 * this file checks the AST against that short list and evaluates it by
 * walking it. Nothing is ever compiled or handed to `eval` / `new Function`,
 * and a path only reads own properties of plain data, so `constructor` or
 * `__proto__` lead nowhere. Chosen over template engines whose conditions
 * differ from the contract (Liquid: `and`/`or`, no `!`, right-to-left
 * without parentheses) or that compile to JavaScript (Handlebars, Nunjucks,
 * filtrex).
 */
import jsep from "jsep";
import { isDeepStrictEqual } from "node:util";

// `a contains b`: as tight as the relational operators (JavaScript's `in` sits there).
jsep.addBinaryOp("contains", 7);

export type Expr = jsep.Expression;

const BINARY = new Set(["==", "!=", "<", ">", "<=", ">=", "&&", "||", "contains"]);
const ROOTS = new Set(["inputs", "steps"]);

/** A path an expression reads: its root (`inputs`, `steps`) and the keys after it. */
export interface Path {
  root: string;
  keys: (string | number)[];
}

export class ExpressionError extends Error {}

/** The AST of `text`, or an ExpressionError saying what is not allowed. */
export function parseExpression(text: string): Expr {
  let ast: Expr;
  try {
    ast = jsep(text);
  } catch (err) {
    throw new ExpressionError((err as Error).message);
  }
  check(ast);
  return ast;
}

function check(node: Expr): void {
  switch (node.type) {
    case "Literal":
      if ((node as jsep.Literal).value instanceof RegExp) throw new ExpressionError("regular expressions are not supported");
      return;
    case "Identifier":
    case "MemberExpression":
      pathOf(node);
      return;
    case "UnaryExpression": {
      const u = node as jsep.UnaryExpression;
      if (u.operator !== "!") throw new ExpressionError(`the operator '${u.operator}' is not supported (use ! == != < > <= >= && || contains)`);
      check(u.argument);
      return;
    }
    case "BinaryExpression": {
      const b = node as jsep.BinaryExpression;
      if (!BINARY.has(b.operator)) throw new ExpressionError(`the operator '${b.operator}' is not supported (use ! == != < > <= >= && || contains)`);
      check(b.left);
      check(b.right);
      return;
    }
    case "Compound":
      throw new ExpressionError("one expression only (is an operator missing between two values?)");
    default:
      throw new ExpressionError(`${describe(node.type)} is not supported: only paths, literals and the operators ! == != < > <= >= && || contains`);
  }
}

function describe(type: string): string {
  const names: Record<string, string> = {
    CallExpression: "calling a function", ConditionalExpression: "the ?: operator", ArrayExpression: "an array literal",
    ThisExpression: "'this'", SequenceExpression: "a comma list",
  };
  return names[type] ?? `'${type}'`;
}

/** The path a member chain reads; refuses anything but identifiers and literal keys. */
export function pathOf(node: Expr): Path {
  const keys: (string | number)[] = [];
  let at = node;
  while (at.type === "MemberExpression") {
    const m = at as jsep.MemberExpression;
    if (m.optional) throw new ExpressionError("'?.' is not supported: a missing value is already null");
    if (!m.computed) keys.unshift((m.property as jsep.Identifier).name);
    else if (m.property.type === "Literal" && ["string", "number"].includes(typeof (m.property as jsep.Literal).value)) {
      keys.unshift((m.property as jsep.Literal).value as string | number);
    } else throw new ExpressionError("only a literal key may go between [ ] (items[0], output['a key'])");
    at = m.object;
  }
  if (at.type !== "Identifier") throw new ExpressionError("a path starts with inputs. or steps.");
  const root = (at as jsep.Identifier).name;
  if (!ROOTS.has(root)) throw new ExpressionError(`unknown name '${root}': a path starts with inputs. or steps. (strings need quotes)`);
  return { root, keys };
}

/** Every path an expression reads. */
export function pathsIn(node: Expr, out: Path[] = []): Path[] {
  switch (node.type) {
    case "Identifier":
    case "MemberExpression":
      out.push(pathOf(node));
      break;
    case "UnaryExpression":
      pathsIn((node as jsep.UnaryExpression).argument, out);
      break;
    case "BinaryExpression":
      pathsIn((node as jsep.BinaryExpression).left, out);
      pathsIn((node as jsep.BinaryExpression).right, out);
      break;
  }
  return out;
}

/** What expressions read: `inputs` and `steps` as plain JSON data. */
export type Scope = Record<string, unknown>;

/** The value at a path; anything missing (or not plain data) is null. */
export function resolvePath(scope: Scope, path: Path): unknown {
  let at: unknown = Object.hasOwn(scope, path.root) ? scope[path.root] : null;
  for (const key of path.keys) {
    if (at === null || typeof at !== "object") return null;
    if (Array.isArray(at)) {
      at = typeof key === "number" && Number.isInteger(key) && key >= 0 && key < at.length ? at[key] : null;
    } else {
      const k = String(key);
      at = Object.hasOwn(at, k) ? (at as Record<string, unknown>)[k] : null;
    }
  }
  return at === undefined ? null : at;
}

export function truthy(value: unknown): boolean {
  return Boolean(value);
}

/** Equality without coercion: 5 == '5' is false; objects and arrays compare by content. */
function equal(a: unknown, b: unknown): boolean {
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  return isDeepStrictEqual(a, b);
}

/** Order between two numbers or two strings; anything else is unordered (every comparison false). */
function compare(op: string, a: unknown, b: unknown): boolean {
  const comparable = (typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string");
  if (!comparable) return false;
  const x = a as number | string;
  const y = b as number | string;
  return op === "<" ? x < y : op === ">" ? x > y : op === "<=" ? x <= y : x >= y;
}

/** A string holds a substring; an array holds an element; an object holds a key. */
function contains(a: unknown, b: unknown): boolean {
  if (typeof a === "string") return typeof b === "string" && a.includes(b);
  if (Array.isArray(a)) return a.some((v) => equal(v, b));
  if (a !== null && typeof a === "object") return typeof b === "string" && Object.hasOwn(a, b);
  return false;
}

/** The value of a checked expression (from parseExpression) in `scope`. */
export function evaluate(node: Expr, scope: Scope): unknown {
  switch (node.type) {
    case "Literal":
      return (node as jsep.Literal).value;
    case "Identifier":
    case "MemberExpression":
      return resolvePath(scope, pathOf(node));
    case "UnaryExpression":
      return !truthy(evaluate((node as jsep.UnaryExpression).argument, scope));
    case "BinaryExpression": {
      const b = node as jsep.BinaryExpression;
      // && and || short-circuit and give an operand, as in JavaScript: {{ inputs.tone || 'neutral' }}.
      if (b.operator === "&&") {
        const left = evaluate(b.left, scope);
        return truthy(left) ? evaluate(b.right, scope) : left;
      }
      if (b.operator === "||") {
        const left = evaluate(b.left, scope);
        return truthy(left) ? left : evaluate(b.right, scope);
      }
      const left = evaluate(b.left, scope);
      const right = evaluate(b.right, scope);
      if (b.operator === "==") return equal(left, right);
      if (b.operator === "!=") return !equal(left, right);
      if (b.operator === "contains") return contains(left, right);
      return compare(b.operator, left, right);
    }
    default:
      throw new ExpressionError(`cannot evaluate '${node.type}'`);
  }
}
