"""The trained-model mechanism: recipes, augmentation, training, the shipped models, the loader."""

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from utils import DataError, bench, models, train, trained

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p.name for p in train.MODELS.glob("*") if (p / "record.json").exists())


def test_builders_match_the_papers_counts():
    assert models.lenet5().count_params() == 61_706
    assert models.lenet5("classic").count_params() == 60_806
    assert [layer.name for layer in models.lenet5().layers][:2] == ["C1", "S2"]
    assert models.lenet5(weight_decay=1e-4, dropout=0.5).count_params() == 61_706
    resnet20 = models.resnet_cifar(20)
    assert resnet20.count_params() == 271_098  # He et al. 2016: "0.27M"
    assert models.resnet_cifar(20, shortcut="B").count_params() == 274_042
    weighted = [layer for layer in resnet20.layers if layer.__class__.__name__ in ("Conv2D", "Dense")]
    assert len(weighted) == 20
    assert resnet20(np.zeros((2, 32, 32, 3), "float32")).shape == (2, 10)


def test_plain_and_preactivation_resnets():
    def kinds(model):
        return [layer.__class__.__name__ for layer in model.layers]

    resnet, plain = models.resnet_cifar(56), models.resnet_cifar(56, residual=False)
    assert (resnet.name, plain.name) == ("resnet56", "plain56")
    assert plain.count_params() == resnet.count_params() == 857_082  # the same layers
    trained = sum(int(np.prod(w.shape)) for w in resnet.trainable_weights)
    assert trained == 853_018  # He et al. 2016, Table 6: "0.85M"
    assert kinds(resnet).count("Add") == 27 and "Add" not in kinds(plain)
    assert "ZeroPadShortcut" not in kinds(plain)
    x = np.random.default_rng(0).uniform(size=(2, 32, 32, 3)).astype("float32")
    assert plain(x).shape == resnet(x).shape == (2, 10)
    preact = models.resnet_cifar(20, block="preact")
    order = [n for n in (layer.name for layer in preact.layers) if n.startswith("stage1_block1")]
    assert order[:3] == ["stage1_block1_bn1", "stage1_block1_relu1", "stage1_block1_conv1"]
    assert "stage1_block1_relu2" in order and order[-1] == "stage1_block1_add"  # no ReLU after the sum
    assert preact.get_layer("conv1").output.shape == (None, 32, 32, 16)
    assert "conv1_bn" not in [layer.name for layer in preact.layers] and preact.get_layer("final_bn")
    assert preact(x).shape == (2, 10)
    shortcut_b = models.resnet_cifar(20, block="preact", shortcut="B")
    assert shortcut_b.count_params() - preact.count_params() == (16 * 32 + 4 * 32) + (32 * 64 + 4 * 64)


def test_blocks_count_and_shapes():
    import keras

    def block_model(make, shape):
        inputs = keras.Input(shape)
        return keras.Model(inputs, make(inputs))

    basic = block_model(lambda x: models.basic_block(x, 64, 1, "b"), (56, 56, 64))
    assert basic.count_params() == 2 * 3 * 3 * 64 * 64 + 2 * 4 * 64
    bottleneck = block_model(lambda x: models.bottleneck_block(x, 64, 1, "b"), (56, 56, 256))
    assert bottleneck.count_params() == 256 * 64 + 9 * 64 * 64 + 64 * 256 + 4 * (64 + 64 + 256)
    assert bottleneck.output.shape == (None, 56, 56, 256)
    down = block_model(lambda x: models.bottleneck_block(x, 128, 2, "b"), (56, 56, 256))
    assert down.output.shape == (None, 28, 28, 512) and down.get_layer("b_shortcut").kernel.shape == (1, 1, 256, 512)
    for option, extra in (("A", 0), ("B", 64 * 128 + 4 * 128)):
        model = block_model(lambda x, option=option: models.basic_block(x, 128, 2, "b", shortcut=option), (16, 16, 64))
        assert model.output.shape == (None, 8, 8, 128)
        assert model.count_params() == 9 * 64 * 128 + 9 * 128 * 128 + 2 * 4 * 128 + extra
    # identity shortcut: with F's last batch normalisation scaled to 0 the block is relu(x)
    x = np.random.default_rng(1).normal(size=(2, 8, 8, 16)).astype("float32")
    model = block_model(lambda t: models.basic_block(t, 16, 1, "b"), (8, 8, 16))
    model.get_layer("b_bn2").gamma.assign(np.zeros(16, "float32"))
    model.get_layer("b_bn2").beta.assign(np.zeros(16, "float32"))
    assert np.allclose(model(x), np.maximum(x, 0), atol=1e-6)


