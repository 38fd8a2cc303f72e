"""`GANSystem`: the Keras model every tfface research system subclasses.

The pattern:

- `__init__` takes ready-built networks (tests pass tiny ones); the registry
  builds them from a config.
- `compile(optimizers={...})`: one optimizer per network group, because the
  seeds use different learning rates per network. Gradient clipping is the
  optimizers' own `global_clipnorm`, which Keras applies after the
  cross-replica sum, so it clips the true global gradient.
- `train_step(batch)`: one `tf.GradientTape` per update with explicit
  variable lists (never toggling `trainable`); losses are PER-EXAMPLE (B,)
  and `reduce()` is the ONE place that divides by the global batch size.
  Under `MirroredStrategy` each replica sums its examples' losses / global
  batch and the optimizer sums gradients over replicas, so N replicas make
  exactly the update of one device with the same global batch (a plain
  per-replica mean would multiply the learning rate by N).
- logged values are unscaled `keras.metrics.Mean` trackers over examples; the
  objective of the inference networks (`OBJECTIVE`, the generator loss) is also
  logged as `loss`, the name Keras callbacks monitor by default (`val_loss`) and
  the one name from which they infer that lower is better (keras 3.15,
  `MonitorCallback._set_monitor_op`; any other name needs `mode="min"`).
- `test_step(batch)` records `held_out_losses(batch)`: the train step's losses with
  the networks in inference mode and no update (no optimizer step, EMA update,
  step count or random draw), so `fit(validation_data=...)`, `evaluate()` and
  callbacks on `val_...` values work.
- `call()` is the inference path and the path that is exported.
- works with `fit()` (callbacks, progress bar, validation, fine-tuning), and
  `checkpoint()` returns a `tf.train.Checkpoint` over networks, optimizers (step
  count and slots, not the learning rate: `optimizer_state.OptimizerState`), EMA
  weights, the seed generator and the step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import keras
import tensorflow as tf

from tfface.systems.optimizer_state import OptimizerState
from tfface.training.ema import WeightEMA
from tfface.training.phases import TrainingPhase

OBJECTIVE_LOG = "loss"
"""The log name of a system's `OBJECTIVE` (Keras' conventional name of the objective)."""


class GANSystem(keras.Model):
    """Base class of the GAN systems.

    Args:
        networks: name -> built `keras.Model` (generators, discriminators, encoders...).
        ema_networks: names of networks whose weights are averaged (EMA) for inference.
        ema_decay: EMA decay (e.g. 0.999); None disables EMA.
        seed: seed of the system's `keras.random.SeedGenerator`.
        name: Keras model name.

    Subclasses set `LOSS_NAMES` (logged per-example values), `OPTIMIZER_GROUPS`
    (optimizer name -> the networks it updates; the keys `compile` requires) and
    `OBJECTIVE` (the `LOSS_NAMES` entry also logged as `loss`), and implement
    `train_step`, `held_out_losses` (for `test_step`) and `call`.
    """

    LOSS_NAMES: tuple[str, ...] = ()
    OPTIMIZER_GROUPS: dict[str, tuple[str, ...]] = {}
    OBJECTIVE: str | None = "generator_loss"

    def __init__(
        self,
        networks: Mapping[str, keras.Model],
        ema_networks: Sequence[str] = (),
        ema_decay: float | None = None,
        seed: int = 0,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        if not networks:
            raise ValueError("a GANSystem needs at least one network")
        unknown = [network for network in ema_networks if network not in networks]
        if unknown:
            raise ValueError(
                f"ema_networks {unknown} are not networks of this system ({sorted(networks)})"
            )
        if ema_decay is not None and not 0.0 < ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in (0, 1), got {ema_decay}")
        self.network_names = tuple(networks)
        for network_name, network in networks.items():
            if not isinstance(network, keras.layers.Layer):
                raise TypeError(
                    f"network {network_name!r} must be a keras Model or Layer, got {type(network).__name__}"
                )
            setattr(self, network_name, network)
        self.seed_generator = keras.random.SeedGenerator(seed)
        if self.OBJECTIVE is not None and self.OBJECTIVE not in self.LOSS_NAMES:
            raise ValueError(
                f"{type(self).__name__}.OBJECTIVE {self.OBJECTIVE!r} is not one of its "
                f"LOSS_NAMES {list(self.LOSS_NAMES)}"
            )
        logged = ((OBJECTIVE_LOG,) if self.OBJECTIVE is not None else ()) + self.LOSS_NAMES
        self.trackers = {log_name: keras.metrics.Mean(name=log_name) for log_name in logged}
        self.step_counter = self.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            name="step",
            aggregation="only_first_replica",
        )
        self.ema_network_names = tuple(ema_networks)
        self.ema_decay = ema_decay
        self.ema: WeightEMA | None = None
        self.system_optimizers: dict[str, keras.optimizers.Optimizer] = {}
        # The networks arrive built, so the system is too: fit() must not trace `call` on a
        # training batch to build it.
        self.built = True

    @classmethod
    def phases(cls, config: Any) -> tuple[TrainingPhase, ...]:
        """The training phases of a run of `config` (the system's ExperimentConfig).

        One phase over every step, logging every `LOSS_NAMES` entry; systems trained in
        stages override it (the progress line shows the active phase's losses).
        """
        return (TrainingPhase("training", 0, config.train.steps, cls.LOSS_NAMES),)

    def _maybe_symbolic_build(self, iterator=None, data_batch=None) -> None:
        """Skips Keras' symbolic build in `fit`.

        Networks arrive built and `compile` builds the optimizers, so there is
        nothing to build; and Keras' version reduces a distributed batch with
        `strategy.reduce`, which fails on dict batches under
        MultiWorkerMirroredStrategy (keras 3.15, tensorflow backend).
        """

    # -- networks and optimizers -----------------------------------------------------------
    def network(self, network_name: str) -> keras.Model:
        """The network called `network_name`."""
        if network_name not in self.network_names:
            raise KeyError(
                f"no network {network_name!r}; networks: {', '.join(self.network_names)}"
            )
        return getattr(self, network_name)

    def variables_of(self, *network_names: str) -> list[Any]:
        """Trainable variables of the named networks, in a fixed order."""
        variables: list[Any] = []
        for network_name in network_names:
            variables.extend(self.network(network_name).trainable_variables)
        return variables

    def compile(self, optimizers: Mapping[str, keras.optimizers.Optimizer], **kwargs: Any) -> None:
        """Sets one optimizer per network group; other keyword arguments go to `keras.Model.compile`.

        Call it inside the strategy scope: the optimizers' slot variables are
        created here, not lazily inside the first (distributed) train step.

        Args:
            optimizers: name -> optimizer; must cover `OPTIMIZER_GROUPS`.
            **kwargs: e.g. `jit_compile`, `run_eagerly`, `steps_per_execution`.
        """
        missing = [name for name in self.OPTIMIZER_GROUPS if name not in optimizers]
        extra = [name for name in optimizers if name not in self.OPTIMIZER_GROUPS]
        if missing or extra:
            raise ValueError(
                f"{type(self).__name__} needs optimizers {list(self.OPTIMIZER_GROUPS)}; "
                f"missing {missing}, unexpected {extra}"
            )
        kwargs.setdefault("jit_compile", False)
        # No Keras-level optimizer: the system's own optimizers do all updates.
        super().compile(optimizer=None, **kwargs)
        self.system_optimizers = dict(optimizers)
        for optimizer_name, optimizer in optimizers.items():
            setattr(self, f"optimizer_{optimizer_name}", optimizer)
            if not optimizer.built:
                optimizer.build(self.variables_of(*self.OPTIMIZER_GROUPS[optimizer_name]))

    # -- the training arithmetic -----------------------------------------------------------
    def reduce(self, per_example_loss: tf.Tensor) -> tf.Tensor:
        """Sum of a per-example loss (B,) divided by the GLOBAL batch size (all replicas).

        This is the one place where losses are averaged over the batch.
        """
        per_example_loss = tf.convert_to_tensor(per_example_loss)
        if per_example_loss.shape.rank != 1:
            raise ValueError(
                f"losses must be per example with shape (B,), got {per_example_loss.shape}"
            )
        return tf.nn.compute_average_loss(tf.cast(per_example_loss, tf.float32))

    def update(self, tape: tf.GradientTape, loss: tf.Tensor, optimizer_name: str) -> None:
        """One step of optimizer `optimizer_name` on `loss` (already reduced) for its networks' variables."""
        network_names = self.OPTIMIZER_GROUPS[optimizer_name]
        variables = self.variables_of(*network_names)
        gradients = tape.gradient(loss, variables)
        unconnected = [
            variable.path
            for variable, gradient in zip(variables, gradients, strict=True)
            if gradient is None
        ]
        if len(unconnected) == len(variables):
            raise ValueError(f"loss is not connected to any variable of {list(network_names)}")
        pairs = [
            (gradient, variable)
            for gradient, variable in zip(gradients, variables, strict=True)
            if gradient is not None
        ]
        self.system_optimizers[optimizer_name].apply_gradients(pairs)

    def record(self, **values: tf.Tensor) -> None:
        """Feeds per-example values (B,) (or scalars) to the `LOSS_NAMES` trackers
        (the `OBJECTIVE` also to `loss`)."""
        for value_name, value in values.items():
            if value_name not in self.LOSS_NAMES:
                raise KeyError(
                    f"{value_name!r} is not logged by {type(self).__name__}; "
                    f"LOSS_NAMES: {', '.join(self.LOSS_NAMES)}"
                )
            self.trackers[value_name].update_state(value)
            if value_name == self.OBJECTIVE:
                self.trackers[OBJECTIVE_LOG].update_state(value)

    def finish_step(self) -> dict[str, tf.Tensor]:
        """Counts the step, updates the EMA weights and returns the logs."""
        self.step_counter.assign_add(1)
        if self.ema is not None:
            self.ema.update()
        return self.logs()

    def held_out_losses(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """The train step's per-example losses (B,) on a held-out batch, without any update.

        Subclasses compute them with the networks in inference mode (`training=False`) and
        from the same loss code as `train_step`; the keys are `LOSS_NAMES` entries.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not implement held_out_losses, so it cannot be "
            "validated or evaluated (fit(validation_data=...), evaluate())"
        )

    def test_step(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Records `held_out_losses(batch)` and returns the logs.

        No optimizer step, EMA update, step count, image-pool push or random draw: only
        the loss trackers change (Keras resets them before `evaluate` and each validation).
        """
        self.record(**self.held_out_losses(batch))
        return self.logs()

    def logs(self) -> dict[str, tf.Tensor]:
        """The trackers' current means: {log name: scalar}."""
        logs = {tracker_name: tracker.result() for tracker_name, tracker in self.trackers.items()}
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            # Keras reduces multi-worker logs with `strategy.reduce("MEAN", value, axis=0)`,
            # which needs a leading axis (keras 3.15); the values are already global means.
            logs = {log_name: value[None] for log_name, value in logs.items()}
        return logs

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return list(self.trackers.values())

    # -- EMA and checkpoints ---------------------------------------------------------------
    def enable_ema(self) -> None:
        """Creates the EMA shadows (after the networks are built, inside the strategy scope)."""
        if self.ema_decay is not None and self.ema is None:
            variables = self.variables_of(*self.ema_network_names)
            self.ema = WeightEMA(variables, decay=self.ema_decay)

    def checkpoint(self) -> tf.train.Checkpoint:
        """A checkpoint over networks, optimizers, EMA shadows, seed generator and step.

        Optimizers are saved as their step count and slot variables (`OptimizerState`),
        so a run's checkpoint restores into optimizers of the same type with any
        learning-rate form (float or schedule).
        """
        items: dict[str, Any] = {
            network_name: self.network(network_name) for network_name in self.network_names
        }
        items.update(
            {
                f"optimizer_{name}": OptimizerState(optimizer)
                for name, optimizer in self.system_optimizers.items()
            }
        )
        if self.ema is not None:
            items["ema"] = self.ema
        return tf.train.Checkpoint(
            seed_state=self.seed_generator.state.value, step=self.step_counter.value, **items
        )
