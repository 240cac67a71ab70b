"""Code blocks (functions, methods, classes, impls...) from tree-sitter, one grammar per language.

Languages and compiled queries are built once per process and shared (they are
immutable); a :class:`tree_sitter.Parser` is cheap and not thread-safe, so each
call makes its own. Only definition nodes are visited, through a query run in C:
walking the whole syntax tree in Python would cost more than parsing it.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Final

import tree_sitter as ts

from ._structure import Scope, nest_scopes

__all__ = ["LANGUAGES", "parse_scopes"]

LANGUAGES: Final = ("python", "javascript", "typescript", "tsx", "go", "rust", "java")

_DEF_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "python": ("function_definition", "class_definition"),
    "javascript": (
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "method_definition",
        "arrow_function",
        "function_expression",
    ),
    "typescript": (
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "abstract_class_declaration",
        "interface_declaration",
        "enum_declaration",
        "internal_module",
        "method_definition",
        "arrow_function",
        "function_expression",
    ),
    "go": ("function_declaration", "method_declaration", "type_declaration", "func_literal"),
    "rust": (
        "function_item",
        "impl_item",
        "trait_item",
        "struct_item",
        "enum_item",
        "mod_item",
        "union_item",
    ),
    "java": (
        "class_declaration",
        "interface_declaration",
        "enum_declaration",
        "record_declaration",
        "annotation_type_declaration",
        "method_declaration",
        "constructor_declaration",
    ),
}
_DEF_TYPES["tsx"] = _DEF_TYPES["typescript"]

_AUX: Final[dict[str, str]] = {
    "python": "(comment) @comment (expression_statement (string) @comment) "
    "(import_statement) @import (import_from_statement) @import (future_import_statement) @import",
    "javascript": "(comment) @comment (import_statement) @import",
    "typescript": "(comment) @comment (import_statement) @import",
    "go": "(comment) @comment (import_declaration) @import (package_clause) @import",
    "rust": "(line_comment) @comment (block_comment) @comment (use_declaration) @import "
    "(extern_crate_declaration) @import",
    "java": "(line_comment) @comment (block_comment) @comment (import_declaration) @import "
    "(package_declaration) @import",
}
"""Comments (and Python docstrings) locate code but are rarely what changes; imports are cheap context."""
_AUX["tsx"] = _AUX["typescript"]

_KEYWORD: Final = {
    "function_definition": "def",
    "class_definition": "class",
    "function_declaration": "function",
    "generator_function_declaration": "function*",
    "class_declaration": "class",
    "abstract_class_declaration": "class",
    "interface_declaration": "interface",
    "enum_declaration": "enum",
    "internal_module": "namespace",
    "method_definition": "method",
    "arrow_function": "fn",
    "function_expression": "function",
    "method_declaration": "method",
    "type_declaration": "type",
    "func_literal": "func",
    "function_item": "fn",
    "impl_item": "impl",
    "trait_item": "trait",
    "struct_item": "struct",
    "enum_item": "enum",
    "mod_item": "mod",
    "union_item": "union",
    "record_declaration": "record",
    "annotation_type_declaration": "@interface",
    "constructor_declaration": "constructor",
}

# Nodes that wrap a definition on the same statement: the scope starts where they start.
_WRAPPERS: Final = frozenset(
    {
        "decorated_definition",
        "export_statement",
        "variable_declarator",
        "lexical_declaration",
        "variable_declaration",
        "assignment_expression",
        "pair",
        "public_field_definition",
        "field_definition",
        "expression_statement",
    }
)
_ANONYMOUS: Final = ("arrow_function", "function_expression")
_TS_ANONYMOUS: Final = ("internal_module", *_ANONYMOUS)
_WRAPPED: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "python": {"decorated_definition": ("function_definition", "class_definition")},
    "javascript": {
        "assignment_expression": _ANONYMOUS,
        "export_statement": (
            "function_declaration",
            "generator_function_declaration",
            "class_declaration",
            *_ANONYMOUS,
        ),
        "expression_statement": _ANONYMOUS,
        "field_definition": _ANONYMOUS,
        "pair": _ANONYMOUS,
        "variable_declarator": _ANONYMOUS,
    },
    "typescript": {
        "assignment_expression": _TS_ANONYMOUS,
        "export_statement": (
            "function_declaration",
            "generator_function_declaration",
            "class_declaration",
            "abstract_class_declaration",
            "interface_declaration",
            "enum_declaration",
            *_TS_ANONYMOUS,
        ),
        "expression_statement": _TS_ANONYMOUS,
        "pair": _TS_ANONYMOUS,
        "public_field_definition": _TS_ANONYMOUS,
        "variable_declarator": _TS_ANONYMOUS,
    },
    "go": {"expression_statement": ("func_literal",)},
    "rust": {},
    "java": {},
}
"""Per grammar, the wrappers that can hold a definition as a child, and which: the definitions whose
start may climb (see :func:`_scope_start`). Every pair the grammar allows, as its queries tell (a
test checks this table against them): no definition sits elsewhere in a wrapper."""
_WRAPPED["tsx"] = _WRAPPED["typescript"]
_MAX_HEADER: Final = 12
_MAX_WRAP_CLIMB: Final = 4


def _load(name: str) -> object:
    """The grammar's language pointer (imported lazily: each wheel costs a few ms to load)."""
    if name == "python":
        import tree_sitter_python

        return tree_sitter_python.language()
    if name == "javascript":
        import tree_sitter_javascript

        return tree_sitter_javascript.language()
    if name in ("typescript", "tsx"):
        import tree_sitter_typescript

        if name == "tsx":
            return tree_sitter_typescript.language_tsx()
        return tree_sitter_typescript.language_typescript()
    if name == "go":
        import tree_sitter_go

        return tree_sitter_go.language()
    if name == "rust":
        import tree_sitter_rust

        return tree_sitter_rust.language()
    import tree_sitter_java

    return tree_sitter_java.language()


