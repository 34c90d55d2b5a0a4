// Validates Kubernetes manifests against the Kubernetes API's own schemas, offline.
//
//   node validate.mjs FILE.yaml...
//
// Two checks per object, both from the `kubernetes-models` package (generated from the
// Kubernetes OpenAPI specification):
//  1. its JSON-schema validator (ajv, compiled in the package): types, formats,
//     required fields and enums, as the API server's OpenAPI schema states them;
//  2. unknown fields, which that validator lets through (the schemas allow additional
//     properties) but `kubectl apply` warns about and the API server drops: every key
//     is looked up in the package's type declarations (the same schema as TypeScript
//     interfaces), walking the object alongside them.
// Prints one line per object; exits 1 if any object is invalid, 2 on usage errors.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import yaml from "js-yaml";

// "apps/v1" + "DaemonSet" -> "kubernetes-models/apps/v1/DaemonSet"
function modelSpecifier(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  return group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

// --- type declarations -----------------------------------------------------------------

const declarationCache = new Map();  // .d.ts path -> { imports, interfaces, aliases }

function parseDeclarations(file) {
  if (declarationCache.has(file)) return declarationCache.get(file);
  const text = fs.readFileSync(file, "utf8").replace(/\/\*\*[\s\S]*?\*\//g, "");
  const imports = new Map();  // type name -> .d.ts path
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    for (const name of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
      imports.set(name, resolveDeclaration(m[2], file));
    }
  }
  const interfaces = new Map();  // interface name -> Map(property -> type text)
  for (const m of text.matchAll(/export interface (\w+)(?:\s+extends\s+[\w<>, ]+)?\s*\{/g)) {
    interfaces.set(m[1], parseProperties(text, m.index + m[0].length));
  }
  const aliases = new Map();  // exported alias -> local interface ("IProbe as IIoK8sApiCoreV1Probe")
  for (const m of text.matchAll(/export type \{([^}]*)\}/g)) {
    for (const part of m[1].split(",")) {
      const [local, exported] = part.split(" as ").map((s) => s.trim());
      if (exported) aliases.set(exported, local);
    }
  }
  const result = { imports, interfaces, aliases };
  declarationCache.set(file, result);
  return result;
}

// Properties of an interface body starting at `start` (just after its "{").
function parseProperties(text, start) {
  const props = new Map();
  let i = start;
  for (;;) {
    while (/\s/.test(text[i])) i++;
    if (text[i] === "}") return props;
    const m = /^"([^"]+)"\??:\s*/.exec(text.slice(i));
    if (!m) throw new Error(`cannot parse declarations near: ${text.slice(i, i + 60)}`);
    i += m[0].length;
    let depth = 0;
    const typeStart = i;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === "{" || c === "<" || c === "(" || c === "[") depth++;
      else if (c === "}" || c === ">" || c === ")" || c === "]") depth--;
      else if (c === ";" && depth === 0) break;
    }
    props.set(m[1], text.slice(typeStart, i).trim());
    i++;
  }
}

function resolveDeclaration(specifier, fromFile) {
  const js = specifier.startsWith(".")
    ? path.resolve(path.dirname(fromFile), specifier)
    : fileURLToPath(import.meta.resolve(specifier));
  return js.replace(/\.js$/, "") + ".d.ts";
}

// The property map of type `name` as seen from `file`, or null for a type without
// fields of its own (aliases of string/number, IntOrString, Quantity, Time, ...).
function interfaceOf(name, file) {
  const decl = parseDeclarations(file);
  if (decl.interfaces.has(name)) return { props: decl.interfaces.get(name), file };
  const target = decl.imports.get(name);
  if (!target || !fs.existsSync(target)) return null;
  const other = parseDeclarations(target);
  const local = other.aliases.get(name) ?? name;
  return other.interfaces.has(local) ? { props: other.interfaces.get(local), file: target } : null;
}

// Reports keys of `value` that type `typeText` (declared in `file`) does not have.
function checkFields(value, typeText, file, where, errors) {
  if (value === null || typeof value !== "object") return;
  const t = typeText.trim();
  const array = /^Array<([\s\S]*)>$/.exec(t);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => checkFields(v, array[1], file, `${where}[${i}]`, errors));
    return;
  }
  const map = /^\{\s*\[key: string\]:\s*([\s\S]*?);?\s*\}$/.exec(t);
  if (map) {
    for (const [k, v] of Object.entries(value)) checkFields(v, map[1], file, `${where}.${k}`, errors);
    return;
  }
  if (!/^\w+$/.test(t)) return;  // unions of literals, primitives
  const iface = interfaceOf(t, file);
  if (!iface || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (!iface.props.has(k)) {
      errors.push(`${where}.${k}: unknown field (not in ${t.replace(/^IIoK8s/, "")})`);
      continue;
    }
    checkFields(v, iface.props.get(k), iface.file, `${where}.${k}`, errors);
  }
}

// --- main --------------------------------------------------------------------------------

async function validateObject(doc) {
  if (!doc || typeof doc !== "object" || !doc.apiVersion || !doc.kind)
    return ["not a Kubernetes object (no apiVersion/kind)"];
  const specifier = modelSpecifier(doc.apiVersion, doc.kind);
  let model;
  try {
    model = await import(specifier);
  } catch {
    return [`unknown apiVersion/kind ${doc.apiVersion} ${doc.kind}`];
  }
  const errors = [];
  try {
    new model[doc.kind](doc).validate();
  } catch (e) {
    for (const err of e.errors ?? [{ instancePath: "", message: e.message }])
      errors.push(`${err.instancePath || "/"}: ${err.message}${err.params?.allowedValues ? ` (${err.params.allowedValues.join(", ")})` : ""}`);
  }
  const file = fileURLToPath(import.meta.resolve(specifier)).replace(/\.js$/, ".d.ts");
  checkFields(doc, `I${doc.kind}`, file, doc.kind, errors);
  return errors;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.mjs FILE.yaml...");
  process.exit(2);
}
let objects = 0;
let invalid = 0;
for (const f of files) {
  let docs;
  try {
    docs = yaml.loadAll(fs.readFileSync(f, "utf8")).filter((d) => d !== null && d !== undefined);
  } catch (e) {
    console.log(`INVALID ${f}: not YAML: ${e.message}`);
    invalid++;
    continue;
  }
  for (const doc of docs) {
    objects++;
    const name = `${doc?.kind ?? "?"} ${doc?.metadata?.namespace ? doc.metadata.namespace + "/" : ""}${doc?.metadata?.name ?? "?"}`;
    const errors = await validateObject(doc);
    if (errors.length === 0) {
      console.log(`valid   ${path.basename(f)}: ${name}`);
    } else {
      invalid++;
      console.log(`INVALID ${path.basename(f)}: ${name}`);
      for (const e of errors) console.log(`    ${e}`);
    }
  }
}
console.log(`${objects} objects, ${objects - invalid} valid, ${invalid} invalid`);
process.exit(invalid === 0 ? 0 : 1);
