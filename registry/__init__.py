"""Registries and the public model-zoo API of mbn-zoo (``zoo.registry``)."""

from .checkpoint import ChecksumError, load_state_dict, save_release_weights, sha256_file
from .decorators import (
    MODEL_INFO,
    register,
    register_attention,
    register_block,
    register_branch,
    register_degradation,
    register_loss,
    register_metric,
    register_model,
)
from .factory import UnknownModelError, build, create_model, get_model_info, list_models, list_pretrained
from .info import ModelInfo
from .pretrained import PretrainedEntry, pretrained_table, weights_dir
from .registries import (
    ALL_REGISTRIES,
    ATTENTION,
    BLOCKS,
    BRANCHES,
    DATA_SAMPLERS,
    DATASETS,
    DEGRADATIONS,
    EVALUATOR,
    FUNCTIONS,
    HOOKS,
    INFERENCERS,
    LOG_PROCESSORS,
    LOOPS,
    LOSSES,
    METRICS,
    MODEL_WRAPPERS,
    MODELS,
    OPTIM_WRAPPER_CONSTRUCTORS,
    OPTIM_WRAPPERS,
    OPTIMIZERS,
    PARAM_SCHEDULERS,
    RUNNER_CONSTRUCTORS,
    RUNNERS,
    STRATEGIES,
    TASK_UTILS,
    TRANSFORMS,
    VISBACKENDS,
    VISUALIZERS,
    WEIGHT_INITIALIZERS,
)

__all__ = [
    "ALL_REGISTRIES", "ATTENTION", "BLOCKS", "BRANCHES", "DATASETS", "DATA_SAMPLERS", "DEGRADATIONS", "EVALUATOR",
    "FUNCTIONS", "HOOKS", "INFERENCERS", "LOG_PROCESSORS", "LOOPS", "LOSSES", "METRICS", "MODELS", "MODEL_INFO",
    "MODEL_WRAPPERS", "OPTIMIZERS", "OPTIM_WRAPPERS", "OPTIM_WRAPPER_CONSTRUCTORS", "PARAM_SCHEDULERS", "RUNNERS",
    "RUNNER_CONSTRUCTORS", "STRATEGIES", "TASK_UTILS", "TRANSFORMS", "VISBACKENDS", "VISUALIZERS",
    "WEIGHT_INITIALIZERS", "ChecksumError", "ModelInfo", "PretrainedEntry", "UnknownModelError", "build",
    "create_model", "get_model_info", "list_models", "list_pretrained", "load_state_dict", "pretrained_table",
    "register", "register_attention", "register_block", "register_branch", "register_degradation", "register_loss",
    "register_metric", "register_model", "save_release_weights", "sha256_file", "weights_dir",
]
