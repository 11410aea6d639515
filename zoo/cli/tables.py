"""Markdown tables generated from the registry (the README's models table comes from here)."""

from zoo.registry import create_model, get_model_info, list_pretrained


def count_parameters(model: object) -> int:
    """Number of parameters of a torch module (0 for non-learned methods)."""
    parameters = getattr(model, "parameters", None)
    return sum(p.numel() for p in parameters()) if parameters else 0


def models_markdown(names: list[str]) -> str:
    """A Markdown table: name, task, parameters, size multiple, shipped weights, paper."""
    lines = [
        "| model | task | parameters | size multiple | shipped weights | paper |",
        "|---|---|---:|---:|---|---|",
    ]
    for name in names:
        info = get_model_info(name)
        params = f"{count_parameters(create_model(name)):,}" if info.learned else "non-learned"
        if info.oracle:
            params += " (oracle)"
        tags = ", ".join(t.partition(".")[2] for t in list_pretrained(f"{name}.*")) or "-"
        lines.append(f"| `{name}` | {info.task} | {params} | {info.size_multiple} | {tags} | {info.paper} |")
    return "\n".join(lines)


START, END = "<!-- models:start -->", "<!-- models:end -->"


def readme_with_models_table(text: str) -> str:
    """Return README text with the models table between the markers regenerated from the registry."""
    from zoo.registry import list_models

    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README has no {START} ... {END} markers")
    return f"{head}{START}\n{models_markdown(list_models())}\n{END}{tail}"


if __name__ == "__main__":
    import sys
    from pathlib import Path

    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m zoo.cli.tables README.md")
    readme = Path(sys.argv[1])
    readme.write_text(readme_with_models_table(readme.read_text()))
