"""The convolution explorer: formula text, live updates, and the static animation."""

import re

import numpy as np
import pytest

from utils import widgets
from utils.geometry import conv_geometry
from utils.plots import PALETTE_COLOURS, palette_png, show_compact, show_images


def test_formula_for_the_worked_example():
    text = widgets.conv_formula(5, 3, 2, 1, in_channels=3, filters=2)
    assert "⌊(5 − 3 + 2·1) / 2⌋ + 1 = 3" in text
    assert "3 × 3 × 2" in text and "3·3·3·2 + 2 = 56" in text


def test_formula_same_padding_and_errors():
    assert "padding 0 before, 1 after" in widgets.conv_formula(6, 3, 2, "same")
    assert "does not tile" in widgets.conv_formula(5, 2, 2, 0)
    assert "Not a valid layer" in widgets.conv_formula(5, 7, 1, "valid")


def test_widget_updates_live():
    ui = widgets.conv_explorer_widget()
    controls = {c.description: c for c in ui.children[0].children[0].children}
    formula = ui.children[0].children[1]
    assert "= 3" in formula.value
    controls["input size W"].value = 7
    controls["stride S"].value = 1
    assert "⌊(7 − 3 + 2·1) / 1⌋ + 1 = 7" in formula.value
    assert controls["window step"].max == 7 * 7 - 1
    controls["kernel F"].value = 7
    controls["padding P"].value = "valid"
    assert "= 1<br>" in formula.value
    controls["input size W"].value = 3
    assert "Not a valid layer" in formula.value


def test_animation_has_one_frame_per_step():
    page = widgets.conv_animation(5, 3, 2, 1)
    assert len(re.findall(r"frames\[\d+\] = ", page)) == 9
    page = widgets.conv_animation(6, 3, 2, "same")
    assert len(re.findall(r"frames\[\d+\] = ", page)) == 9


def test_explorer_output_carries_widget_and_fallback(monkeypatch):
    shown = []
    monkeypatch.setattr(widgets, "display", lambda bundle, raw: shown.append(bundle))
    widgets.conv_explorer()
    bundle = shown[0]
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert "frames[0]" in bundle["text/html"]
    assert "Jupyter or Colab" in bundle["text/plain"]


def test_geometry_windows():
    g = conv_geometry(6, 3, 2, "same")
    assert (g.pad_before, g.pad_after, g.output_size, g.padded_size) == (0, 1, 3, 7)
    assert g.window(8)[-1] == (6, 6)
    dilated = conv_geometry(7, 3, 1, 0, 2)
    assert dilated.window(0) == [(0, 0), (0, 2), (0, 4), (2, 0), (2, 2), (2, 4), (4, 0), (4, 2), (4, 4)]
    with pytest.raises(ValueError, match="step must be an integer in 0..8"):
        g.window(9)


def test_show_images_checks_input():
    import numpy as np

    fig = show_images([np.zeros((4, 4)), np.zeros((4, 4, 3))], ["a", "b"])
    assert len(fig.axes) == 2
    with pytest.raises(ValueError, match="2 images but 1 titles"):
        show_images([np.zeros((4, 4))] * 2, ["a"])
    with pytest.raises(ValueError, match="expected H x W"):
        show_images([np.zeros(4)])
    with pytest.raises(ValueError, match="2 images but 3 colour maps"):
        show_images([np.zeros((4, 4))] * 2, cmap=["gray"] * 3)
    signed = show_images([np.array([[-1.0, 0.5]])])
    assert signed.axes[0].images[0].get_clim() == (-1.0, 1.0)
    with pytest.raises(ValueError, match="images is empty"):
        show_images([])
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="columns must be a whole number >= 1"):
            show_images([np.zeros((4, 4))] * 2, columns=bad)
    assert len(show_images([np.zeros((4, 4))] * 3, columns=2).axes) == 4  # 2 rows of 2, one blank


def test_generic_explorer_live_and_fallback(monkeypatch):
    calls, shown = [], []
    monkeypatch.setattr(widgets, "display", lambda bundle, raw: shown.append(bundle))

    def draw(fig, mode, size):
        calls.append((mode, size))
        fig.add_subplot().set_title(f"{mode} {size}")

    widgets.explorer(draw, {"mode": ["max", "average"], "size": [2, 3, 4]})
    bundle = shown[0]
    assert len(re.findall(r"frames\[\d+\] = ", bundle["text/html"])) == 2  # one frame per mode
    assert ("max", 2) in calls and ("average", 2) in calls
    custom = widgets.settings_animation(draw, [{"mode": "max", "size": s} for s in (2, 3, 4)], (3, 3))
    assert len(re.findall(r"frames\[\d+\] = ", custom)) == 3


def test_generic_explorer_controls_redraw():
    import ipywidgets

    calls = []
    ui = widgets.explorer_widget(
        lambda fig, mode, size: calls.append((mode, size)), {"mode": ["max", "average"], "size": [2, 3, 4]}
    )
    mode, size = ui.children[0].children
    assert isinstance(size, ipywidgets.SelectionSlider) and isinstance(mode, ipywidgets.Dropdown)
    size.value = 4
    mode.value = "average"
    assert calls == [("max", 2), ("max", 4), ("average", 4)]
    with pytest.raises(ValueError, match="has no values"):
        widgets.explorer_widget(lambda fig, size: None, {"size": []})
    with pytest.raises(ValueError, match="options is empty"):
        widgets.explorer(lambda fig: None, {})
    with pytest.raises(ValueError, match="settings is empty"):
        widgets.settings_animation(lambda fig: None, [], (3, 3))


