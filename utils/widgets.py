"""Interactive explorers (ipywidgets) with a static fallback for the HTML book.

A live Jupyter or Colab kernel shows the widget; the published book, which has no
kernel, shows an animation with play and scrub controls instead. Both come from one
display call: the output carries the widget view and an HTML animation, and the
book's ``_config.yml`` tells it to prefer the HTML.
"""

from __future__ import annotations

import base64
import html
import numbers
import re
from typing import Any, Callable, Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
from IPython.display import display
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from .geometry import ConvGeometry, Padding, conv2d_params, conv_geometry, effective_kernel_size
from .plots import conv_figure, draw_conv_step, palette_png

PADDING_CHOICES = ("valid", "same", 0, 1, 2, 3)
ANIMATION_DPI = 72  # frames of the static fallbacks: sharp enough, and light in the stored notebook

# matplotlib's animation controls use Font Awesome 4 icons from a CDN, which offline readers
# never get (blank buttons): the course swaps them for text symbols and drops the link.
_ICONS = {
    "fa fa-minus": "\u2212",
    "fa fa-fast-backward": "\u00ab",  # « (the media-control symbols are missing from many fonts)
    "fa fa-step-backward": "\u25c1",
    "fa fa-play fa-flip-horizontal": "\u25c0",
    "fa fa-pause": "\u275a\u275a",
    "fa fa-play": "\u25b6",
    "fa fa-step-forward": "\u25b7",
    "fa fa-fast-forward": "\u00bb",  # »
    "fa fa-plus": "+",
}


_FRAME = re.compile(r'(frames\[\d+\] = "data:image/png;base64,)([^"]+)(")')


def _palette_frame(match: re.Match) -> str:
    """Re-encode one PNG frame of an animation with an adaptive palette."""
    raw = base64.b64decode(match.group(2).replace("\\\n", "").replace("\n", ""))
    return match.group(1) + base64.b64encode(palette_png(raw)).decode() + match.group(3)


def _check_frame_format(frame_format: str) -> None:
    if frame_format not in ("png", "jpeg"):
        raise ValueError(f"frame_format must be 'png' or 'jpeg', got {frame_format!r}.")


def animation_html(animation: FuncAnimation, fig: Figure, frame_format: str = "png") -> str:
    """The animation as self-contained HTML/JavaScript: frames inline, controls without a CDN.

    ``frame_format`` is 'png' (drawings, plots) or 'jpeg' (photos: several times smaller).
    """
    _check_frame_format(frame_format)
    fig.set_dpi(ANIMATION_DPI)
    with plt.rc_context({"animation.frame_format": frame_format, "savefig.dpi": ANIMATION_DPI}):
        page = animation.to_jshtml(default_mode="loop")
    plt.close(fig)
    if frame_format == "png":
        page = _FRAME.sub(_palette_frame, page)
    page = re.sub(r'<link rel="stylesheet"[^>]*font-awesome[^>]*>\s*', "", page)
    for icon, symbol in _ICONS.items():
        page = page.replace(f'<i class="{icon}"></i>', symbol)
    return page


