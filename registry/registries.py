"""The registries of mbn-zoo: a child of every mmengine root under scope ``zoo``, plus domain registries.

Every registry names the modules that fill it in ``locations``; mmengine imports them the first time the registry
is queried, so ``import zoo`` stays cheap and nothing scans folders. A name registered twice raises ``KeyError``
unless ``force=True`` is passed to the decorator.
"""

from typing import Any

from mmengine import registry as _mm
from mmengine.registry import Registry, build_from_cfg, build_model_from_cfg

__all__ = [
    "ATTENTION",
    "BLOCKS",
    "BRANCHES",
    "DATASETS",
    "DATA_SAMPLERS",
    "DEGRADATIONS",
    "EVALUATOR",
    "FUNCTIONS",
    "HOOKS",
    "INFERENCERS",
    "LOG_PROCESSORS",
    "LOOPS",
    "LOSSES",
    "METRICS",
    "MODELS",
    "MODEL_WRAPPERS",
    "OPTIMIZERS",
    "OPTIM_WRAPPERS",
    "OPTIM_WRAPPER_CONSTRUCTORS",
    "PARAM_SCHEDULERS",
    "RUNNERS",
    "RUNNER_CONSTRUCTORS",
    "STRATEGIES",
    "TASK_UTILS",
    "TRANSFORMS",
    "VISBACKENDS",
    "VISUALIZERS",
    "WEIGHT_INITIALIZERS",
    "ALL_REGISTRIES",
]

SCOPE = "zoo"

# Modules that register into each registry, imported lazily by mmengine on first lookup; a registry with no entry
# resolves everything through its mmengine parent.
LOCATIONS: dict[str, list[str]] = {
    "model": ["zoo.models", "zoo.baselines"],
    "attention": ["zoo.attention"],
    "block": ["zoo.blocks"],
    "branch": ["zoo.branches"],
    "degradation": ["zoo.data.degradations"],
    "dataset": ["zoo.data.datasets"],
    "metric": ["zoo.data.metrics"],
    "loss": ["zoo.data.losses"],
    # mmengine's own types, registered when their mmengine module is imported (mmengine's roots name no locations)
    "optimizer": ["mmengine.optim"],
    "parameter scheduler": ["mmengine.optim"],
    "optim_wrapper": ["mmengine.optim"],
    "optimizer wrapper constructor": ["mmengine.optim"],
    "model_wrapper": ["mmengine.model"],
    "weight initializer": ["mmengine.model"],
    "hook": ["mmengine.hooks"],
    "loop": ["mmengine.runner"],
    "runner": ["mmengine.runner"],
}


def _build_model(cfg: Any, registry: Registry, default_args: Any = None) -> Any:
    """The model builder of mmengine, minus its import of ``mmengine.model`` for a single config.

    ``build_model_from_cfg`` imports ``mmengine.model`` (and with it ``torch.distributed``: 0.8 s on 2 cores) on
    every call, only to wrap a *list* of configs in its ``Sequential``; a single config goes to ``build_from_cfg``.
    """
    if isinstance(cfg, list):
        return build_model_from_cfg(cfg, registry, default_args)
    return build_from_cfg(cfg, registry, default_args)


def _child(parent: Registry) -> Registry:
    build_func = _build_model if parent is _mm.MODELS else None  # None: the parent's builder
    return Registry(
        parent.name, parent=parent, scope=SCOPE, locations=LOCATIONS.get(parent.name, []), build_func=build_func
    )


def _domain(name: str) -> Registry:
    return Registry(name, scope=SCOPE, locations=LOCATIONS.get(name, []))


# Children of the 23 mmengine roots (so a Runner with default_scope="zoo" finds every type without warnings).
RUNNERS = _child(_mm.RUNNERS)
RUNNER_CONSTRUCTORS = _child(_mm.RUNNER_CONSTRUCTORS)
LOOPS = _child(_mm.LOOPS)
HOOKS = _child(_mm.HOOKS)
STRATEGIES = _child(_mm.STRATEGIES)
DATASETS = _child(_mm.DATASETS)
DATA_SAMPLERS = _child(_mm.DATA_SAMPLERS)
TRANSFORMS = _child(_mm.TRANSFORMS)
MODELS = _child(_mm.MODELS)
MODEL_WRAPPERS = _child(_mm.MODEL_WRAPPERS)
WEIGHT_INITIALIZERS = _child(_mm.WEIGHT_INITIALIZERS)
OPTIMIZERS = _child(_mm.OPTIMIZERS)
OPTIM_WRAPPERS = _child(_mm.OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = _child(_mm.OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _child(_mm.PARAM_SCHEDULERS)
METRICS = _child(_mm.METRICS)
EVALUATOR = _child(_mm.EVALUATOR)
TASK_UTILS = _child(_mm.TASK_UTILS)
VISUALIZERS = _child(_mm.VISUALIZERS)
VISBACKENDS = _child(_mm.VISBACKENDS)
LOG_PROCESSORS = _child(_mm.LOG_PROCESSORS)
INFERENCERS = _child(_mm.INFERENCERS)
FUNCTIONS = _child(_mm.FUNCTIONS)

# Domain registries: the parts a researcher swaps from a config dict.
ATTENTION = _domain("attention")
BLOCKS = _domain("block")
BRANCHES = _domain("branch")
DEGRADATIONS = _domain("degradation")
LOSSES = _domain("loss")

ALL_REGISTRIES: dict[str, Registry] = {
    reg.name: reg
    for reg in (
        RUNNERS,
        RUNNER_CONSTRUCTORS,
        LOOPS,
        HOOKS,
        STRATEGIES,
        DATASETS,
        DATA_SAMPLERS,
        TRANSFORMS,
        MODELS,
        MODEL_WRAPPERS,
        WEIGHT_INITIALIZERS,
        OPTIMIZERS,
        OPTIM_WRAPPERS,
        OPTIM_WRAPPER_CONSTRUCTORS,
        PARAM_SCHEDULERS,
        METRICS,
        EVALUATOR,
        TASK_UTILS,
        VISUALIZERS,
        VISBACKENDS,
        LOG_PROCESSORS,
        INFERENCERS,
        FUNCTIONS,
        ATTENTION,
        BLOCKS,
        BRANCHES,
        DEGRADATIONS,
        LOSSES,
    )
}