@dataclass(frozen=True, slots=True)
class _Grammar:
    language: ts.Language
    query: ts.Query
    """Definitions (``@def``), comments, imports and the definitions held by a wrapper (``@wrapped``)
    in one pass over the tree."""


_GRAMMARS: dict[str, _Grammar] = {}
_LOCK = threading.Lock()


def _grammar(name: str) -> _Grammar:
    g = _GRAMMARS.get(name)
    if g is not None:
        return g
    with _LOCK:
        g = _GRAMMARS.get(name)
        if g is None:
            lang = ts.Language(_load(name))
            pattern = " ".join(f"({t}) @def" for t in _DEF_TYPES[name])
            wrapped = " ".join(
                f"({w} [{' '.join(f'({d})' for d in defs)}] @wrapped)" for w, defs in _WRAPPED[name].items()
            )
            g = _Grammar(lang, ts.Query(lang, f"{pattern} {_AUX[name]} {wrapped}"))
            _GRAMMARS[name] = g
    return g


def _text(node: ts.Node | None, limit: int = 60) -> str:
    text = None if node is None else node.text  # a copy of the source's bytes: read once
    if text is None:
        return ""
    raw = text[: limit * 4].decode("utf-8", "replace")
    if not raw.isidentifier():  # most are names: no whitespace to squeeze
        raw = " ".join(raw.split())
    return raw[:limit]


def _name_of(node: ts.Node, t: str) -> str:
    """The name of definition ``node`` of type ``t``."""
    if t == "impl_item":
        ty = _text(node.child_by_field_name("type"))
        tr = _text(node.child_by_field_name("trait"))
        return f"{tr} for {ty}" if tr else ty
    if t == "type_declaration":
        for c in node.named_children:
            if c.type in ("type_spec", "type_alias"):
                return _text(c.child_by_field_name("name"))
        return ""
    name = node.child_by_field_name("name")
    if name is not None:
        return _text(name)
    # Anonymous functions: name them after what holds them.
    p = node.parent
    for _ in range(3):
        if p is None:
            break
        pt = p.type
        if pt == "variable_declarator":
            return _text(p.child_by_field_name("name"))
        if pt == "pair":
            return _text(p.child_by_field_name("key"))
        if pt == "assignment_expression":
            return _text(p.child_by_field_name("left"))
        if pt in ("public_field_definition", "field_definition"):
            return _text(p.child_by_field_name("name") or p.child_by_field_name("property"))
        if pt == "call_expression":
            fn = _text(p.child_by_field_name("function"), 30)
            args = p.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            if first is not None and first.type in ("string", "template_string"):
                return f"{fn}({_text(first, 40)})"
            return f"{fn}(…)"
        p = p.parent
    return ""


