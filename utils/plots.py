"""Figures the chapters share, and the course's figure style.

The book's text column is about 740 px wide, and a stored figure is scaled to fit it.
:func:`use_course_style` (called by ``utils.setup()``) sets font sizes that stay legible
at that width for figures up to :data:`MAX_FIGURE_WIDTH` inches wide; the chapters pass
no smaller font sizes of their own (``tests/test_notebooks.py`` checks both).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .checks import whole_number
from .geometry import ConvGeometry, effective_kernel_size

MAX_FIGURE_WIDTH = 10.0  # inches; 1,000 px at the course's 100 dpi
MIN_FONT_SIZE = 11  # points; text this size in a 10-inch figure shows about 11 px tall in the book
COURSE_STYLE = {
    "figure.dpi": 100,
    "figure.figsize": (8.0, 3.6),
    "font.size": 13,
    "axes.titlesize": 13,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 11,
    "figure.titlesize": 14,
    "grid.alpha": 0.3,
    "lines.linewidth": 1.8,
}


def use_course_style() -> None:
    """Set the course's figure style (font sizes legible in the book) for every later figure."""
    plt.rcParams.update(COURSE_STYLE)


PALETTE_COLOURS = 128  # a palette PNG: plots and grids of small images use few colours
COMPACT_FORMATS = ("palette", "jpeg")


def palette_png(png: bytes, colours: int = PALETTE_COLOURS) -> bytes:
    """A PNG re-encoded with an adaptive palette of at most ``colours`` colours (2 to 256).

    Plots, heat maps and grids of small images drawn as blocks use few colours: with a palette
    their PNG is about 3 times smaller and looks the same.
    """
    from PIL import Image

    colours = whole_number(colours, "colours")
    if not 2 <= colours <= 256:
        raise ValueError(f"colours must be from 2 to 256 (a PNG palette's size), got {colours}.")
    with Image.open(io.BytesIO(png)) as image:
        quantized = image.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    quantized.save(out, format="PNG", optimize=True)
    return out.getvalue()


def show_compact(fig: Figure | None = None, format: str = "palette", quality: int = 85) -> None:
    """Show a figure as a compact image, then close it: ``plt.show()`` for image-heavy figures.

    A stored notebook keeps every figure's image, and ``plt.show()`` stores a full-colour PNG:
    a grid of feature maps or photographs makes one of 100 to 400 KB. This stores the same
    figure several times smaller, and it looks the same at the book's width.

    Args:
        fig: the figure (default: the current one, ``plt.gcf()``).
        format: ``"palette"`` (a PNG of at most 128 colours: heat maps, small images drawn as
            blocks of pixels, plots) or ``"jpeg"`` (photographs and smooth maps over them,
            where a palette would show bands).
        quality: JPEG quality, a whole number from 50 to 95 (85: no visible loss on photos).
    """
    from IPython.display import Image, display

    fig = plt.gcf() if fig is None else fig
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure (or None for the current one), got {type(fig).__name__}.")
    if format not in COMPACT_FORMATS:
        raise ValueError(
            f"format must be 'palette' (plots, heat maps, small images) or 'jpeg' (photographs), got {format!r}."
        )
    quality = whole_number(quality, "quality")
    if not 50 <= quality <= 95:
        raise ValueError(f"quality must be from 50 to 95 (85 is the course's choice), got {quality}.")
    out = io.BytesIO()
    if format == "jpeg":
        fig.savefig(out, format="jpeg", bbox_inches="tight", pil_kwargs={"quality": quality})
        data = out.getvalue()
    else:
        fig.savefig(out, format="png", bbox_inches="tight")
        data = palette_png(out.getvalue())
    plt.close(fig)
    display(Image(data=data, format="jpeg" if format == "jpeg" else "png"))


def draw_conv_step(geometry: ConvGeometry, step: int, axes: Sequence[Axes]) -> None:
    """Draw window position ``step`` on two axes: the padded input and the output grid.

    Input pixels are white, padding zeros grey, the kernel taps orange; the output
    value they produce is orange on the right.
    """
    ax_in, ax_out = axes
    n = geometry.padded_size
    grid = np.zeros((n, n))
    b = geometry.pad_before
    grid[b : b + geometry.input_size, b : b + geometry.input_size] = 1.0
    ax_in.clear()
    ax_in.imshow(grid, cmap="Greys_r", vmin=-1.5, vmax=1, extent=(0, n, n, 0))
    for r, c in geometry.window(step):
        ax_in.add_patch(Rectangle((c, r), 1, 1, color="tab:orange", alpha=0.75))
    span = effective_kernel_size(geometry.kernel_size, geometry.dilation)
    r0, c0 = geometry.window(step)[0]
    ax_in.add_patch(Rectangle((c0, r0), span, span, fill=False, lw=2.5, ec="tab:red"))
    ax_in.set_title(f"input {geometry.input_size}x{geometry.input_size}, padded to {n}x{n}")
    out = geometry.output_size
    ax_out.clear()
    ax_out.imshow(np.ones((out, out)), cmap="Greys_r", vmin=0, vmax=1, extent=(0, out, out, 0))
    row, col = divmod(step, out)
    ax_out.add_patch(Rectangle((col, row), 1, 1, color="tab:orange", alpha=0.75))
    ax_out.set_title(f"output {out}x{out} (step {step + 1} of {geometry.steps})")
    for ax, size in ((ax_in, n), (ax_out, out)):
        ax.set_xticks(np.arange(size + 1))
        ax.set_yticks(np.arange(size + 1))
        ax.grid(True, color="black", lw=0.8)
        ax.tick_params(labelbottom=False, labelleft=False, length=0)


