"""The SQL subset of the fake dsmadmc's server (stdlib only; see fake_dsmadmc.py).

``SELECT [DISTINCT] * | item, ... FROM table [WHERE condition] [ORDER BY col [ASC|DESC], ...]``
where an item is ``col``, ``UPPER(col)`` or ``LOWER(col)``, optionally ``AS alias``, and a
condition combines ``operand op operand`` (= <> != < <= > >=), ``operand [NOT] IN (...)``,
``operand [NOT] LIKE 'pattern'`` (% and _), ``operand IS [NOT] NULL``, NOT, AND, OR and
parentheses. Keywords and column names are case-insensitive; string comparisons are
case-sensitive, as DB2 compares them. Timestamps compare as timestamps ('2024-04-01' is
midnight), numbers as numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TEXT, INTEGER, DECIMAL, TIMESTAMP = "TEXT", "INTEGER", "DECIMAL", "TIMESTAMP"
NUMERIC_TYPES = frozenset({INTEGER, DECIMAL, TIMESTAMP})  # right-aligned in table mode

Row = Mapping[str, Any]  # upper-case column name -> value (None is NULL)
Schema = Mapping[str, Sequence[tuple[str, str]]]  # table -> (column, type) in server order
Getter = Callable[[Row], Any]
Predicate = Callable[[Row], bool]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<quoted>"[^"]*")
    | (?P<number>\d+(?:\.\d+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    | (?P<op><>|!=|<=|>=|[=<>(),*])
    )""",
    re.VERBOSE,
)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_FUNCTIONS: dict[str, Callable[[str], str]] = {"UPPER": str.upper, "LOWER": str.lower}


class SqlError(Exception):
    """A statement the server rejects: ``kind`` picks the message, ``word`` fills it in."""

    def __init__(self, kind: str, word: str) -> None:
        super().__init__(f"{kind}: {word}")
        self.kind = kind
        self.word = word


@dataclass(frozen=True)
class Token:
    kind: str  # string, quoted, number, name, op, end
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper()


@dataclass(frozen=True)
class Result:
    """A SELECT's answer: column captions, their types, and the rows' values."""

    captions: list[str]
    types: list[str]
    rows: list[list[Any]]


