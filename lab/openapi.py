"""The vendors' OpenAPI contracts (``shared/data/contracts``), held to every request and every answer of a stand-in.

``Contract(filename, base_path)`` loads one extract (operations keyed ``"METHOD /path/{template}"``, each with its
``parameters``, ``requestBody`` and ``responses`` by status and content type; ``$ref`` already resolved) and

- ``match(method, path)``: the operation a request is for (path templates matched segment by segment, the lab's
  own prefix such as GitHub's ``/api/v3`` taken off first), or None;
- ``check_request(request)``: what the real system would refuse in it (unknown operation, path and query parameters
  against their schemas - types, enums -, the JSON body against the request body schema), as ``Problem`` objects
  that each stand-in turns into its vendor's own error answer;
- ``check_answer(request, response)``: how the stand-in's answer misses the response schema of its status.

Schemas are OpenAPI 3.0 (close to JSON Schema draft 4): ``nullable`` is turned into a ``"null"`` type (or an
``anyOf`` with ``{"type": "null"}``) and the result is validated by ``jsonschema``'s Draft 4 validator. No lenient
mode: a stand-in always validates.
"""

from __future__ import annotations

import copy
import json
import os
import re
import threading
from datetime import datetime
from urllib.parse import urlsplit

import jsonschema

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTRACTS_DIR = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "data", "contracts"))

SCHEMA_KEYS = ("items", "additionalProperties", "not")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


class ContractMissing(RuntimeError):
    """A contract file is not where the lab expects it (``<repo>/../shared/data/contracts``)."""


def contract_path(filename):
    path = os.path.join(CONTRACTS_DIR, filename)
    if not os.path.isfile(path):
        raise ContractMissing("lab: the vendor contract %s is missing (expected at %s, beside the repository in "
                              "shared/data/contracts): the lab holds every request and answer to it and cannot start "
                              "without it" % (filename, path))
    return path