def _header_end(node: ts.Node, t: str, start: int) -> int:
    body = node.child_by_field_name("body")
    if body is None:
        for c in node.named_children:
            if c.type in ("block", "class_body", "declaration_list", "field_declaration_list"):
                body = c
                break
    if body is None:
        return start + 1
    end = body.start_point.row
    if t not in ("function_definition", "class_definition"):  # python: body starts on the next line
        end += 1
    # Conditionals, not min/max: this runs once per definition.
    if end > start + _MAX_HEADER:
        end = start + _MAX_HEADER
    return end if end > start else start + 1


def _scope_start(node: ts.Node, start: int) -> int:
    """The first row of ``node`` (starting on row ``start``) and of the wrappers around it.

    Asking a node for its parent walks down from the root: only the definitions that may be
    wrapped ask (see :data:`_WRAPPED`).
    """
    p = node.parent
    for _ in range(_MAX_WRAP_CLIMB):
        if p is None or p.type not in _WRAPPERS:
            break
        start = min(start, p.start_point.row)
        p = p.parent
    return start


def _error_share(root: ts.Node, n_lines: int, stop_above: float) -> float:
    """Rows covered by ``ERROR`` nodes (nested ones counted again) per line, or a partial share above
    ``stop_above`` (the rest is not worth counting: the parse is rejected).

    The walk enters only the subtrees flagged ``has_error`` (a query would visit every node).
    An ERROR node always has that flag, except a leaf of characters the lexer skipped, whose
    error is charged to the ERROR node wrapping it: children of a visited node that are ERROR
    nodes themselves are visited too. A text in another language is usually one big ERROR near
    the root, found at once.
    """
    rows = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error:
            rows += node.end_point.row - node.start_point.row + 1
            if rows / n_lines > stop_above:
                break
        stack.extend(c for c in node.children if c.has_error or c.is_error)
    return rows / n_lines


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one parse gives: definition scopes, the share of rows inside errors, comment and import rows."""

    scopes: list[Scope]
    error_share: float
    comment_rows: list[tuple[int, int]]
    import_rows: list[tuple[int, int]]


def _rows(nodes: list[ts.Node]) -> list[tuple[int, int]]:
    return [(node.start_point.row, node.end_point.row + 1) for node in nodes]


def parse_scopes(
    source: bytes, n_lines: int, language: str, max_error_share: float | None = None
) -> Parsed | None:
    """Definition scopes of ``source`` (sorted by start, nested or disjoint) and auxiliary rows.

    ``None`` when the grammar is unknown, the parser fails, or more than ``max_error_share``
    of the rows lie inside parse errors (then nothing else is extracted).
    """
    if language not in _DEF_TYPES:
        return None
    grammar = _grammar(language)
    parser = ts.Parser(grammar.language)
    try:
        tree = parser.parse(source)
    except (ValueError, RuntimeError):
        return None
    root = tree.root_node
    limit = math.inf if max_error_share is None else max_error_share
    err = _error_share(root, max(1, n_lines), limit) if root.has_error else 0.0
    if err > limit:
        return None
    caps = ts.QueryCursor(grammar.query).captures(root)
    # Error recovery adds ERROR nodes (no wrapper) but builds every other node by a rule of the
    # grammar: the table holds in a tree with errors too (checked on every definition of 800 code
    # cases parsed with each grammar, 4,700 trees with errors among them).
    wrapped = set(caps.get("wrapped", ()))
    go = language == "go"
    raw: list[tuple[int, int, int, str, str]] = []
    for node in caps.get("def", []):
        row = node.start_point.row
        end = node.end_point.row + 1
        start = _scope_start(node, row) if node in wrapped else row
        if end - start < 2:
            continue
        t = node.type
        kw = _KEYWORD.get(t, t)
        if go and kw in ("function", "method"):
            kw = "func"
        raw.append((start, -end, _header_end(node, t, row), kw, _name_of(node, t)))
    raw.sort()
    return Parsed(
        nest_scopes(raw, n_lines), err, _rows(caps.get("comment", [])), _rows(caps.get("import", []))
    )