def conv_formula(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: Padding = "valid",
    dilation: int = 1,
    in_channels: int = 1,
    filters: int = 1,
) -> str:
    """The output-size formula filled in with these numbers, and the parameter count, as HTML.

    Invalid geometry gives the error message in red instead of raising.
    """
    try:
        g = conv_geometry(input_size, kernel_size, stride, padding, dilation)
    except ValueError as error:
        return f"<p style='color:#b00'><b>Not a valid layer:</b> {html.escape(str(error))}</p>"
    span = effective_kernel_size(kernel_size, dilation)
    f_text = f"{span}" if dilation == 1 else f"{span} (= {dilation}·({kernel_size}−1)+1, dilated)"
    if g.padding == "same":
        size = (
            f"'same': ⌈W / S⌉ = ⌈{input_size} / {stride}⌉ = {g.output_size} "
            f"(padding {g.pad_before} before, {g.pad_after} after)"
        )
    else:
        p = g.pad_before
        size = f"⌊(W − F + 2P) / S⌋ + 1 = ⌊({input_size} − {span} + 2·{p}) / {stride}⌋ + 1 = {g.output_size}"
        if (input_size - span + 2 * p) % stride:
            size += " <i>(the stride does not tile the input: the last rows/columns are dropped)</i>"
    params = conv2d_params(kernel_size, in_channels, filters)
    return (
        f"<p>W = {input_size}, F = {f_text}, S = {stride}, P = {g.padding!r}<br>"
        f"output size: {size}<br>"
        f"output volume: {g.output_size} × {g.output_size} × {filters}<br>"
        f"parameters: F·F·C·K + K = {kernel_size}·{kernel_size}·{in_channels}·{filters} + {filters} = {params}</p>"
    )


def conv_animation(
    input_size: int = 5,
    kernel_size: int = 3,
    stride: int = 2,
    padding: Padding = 1,
    dilation: int = 1,
    interval_ms: int = 700,
) -> str:
    """HTML/JavaScript animation of the window sliding over the input, one frame a step.

    Works without a kernel (in the static book); play, pause and scrub controls
    come from matplotlib's ``to_jshtml``.
    """
    g = conv_geometry(input_size, kernel_size, stride, padding, dilation)
    fig, axes = conv_figure()
    animation = FuncAnimation(fig, lambda step: draw_conv_step(g, step, axes), frames=g.steps, interval=interval_ms)
    fig.tight_layout()
    return animation_html(animation, fig)


def _draw(g: ConvGeometry, step: int) -> None:
    fig, axes = conv_figure()
    draw_conv_step(g, min(step, g.steps - 1), axes)
    fig.tight_layout()
    plt.show()


def conv_explorer_widget() -> w.VBox:
    """The live explorer: sliders for the layer, the filled-in formula, and the window picture."""
    style = {"description_width": "110px"}
    controls = {
        "input_size": w.IntSlider(5, 1, 12, description="input size W", style=style),
        "kernel_size": w.IntSlider(3, 1, 7, description="kernel F", style=style),
        "stride": w.IntSlider(2, 1, 4, description="stride S", style=style),
        "padding": w.Dropdown(options=PADDING_CHOICES, value=1, description="padding P", style=style),
        "dilation": w.IntSlider(1, 1, 3, description="dilation", style=style),
        "in_channels": w.IntSlider(3, 1, 8, description="in channels C", style=style),
        "filters": w.IntSlider(2, 1, 16, description="filters K", style=style),
        "step": w.IntSlider(0, 0, 8, description="window step", style=style),
    }
    formula = w.HTML()
    picture = w.Output()

    def update(*_: object) -> None:
        values = {k: c.value for k, c in controls.items()}
        step = values.pop("step")
        formula.value = conv_formula(**values)
        picture.clear_output(wait=True)
        try:
            g = conv_geometry(
                values["input_size"], values["kernel_size"], values["stride"], values["padding"], values["dilation"]
            )
        except ValueError:
            return
        controls["step"].max = g.steps - 1
        with picture:
            _draw(g, step)

    for control in controls.values():
        control.observe(update, names="value")
    update()
    left = w.VBox(list(controls.values()))
    return w.VBox([w.HBox([left, formula]), picture])


def show_with_fallback(widget: w.Widget, fallback_html: str, text: str) -> None:
    """Display ``widget`` live, with ``fallback_html`` for viewers without a kernel.

    One output holds both views; Jupyter and Colab render the widget, the book
    renders the HTML (see ``nb_mime_priority_overrides`` in ``_config.yml``), and
    plain-text viewers get ``text``.
    """
    display(
        {
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2,
                "version_minor": 0,
                "model_id": widget.model_id,
            },
            "text/html": fallback_html,
            "text/plain": text,
        },
        raw=True,
    )


