"""Shared helpers of the CNN course (data, geometry, summaries, plots, widgets, exercises).

Chapters import it through the setup cell at their top, which puts the course's root
folder first on ``sys.path`` so that this package, not another ``utils``, is found.
"""

import os

# Keep TensorFlow's C++ start-up chatter out of the notebooks; set it yourself to see it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

COURSE = "cnn-course"  # the setup cell checks this to be sure it imported our utils

from .data import (  # noqa: E402
    CIFAR10_CLASSES,
    FASHION_MNIST_CLASSES,
    DataError,
    data_source,
    load_cifar10,
    load_fashion_mnist,
    load_mnist,
    pad_mnist,
    shift_images,
)
from .env import by_profile, device_description, profile, provenance, setup  # noqa: E402
from .exercises import check_answer, check_function, function_is_correct, is_correct  # noqa: E402
from .geometry import (  # noqa: E402
    ConvGeometry,
    conv2d_macs,
    conv2d_output_shape,
    conv2d_params,
    conv_geometry,
    conv_output_size,
    dense_params,
    effective_kernel_size,
    measured_receptive_field,
    padding_amounts,
    pool_output_size,
    receptive_field,
    same_padding,
)
from .layers import (  # noqa: E402
    C3_TABLE,
    LayerScale,
    LocalResponseNormalization,
    Maxout,
    PCAColorShift,
    SparseC3,
    ZeroPadShortcut,
)

# These need matplotlib, pandas or ipywidgets, or build models: they load on first use, so
# that `python -m utils.train` runs where only Keras and NumPy are installed (the GPU machine).
_LAZY = {
    "confusion_matrix": "plots",
    "plot_confusion_matrix": "plots",
    "plot_history": "plots",
    "show_images": "plots",
    "show_compact": "plots",
    "use_course_style": "plots",
    "model_summary": "summary",
    "conv_animation": "widgets",
    "conv_explorer": "widgets",
    "conv_formula": "widgets",
    "explorer": "widgets",
    "alexnet": "models",
    "alexnet_cifar": "models",
    "googlenet": "models",
    "inception_module": "models",
    "lenet5": "models",
    "resnet_cifar": "models",
    "basic_block": "models",
    "bottleneck_block": "models",
    "shortcut_branch": "models",
    "vgg_cifar": "models",
    "inception_cifar": "models",
    "small_inception_module": "models",
    "vgg16": "models",
    "densenet_cifar": "models",
    "dense_layer": "models",
    "transition": "models",
    "depthwise_step": "models",
    "separable_block": "models",
    "mobilenet_v1": "models",
    "inverted_residual": "models",
    "squeeze_excite": "models",
    "mobilenet_v2": "models",
    "convnext_block": "models",
    "convnext": "models",
    "load_trained": "trained",
    "evaluate_trained": "trained",
    "augment_batch": "augment",
    "cutout_batch": "augment",
    "verdict": "compare",
    # saliency maps, adversarial examples, sanity checks, feature visualisation (TensorFlow only)
    "logits_model": "saliency",
    "occlusion_map": "saliency",
    "upsample": "saliency",
    "gradient_map": "saliency",
    "smoothgrad": "saliency",
    "grad_cam": "saliency",
    "fgsm": "saliency",
    "deletion_curve": "saliency",
    "random_ranking": "saliency",
    "rank_correlation": "saliency",
    "randomized_copy": "saliency",
    "channel_activation": "saliency",
    "top_activating": "saliency",
    "receptive_crop": "saliency",
    "activation_maximization": "saliency",
    "load_pretrained": "pretrained",
    "imagenet_classes": "pretrained",
    "decode_top": "pretrained",
    "preprocess": "pretrained",
    "resize_for": "pretrained",
}


# public submodules, also loaded on first use: the recipes, augmentation and loss, training,
# the shipped models, the benchmark, device and versions (utils.train re-exports the first four),
# and the ImageNet-pretrained networks of keras.applications
_SUBMODULES = ("recipes", "augment", "train", "trained", "bench", "device", "pretrained")


def __getattr__(name: str):
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name not in _LAZY:
        raise AttributeError(f"module 'utils' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY, *_SUBMODULES])


__all__ = [
    "C3_TABLE",
    "CIFAR10_CLASSES",
    "COURSE",
    "ConvGeometry",
    "DataError",
    "FASHION_MNIST_CLASSES",
    "LocalResponseNormalization",
    "Maxout",
    "PCAColorShift",
    "SparseC3",
    "ZeroPadShortcut",
    "LayerScale",
    "densenet_cifar",
    "dense_layer",
    "transition",
    "depthwise_step",
    "separable_block",
    "mobilenet_v1",
    "inverted_residual",
    "squeeze_excite",
    "mobilenet_v2",
    "convnext_block",
    "convnext",
    "alexnet",
    "alexnet_cifar",
    "augment_batch",
    "by_profile",
    "check_answer",
    "check_function",
    "function_is_correct",
    "confusion_matrix",
    "cutout_batch",
    "conv2d_macs",
    "conv2d_output_shape",
    "conv2d_params",
    "conv_animation",
    "conv_explorer",
    "conv_formula",
    "conv_geometry",
    "conv_output_size",
    "data_source",
    "dense_params",
    "device_description",
    "effective_kernel_size",
    "explorer",
    "googlenet",
    "inception_module",
    "is_correct",
    "lenet5",
    "load_cifar10",
    "load_fashion_mnist",
    "load_mnist",
    "load_trained",
    "evaluate_trained",
    "load_pretrained",
    "imagenet_classes",
    "decode_top",
    "preprocess",
    "resize_for",
    "pretrained",
    "logits_model",
    "occlusion_map",
    "upsample",
    "gradient_map",
    "smoothgrad",
    "grad_cam",
    "fgsm",
    "deletion_curve",
    "random_ranking",
    "rank_correlation",
    "randomized_copy",
    "channel_activation",
    "top_activating",
    "receptive_crop",
    "activation_maximization",
    "verdict",
    "model_summary",
    "pad_mnist",
    "padding_amounts",
    "plot_confusion_matrix",
    "plot_history",
    "pool_output_size",
    "profile",
    "provenance",
    "measured_receptive_field",
    "receptive_field",
    "resnet_cifar",
    "basic_block",
    "bottleneck_block",
    "shortcut_branch",
    "vgg_cifar",
    "inception_cifar",
    "small_inception_module",
    "same_padding",
    "setup",
    "shift_images",
    "show_images",
    "show_compact",
    "train",
    "use_course_style",
    "vgg16",
]
