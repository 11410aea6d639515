import subprocess
import sys

import pytest
import torch
from mmengine import registry as mm_registry
from mmengine.registry import Registry

import zoo
from zoo.registry import ALL_REGISTRIES, ATTENTION, MODELS, UnknownModelError, build, create_model, register


def _mmengine_roots() -> list[Registry]:
    return [obj for obj in vars(mm_registry).values() if isinstance(obj, Registry) and obj.parent is None]


def test_every_mmengine_root_has_a_zoo_child() -> None:
    roots = _mmengine_roots()
    assert len(roots) >= 23
    for root in roots:
        assert "zoo" in root.children, f"no zoo child for mmengine root {root.name!r}"
        child = root.children["zoo"]
        assert child is ALL_REGISTRIES[root.name]
        assert child.scope == "zoo"


def test_domain_registries_exist() -> None:
    for name in ("attention", "block", "branch", "degradation", "loss", "model", "dataset", "metric"):
        assert ALL_REGISTRIES[name].scope == "zoo"


def test_duplicate_names_raise_unless_forced() -> None:
    registry = Registry("scratch", scope="zoo_test_dup")

    @register(registry, name="thing")
    class First:
        pass

    with pytest.raises(KeyError, match="already registered"):

        @register(registry, name="thing")
        class Second:
            pass

    @register(registry, name="thing", force=True)
    class Third:
        pass

    assert registry.get("thing") is Third


def test_builtin_mmengine_types_resolve_through_parents() -> None:
    # In a fresh process: mmengine registers these only when its module is imported, which the zoo's registries do
    # on the first lookup (nothing else may have imported it before).
    code = (
        "import torch; from zoo.registry import HOOKS, OPTIMIZERS, PARAM_SCHEDULERS; "
        "print(OPTIMIZERS.get('Adam') is torch.optim.Adam, PARAM_SCHEDULERS.get('MultiStepLR') is not None, "
        "HOOKS.get('CheckpointHook') is not None)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True"], out.stdout + out.stderr


def test_building_a_model_skips_mmengine_model() -> None:
    # mmengine's model builder imports mmengine.model (torch.distributed: most of a second) for nothing.
    code = (
        "import sys; from zoo.registry import create_model; model = create_model('rmbn.broad', pretrained=True); "
        "print(type(model).__name__, 'mmengine.model' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["RecurrentMBN", "False"], out.stdout + out.stderr


def test_root_registry_finds_zoo_models_with_scope_prefix() -> None:
    model = mm_registry.MODELS.build(dict(type="zoo.identity"))
    x = torch.rand(1, 3, 8, 8)
    assert torch.equal(model(x), x)


def test_build_attention_from_config() -> None:
    attention = build(dict(type="tv_gap", beta=2), registry="attention", channels=8, hidden=4)
    assert attention.beta == 2
    assert ATTENTION.get("se") is not None
    x = torch.rand(2, 8, 5, 6)
    assert attention(x).shape == x.shape


def test_unknown_registry_name() -> None:
    with pytest.raises(KeyError, match="unknown registry"):
        build(dict(type="x"), registry="nope")


def test_unknown_model_lists_close_names() -> None:
    with pytest.raises(UnknownModelError, match="closest: identity"):
        create_model("identiti")


def test_unknown_tag_is_an_error() -> None:
    with pytest.raises(UnknownModelError, match="pretrained tag"):
        create_model("identity.nonexistent")


def test_model_config_needs_type() -> None:
    with pytest.raises(ValueError, match="'type'"):
        create_model({"width": 1})


def test_list_models_pattern_and_sorting() -> None:
    names = zoo.list_models()
    assert names == sorted(names)
    assert "identity" in names
    assert zoo.list_models("ident*") == ["identity"]
    assert zoo.list_models("no_such_*") == []


def test_model_names_must_not_contain_dots() -> None:
    from zoo.registry import ModelInfo, register_model

    with pytest.raises(ValueError, match="dot"):
        register_model("a.b", ModelInfo(task="x"))


def test_created_model_carries_name_and_metadata() -> None:
    model = create_model("identity")
    assert model.zoo_name == "identity"
    assert model.zoo_metadata == {}
    assert MODELS.get("identity") is type(model)


def test_import_zoo_stays_light() -> None:
    code = (
        "import sys, zoo; zoo.list_models(); "
        "heavy = [m for m in ('gradio', 'matplotlib', 'mmengine.runner', 'zoo.training') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