def test_confusion_matrix_and_plots():
    import numpy as np

    from utils.plots import confusion_matrix, plot_confusion_matrix, plot_history

    m = confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2], classes=3)
    assert m.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    with pytest.raises(ValueError, match="labels must be integers in 0..2"):
        confusion_matrix([0, 3], [0, 1], classes=3)
    with pytest.raises(ValueError, match="y_true has 2 labels but y_pred has 1"):
        confusion_matrix([0, 1], [0], classes=3)
    assert confusion_matrix(np.array([0.0, 2.0]), [0, 2], classes=3).trace() == 2  # whole floats count
    for bad in ([0.5, 1.0], [0.0, np.nan], ["cat", "dog"], [True, False]):
        with pytest.raises(ValueError, match="y_true must hold whole class numbers"):
            confusion_matrix(bad, [0, 1], classes=3)
    with pytest.raises(ValueError, match="y_pred must hold whole class numbers"):
        confusion_matrix([0, 1], np.full((2, 3), 0.3), classes=3)  # probabilities, not classes
    for bad in (0, 2.5, "3", None):
        with pytest.raises(ValueError, match="classes must be a whole number >= 1"):
            confusion_matrix([0, 1], [0, 1], classes=bad)
    fig = plot_confusion_matrix(m, ["a", "b", "c"])
    assert len(fig.axes[0].texts) == 9
    with pytest.raises(ValueError, match="square matrix"):
        plot_confusion_matrix(np.zeros((2, 3)), ["a", "b"])
    fig = plot_history({"run": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]}})
    assert len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 1
    with pytest.raises(ValueError, match="has no 'accuracy'"):
        plot_history({"run": {"loss": [1.0]}})
    with pytest.raises(ValueError, match="histories is empty"):
        plot_history({})
    for bad in ([1.0, 0.5], {"loss": [1.0, 0.5]}, "loss"):  # a bare history, not {name: history}
        with pytest.raises(ValueError, match="histories must be a dict of runs"):
            plot_history(bad)

    class History:  # what model.fit returns
        history = {"loss": [1.0]}

    with pytest.raises(ValueError, match=r"the .history of what fit returns\); got History"):
        plot_history({"run": History()})
    for bad in ("loss", (), [1]):
        with pytest.raises(ValueError, match="metrics must be a non-empty list of metric names"):
            plot_history({"run": {"loss": [1.0]}}, metrics=bad)


@pytest.mark.parametrize("frame_format, mime", [("png", "data:image/png"), ("jpeg", "data:image/jpeg")])
def test_static_animation_works_offline(frame_format, mime):
    """No Font Awesome from a CDN (blank buttons offline): the controls are text symbols."""
    from utils.widgets import settings_animation

    def draw(fig, value):
        fig.subplots().plot([0, value])

    page = settings_animation(draw, [{"value": 1}, {"value": 2}], (4, 3), frame_format=frame_format)
    assert "font-awesome" not in page and 'class="fa ' not in page
    assert "\u25b6" in page and page.count(mime) >= 2
    import base64
    import io

    from PIL import Image

    first = re.search(r'frames\[0\] = "data:image/\w+;base64,([^"]+)"', page).group(1)
    with Image.open(io.BytesIO(base64.b64decode(first.replace("\\\n", "")))) as image:
        assert image.size[0] > 100  # a real picture, whatever the encoding
    with pytest.raises(ValueError, match="frame_format"):
        settings_animation(draw, [{"value": 1}], (4, 3), frame_format="gif")


@pytest.mark.parametrize("fmt, magic", [("jpeg", b"\xff\xd8\xff"), ("palette", b"\x89PNG")])
def test_show_compact_displays_a_small_image_and_closes_the_figure(monkeypatch, fmt, magic):
    import io

    import matplotlib.pyplot as plt
    from PIL import Image

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fig, ax = plt.subplots(figsize=(3, 3))
    rng = np.random.default_rng(0)
    if fmt == "jpeg":  # photo-like: smooth, many colours
        ax.imshow(rng.random((24, 24, 3)), interpolation="bicubic")
    else:  # a heat map drawn as blocks
        ax.imshow(rng.random((16, 16)), cmap="magma", interpolation="nearest")
    full = io.BytesIO()
    fig.savefig(full, format="png", bbox_inches="tight")
    show_compact(fig, fmt)
    assert not plt.fignum_exists(fig.number)
    (image,) = shown
    assert image.data[: len(magic)] == magic and len(image.data) < len(full.getvalue()) / 2
    if fmt == "palette":
        with Image.open(io.BytesIO(image.data)) as png:
            assert png.mode == "P" and len(png.getcolors()) <= PALETTE_COLOURS


def test_show_compact_refuses_what_is_not_a_figure_a_format_or_a_quality():
    import matplotlib.pyplot as plt

    with pytest.raises(ValueError, match="matplotlib Figure"):
        show_compact(np.zeros((4, 4)))
    fig = plt.figure()
    with pytest.raises(ValueError, match="'palette' .* or 'jpeg'"):
        show_compact(fig, "gif")
    for bad in (101, 10, 85.5, "high"):
        with pytest.raises(ValueError, match="quality"):
            show_compact(fig, "jpeg", quality=bad)
    plt.close(fig)
    with pytest.raises(ValueError, match="colours must be from 2 to 256"):
        palette_png(b"", colours=300)