def test_alexnet_has_the_papers_shapes_and_counts():
    from utils import conv_output_size, pool_output_size

    model = models.alexnet()
    assert model.count_params() == 60_965_224
    assert models.alexnet(groups=1).count_params() == 62_378_344
    assert models.alexnet(lrn=False).count_params() == 60_965_224
    shapes = {layer.name: layer.output.shape[1:] for layer in model.layers}
    side = conv_output_size(227, 11, stride=4)
    assert shapes["conv1"] == (side, side, 96) == (55, 55, 96)
    assert shapes["pool1"][0] == pool_output_size(55, 3, 2) == 27
    assert shapes["conv5"] == (13, 13, 256) and shapes["pool5"] == (6, 6, 256)
    assert model.get_layer("fc6").count_params() == 9216 * 4096 + 4096
    assert model(np.zeros((1, 227, 227, 3), "float32")).shape == (1, 1000)


def test_vgg16_matches_keras_applications():
    import keras

    ours, theirs = models.vgg16(), keras.applications.VGG16(weights=None)
    assert ours.count_params() == theirs.count_params() == 138_357_544
    convs = [layer for layer in ours.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [f for f, n in models.VGG16_STAGES for _ in range(n)]
    assert ours.get_layer("block5_pool").output.shape[1:] == (7, 7, 512)
    # batch normalisation adds 4 numbers per channel (2 trained, 2 running statistics)
    assert models.vgg16(batch_norm=True).count_params() == 138_357_544 + 4 * sum(c.filters for c in convs)


def test_cifar_vgg_and_inception_builders():
    import keras

    x = np.random.default_rng(0).uniform(size=(2, 32, 32, 3)).astype("float32")
    for config, convs in (("A", 8), ("D", 13), ("E", 16)):
        model = models.vgg_cifar(config)
        assert sum(isinstance(layer, keras.layers.Conv2D) for layer in model.layers) == convs
        assert model.get_layer("block5_pool").output.shape == (None, 1, 1, 512)
    # VGG-16's convolutions (138,357,544 minus the three dense layers), with BN: 4 numbers per channel
    plain = models.vgg_cifar("D", batch_norm=False)
    dense_224 = 7 * 7 * 512 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000
    assert plain.count_params() == 138_357_544 - dense_224 + 512 * 10 + 10
    half = models.vgg_cifar("D", width=0.5)
    assert half.get_layer("block1_conv1").filters == 32 and half(x).shape == (2, 10)
    inception = models.inception_cifar()
    assert inception.count_params() == 1_654_538
    channels = [inception.get_layer(f"inc{i}_concat").output.shape[-1] for i in (1, 2, 4, 9)]
    assert channels == [64, 80, 160, 336]  # one + three per module
    assert inception.get_layer("down3_concat").output.shape == (None, 16, 16, 80 + 80)
    assert inception.get_layer("down8_concat").output.shape == (None, 8, 8, 96 + 144)
    assert inception(x).shape == (2, 10)


def test_googlenet_matches_torchvision_and_the_papers_table():
    torchvision_like = models.googlenet(batch_norm=True, big_kernel=3)
    trained = sum(int(np.prod(w.shape)) for w in torchvision_like.trainable_weights)
    assert trained == 6_624_904  # torchvision's GoogLeNet (BN, 3x3 in the "5x5" branch)
    paper = models.googlenet()
    assert paper.count_params() == 6_998_552
    channels = [paper.get_layer(f"inception{n}_concat").output.shape[-1] for n in models.GOOGLENET_MODULES]
    assert channels == [256, 480, 512, 512, 512, 528, 832, 832, 1024]  # Table 1, "output size" column
    assert paper.get_layer("inception5b_concat").output.shape[1:3] == (7, 7)
    assert paper(np.zeros((1, 224, 224, 3), "float32")).shape == (1, 1000)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: models.lenet5("tiny"), "variant must be one of"),
        (lambda: models.lenet5(dropout=1.0), "dropout must be below 1"),
        (lambda: models.lenet5(weight_decay=-1), "weight_decay must be a number >= 0"),
        (lambda: models.resnet_cifar(21), "depth must be 6n \\+ 2"),
        (lambda: models.resnet_cifar(20, width=0), "width must be a whole number >= 1"),
        (lambda: models.resnet_cifar(20, shortcut="C"), "shortcut must be 'A'"),
        (lambda: models.resnet_cifar(20, block="bottleneck"), "block must be one of"),
        (lambda: models.resnet_cifar(20, residual="yes"), "residual must be True or False"),
        (lambda: models.alexnet(groups=5), "groups must divide 48 and 192"),
        (lambda: models.vgg_cifar("C"), "config must be one of"),
        (lambda: models.vgg_cifar(width=0), "width must be a number >= 0.05"),
        (lambda: models.inception_cifar(classes=0), "classes must be a whole number >= 1"),
    ],
)
def test_builders_refuse_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_zero_pad_shortcut_subsamples_and_pads_with_zeros():
    import keras

    from utils.layers import ZeroPadShortcut

    x = np.random.default_rng(0).normal(size=(2, 8, 8, 4)).astype("float32")
    layer = ZeroPadShortcut(8, 2)
    y = keras.ops.convert_to_numpy(layer(x))
    assert y.shape == (2, 4, 4, 8) == layer.compute_output_shape(x.shape)
    assert np.array_equal(y[..., 2:6], x[:, ::2, ::2, :])
    assert not y[..., :2].any() and not y[..., 6:].any()
    assert ZeroPadShortcut.from_config(layer.get_config()).filters == 8
    with pytest.raises(ValueError, match="only adds channels"):
        ZeroPadShortcut(2)(x)


