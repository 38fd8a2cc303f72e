"""Reflection padding of images and feature maps."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfface.layers._validation import check_rank


def _normalize_padding(padding: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    """int | (rows, columns) | ((top, bottom), (left, right)) -> ((top, bottom), (left, right))."""

    def amount(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(
                f"ReflectionPadding2D padding amounts must be non-negative ints, got {padding!r}."
            )
        return value

    if isinstance(padding, int) and not isinstance(padding, bool):
        return ((amount(padding),) * 2,) * 2
    if isinstance(padding, list | tuple) and len(padding) == 2:
        if all(isinstance(item, int) for item in padding):
            rows, columns = (amount(item) for item in padding)
            return (rows, rows), (columns, columns)
        if all(isinstance(item, list | tuple) and len(item) == 2 for item in padding):
            (top, bottom), (left, right) = padding
            return (amount(top), amount(bottom)), (amount(left), amount(right))
    raise ValueError(
        "ReflectionPadding2D padding must be an int, (rows, columns) or "
        f"((top, bottom), (left, right)), got {padding!r}."
    )


@keras.saving.register_keras_serializable(package="tfface")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by reflecting the image about its border (edge not repeated).

    Same as numpy.pad(mode="reflect") and PyTorch's ReflectionPad2d. Liu 2019,
    Sec. 4.2.2 (CycleGAN implementation): zero padding is replaced by reflection padding so that
    borders see image content instead of black pixels (after Johnson et al. 2016 / CycleGAN).
    Each amount must be smaller than the padded dimension.

    Args:
        padding: int (all sides), (rows, columns) (symmetric) or ((top, bottom), (left, right)).
        **kwargs: keras.layers.Layer arguments.

    Input (B, H, W, C); output (B, H + top + bottom, W + left + right, C).
    """

    def __init__(self, padding: Any = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.padding = _normalize_padding(padding)

    def build(self, input_shape: tuple) -> None:
        check_rank(input_shape, 4, "ReflectionPadding2D", "input", "(B, H, W, C)")
        for axis, amounts in zip(("height", "width"), self.padding, strict=True):
            size = input_shape[1 if axis == "height" else 2]
            if size is not None and max(amounts) >= size:
                raise ValueError(
                    f"ReflectionPadding2D: padding {amounts} must be smaller than the input "
                    f"{axis} {size}."
                )

    def call(self, inputs):
        (top, bottom), (left, right) = self.padding
        return ops.pad(inputs, ((0, 0), (top, bottom), (left, right), (0, 0)), mode="reflect")

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        (top, bottom), (left, right) = self.padding
        batch, height, width, channels = input_shape
        height = None if height is None else height + top + bottom
        width = None if width is None else width + left + right
        return (batch, height, width, channels)

    def get_config(self) -> dict[str, Any]:
        padding = [list(amounts) for amounts in self.padding]
        return {**super().get_config(), "padding": padding}
