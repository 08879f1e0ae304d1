"""Letter templates in a restricted Jinja2 environment, and the process that renders workbook ones.

A workbook may carry its own letter templates, and workbooks come from other people: a
template is untrusted code. It is rendered in Jinja2's ``ImmutableSandboxedEnvironment`` with
tighter rules still:

- only the letter's data is in scope: no globals (``range``, ``cycler``, ``lipsum``…);
- attributes are data, never methods: ``{{ name.upper() }}`` or ``''.__class__`` is refused;
- only macros and loops can be called, and only the filters letters need are there;
- an operator or filter that would build text or a number past :data:`MAX_CHARS` is refused.

A workbook's template is also rendered in a separate, short-lived Python process (this file,
run as a script) with a memory limit and a CPU-time limit, so a template that loops for hours
or asks for gigabytes costs its letter, not the class run. The process is told nothing but
the template and the letter's data, and answers in JSON.

This module imports nothing but the standard library and Jinja2, so it runs as a script.
"""

from __future__ import annotations

import functools
import json
import pickle
import signal
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import jinja2
import jinja2.filters
import jinja2.runtime
import jinja2.sandbox
from jinja2.exceptions import SecurityError
from jinja2.utils import pass_context

LETTER_DATA = ("profile", "contact", "organisation", "findings", "insight", "debrief", "interview")
"""The names a letter template sees."""

MAX_CHARS = 100_000
"""The longest text a letter, or any value built while filling it in, may be."""

MAX_TEMPLATE_CHARS = 50_000
"""The longest template a workbook may store."""

MAX_INT_BITS = 4_000
"""Numbers larger than about 1,200 digits are refused: letters count minutes, not atoms."""

CPU_SECONDS = 1.0
"""CPU time one template may take in the worker process before it is stopped."""

MEMORY_BYTES = 512 * 1024 * 1024
"""Address space the worker process may use."""


class TemplateLimitError(SecurityError):
    """A template would build something too large."""


class TooSlow(BaseException):
    """Raised by the CPU timer in the worker. A BaseException, so no ``except Exception`` eats it."""


# -- the environment ----------------------------------------------------------------------------


def join_and(items: Iterable[Any]) -> str:
    """``a, b and c``."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def lower_first(text: str) -> str:
    """'Programme evaluation' → 'programme evaluation', but 'M&E officer' and 'HR' stay."""
    text = str(text)
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


_BUILTIN_FILTERS = (
    *("abs", "capitalize", "count", "d", "default", "first", "float", "int", "join", "last", "length"),
    *("list", "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round"),
    *("select", "selectattr", "sort", "string", "sum", "title", "trim", "truncate", "unique", "upper"),
    "wordcount",
)
"""Jinja2's filters that a letter may use: none of them takes a size to pad or repeat to."""