def reference_augment(images, rng, mode, pad):
    """The same augmentation image by image, with the same random draws: the obvious loop."""
    b, h, w, _ = images.shape
    dy, dx = rng.integers(0, 2 * pad + 1, size=(2, b))
    flip = rng.random(b) < 0.5 if mode == "crop-flip" else np.zeros(b, bool)
    out = []
    for i in range(b):
        padded = np.pad(images[i], ((pad, pad), (pad, pad), (0, 0)))
        crop = padded[dy[i] : dy[i] + h, dx[i] : dx[i] + w]
        out.append(crop[:, ::-1] if flip[i] else crop)
    return np.stack(out)


@pytest.mark.parametrize("mode, pad", [("shift", 2), ("crop-flip", 4), ("crop-flip", 1)])
def test_augmentation_is_a_vectorised_shift_and_flip(mode, pad):
    images = np.random.default_rng(1).random((64, 9, 7, 3)).astype("float32")
    fast = train.augment_batch(images, np.random.default_rng(5), mode, pad)
    assert fast.shape == images.shape and fast.dtype == images.dtype
    assert np.array_equal(fast, reference_augment(images, np.random.default_rng(5), mode, pad))
    assert not np.array_equal(fast, images)
    assert train.augment_batch(images, np.random.default_rng(5), "none", pad) is images


def test_augmentation_refuses_bad_input():
    with pytest.raises(ValueError, match="mode must be one of"):
        train.augment_batch(np.zeros((1, 4, 4, 1)), np.random.default_rng(0), "rotate", 2)
    with pytest.raises(ValueError, match="must be a batch"):
        train.augment_batch(np.zeros((4, 4, 1)), np.random.default_rng(0), "shift", 2)
    with pytest.raises(ValueError, match="pad must be a whole number of pixels"):
        train.augment_batch(np.zeros((1, 4, 4, 1)), np.random.default_rng(0), "shift", 1.5)
    with pytest.raises(ValueError, match=r"rng must be a NumPy Generator, np.random.default_rng\(seed\)"):
        train.augment_batch(np.zeros((1, 4, 4, 1)), 0, "shift", 2)  # a seed, not a Generator


