"""Weight-file resolution order with fake files; never touches the network."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfface.weights import (
    WEIGHT_FILES,
    WeightsNotFoundError,
    inception_v3_features,
    resolution,
    resolve_weights,
    vgg19_features,
)

FILE_NAME = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"fake")
    return path


def test_file_names_are_the_keras_applications_ones() -> None:
    assert WEIGHT_FILES["vgg19_notop"].file_name == FILE_NAME
    assert (
        WEIGHT_FILES["vgg16_notop"].file_name == "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    )
    assert (
        WEIGHT_FILES["inception_v3"].file_name
        == "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
    )
    for file in WEIGHT_FILES.values():
        assert file.url.endswith("/" + file.file_name)
        assert len(file.md5) == 32


def test_resolution_order(isolated_weight_locations: dict[str, Path], tmp_path: Path) -> None:
    explicit = touch(tmp_path / "elsewhere" / "my_vgg19.h5")
    in_dir = touch(isolated_weight_locations["weights_dir"] / FILE_NAME)
    in_cache = touch(isolated_weight_locations["cache_dir"] / FILE_NAME)
    assert resolve_weights("vgg19_notop", explicit, allow_download=False) == explicit
    assert resolve_weights("vgg19_notop", allow_download=False) == in_dir
    in_dir.unlink()
    assert resolve_weights("vgg19_notop", allow_download=False) == in_cache
    in_cache.unlink()
    with pytest.raises(WeightsNotFoundError):
        resolve_weights("vgg19_notop", allow_download=False)


def test_missing_explicit_path_is_an_error_even_if_other_files_exist(
    isolated_weight_locations: dict[str, Path], tmp_path: Path
) -> None:
    touch(isolated_weight_locations["weights_dir"] / FILE_NAME)
    with pytest.raises(WeightsNotFoundError, match="does_not_exist.h5"):
        resolve_weights("vgg19_notop", tmp_path / "does_not_exist.h5")


def test_error_names_the_exact_path_to_put_the_file_at(
    isolated_weight_locations: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = isolated_weight_locations["weights_dir"] / FILE_NAME
    with pytest.raises(WeightsNotFoundError) as error:
        resolve_weights("vgg19_notop", allow_download=False)
    message = str(error.value)
    assert str(expected) in message
    assert "allow_download=False" in message
    assert WEIGHT_FILES["vgg19_notop"].url in message

    monkeypatch.delenv("TFFACE_WEIGHTS_DIR")
    with pytest.raises(WeightsNotFoundError) as error:
        resolve_weights("vgg19_notop", allow_download=False)
    assert str(isolated_weight_locations["cache_dir"] / FILE_NAME) in str(error.value)
    assert "TFFACE_WEIGHTS_DIR" in str(error.value)


def test_download_is_tried_last_and_its_failure_reported(
    isolated_weight_locations: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def fake_download(file, cache: Path) -> Path:
        calls.append((file.key, cache))
        return touch(cache / file.file_name)

    monkeypatch.setattr(resolution, "_download", fake_download)
    path = resolve_weights("vgg19_notop")
    assert calls == [("vgg19_notop", isolated_weight_locations["cache_dir"])]
    assert path == isolated_weight_locations["cache_dir"] / FILE_NAME

    def failing_download(file, cache: Path) -> Path:
        raise OSError("no route to host")

    monkeypatch.setattr(resolution, "_download", failing_download)
    with pytest.raises(WeightsNotFoundError, match="no route to host"):
        resolve_weights("inception_v3")


def test_extractors_fail_clearly_before_building_anything(
    isolated_weight_locations: dict[str, Path],
) -> None:
    with pytest.raises(WeightsNotFoundError, match="inception_v3_weights_tf_dim_ordering"):
        inception_v3_features(allow_download=False)
    with pytest.raises(WeightsNotFoundError, match=FILE_NAME):
        vgg19_features(allow_download=False)


def test_unknown_key_raises_value_error() -> None:
    with pytest.raises(ValueError, match="known"):
        resolve_weights("resnet50")
