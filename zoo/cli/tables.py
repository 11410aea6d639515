"""Markdown tables generated from the registry (the README's models table comes from here)."""

from zoo.registry import create_model, get_model_info, list_models, list_pretrained


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
        model = create_model(name)
        params = f"{count_parameters(model):,}" if info.learned else "non-learned"
        if info.oracle:
            params += " (oracle)"
        elif info.knows:
            params += f" (knows the {info.knows})"
        tags = ", ".join(t.partition(".")[2] for t in list_pretrained(f"{name}.*")) or "-"
        lines.append(f"| `{name}` | {info.task} | {params} | {info.size_multiple(model)} | {tags} | {info.paper} |")
    return "\n".join(lines)


def pretrained_markdown() -> str:
    """A Markdown table of the shipped weights: size, training budget, PSNR per factor on each card's test set.

    A caption above the table names the metric protocol of the scores (a column does when the tags differ).
    """
    from zoo.data.metrics.protocols import DETECTION_PROTOCOL, PROTOCOLS_ANCHOR, protocol_label
    from zoo.registry import pretrained_table

    factors = ("rain", "blur", "jpeg", "haze", "mixed")
    table, detectors = [], []
    for name, entry in sorted(pretrained_table().items()):
        if entry.metadata.get("protocol") == DETECTION_PROTOCOL:
            detectors.append(name)
        else:
            table.append((name, entry))
    protocols = sorted({entry.metadata["protocol"] for _, entry in table if "scores" in entry.metadata})
    named = " and ".join(protocol_label(p) for p in protocols) or "no scores"
    lines = [
        f"PSNR in dB (input -> output) on each card's test set; {named} ([metric protocols](#{PROTOCOLS_ANCHOR})):",
        "",
        "| weights | parameters | trained | " + " | ".join(f"{f} dB (in -> out)" for f in factors) + " |",
        "|---|---:|---|" + "---|" * len(factors),
    ]
    if len(protocols) > 1:
        lines[2:4] = [lines[2] + " protocol |", lines[3] + "---|"]
    for name, entry in table:
        meta = entry.metadata
        scores = meta.get("scores", {})
        cells = [f"{scores[f]['psnr_input']:.2f} -> {scores[f]['psnr']:.2f}" if f in scores else "-" for f in factors]
        budget = meta.get("training", {}).get("budget") or "see its card"
        protocol = f" {meta.get('protocol', '-')} |" if len(protocols) > 1 else ""
        lines.append(
            f"| [`{name}`](zoo/weights/{name}.md) | {meta.get('parameters', 0):,} | {budget} | "
            + " | ".join(cells)
            + " |"
            + protocol
        )
    if len(lines) == 4:
        lines.append("| (none shipped yet) | | |" + " |" * len(factors))
    if detectors:
        names = ", ".join(f"[`{name}`](zoo/weights/{name}.md)" for name in detectors)
        lines += ["", f"Factor detector (chooses R-MBN's steps; its card gives ROC AUC per factor): {names}."]
    return "\n".join(lines)


def protocols_markdown() -> str:
    """The paragraph that explains the metric protocols (``zoo.data.metrics.protocols``)."""
    from zoo.data.metrics.protocols import protocols_paragraph

    return protocols_paragraph()


SECTIONS = {
    "models": lambda: models_markdown(list_models()),
    "weights": pretrained_markdown,
    "protocols": protocols_markdown,
}


def readme_with_models_table(text: str) -> str:
    """Return README text with every generated section (models, weights, protocols) regenerated between its markers."""
    for key, render in SECTIONS.items():
        start, end = f"<!-- {key}:start -->", f"<!-- {key}:end -->"
        head, found_start, rest = text.partition(start)
        _, found_end, tail = rest.partition(end)
        if not found_start or not found_end:
            raise ValueError(f"README has no {start} ... {end} markers")
        text = f"{head}{start}\n{render()}\n{end}{tail}"
    return text


if __name__ == "__main__":
    import sys
    from pathlib import Path

    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m zoo.cli.tables README.md")
    readme = Path(sys.argv[1])
    readme.write_text(readme_with_models_table(readme.read_text()))