def conv_explorer() -> None:
    """Show the convolution explorer (live) with the sliding-window animation as its fallback."""
    show_with_fallback(
        conv_explorer_widget(),
        conv_animation() + "<p><i>Static copy: run this notebook (e.g. in Colab) to change W, F, S, P, "
        "dilation and channels with sliders.</i></p>",
        "Convolution explorer: run the notebook in Jupyter or Colab to use it.",
    )


def _control(name: str, values: Sequence[Any]) -> w.ValueWidget:
    """A dropdown for words, a selection slider for numbers."""
    values = list(values)
    if not values:
        raise ValueError(f"option {name!r} has no values to choose from.")
    style = {"description_width": "120px"}
    if all(isinstance(v, numbers.Number) and not isinstance(v, bool) for v in values):
        return w.SelectionSlider(options=values, value=values[0], description=name, style=style)
    return w.Dropdown(options=values, value=values[0], description=name, style=style)


def settings_animation(
    draw: Callable[..., None],
    settings: Sequence[dict],
    figsize: tuple[float, float],
    interval_ms: int = 1500,
    frame_format: str = "png",
) -> str:
    """HTML animation whose frame i is ``draw(fig, **settings[i])``: the static stand-in of a widget.

    ``frame_format``: 'png' for drawings and plots, 'jpeg' for photos (see :func:`animation_html`).
    """
    if not settings:
        raise ValueError("settings is empty: give at least one dict of option values to draw.")
    _check_frame_format(frame_format)
    fig = plt.figure(figsize=figsize)

    def frame(i: int) -> None:
        fig.clear()
        draw(fig, **settings[i])

    animation = FuncAnimation(fig, frame, frames=len(settings), interval=interval_ms)
    return animation_html(animation, fig, frame_format)


def explorer_widget(
    draw: Callable[..., None], options: dict[str, Sequence[Any]], figsize: tuple[float, float] = (9, 3.5)
) -> w.VBox:
    """The live part of :func:`explorer`: the controls in a row, the picture below them."""
    if not options:
        raise ValueError("options is empty: give at least one option to explore.")
    controls = {name: _control(name, values) for name, values in options.items()}
    picture = w.Output()

    def update(*_: object) -> None:
        picture.clear_output(wait=True)
        with picture:
            fig = plt.figure(figsize=figsize)
            draw(fig, **{name: c.value for name, c in controls.items()})
            plt.show()

    for control in controls.values():
        control.observe(update, names="value")
    update()
    return w.VBox([w.HBox(list(controls.values()), layout=w.Layout(flex_flow="row wrap")), picture])


def explorer(
    draw: Callable[..., None],
    options: dict[str, Sequence[Any]],
    fallback: Sequence[dict] | None = None,
    figsize: tuple[float, float] = (9, 3.5),
    frame_format: str = "png",
) -> None:
    """Show one control per option that redraws ``draw(fig, **values)`` live, with a static fallback.

    Args:
        draw: draws a picture of one setting on an empty matplotlib figure ``fig``; it is
            called with ``fig`` and one keyword argument per option.
        options: option name -> the values to offer (the first is the start value).
        fallback: the settings the static book animates, one frame each; by default
            every value of the first option, the others at their start values.
        figsize: figure size in inches.
        frame_format: the static frames' image format, 'png' or 'jpeg' (photos).
    """
    ui = explorer_widget(draw, options, figsize)
    if fallback is None:
        first = next(iter(options))
        start = {name: list(values)[0] for name, values in options.items()}
        fallback = [{**start, first: value} for value in options[first]]
    names = ", ".join(options)
    show_with_fallback(
        ui,
        settings_animation(draw, fallback, figsize, frame_format=frame_format)
        + f"<p><i>Static copy: run this notebook (e.g. in Colab) to choose {html.escape(names)} yourself.</i></p>",
        f"Explorer of {names}: run the notebook in Jupyter or Colab to use it.",
    )