def _check_size(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_CHARS:
        raise TemplateLimitError(f"builds a value longer than {MAX_CHARS:,} characters")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise TemplateLimitError("builds a number too large for a letter")
    return value


def _guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """*func* as a filter that checks the size of what it returns.

    The wrapper takes the context, which also stops Jinja2 from running the filter at compile
    time on constant arguments (compiling must not run template code).
    """
    passes = jinja2.utils._PassArg.from_obj(func)

    @pass_context
    def filter_(context: jinja2.runtime.Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        if passes is jinja2.utils._PassArg.context:
            result = func(context, value, *args, **kwargs)
        elif passes is jinja2.utils._PassArg.eval_context:
            result = func(context.eval_ctx, value, *args, **kwargs)
        elif passes is jinja2.utils._PassArg.environment:
            result = func(context.environment, value, *args, **kwargs)
        else:
            result = func(value, *args, **kwargs)
        return _check_size(result)

    filter_.__name__ = getattr(func, "__name__", "filter")
    return filter_


class _LetterEnvironment(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Data in, text out: no methods, no globals, bounded sizes."""

    intercepted_binops = frozenset({"*", "**", "%", "+", "//"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # A letter reads data. Methods (even harmless-looking ones such as str.format or
        # str.center) are where escapes and memory bombs live, so none is reachable.
        if callable(value):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> None:
        return None  # str.format is a method: refused like any other

    def getattr(self, obj: Any, attribute: str) -> Any:
        _no_dunder_of_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _no_dunder_of_undefined(obj, argument)
        return super().getitem(obj, argument)

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        if not attribute.startswith("_") and callable(getattr(obj, attribute, None)):
            message = f"'{attribute}' is a method of {type(obj).__name__!r}; a letter may only show data"
        else:
            message = f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe"
        return self.undefined(message, name=attribute, obj=obj, exc=SecurityError)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(__obj, jinja2.Undefined):
            __obj._fail_with_undefined_error()  # says what is undefined or refused
        if not isinstance(__obj, (jinja2.runtime.Macro, jinja2.runtime.LoopContext)):
            raise SecurityError(f"{type(__obj).__name__!r} object cannot be called in a letter")
        return __context.call(__obj, *args, **kwargs)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise SecurityError("the % operator on text is not available in letters")
        _check_operands(operator, left, right)
        return _check_size(self.binop_table[operator](left, right))


def _no_dunder_of_undefined(obj: Any, name: Any) -> None:
    """``cycler.__init__`` with no ``cycler``: say that it is undefined, not that __init__ is unsafe."""
    if isinstance(obj, jinja2.Undefined) and str(name).startswith("_"):
        obj._fail_with_undefined_error()


def _check_operands(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be too large, before it is computed."""
    sequences = (str, list, tuple)
    length = 0
    bits = 0
    if operator == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, sequences) and isinstance(n, int):
                length = len(seq) * max(n, 0)
        if isinstance(left, int) and isinstance(right, int):
            bits = left.bit_length() + right.bit_length()
    elif operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
        bits = max(right, 0) * left.bit_length()
    elif operator == "+" and isinstance(left, sequences) and isinstance(right, sequences):
        length = len(left) + len(right)
    if length > MAX_CHARS:
        raise TemplateLimitError(f"builds a value longer than {MAX_CHARS:,} characters")
    if bits > MAX_INT_BITS:
        raise TemplateLimitError("builds a number too large for a letter")


class MarkedUndefined(jinja2.ChainableUndefined):
    """Renders an unknown name as ``{{ name }}`` so the letter check can point at it.

    An attribute refused for safety is never shown as a marker: it stays an error.
    """

    def __str__(self) -> str:
        if issubclass(self._undefined_exception, SecurityError):
            self._fail_with_undefined_error()
        return "{{ " + str(self._undefined_name) + " }}"


def letter_environment(undefined: type[jinja2.Undefined] = jinja2.StrictUndefined) -> jinja2.Environment:
    """The restricted environment every letter template renders in (shipped ones too)."""
    env = _LetterEnvironment(
        autoescape=False,  # plain-text letters, not HTML
        undefined=undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.clear()
    env.tests = {k: v for k, v in env.tests.items() if k not in ("callable",)}
    filters: dict[str, Callable[..., Any]] = {
        name: _guarded(jinja2.filters.FILTERS[name]) for name in _BUILTIN_FILTERS
    }
    filters["join_and"] = _guarded(join_and)
    filters["lower_first"] = _guarded(lower_first)
    env.filters = filters
    return env


# -- rendering -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _environment(marking: bool) -> jinja2.Environment:
    return letter_environment(MarkedUndefined if marking else jinja2.StrictUndefined)


@functools.lru_cache(maxsize=32)
def _compiled(source: str, marking: bool) -> jinja2.Template:
    return _environment(marking).from_string(source)


def _fill(source: str, values: Mapping[str, Any], *, marking: bool = False) -> str:
    template = _compiled(source, marking)
    out: list[str] = []
    size = 0
    for chunk in template.generate(dict(values)):
        size += len(chunk)
        if size > MAX_CHARS:
            raise TemplateLimitError(f"makes a letter longer than {MAX_CHARS:,} characters")
        out.append(chunk)
    return "".join(out)


def describe_error(exc: BaseException) -> str:
    """One line saying why a template could not be filled in."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"line {exc.lineno}: {exc.message}"
    if isinstance(exc, TemplateLimitError):
        return f"the template {exc}"
    if isinstance(exc, SecurityError):
        return f"the template reaches outside the letter's data ({exc})"
    if isinstance(exc, jinja2.UndefinedError):
        return f"{exc} (a letter template sees only {', '.join(LETTER_DATA)})"
    if isinstance(exc, TooSlow):
        return f"the template takes too long (over {CPU_SECONDS:g} s of computing)"
    if isinstance(exc, MemoryError):
        return "the template needs too much memory"
    if isinstance(exc, RecursionError):
        return "the template nests or calls itself too deeply"
    if isinstance(exc, jinja2.TemplateError):
        return f"the template failed: {exc}"
    return f"the template failed: {type(exc).__name__}: {str(exc)[:200]}"


def render(source: str, values: Mapping[str, Any] | None) -> tuple[str, str | None]:
    """Fill *source* in with *values*: the text, and an error message or None.

    With *values* None the template is only compiled. A template that names data the letter
    lacks still gives a draft, with the name left visible as ``{{ name }}``.
    """
    if len(source) > MAX_TEMPLATE_CHARS:
        return "", f"the template is longer than {MAX_TEMPLATE_CHARS:,} characters"
    try:
        if values is None:
            _compiled(source, False)
            return "", None
        return _fill(source, values), None
    except jinja2.UndefinedError as exc:
        error = describe_error(exc)  # still a draft, below, with the unknown name marked
    except (Exception, TooSlow) as exc:  # every way a hostile template can fail is this letter's
        return "", describe_error(exc)
    if values is None:
        return "", error
    try:
        return _fill(source, values, marking=True), error
    except (Exception, TooSlow) as exc:
        return "", describe_error(exc)


# -- the worker process ---------------------------------------------------------------------------


def _limit_resources(jobs: int) -> None:
    try:
        import resource
    except ImportError:  # not on Windows: the parent's timeout still applies
        return
    cpu = int(5 + (CPU_SECONDS + 1) * jobs)
    for limit, value in ((resource.RLIMIT_AS, MEMORY_BYTES), (resource.RLIMIT_CPU, cpu)):
        try:
            _soft, hard = resource.getrlimit(limit)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(limit, (value, hard))
        except (ValueError, OSError):
            pass


def _on_timer(signum: int, frame: Any) -> None:
    raise TooSlow()


def _render_timed(source: str, values: Mapping[str, Any] | None) -> tuple[str, str | None]:
    timer = getattr(signal, "ITIMER_VIRTUAL", None)
    if timer is None:
        return render(source, values)
    # Repeats after the first shot, in case something swallowed the first one.
    signal.setitimer(timer, CPU_SECONDS, 0.1)
    try:
        return render(source, values)
    except TooSlow as exc:
        return "", describe_error(exc)
    finally:
        signal.setitimer(timer, 0)


def main() -> None:
    """Read pickled ``[(group, source, values), …]`` on stdin; write the results as JSON.

    Each result is ``{"text", "error"}``, or null for a job skipped because an earlier job of
    its group failed (one bad template is reported once, not once per interview).
    """
    jobs = pickle.loads(sys.stdin.buffer.read())  # from the parent process, which built them
    _limit_resources(len(jobs))
    if hasattr(signal, "SIGVTALRM"):
        signal.signal(signal.SIGVTALRM, _on_timer)
    failed: set[str] = set()
    results: list[dict[str, str | None] | None] = []
    for group, source, values in jobs:
        if group in failed:
            results.append(None)
            continue
        try:
            text, error = _render_timed(source, values)
        except TooSlow as exc:
            text, error = "", describe_error(exc)
        if error:
            failed.add(group)
        results.append({"text": text, "error": error})
    sys.stdout.write(json.dumps(results))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
