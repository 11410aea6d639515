"""Read the config text stored inside a checkpoint as data, never as code.

mmengine stores a run's config in its checkpoints as Python source (``meta["cfg"]``, made by ``Config.pretty_text``),
and its own tools rebuild it by executing that text. A checkpoint can come from anyone, so this module reads the text
with :mod:`ast` instead: assignments of literals (numbers, strings, ``True``/``False``/``None``), lists, tuples, sets,
dicts and ``dict(key=value, ...)`` calls are accepted, and anything else (an import, a function call, an attribute, a
name) is refused with the line it is on. Nothing from the text is ever run.
"""

import ast
from typing import Any

__all__ = ["ConfigCodeError", "check_stored_config", "parse_config_text", "plain_config"]


class ConfigCodeError(ValueError):
    """Config text holds code (a call, an import, a name ...) rather than plain data."""


def _value(node: ast.expr, where: str) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_value(item, where) for item in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else set(items) if isinstance(node, ast.Set) else items
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            raise ConfigCodeError(f"{where}: '**' unpacking at line {node.lineno} is code, not data")
        return {_value(k, where): _value(v, where) for k, v in zip(node.keys, node.values)}  # type: ignore[arg-type]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _value(node.operand, where)
        if isinstance(operand, (int, float, complex)) and not isinstance(operand, bool):
            return -operand if isinstance(node.op, ast.USub) else operand
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "dict"
        and not node.args
        and all(keyword.arg is not None for keyword in node.keywords)
    ):
        return {keyword.arg: _value(keyword.value, where) for keyword in node.keywords}
    raise ConfigCodeError(
        f"{where}: the stored config holds code ({_describe(node)} at line {getattr(node, 'lineno', '?')}), "
        "not only data; zoo never executes it"
    )


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else "?"
        return f"a call to {name}()"
    if isinstance(node, ast.Name):
        return f"the name {node.id!r}"
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "an import"
    return f"a {type(node).__name__} expression"


def parse_config_text(text: str, where: str = "config") -> dict[str, Any]:
    """The variables that mmengine config text assigns, read as literals without executing anything.

    Args:
        text: Python source as written by ``mmengine.Config.pretty_text`` (``name = dict(...)`` lines).
        where: Where the text comes from, for error messages (e.g. the checkpoint's path).

    Returns:
        ``{variable: value}`` with dicts, lists, tuples, sets and literals.

    Raises:
        ConfigCodeError: The text holds anything but assignments of literal data, or is not valid Python.
    """
    try:
        tree = ast.parse(text)
    except SyntaxError as err:
        raise ConfigCodeError(f"{where}: the stored config is not readable ({err.msg} at line {err.lineno})") from None
    result: dict[str, Any] = {}
    for statement in tree.body:
        if (
            not isinstance(statement, ast.Assign)
            or len(statement.targets) != 1
            or not isinstance(statement.targets[0], ast.Name)
        ):
            raise ConfigCodeError(
                f"{where}: the stored config holds code ({_describe(statement)} at line {statement.lineno}), "
                "not only data; zoo never executes it"
            )
        result[statement.targets[0].id] = _value(statement.value, where)
    return result


def plain_config(value: Any) -> Any:
    """A copy of a config (``dict``/``ConfigDict``) made only of plain containers and literals.

    Values of other types (classes, functions) become their ``repr`` text, so the result unpickles with
    ``torch.load(weights_only=True)`` and can never run code when read back.
    """
    if isinstance(value, dict):
        return {str(key): plain_config(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        items = [plain_config(item) for item in value]
        return tuple(items) if isinstance(value, tuple) else items
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def check_stored_config(checkpoint: Any, where: str) -> None:
    """Refuse a checkpoint whose stored config text (``meta.cfg`` / ``meta.config``) is code rather than data.

    Args:
        checkpoint: What ``torch.load(weights_only=True)`` returned.
        where: The file's path, for the message.

    Raises:
        ConfigCodeError: The config text holds code.
    """
    if not isinstance(checkpoint, dict):
        return
    meta = checkpoint.get("meta")
    for holder, label in ((meta, "meta."), (checkpoint, "")):
        if not isinstance(holder, dict):
            continue
        for key in ("cfg", "config"):
            text = holder.get(key)
            if isinstance(text, str):
                parse_config_text(text, f"{where} ({label}{key})")