def tokenize(text: str) -> list[Token]:
    tokens = []
    position = 0
    text = text.rstrip().removesuffix(";")
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            raise SqlError("syntax", text[position:].strip()[:20])
        tokens.append(Token(match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    tokens.append(Token("end", ""))
    return tokens


def timestamp_key(value: Any) -> str:
    """A timestamp or date text in the one form that compares correctly as text."""
    text = str(value).strip()
    if len(text) == 10:
        text += " 00:00:00"
    if len(text) == 19:
        text += ".000000"
    return text


def to_number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class Select:
    """One parsed SELECT statement, run against tables of rows with ``run``."""

    def __init__(self, text: str, schema: Schema) -> None:
        self.tokens = tokenize(text)
        self.at = 0
        self.schema = schema
        self._parse()

    # -- token stream --------------------------------------------------------------------

    def peek(self, *words: str) -> bool:
        return self.tokens[self.at].upper in words and self.tokens[self.at].kind in ("name", "op")

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, *words: str) -> Token:
        if not self.peek(*words):
            raise SqlError("syntax", self.tokens[self.at].text or "<end>")
        return self.take()

    def accept(self, *words: str) -> bool:
        if self.peek(*words):
            self.at += 1
            return True
        return False

    # -- grammar -------------------------------------------------------------------------

    def _parse(self) -> None:
        self.expect("SELECT")
        self.distinct = self.accept("DISTINCT")
        items_at = self.at
        while not self.peek("FROM") and self.tokens[self.at].kind != "end":
            self.take()  # the select list is read once the table (and its columns) is known
        self.expect("FROM")
        table = self.take()
        if table.kind != "name" or table.upper not in self.schema:
            raise SqlError("table", table.text or "<end>")
        self.table = table.upper
        self.columns = dict(self.schema[self.table])
        body_at = self.at
        self.at = items_at
        self.items = self._select_list()
        self.at = body_at
        self.where: Predicate = self._condition() if self.accept("WHERE") else (lambda row: True)
        self.order: list[tuple[str, bool]] = []
        if self.accept("ORDER"):
            self.expect("BY")
            self.order.append(self._order_item())
            while self.accept(","):
                self.order.append(self._order_item())
        if self.tokens[self.at].kind != "end":
            raise SqlError("syntax", self.tokens[self.at].text)

    def _select_list(self) -> list[tuple[str, str, Getter]]:
        """(caption, type, getter) per output column."""
        if self.accept("*"):
            self.expect("FROM")
            return [(name, kind, _column_getter(name)) for name, kind in self.columns.items()]
        items = [self._select_item(1)]
        while self.accept(","):
            items.append(self._select_item(len(items) + 1))
        self.expect("FROM")
        return items

    def _select_item(self, position: int) -> tuple[str, str, Getter]:
        is_column = self.tokens[self.at].kind == "name" and self.tokens[self.at + 1].text != "("
        caption = self.tokens[self.at].upper if is_column else f"Unnamed[{position}]"
        getter, kind = self._operand()
        if self.accept("AS"):
            alias = self.take()
            if alias.kind not in ("name", "quoted"):
                raise SqlError("syntax", alias.text or "<end>")
            caption = alias.text.strip('"') if alias.kind == "quoted" else alias.upper
        return caption, kind, getter

    def _order_item(self) -> tuple[str, bool]:
        name = self._column_name()
        descending = self.accept("DESC")
        if not descending:
            self.accept("ASC")
        return name, descending

    def _column_name(self) -> str:
        token = self.take()
        if token.kind != "name":
            raise SqlError("syntax", token.text or "<end>")
        if token.upper not in self.columns:
            raise SqlError("column", token.text)
        return token.upper

    def _operand(self) -> tuple[Getter, str]:
        token = self.tokens[self.at]
        if token.kind == "string":
            self.take()
            text = token.text[1:-1].replace("''", "'")
            return (lambda row: text), TEXT
        if token.kind == "number":
            self.take()
            number = float(token.text)
            return (lambda row: number), DECIMAL
        if token.kind == "name" and token.upper in _FUNCTIONS:
            function = _FUNCTIONS[self.take().upper]
            self.expect("(")
            inner, _kind = self._operand()
            self.expect(")")
            return (lambda row: _apply(function, inner(row))), TEXT
        name = self._column_name()
        return _column_getter(name), self.columns[name]

    def _condition(self) -> Predicate:
        terms = [self._conjunction()]
        while self.accept("OR"):
            terms.append(self._conjunction())
        return terms[0] if len(terms) == 1 else (lambda row: any(t(row) for t in terms))

    def _conjunction(self) -> Predicate:
        factors = [self._factor()]
        while self.accept("AND"):
            factors.append(self._factor())
        return factors[0] if len(factors) == 1 else (lambda row: all(f(row) for f in factors))

    def _factor(self) -> Predicate:
        if self.accept("NOT"):
            inner = self._factor()
            return lambda row: not inner(row)
        if self.accept("("):
            inner = self._condition()
            self.expect(")")
            return inner
        return self._test()

    def _test(self) -> Predicate:
        left, kind = self._operand()
        if self.accept("IS"):
            negate = self.accept("NOT")
            self.expect("NULL")
            return lambda row: (left(row) is None) != negate
        negate = self.accept("NOT")
        if self.accept("IN"):
            self.expect("(")
            values = [self._operand()[0]({})]
            while self.accept(","):
                values.append(self._operand()[0]({}))
            self.expect(")")
            return lambda row: any(_compare("=", left(row), v, kind) for v in values) != negate
        if self.accept("LIKE"):
            pattern = _like_pattern(str(self._operand()[0]({})))
            return lambda row: _like(pattern, left(row)) != negate
        if negate:
            raise SqlError("syntax", self.tokens[self.at].text or "<end>")
        op = self.expect(*_COMPARE).text
        right, _kind = self._operand()
        return lambda row: _compare(op, left(row), right(row), kind)

    # -- running -------------------------------------------------------------------------

    def run(self, tables: Mapping[str, Sequence[Row]]) -> Result:
        rows = [row for row in tables.get(self.table, ()) if self.where(row)]
        for name, descending in reversed(self.order):
            kind = self.columns[name]
            rows.sort(key=lambda row, n=name, k=kind: _sort_key(row.get(n), k), reverse=descending)
        values = [[getter(row) for _c, _k, getter in self.items] for row in rows]
        if self.distinct:
            values = list({tuple(v): v for v in values}.values())
        return Result([c for c, _k, _g in self.items], [k for _c, k, _g in self.items], values)


def _column_getter(name: str) -> Getter:
    return lambda row: row.get(name)


def _apply(function: Callable[[str], str], value: Any) -> Any:
    return None if value is None else function(str(value))


def _compare(op: str, left: Any, right: Any, kind: str) -> bool:
    """SQL comparison; NULL compares as unknown (false)."""
    if left is None or right is None:
        return False
    if kind == TIMESTAMP:
        return _COMPARE[op](timestamp_key(left), timestamp_key(right))
    if kind in (INTEGER, DECIMAL):
        a, b = to_number(left), to_number(right)
        if a is not None and b is not None:
            return _COMPARE[op](a, b)
    return _COMPARE[op](str(left), str(right))


def _like_pattern(pattern: str) -> re.Pattern[str]:
    parts = {"%": ".*", "_": "."}
    return re.compile("".join(parts.get(ch, re.escape(ch)) for ch in pattern), re.DOTALL)


def _like(pattern: re.Pattern[str], value: Any) -> bool:
    return value is not None and pattern.fullmatch(str(value)) is not None


def _sort_key(value: Any, kind: str) -> tuple[bool, Any]:
    """DB2 sorts NULL after every value."""
    if value is None:
        return (True, "")
    if kind in (INTEGER, DECIMAL):
        return (False, to_number(value) or 0.0)
    if kind == TIMESTAMP:
        return (False, timestamp_key(value))
    return (False, str(value))