def reference_cutout(images, rng, size):
    """Cutout one image at a time, as DeVries & Taylor's code does (a clipped square)."""
    b, h, w, _ = images.shape
    cy, cx = rng.integers(0, h, size=b), rng.integers(0, w, size=b)
    fill = images.mean(axis=(0, 1, 2))
    out = images.copy()
    for i in range(b):
        y0, x0 = max(cy[i] - size // 2, 0), max(cx[i] - size // 2, 0)
        out[i, y0 : cy[i] - size // 2 + size, x0 : cx[i] - size // 2 + size] = fill
    return out


@pytest.mark.parametrize("size", [1, 4, 5, 16])
def test_cutout_blanks_one_clipped_square_per_image(size):
    images = np.random.default_rng(2).random((64, 12, 10, 3)).astype("float32")
    out = train.cutout_batch(images, np.random.default_rng(7), size)
    assert out.shape == images.shape and out.dtype == images.dtype
    assert np.array_equal(out, reference_cutout(images, np.random.default_rng(7), size))
    changed = (out != images).any(axis=-1)  # (B, H, W)
    # each image loses at most size x size pixels and never anything outside one square
    assert changed.sum(axis=(1, 2)).max() <= size * size and changed.any()
    assert not np.shares_memory(out, images)  # the input batch is left as it was
    assert train.cutout_batch(images, np.random.default_rng(7), 0) is images


def test_cutout_refuses_bad_input():
    with pytest.raises(ValueError, match="must be a batch"):
        train.cutout_batch(np.zeros((4, 4, 1)), np.random.default_rng(0), 2)
    for size in (-1, 2.5, True):
        with pytest.raises(ValueError, match="size must be a whole number of pixels"):
            train.cutout_batch(np.zeros((1, 4, 4, 1)), np.random.default_rng(0), size)
    for rng in (0, None, np.random.RandomState(0)):  # a seed or the legacy API, not a Generator
        with pytest.raises(ValueError, match=r"rng must be a NumPy Generator, np.random.default_rng\(seed\)"):
            train.cutout_batch(np.zeros((1, 4, 4, 1)), rng, 2)


def test_label_smoothing_mixes_the_targets_with_the_uniform_distribution():
    import keras

    rng = np.random.default_rng(3)
    logits = rng.normal(size=(6, 10)).astype("float32")
    labels = rng.integers(0, 10, size=6)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    for s in (0.0, 0.1, 0.3):
        targets = (1 - s) * np.eye(10)[labels] + s / 10
        expected = -(targets * log_p).sum(axis=1).mean()
        loss = train.smoothed_crossentropy(s)
        got = keras.ops.convert_to_numpy(loss(labels, logits))  # per image, or their mean for s = 0
        assert np.mean(got) == pytest.approx(expected, rel=1e-5)
    assert isinstance(train.smoothed_crossentropy(0.0), keras.losses.SparseCategoricalCrossentropy)
    for bad in (-0.1, 1.0, True, float("nan"), "0.1", None):
        with pytest.raises(ValueError, match=r"label_smoothing must be a number in \[0, 1\)"):
            train.smoothed_crossentropy(bad)


def test_fields_added_later_leave_the_earlier_hashes_alone():
    r = train.RECIPES["lenet5_mnist"]
    fields = dataclasses.asdict(r)
    for key in train.LATER_FIELDS:
        del fields[key]
    old = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
    assert r.sha256() == old
    assert dataclasses.replace(r, cutout=8).sha256() != old
    assert dataclasses.replace(r, label_smoothing=0.1).sha256() != old


def test_a_recipe_with_cutout_and_label_smoothing_trains(shared_data, tmp_path, monkeypatch):
    changed = dataclasses.replace(train.RECIPES["lenet5_mnist"], cutout=8, label_smoothing=0.1)
    monkeypatch.setitem(train.RECIPES, "lenet5_mnist", changed)
    record = train.train("lenet5_mnist", epochs=1, out=tmp_path, limit=256, verbose=0)
    assert record["recipe"]["cutout"] == 8 and record["recipe"]["label_smoothing"] == 0.1
    assert record["recipe_sha256"] == changed.sha256() and np.isfinite(record["test_loss"])


def test_recipes_are_named_and_hashed():
    assert {"lenet5_mnist", "resnet20_cifar10"} <= set(train.RECIPES)
    hashes = {r.sha256() for r in train.RECIPES.values()}
    assert len(hashes) == len(train.RECIPES)
    with pytest.raises(ValueError, match="No recipe called 'vgg99'. The recipes: lenet5_mnist"):
        train.recipe("vgg99")


@pytest.mark.parametrize("name", sorted(train.RECIPES))
def test_every_recipe_trains_a_few_batches(name, shared_data, tmp_path):
    record = train.train(name, epochs=1, out=tmp_path, limit=256, verbose=0)
    assert (tmp_path / f"{name}.weights.h5").exists() and (tmp_path / "history.json").exists()
    assert record["train_images"] == 256 and not record["recipe_epochs"]
    assert record["backend"] == "tensorflow" and record["weights_sha256"] == trained.sha256_of(
        tmp_path / f"{name}.weights.h5"
    )
    assert 0 <= record["test_accuracy"] <= 1 and record["images_per_second"] > 0
    assert record["weights_dtype"] == "float16" and 0 <= record["test_accuracy_float32"] <= 1
    history = json.loads((tmp_path / "history.json").read_text())
    assert len(history["loss"]) == 1 and "train_seconds" in history
    # a run that is not the recipe's (other epochs, a subset) is never loaded as the model
    with pytest.raises(DataError, match="not trained by the current recipe"):
        train.load_trained(name, tmp_path)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_model_reproduces_its_recorded_accuracy(name, shared_data):
    model, record = train.load_trained(name)
    assert record["recipe_epochs"] and record["name"] == name
    _, _, x_test, y_test = train.load_data(train.recipe(name).dataset)
    measured = train.evaluate(model, x_test, y_test)
    assert abs(measured["test_accuracy"] - record["test_accuracy"]) <= 0.001, (measured, record["test_accuracy"])
    # every shipped file stays small (git holds them, and each clone in Colab downloads them):
    # the largest, VGG-16 at half width, is 7.5 MB
    assert record["weights_bytes"] < 8_000_000 and record["weights_dtype"] == "float16"
    # rounding the weights to float16 for shipping costs at most a few test images
    assert abs(record["test_accuracy"] - record["test_accuracy_float32"]) <= 0.002


def test_float16_weights_load_into_a_float32_model(tmp_path):
    r = train.recipe("lenet5_mnist")
    model = r.build()
    full, half = tmp_path / "full.weights.h5", tmp_path / "half.weights.h5"
    model.save_weights(full)
    trained.save_weights_float16(model, r, half)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    loaded = r.build()
    loaded.load_weights(half)
    for before, after, variable in zip(model.get_weights(), loaded.get_weights(), loaded.weights):
        assert variable.dtype == "float32"
        np.testing.assert_allclose(after, before, rtol=1e-3, atol=1e-7)
    huge = [w + 1e5 if w.ndim == 4 else w for w in model.get_weights()]
    model.set_weights(huge)
    with pytest.raises(ValueError, match="float16 cannot hold"):
        trained.save_weights_float16(model, r, tmp_path / "huge.weights.h5")


def test_the_lenet5_model_is_shipped():
    assert "lenet5_mnist" in SHIPPED
    record = json.loads((train.MODELS / "lenet5_mnist" / "record.json").read_text())
    assert record["test_accuracy"] >= 0.992
    assert record["train_seconds"] <= 60


def test_altered_missing_or_foreign_files_are_refused(tmp_path):
    if not SHIPPED:
        pytest.skip("no shipped model")
    name = SHIPPED[0]
    folder = tmp_path / name
    shutil.copytree(train.MODELS / name, folder)
    weights = folder / f"{name}.weights.h5"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(DataError, match="altered or corrupt"):
        train.load_trained(name, folder)
    weights.unlink()
    with pytest.raises(DataError, match="is missing. Restore it"):
        train.load_trained(name, folder)
    record = json.loads((folder / "record.json").read_text())
    (folder / "record.json").write_text(json.dumps({**record, "recipe_sha256": "0" * 64}))
    with pytest.raises(DataError, match="not trained by the current recipe"):
        train.load_trained(name, folder)
    (folder / "record.json").write_text("{not json")
    with pytest.raises(DataError, match="is not a model record"):
        train.load_trained(name, folder)
    with pytest.raises(DataError, match="No trained model"):
        train.load_trained(name, tmp_path / "nowhere")


def test_training_code_imports_only_keras_and_numpy():
    for module in ("recipes", "augment", "train", "trained", "bench", "device", "models", "layers", "data"):
        source = (ROOT / "utils" / f"{module}.py").read_text()
        assert "tf.data" not in source
        lines = [line.strip() for line in source.splitlines()]
        imports = [line for line in lines if line.startswith(("import tensorflow", "from tensorflow"))]
        # the only one: asking the TensorFlow backend for its GPU's name, when it is the backend
        assert imports == (
            ["import tensorflow as tf  # the backend itself, already imported by Keras"] if module == "device" else []
        )


def test_training_runs_on_the_jax_backend(shared_data, tmp_path):
    pytest.importorskip("jax")
    code = (
        "import sys; from utils import train\n"
        "r = train.train('lenet5_mnist', epochs=1, out=sys.argv[1], limit=256, verbose=0)\n"
        "print(r['backend'], r['test_accuracy'])"
    )
    env = {**os.environ, "KERAS_BACKEND": "jax", "CNN_COURSE_DATA": str(shared_data)}
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[0] == "jax"
    assert json.loads((tmp_path / "record.json").read_text())["versions"]["jax"]


def test_command_line_lists_and_reports_errors(capsys):
    train.main(["--list"])
    assert "resnet20_cifar10: ResNet-20" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        train.main([])


def test_an_interrupted_run_resumes_from_its_backup(shared_data, tmp_path):
    """--backup: the run stopped after 2 of 4 epochs goes on at epoch 3, and its history is whole."""
    import keras

    class Interrupted(Exception):
        pass

    class StopAtEpoch2(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                raise Interrupted

    out, backup = tmp_path / "model", tmp_path / "backup"
    with pytest.raises(Interrupted):
        train.train("lenet5_mnist", epochs=4, out=out, backup=backup, limit=1024, verbose=0, callbacks=[StopAtEpoch2()])
    assert any(backup.iterdir()) and not (out / "record.json").exists()
    train.train("lenet5_mnist", epochs=4, out=out, backup=backup, limit=1024, verbose=0)
    history = json.loads((out / "history.json").read_text())
    assert history["epoch"] == [0, 1, 2, 3] and len(history["train_seconds"]) == 4
    assert not backup.exists() or not any(backup.iterdir())  # Keras removes the state at the end


def test_benchmark_reports_speeds_and_the_bound(shared_data):
    row = bench.bench("lenet5_mnist", train_steps=3)
    assert row["MACs/image"] == 416_520 and row["backend"] == "tensorflow"
    for key in ("input img/s", "trivial fit img/s", "train img/s", "matmul GFLOP/s"):
        assert row[key] > 0, key
    # the input side is not the bottleneck: even inside fit it outruns the real training
    assert row["trivial fit img/s"] > row["train img/s"]
    assert 0 < row["of bound"] < 1.5


def test_alexnet_cifar_counts_shapes_and_variants():
    from utils import conv2d_params, dense_params

    convs = [(5, 3, 64), (5, 64, 192), (3, 192, 384), (3, 384, 256), (3, 256, 256)]
    expected = sum(conv2d_params(*c) for c in convs)
    expected += dense_params(4 * 4 * 256, 1024) + dense_params(1024, 1024) + dense_params(1024, 10)
    model = models.alexnet_cifar()
    assert model.count_params() == expected == 7_706_442
    assert model(np.zeros((2, 32, 32, 3), "float32")).shape == (2, 10)
    assert model.get_layer("pool5").output.shape[1:] == (4, 4, 256)
    # non-overlapping pools give the same sizes, so the two can be compared fairly
    assert models.alexnet_cifar(pool_size=2).get_layer("pool5").output.shape[1:] == (4, 4, 256)
    assert models.alexnet_cifar(norm="none").count_params() == expected
    # batch normalisation: no conv biases, 4 numbers per channel (2 trained)
    channels = 64 + 192 + 384 + 256 + 256
    assert models.alexnet_cifar(norm="batch").count_params() == expected - channels + 4 * channels
    he = models.alexnet_cifar(initializer="he_normal")
    assert he.get_layer("conv1").kernel_initializer.__class__.__name__ == "HeNormal"
    assert he.get_layer("fc6").kernel_initializer.__class__.__name__ == "HeNormal"
    half = models.alexnet_cifar(width=0.5)
    assert half.get_layer("conv2").filters == 96 and half.get_layer("fc6").units == 512
    names = [layer.__class__.__name__ for layer in model.layers]
    assert names.count("LocalResponseNormalization") == 2
    assert "LocalResponseNormalization" not in [
        layer.__class__.__name__ for layer in models.alexnet_cifar(norm="batch").layers
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: models.alexnet_cifar(norm="layer"), "norm must be one of"),
        (lambda: models.alexnet_cifar(pool_size=4), "pool_size must be 2 or 3"),
        (lambda: models.alexnet_cifar(width=0), "width must be a number >= 0.1"),
        (lambda: models.alexnet_cifar(dropout=1.0), "dropout must be below 1"),
        (lambda: models.alexnet_cifar(activation="nope"), "nope"),
        (lambda: models.alexnet_cifar(initializer="nope"), "nope"),
    ],
)
def test_alexnet_cifar_rejects_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_resnet_stride_two_convolutions_line_up_with_the_shortcut():
    """Each stride-2 3x3 convolution is padded on all sides, so output (i, j) is centred on
    input (2i, 2j), the pixel the shortcut keeps: a centred one-hot filter copies it."""
    import keras

    model = models.resnet_cifar(8)
    assert model.get_layer("stage2_block1_conv1_pad").output.shape[1:3] == (34, 34)
    conv = model.get_layer("stage2_block1_conv1")
    x = np.random.default_rng(0).normal(size=(1, 32, 32, 16)).astype("float32")
    kernel = np.zeros((3, 3, 16, 32), "float32")
    kernel[1, 1, 0, 0] = 1.0  # the centre tap of input channel 0
    conv.set_weights([kernel])
    padded = model.get_layer("stage2_block1_conv1_pad")(x)
    out = keras.ops.convert_to_numpy(conv(padded))
    np.testing.assert_allclose(out[0, :, :, 0], x[0, ::2, ::2, 0], rtol=1e-6)


def test_train_writes_tensorboard_logs_and_calls_more_callbacks(shared_data, tmp_path):
    import keras

    seen = []

    class Count(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(epoch)

    logs = tmp_path / "logs"
    train.train(
        "lenet5_mnist", epochs=2, out=tmp_path / "m", limit=512, verbose=0, tensorboard=logs, callbacks=[Count()]
    )
    assert seen == [0, 1]
    assert list(logs.rglob("events.out.tfevents.*"))


def test_cifar10_8_leaves_out_cats_and_dogs(shared_data):
    x, y, xt, yt = train.load_data("cifar10")
    x8, y8, xt8, yt8 = train.load_data("cifar10-8")
    assert len(x8) == 40_000 and len(xt8) == 8_000 and x8.shape[1:] == (32, 32, 3)
    assert sorted(np.unique(y8)) == list(range(8)) and sorted(np.unique(yt8)) == list(range(8))
    kept = [c for c in range(10) if c not in (3, 5)]
    # the same images in the same order, with labels mapped 0-7
    mask = np.isin(y, kept)
    np.testing.assert_array_equal(x8, x[mask])
    np.testing.assert_array_equal(np.array(kept)[y8], y[mask])
    with pytest.raises(ValueError, match="cifar10-8"):
        train.load_data("cifar100")


def test_readme_lists_every_shipped_model_with_its_recorded_accuracy():
    readme = (ROOT / "README.md").read_text()
    for name in SHIPPED:
        record = json.loads((train.MODELS / name / "record.json").read_text())
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row, f"README.md's trained-models table has no row for {name}"
        assert f"{100 * record['test_accuracy']:.2f}%" in row, (name, record["test_accuracy"])


@pytest.mark.parametrize("name", ["lenet5_mnist", "resnet20_cifar10"])
def test_evaluate_trained_knows_the_records_data(name, shared_data, monkeypatch):
    monkeypatch.setenv("CNN_COURSE_DATA", str(shared_data))
    record = json.loads((train.MODELS / name / "record.json").read_text())
    _, _, x_test, y_test = train.load_data(train.recipe(name).dataset)
    assert trained.test_set_sha256(x_test, y_test) == record["test_data"]["sha256"]
    # the same test set in the loaders' raw form (uint8 pixels, uint8 labels (N, 1)) too
    raw = np.round(x_test * 255).astype("uint8")
    assert trained.test_set_sha256(raw, y_test.astype("uint8")[:, None]) == record["test_data"]["sha256"]
    model, _ = train.load_trained(name)
    same = train.evaluate_trained(name, x_test, y_test, model=model)
    assert same.same_data and same.reproduces_record
    assert same.record_accuracy == record["test_accuracy"] and same.images == len(x_test)
    assert "the record's own test set" in str(same) and "is reproduced" in str(same)
    # a copy whose pixels differ a little stands in for the original data (Colab): the data
    # are recognised as not the record's, whatever the accuracy measured on them
    other = x_test.copy()
    other[:50, 10, 10] = np.clip(other[:50, 10, 10] + 2 / 255, 0, 1)
    assert trained.test_set_sha256(other, y_test) != record["test_data"]["sha256"]
    moved = train.evaluate_trained(name, other, y_test, model=model)
    assert not moved.same_data
    assert abs(moved.accuracy - same.accuracy) < 0.01
    sentence = str(moved)
    assert f"The record, {record['test_accuracy']:.2%}, is on {record['test_data']['source']}" in sentence
    assert train.recipe(name).literature in sentence and "of a test set other than the record's." in sentence
    # offline, another copy is not called the original, nor a gap between copies claimed
    assert not moved.downloaded and "gap between the two copies" not in sentence
    # a part of the record's test set is not the record's test set either
    part = train.evaluate_trained(name, x_test[:300], y_test[:300], model=model)
    assert not part.same_data and "on 300 test images of a test set other than" in str(part)
    assert f"({len(x_test):,} images)" in str(part)
    # printed at the book's width: one sentence a line, folded, no word broken
    for ev in (same, moved, part):
        lines = ev.wrapped().splitlines()
        assert max(map(len, lines)) <= 75 and " ".join(lines) == str(ev)
        assert len(ev.wrapped(40).splitlines()) > len(lines)
        assert sum(line.endswith(".") for line in lines) >= len(ev.sentences())
    with pytest.raises(ValueError, match="width must be a whole number of characters >= 20"):
        same.wrapped(10)


def test_evaluate_trained_on_keras_data_names_the_original(monkeypatch, shared_data):
    """Where Keras's download is used (Colab), a test set other than the record's is named so."""
    monkeypatch.delenv("CNN_COURSE_DATA", raising=False)
    monkeypatch.setenv("CNN_COURSE_OFFLINE", "0")
    import keras

    monkeypatch.setenv("CNN_COURSE_DATA", str(shared_data))
    from utils.data import load_mnist

    (x, y), (xt, yt) = load_mnist()
    xt = xt.copy()
    xt[0, 0, 0] = 255  # another copy of MNIST
    monkeypatch.delenv("CNN_COURSE_DATA")
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: ((x, y), (xt, yt)))
    ev = train.evaluate_trained("lenet5_mnist")
    assert not ev.same_data and ev.downloaded and ev.data == "the original MNIST (Keras's download)"
    assert "The course does not measure the gap" in str(ev)
    assert ev.wrapped().splitlines()[-1] == "The course does not measure the gap between the two copies."


def test_evaluate_trained_refuses_bad_input(shared_data, monkeypatch):
    monkeypatch.setenv("CNN_COURSE_DATA", str(shared_data))
    x = np.zeros((4, 32, 32, 1), "float32")
    y = np.zeros(4, "int32")
    with pytest.raises(ValueError, match="pass both x_test and y_test"):
        train.evaluate_trained("lenet5_mnist", x)
    with pytest.raises(ValueError, match=r"takes images \(None, 32, 32, 1\)"):
        train.evaluate_trained("lenet5_mnist", np.zeros((4, 28, 28, 1), "float32"), y)
    with pytest.raises(ValueError, match="float images in \\[0, 1\\].*divide uint8"):
        train.evaluate_trained("lenet5_mnist", (x + 255).astype("uint8"), y)
    with pytest.raises(ValueError, match="No recipe called"):
        train.evaluate_trained("lenet6", x, y)
    with pytest.raises(ValueError, match="same N > 0"):
        trained.test_set_sha256(x, y[:3])
    with pytest.raises(ValueError, match="integer labels"):
        trained.test_set_sha256(x, y.astype("float32"))


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["lenet5_mnist", "--limit", "0"], "argument --limit: must be a whole number >= 1, got '0'"),
        (["lenet5_mnist", "--limit", "-5"], "argument --limit: must be a whole number >= 1, got '-5'"),
        (["lenet5_mnist", "--limit", "2.5"], "argument --limit: must be a whole number >= 1"),
        (["lenet5_mnist", "--epochs", "0"], "argument --epochs: must be a whole number >= 1"),
        (["--bench", "vgg99"], "no recipe called 'vgg99'; the recipes: lenet5_mnist, "),
        (["lenet5_mnist", "--synthetic"], "--synthetic goes with --bench"),
    ],
)
def test_the_command_refuses_bad_arguments_in_one_line(argv, says, capsys):
    """Issue #24: --limit 0 trained on everything, --limit -5 on all but five, --bench vgg99 a child traceback."""
    with pytest.raises(SystemExit) as exit_:
        train.main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


@pytest.mark.parametrize(("limit", "epochs"), [(0, None), (-5, None), (2.5, None), (True, None), (8, 0), (8, 1.5)])
def test_train_refuses_a_limit_or_epochs_that_is_not_a_whole_number_at_least_one(limit, epochs, tmp_path):
    name = "limit" if epochs is None else "epochs"
    with pytest.raises(ValueError, match=f"{name} must be a whole number .*>= 1"):
        train.train("lenet5_mnist", epochs=epochs, out=tmp_path, limit=limit, verbose=0)
    assert not any(tmp_path.iterdir())  # refused before any work
