"""Exponential moving average of model weights (the "EMA generator")."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import keras
import tensorflow as tf


class _Untracked:
    """Holds the source variables without making them checkpoint dependencies of the EMA."""

    def __init__(self, variables: Sequence[Any]) -> None:
        self.variables = tuple(variables)


def _collect(model_or_variables: Any, include_non_trainable: bool) -> list[Any]:
    """The float variables of a model / layer / module, or of a sequence of variables."""
    source = model_or_variables
    if isinstance(source, tf.Variable | keras.Variable):
        variables = [source]
    elif isinstance(source, keras.layers.Layer):
        if not source.built:
            raise ValueError("WeightEMA: build the model before averaging its weights.")
        variables = list(source.trainable_variables)
        if include_non_trainable:
            variables += list(source.non_trainable_variables)
    elif isinstance(source, tf.Module):
        variables = list(source.variables if include_non_trainable else source.trainable_variables)
    else:
        variables = list(source)
    variables = [v for v in variables if tf.as_dtype(v.dtype).is_floating]
    if not variables:
        raise ValueError("WeightEMA: no floating-point variables to average (is the model built?).")
    return variables


def _tf_value(variable: Any) -> Any:
    """The tf.Variable (or distributed variable) behind a Keras or TF variable."""
    return variable.value if isinstance(variable, keras.Variable) else variable


class WeightEMA(tf.Module):
    """Exponential moving average of a model's weights, kept in shadow variables.

    After each optimiser step, `update()` sets shadow <- decay * shadow + (1 - decay) * weight
    (computed as shadow - (1 - decay) * (shadow - weight)); the averaged weights are used for
    evaluation and export. None of the theses averages weights: this is the running average of
    the generator of StarGAN v2 (Choi et al. 2020, decay 0.999), whose generator the
    multimodal system follows (Bergqvist 2020), and of Karras et al. 2018; every checkpoint
    holds the EMA weights. Shadows start equal to the weights.

    - `update()` works eagerly and inside tf.function (e.g. at the end of a train_step).
    - `swap()` is a context manager that exchanges weights and shadows on entry and again on
      exit (no extra memory): inside it the model computes with averaged weights.
      `apply_to()` / `restore()` are the two halves for code that cannot use a `with` block.
      While applied, the shadows hold the raw weights: `update()` raises, and a checkpoint
      taken then stores exchanged values.
    - `copy_to(target)` copies the averaged weights into another model with the same
      variable structure (e.g. an inference copy for export), leaving this one untouched.
    - The shadows are tracked by tf.Module: put the WeightEMA in a tf.train.Checkpoint (or on
      the GANSystem) to save and restore them. The source model is not a checkpoint
      dependency of the EMA.

    Distribution: construct it inside `strategy.scope()` (like the optimiser), so the shadows
    are mirrored variables. They use aggregation ONLY_FIRST_REPLICA: the model weights are
    identical on every replica after the optimiser's all-reduce, so in replica context (inside
    strategy.run, as in Keras' train_step) every replica computes the same new value and the
    first replica's value is written to all copies; in cross-replica context (after
    strategy.run) the assignment goes to all copies directly. Both are supported for
    `update()`. `swap()`, `apply_to()`, `restore()` and `copy_to()` also write the model's
    variables, so call them in cross-replica context (evaluation, export), not in strategy.run.

    Args:
        model_or_variables: a built keras.Model / Layer or tf.Module (its trainable variables),
            or a sequence of variables. Non-float variables are skipped.
        decay: in [0, 1]; 0.999 follows StarGAN v2.
        include_non_trainable: also average non-trainable float variables (e.g. BatchNorm
            moving statistics) of a model.
        name: module name.
    """

    def __init__(
        self,
        model_or_variables: Any,
        decay: float = 0.999,
        include_non_trainable: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        if isinstance(decay, bool) or not isinstance(decay, int | float) or not 0 <= decay <= 1:
            raise ValueError(f"WeightEMA decay must be a number in [0, 1], got {decay!r}.")
        self.decay = float(decay)
        self.include_non_trainable = bool(include_non_trainable)
        variables = _collect(model_or_variables, include_non_trainable)
        if not tf.distribute.has_strategy() and any(
            isinstance(_tf_value(v), tf.distribute.DistributedValues) for v in variables
        ):
            raise ValueError(
                "WeightEMA: the model's variables are distributed; create the WeightEMA "
                "inside the same strategy.scope()."
            )
        self._source = _Untracked(variables)
        self.shadow_variables = [
            tf.Variable(
                tf.convert_to_tensor(_tf_value(variable)),
                trainable=False,
                name=f"ema_{index}",
                aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA,
            )
            for index, variable in enumerate(variables)
        ]
        self._applied = False

    @property
    def source_variables(self) -> tuple[Any, ...]:
        """The averaged model variables, in the order of `shadow_variables`."""
        return self._source.variables

    def update(self) -> None:
        """shadow <- decay * shadow + (1 - decay) * weight, for every variable."""
        if self._applied:
            raise RuntimeError("WeightEMA.update() while the averaged weights are applied.")
        rate = 1.0 - self.decay
        for shadow, variable in zip(self.shadow_variables, self.source_variables, strict=True):
            value = tf.cast(tf.convert_to_tensor(_tf_value(variable)), shadow.dtype)
            shadow.assign_sub(rate * (shadow - value))

    def _exchange(self) -> None:
        for shadow, variable in zip(self.shadow_variables, self.source_variables, strict=True):
            averaged = tf.identity(shadow)
            shadow.assign(tf.cast(tf.convert_to_tensor(_tf_value(variable)), shadow.dtype))
            variable.assign(tf.cast(averaged, variable.dtype))

    def apply_to(self) -> None:
        """Put the averaged weights into the model (the raw weights go to the shadows)."""
        if self._applied:
            raise RuntimeError("WeightEMA.apply_to(): the averaged weights are already applied.")
        self._exchange()
        self._applied = True

    def restore(self) -> None:
        """Undo `apply_to()`: the raw weights go back into the model."""
        if not self._applied:
            raise RuntimeError("WeightEMA.restore() without a preceding apply_to().")
        self._exchange()
        self._applied = False

    @contextlib.contextmanager
    def swap(self) -> Iterator[None]:
        """Context in which the model holds the averaged weights."""
        self.apply_to()
        try:
            yield
        finally:
            self.restore()

    def copy_to(self, target: Any) -> None:
        """Copy the averaged weights into `target` (a model or variables structured alike)."""
        if self._applied:
            raise RuntimeError("WeightEMA.copy_to() while the averaged weights are applied.")
        variables = _collect(target, self.include_non_trainable)
        if len(variables) != len(self.shadow_variables) or any(
            tuple(v.shape) != tuple(s.shape)
            for v, s in zip(variables, self.shadow_variables, strict=True)
        ):
            raise ValueError("WeightEMA.copy_to(): the target's variables do not match.")
        for shadow, variable in zip(self.shadow_variables, variables, strict=True):
            variable.assign(tf.cast(shadow, variable.dtype))
