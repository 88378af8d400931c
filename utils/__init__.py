"""Shared helpers of the CNN course (data, geometry, summaries, plots, widgets, exercises).

Chapters import it through the setup cell at their top, which puts the course's root
folder first on ``sys.path`` so that this package, not another ``utils``, is found.
"""

import os

# Keep TensorFlow's C++ start-up chatter out of the notebooks; set it yourself to see it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

COURSE = "cnn-course"  # the setup cell checks this to be sure it imported our utils

from .data import (CIFAR10_CLASSES, FASHION_MNIST_CLASSES, DataError, data_source, load_cifar10,  # noqa: E402
                   load_fashion_mnist, load_mnist)
from .env import by_profile, profile, provenance, setup  # noqa: E402
from .exercises import check_answer, is_correct  # noqa: E402
from .geometry import (conv2d_macs, conv2d_output_shape, conv2d_params, conv_output_size, dense_params,  # noqa: E402
                       effective_kernel_size, padding_amounts, pool_output_size, same_padding)
from .plots import confusion_matrix, plot_confusion_matrix, plot_history, show_images  # noqa: E402
from .summary import model_summary  # noqa: E402
from .widgets import conv_animation, conv_explorer, conv_formula, explorer  # noqa: E402

__all__ = [
    "CIFAR10_CLASSES", "COURSE", "DataError", "FASHION_MNIST_CLASSES", "by_profile", "check_answer", "is_correct",
    "conv2d_macs", "conv2d_output_shape", "conv2d_params", "conv_animation", "conv_explorer", "conv_formula",
    "confusion_matrix", "conv_output_size", "data_source", "explorer", "dense_params", "effective_kernel_size", "load_cifar10",
    "load_fashion_mnist", "load_mnist", "model_summary", "padding_amounts", "plot_confusion_matrix", "plot_history", "pool_output_size", "profile", "provenance",
    "same_padding", "setup", "show_images",
]