def to_json_schema(schema):
    """An OpenAPI 3.0 schema as JSON Schema draft 4: ``nullable`` made explicit, OpenAPI-only keys dropped."""
    if isinstance(schema, list):
        return [to_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in ("nullable", "readOnly", "writeOnly", "example", "examples", "discriminator", "xml",
                   "externalDocs", "deprecated"):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in SCHEMA_KEYS and isinstance(value, dict):
            out[key] = to_json_schema(value)
        elif key == "oneOf" and isinstance(value, list):
            # read as anyOf: the vendors' descriptions list alternatives that overlap (GitHub's 409 for the contents
            # API is a basic error or one with secret-scanning metadata, neither excluding the other), so a strict
            # "exactly one" would refuse every answer the real server gives
            out["anyOf"] = [to_json_schema(sub) for sub in value]
        elif key in SCHEMA_LISTS and isinstance(value, list):
            out[key] = [to_json_schema(sub) for sub in value]
        else:
            out[key] = copy.deepcopy(value)
    if schema.get("nullable") is True:
        if "enum" in out and None not in out["enum"]:
            out["enum"] = list(out["enum"]) + [None]
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        elif "type" not in out:
            out = {"anyOf": [{"type": "null"}, out]}
    return out


FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    if not isinstance(value, str):
        return True
    if not re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", value):
        raise ValueError("not an RFC 3339 date-time")
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@FORMATS.checks("uri")
@FORMATS.checks("url")
def _uri(value):
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


class Problem:
    """One thing the contract refuses: ``where`` (``path``, ``query``, ``body``, ``operation``), ``field`` (a dotted
    name, or the parameter), ``code`` (``missing_field``, ``invalid``, ``unparsable``, ``unknown_operation``),
    ``value`` (what was sent, when known) and ``message`` (the validator's own words)."""

    def __init__(self, where, field, code, message, value=None, instance=None):
        self.instance = instance
        self.where = where
        self.field = field
        self.code = code
        self.message = message
        self.value = value

    def __str__(self):
        return "%s %s: %s (%s)" % (self.where, self.field or "-", self.code, self.message)

    def __repr__(self):
        return "Problem(%s)" % self


class Operation:
    def __init__(self, key, spec):
        self.key = key
        self.method, _sp, self.template = key.partition(" ")
        self.spec = spec
        self.segments = self.template.strip("/").split("/")
        self.params = {(p["in"], p["name"]): p for p in spec.get("parameters") or []}
        self._validators = {}
        self._lock = threading.Lock()

    def match(self, path):
        """The path parameters when ``path`` fits this operation's template, else None."""
        parts = path.strip("/").split("/")
        names = {}
        # a template's last parameter may hold slashes (GitHub's contents {path}, git refs {ref})
        if len(parts) < len(self.segments) or (len(parts) > len(self.segments) and not self.segments[-1].startswith("{")):
            return None
        for index, segment in enumerate(self.segments):
            last = index == len(self.segments) - 1
            value = "/".join(parts[index:]) if last else parts[index]
            if segment.startswith("{") and segment.endswith("}"):
                if not value:
                    return None
                names[segment[1:-1]] = value
            elif segment != value:
                return None
        return names

    def validator(self, name, schema):
        with self._lock:
            if name not in self._validators:
                self._validators[name] = jsonschema.Draft4Validator(to_json_schema(schema), format_checker=FORMATS)
            return self._validators[name]


def _coerce(value, schema):
    """A query or path value (text) as the type its schema names, or raise ValueError."""
    kind = schema.get("type")
    if kind == "integer":
        if not re.match(r"^-?\d+$", value):
            raise ValueError("not an integer")
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise ValueError("not a boolean")
    return value


def _field(error):
    """The dotted name of what a jsonschema error is about (``payload.summary``, ``labels.0``)."""
    path = [str(part) for part in error.absolute_path]
    if error.validator == "required":
        match = re.match(r"^'(.+)' is a required property$", error.message)
        if match:
            path.append(match.group(1))
    return ".".join(path)


def _value(instance):
    if instance is None or isinstance(instance, (str, int)) and not isinstance(instance, bool):
        return instance
    return json.dumps(instance)[:200]


class Contract:
    """One vendor's OpenAPI extract; ``base_path`` is the prefix the lab serves it under (GitHub's ``/api/v3``)."""

    def __init__(self, filename, base_path=""):
        self.path = contract_path(filename)
        with open(self.path, encoding="utf-8") as handle:
            data = json.load(handle)
        self.source = data.get("source")
        self.base_path = base_path.rstrip("/")
        self.operations = [Operation(key, spec) for key, spec in (data.get("operations") or {}).items()]
        # literal segments first, so that /incidents/{id}/notes never shadows a more specific path
        self.operations.sort(key=lambda op: (-len(op.segments), sum(s.startswith("{") for s in op.segments)))

    def strip(self, path):
        if self.base_path and (path == self.base_path or path.startswith(self.base_path + "/")):
            return path[len(self.base_path):] or "/"
        return path

    def match(self, method, path):
        """(operation, path parameters) for ``METHOD path``, or (None, None)."""
        path = self.strip(path)
        for operation in self.operations:
            if operation.method != method.upper():
                continue
            names = operation.match(path)
            if names is not None:
                return operation, names
        return None, None

    def check_request(self, request, body_text=None):
        """(operation, path parameters, parsed body, problems) for a Werkzeug request."""
        operation, names = self.match(request.method, request.path)
        if operation is None:
            return None, None, None, [Problem("operation", None, "unknown_operation",
                                              "%s %s is no operation of %s" % (request.method, self.strip(request.path),
                                                                               os.path.basename(self.path)))]
        problems = []
        typed = {}
        for (where, name), param in operation.params.items():
            if where == "path":
                raw = [names.get(name)] if names.get(name) is not None else []
            elif where == "query":
                raw = request.args.getlist(name)
            else:
                continue  # headers: the real systems do not refuse a request over Accept or Content-Type on a GET
            schema = param.get("schema") or {}
            if not raw:
                if param.get("required"):
                    problems.append(Problem(where, name, "missing_field", "%s is required" % name))
                continue
            if schema.get("type") == "array":
                item_schema = schema.get("items") or {}
                if param.get("explode") is False:  # style form, not exploded: one comma-separated value
                    raw = [piece for text in raw for piece in text.split(",")]
                candidates = [(raw, item_schema, True)]
            else:
                # an exploded ``name[]`` parameter repeats: each value must fit the schema
                candidates = [([text], schema, False) for text in raw]
            for texts, item_schema, is_array in candidates:
                try:
                    values = [_coerce(text, item_schema) for text in texts]
                except ValueError as exc:
                    problems.append(Problem(where, name, "invalid", str(exc), value=texts[0] if len(texts) == 1 else texts))
                    continue
                value = values if is_array else values[0]
                for error in operation.validator(("param", where, name), schema).iter_errors(value):
                    problems.append(Problem(where, name, "invalid", error.message, value=_value(value)))
                typed[name] = value
        body = None
        content = operation.spec.get("requestBody") or {}
        if content:
            text = request.get_data(as_text=True) if body_text is None else body_text
            schema = content.get("application/json")
            if schema is not None:
                try:
                    body = json.loads(text) if text.strip() else None
                except ValueError as exc:
                    problems.append(Problem("body", None, "unparsable", "not JSON: %s" % exc))
                    return operation, typed, None, problems
                if body is None:
                    problems.append(Problem("body", None, "unparsable", "no JSON body"))
                    return operation, typed, None, problems
                for error in sorted(operation.validator("body", schema).iter_errors(body), key=lambda e: list(e.absolute_path)):
                    code = "missing_field" if error.validator == "required" else "invalid"
                    problems.append(Problem("body", _field(error), code, error.message, instance=error.instance,
                                            value=None if code == "missing_field" else _value(error.instance)))
        return operation, typed, body, problems

    def check_answer(self, request, response):
        """Problems of a stand-in's answer against the response schema for its status (a list of strings)."""
        operation, _names = self.match(request.method, request.path)
        if operation is None:
            return []  # the request was refused as unknown; nothing to hold its answer to
        status = str(response.status_code)
        responses = operation.spec.get("responses") or {}
        if status in responses:
            content = responses[status]
        elif status[0] + "XX" in responses:
            content = responses[status[0] + "XX"]
        elif "default" in responses:
            content = responses["default"]
        else:
            return ["%s answered HTTP %s, which the contract does not list for %s (it lists %s)" % (
                operation.key, status, operation.key, ", ".join(sorted(responses)))]
        if not content:
            return []  # the contract lists the status without a body schema
        kind = (response.mimetype or "").lower()
        schema = content.get(kind)
        if schema is None:
            return ["%s HTTP %s answered %s, the contract has %s"
                    % (operation.key, status, kind or "no content type", ", ".join(sorted(content)))]
        try:
            body = json.loads(response.get_data(as_text=True) or "null")
        except ValueError as exc:
            return ["%s HTTP %s answered a body that is not JSON: %s" % (operation.key, status, exc)]
        validator = operation.validator(("response", status, kind), schema)
        return ["%s HTTP %s answer: %s at %s" % (operation.key, status, error.message[:300],
                                                 "/".join(str(p) for p in error.absolute_path) or "(root)")
                for error in validator.iter_errors(body)][:10]