def conv_figure() -> tuple[Figure, np.ndarray]:
    """An empty two-panel figure sized for :func:`draw_conv_step`."""
    fig, axes = plt.subplots(1, 2, figsize=(8, 4), gridspec_kw={"width_ratios": [3, 2]})
    return fig, axes


def show_images(
    images: Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    cmap: str | Sequence[str] = "gray",
    columns: int | None = None,
    size: float = 2.5,
) -> Figure:
    """Show 2-D (grayscale) or H x W x 3 (RGB) arrays side by side.

    Each 2-D image is scaled to its own range; one with negative values (a filter
    response, say) gets a range symmetric around 0, so that 0 is the middle colour.
    ``cmap`` is one colour map for all, or one per image.
    """
    if len(images) == 0:
        raise ValueError("images is empty: pass at least one array.")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(images)} images but {len(titles)} titles.")
    cmaps = [cmap] * len(images) if isinstance(cmap, str) else list(cmap)
    if len(cmaps) != len(images):
        raise ValueError(f"got {len(images)} images but {len(cmaps)} colour maps.")
    if columns is not None:
        whole_number(columns, "columns", hint="(None: one row)")
    columns = columns or len(images)
    rows = -(-len(images) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= len(images):
            continue
        image = np.asarray(images[i])
        if image.ndim not in (2, 3):
            raise ValueError(f"image {i} has shape {image.shape}; expected H x W or H x W x 3.")
        limits = {}
        if image.ndim == 2 and image.min() < 0:
            bound = float(np.abs(image).max())
            limits = {"vmin": -bound, "vmax": bound}
        ax.imshow(image, cmap=cmaps[i] if image.ndim == 2 else None, **limits)
        if titles is not None:
            ax.set_title(titles[i])
    fig.tight_layout()
    return fig


def plot_history(
    histories: dict[str, dict[str, list[float]]],
    metrics: Sequence[str] = ("loss", "accuracy"),
    size: tuple[float, float] = (10, 3.8),
) -> Figure:
    """Learning curves: one panel per metric, training solid and validation dashed, one colour a run.

    Args:
        histories: run name -> ``model.fit(...).history`` (keys such as 'loss', 'val_loss').
        metrics: the metrics to plot; each must be in every history.
    """
    runs = list(histories.values()) if isinstance(histories, Mapping) else []
    if not isinstance(histories, Mapping) or not all(isinstance(h, Mapping) for h in runs):
        fit_result = next((h for h in runs if hasattr(h, "history")), None)  # a keras History
        got = histories if fit_result is None else fit_result
        hint = "" if fit_result is None else " (the .history of what fit returns)"
        raise ValueError(
            f"histories must be a dict of runs, {{name: model.fit(...).history}}{hint}; "
            f"got {type(got).__name__} {str(got)[:60]}."
        )
    if not histories:
        raise ValueError("histories is empty: pass {name: model.fit(...).history}.")
    if isinstance(metrics, str) or not metrics or not all(isinstance(m, str) for m in metrics):
        raise ValueError(f"metrics must be a non-empty list of metric names such as ('loss',), got {metrics!r}.")
    fig, axes = plt.subplots(1, len(metrics), figsize=size, squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for i, (name, history) in enumerate(histories.items()):
            if metric not in history:
                raise ValueError(f"run {name!r} has no {metric!r}; it has {sorted(history)}.")
            epochs = range(1, len(history[metric]) + 1)
            ax.plot(epochs, history[metric], color=f"C{i}", label=f"{name}, training")
            if "val_" + metric in history:
                ax.plot(epochs, history["val_" + metric], color=f"C{i}", ls="--", label=f"{name}, validation")
        ax.set(xlabel="epoch", title=metric)
        ax.grid(True)
    axes[0][0].legend()
    fig.tight_layout()
    return fig


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, classes: int) -> np.ndarray:
    """Counts (classes x classes): row = true class, column = predicted class."""
    whole_number(classes, "classes")
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if labels.dtype.kind not in "iuf" or (labels.dtype.kind == "f" and np.any(labels != np.round(labels))):
            raise ValueError(
                f"{name} must hold whole class numbers (such as logits.argmax(1)), got {labels[:5]} "
                f"(dtype {labels.dtype}): pass class numbers, not probabilities or names."
            )
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}.")
    if y_true.size and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= classes):
        raise ValueError(f"labels must be integers in 0..{classes - 1}.")
    return np.bincount(y_true.astype(int) * classes + y_pred.astype(int), minlength=classes**2).reshape(
        classes, classes
    )


def plot_confusion_matrix(matrix: np.ndarray, labels: Sequence[str], size: float = 6.5) -> Figure:
    """Show a confusion matrix with its counts; the diagonal (correct) is left pale so errors stand out."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] != len(labels):
        raise ValueError(f"need a square matrix with one row per label; got {matrix.shape} and {len(labels)} labels.")
    errors = matrix.astype(float).copy()
    np.fill_diagonal(errors, 0)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(errors, cmap="Reds", vmin=0, vmax=max(errors.max(), 1) * 1.6)  # darkest cell stays readable
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(
            j, i, str(count), ha="center", va="center", fontsize=MIN_FONT_SIZE, color="dimgray" if i == j else "black"
        )
    ax.set(
        xticks=range(len(labels)),
        yticks=range(len(labels)),
        xticklabels=labels,
        yticklabels=labels,
        xlabel="predicted",
        ylabel="true",
    )
    fig.tight_layout()
    return fig
