"""`GANSystem`: the Keras model every tfface research system subclasses, declaratively.

A system DECLARES (class attributes, read by the registry, the train command, the export
writer and the contract tests in tests/systems/test_system_contract.py):

- `NAME`, `SUMMARY`, `CONFIG` (its `SystemConfig` subclass) and `PRESETS` (preset name ->
  config factory). Declaring `CONFIG` registers the class (`tfface.systems.registry`): the
  class definition is the one registration of spec, presets and export.
- `NETWORKS` (required networks) and `OPTIONAL_NETWORKS` (networks that a config may switch
  off; `expected_networks(model_config)` says which it needs), `INFERENCE_NETWORKS` (the
  networks averaged by the EMA and exported), `OPTIMIZER_GROUPS` (optimizer -> the networks
  it updates), `LOSS_NAMES` (logged per-example values), `OBJECTIVE` (the entry also logged
  as `loss`), `UPDATES` (`tfface.systems.updates.Update`: the optimizer steps of a train
  step, in order), `DATA` (the data recipe: `(config, data_dir, split) -> tf.data.Dataset`
  of global batches), `EXPORTS` (system -> {signature name: ExportSignature}, or None) and
  `SYNTHFACES` (the `pipelines/synthfaces.py` arguments that make data its `DATA` recipe
  reads, besides --output/--identities/--size: what benchmarks/train_systems.py and the
  tests build).

and IMPLEMENTS only its maths: `build_networks(model_config, seed)`, `optimizer_configs(config)`
(one `AdamConfig` per optimizer group), the forward pass (`call`, the exported inference
path), the objective methods its `UPDATES` name, and `preview(batch)` (TensorBoard images).
Objectives are pure: `(batch, carried, training) -> {name: tensor}`, per-example terms (B,)
under `LOSS_NAMES` keys plus tensors carried to the later updates (StarGAN v2 style, Choi
et al. CVPR 2020: losses computed by functions, the trainer owns the updates).

The base OWNS the training arithmetic:

- `train_step(batch)`: for each `Update`, one `tf.GradientTape` with explicit variable
  lists (never toggling `trainable`); `reduce()` is the ONE place that divides by the
  global batch size. Under `MirroredStrategy` each replica sums its examples' losses /
  global batch and the optimizer sums gradients over replicas, so N replicas make exactly
  the update of one device with the same global batch. Gradient clipping is the
  optimizers' own `global_clipnorm`, applied after the cross-replica sum.
- logged values are unscaled `keras.metrics.Mean` trackers over examples; `OBJECTIVE` is also
  logged as `loss`, the name Keras callbacks monitor by default (`val_loss`) and the one
  name from which they infer that lower is better (keras 3.15,
  `MonitorCallback._set_monitor_op`; any other name needs `mode="min"`).
- `test_step(batch)` records `held_out_losses(batch)`: the same objectives with the networks
  in inference mode and no update (no optimizer step, EMA update, step count or random
  draw), so `fit(validation_data=...)`, `evaluate()` and callbacks on `val_...` work.
- systems trained in stages (a pre-training stage with other optimizers) override
  `stages()`; the base then makes one train function per stage and picks it by step.
- `compile_for_training(config)` creates the optimizers (inside the strategy scope) and the
  EMA shadows; `checkpoint()` covers networks, optimizers (step count and slots, not the
  learning rate: `optimizer_state.OptimizerState`), EMA weights, seed generator and step.

`tfface/systems/template.py` is the smallest complete system.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import keras
import tensorflow as tf

from tfface.config.model_config import AdamConfig, ModelConfig, SystemConfig
from tfface.ops.private_apis import SkipSymbolicBuild, make_step_function, nested_layers
from tfface.signatures.signature import ExportSignature
from tfface.systems import registry
from tfface.systems.optimizer_state import OptimizerState
from tfface.systems.updates import Update
from tfface.training.ema import WeightEMA
from tfface.training.phases import TrainingPhase
from tfface.training.schedules import ConstantThenLinearDecay

OBJECTIVE_LOG = "loss"
"""The log name of a system's `OBJECTIVE` (Keras' conventional name of the objective)."""


def adam_optimizer(settings: AdamConfig) -> keras.optimizers.Adam:
    """The Keras Adam of one optimizer group's `AdamConfig` (constant or linearly decayed rate)."""
    rate: float | keras.optimizers.schedules.LearningRateSchedule = settings.learning_rate
    if settings.decay_steps > 0:
        rate = ConstantThenLinearDecay(
            settings.learning_rate, settings.decay_steps, settings.decay_start
        )
    return keras.optimizers.Adam(
        rate, beta_1=settings.beta_1, beta_2=settings.beta_2, epsilon=settings.epsilon
    )


class GANSystem(SkipSymbolicBuild, keras.Model):
    """Base class of the GAN systems (module docstring: what a system declares and implements).

    Args:
        networks: name -> built `keras.Model` (generators, discriminators, encoders...):
            exactly `expected_networks(model_config)`.
        model_config: the system's model section with `image_size` set
            (`SystemConfig.resolved_model()`); its `ema_decay` switches the EMA of
            `INFERENCE_NETWORKS` on.
        seed: seed of the system's `keras.random.SeedGenerator`.
        name: Keras model name (default: the system's `NAME`).
    """

    NAME: ClassVar[str] = ""
    SUMMARY: ClassVar[str] = ""
    CONFIG: ClassVar[type[SystemConfig] | None] = None
    PRESETS: ClassVar[Mapping[str, Callable[[], SystemConfig]]] = {}
    NETWORKS: ClassVar[tuple[str, ...]] = ()
    OPTIONAL_NETWORKS: ClassVar[tuple[str, ...]] = ()
    INFERENCE_NETWORKS: ClassVar[tuple[str, ...]] = ()
    OPTIMIZER_GROUPS: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    LOSS_NAMES: ClassVar[tuple[str, ...]] = ()
    OBJECTIVE: ClassVar[str | None] = "generator_loss"
    UPDATES: ClassVar[tuple[Update, ...]] = ()
    DATA: ClassVar[Callable[..., tf.data.Dataset] | None] = None
    EXPORTS: ClassVar[Callable[[Any], dict[str, ExportSignature]] | None] = None
    SYNTHFACES: ClassVar[tuple[str, ...]] = ("--yaws", "0", "20")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Checks the declarations of a class that declares `CONFIG` and registers it."""
        super().__init_subclass__(**kwargs)
        if "CONFIG" not in cls.__dict__:
            return
        declared_networks = {*cls.NETWORKS, *cls.OPTIONAL_NETWORKS}
        problems = []
        if not cls.NAME:
            problems.append("NAME is empty")
        for group, networks in cls.OPTIMIZER_GROUPS.items():
            unknown = set(networks) - declared_networks
            if unknown:
                problems.append(
                    f"OPTIMIZER_GROUPS[{group!r}] names unknown networks {sorted(unknown)}"
                )
        unknown = set(cls.INFERENCE_NETWORKS) - declared_networks
        if unknown:
            problems.append(f"INFERENCE_NETWORKS names unknown networks {sorted(unknown)}")
        for update in cls.UPDATES:
            unknown_groups = [g for g in update.groups if g not in cls.OPTIMIZER_GROUPS]
            if unknown_groups:
                problems.append(
                    f"update {update.objective!r} steps unknown optimizer(s) {unknown_groups}"
                )
            if update.loss not in cls.LOSS_NAMES:
                problems.append(
                    f"update {update.objective!r} minimises {update.loss!r}, not in LOSS_NAMES"
                )
            if not callable(getattr(cls, update.objective, None)):
                problems.append(f"update objective {update.objective!r} is not a method")
        if cls.OBJECTIVE is not None and cls.OBJECTIVE not in cls.LOSS_NAMES:
            problems.append(f"OBJECTIVE {cls.OBJECTIVE!r} is not one of LOSS_NAMES")
        if problems:
            raise TypeError(f"system class {cls.__name__}: " + "; ".join(problems))
        registry.register(cls)

    def __init__(
        self,
        networks: Mapping[str, keras.Model],
        model_config: ModelConfig,
        seed: int = 0,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name or self.NAME or None)
        if not networks:
            raise ValueError("a GANSystem needs at least one network")
        expected = set(self.expected_networks(model_config))
        missing, unexpected = sorted(expected - set(networks)), sorted(set(networks) - expected)
        if missing or unexpected:
            raise ValueError(
                f"{type(self).__name__} with this model config needs networks {sorted(expected)}; "
                f"missing {missing}, unexpected {unexpected}"
            )
        if model_config.image_size is None:
            raise ValueError(
                f"{type(self).__name__} needs model_config.image_size (SystemConfig.resolved_model())"
            )
        self.network_names = tuple(networks)
        for network_name, network in networks.items():
            if not isinstance(network, keras.layers.Layer):
                raise TypeError(
                    f"network {network_name!r} must be a keras Model or Layer, got {type(network).__name__}"
                )
            setattr(self, network_name, network)
        self.model_config = model_config
        self.image_size = int(model_config.image_size)
        self.seed_generator = keras.random.SeedGenerator(seed)
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
        self.ema_decay = model_config.ema_decay
        self.ema_network_names = self.INFERENCE_NETWORKS if self.ema_decay is not None else ()
        self.ema: WeightEMA | None = None
        self.system_optimizers: dict[str, keras.optimizers.Optimizer] = {}
        self.xla_per_replica = False  # set by compile (see gradient_function)
        # The networks arrive built, so the system is too: fit() must not trace `call` on a
        # training batch to build it.
        self.built = True

    # -- what a system implements ----------------------------------------------------------
    @classmethod
    def build_networks(cls, model_config: ModelConfig, seed: int = 0) -> dict[str, keras.Model]:
        """The system's networks, freshly built from `model_config` (image_size set)."""
        raise NotImplementedError(f"{cls.__name__} does not implement build_networks")

    @classmethod
    def optimizer_configs(cls, config: SystemConfig) -> dict[str, AdamConfig]:
        """One `AdamConfig` per optimizer group of `config` (the groups of `expected_networks`)."""
        raise NotImplementedError(f"{cls.__name__} does not implement optimizer_configs")

    def preview(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """{name: float images (B, S, S, 3) in [-1, 1]} for the TensorBoard grids of `batch`."""
        raise NotImplementedError(f"{type(self).__name__} does not implement preview")

    @classmethod
    def expected_networks(cls, model_config: ModelConfig) -> tuple[str, ...]:
        """The networks a system of `model_config` has: `NETWORKS`, plus the optional ones the
        config switches on (override when there are `OPTIONAL_NETWORKS`)."""
        return cls.NETWORKS

    @classmethod
    def create(cls, config: SystemConfig, **extras: Any) -> GANSystem:
        """A system of `config` with freshly built networks (seeded by train.seed).

        `extras` go to the constructor (e.g. a frozen identity network).
        """
        model_config = config.resolved_model()
        return cls(
            cls.build_networks(model_config, seed=config.train.seed),
            model_config,
            seed=config.train.seed,
            **extras,
        )

    def prepare_training(self, config: SystemConfig) -> None:
        """Loads what only training needs (feature networks of perceptual or identity losses).

        Called by `compile_for_training` inside the strategy scope; the default needs nothing.
        """

    @classmethod
    def phases(cls, config: Any) -> tuple[TrainingPhase, ...]:
        """The training phases of a run of `config` (the progress line's phases and losses).

        One phase over every step, logging every `LOSS_NAMES` entry; systems trained in
        stages override it.
        """
        return (TrainingPhase("training", 0, config.train.steps, cls.LOSS_NAMES),)

    def stages(self) -> tuple[tuple[int, tuple[Update, ...]], ...]:
        """(first step, updates) of each training stage, by first step; default one stage."""
        return ((0, self.UPDATES),)

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

    @property
    def optimizer_groups(self) -> dict[str, tuple[str, ...]]:
        """The `OPTIMIZER_GROUPS` of this system: those whose networks it has."""
        return {
            group: networks
            for group, networks in self.OPTIMIZER_GROUPS.items()
            if all(network in self.network_names for network in networks)
        }

    def compile(self, optimizers: Mapping[str, keras.optimizers.Optimizer], **kwargs: Any) -> None:
        """Sets one optimizer per network group; other keyword arguments go to `keras.Model.compile`.

        Call it inside the strategy scope: the optimizers' slot variables are
        created here, not lazily inside the first (distributed) train step.

        Args:
            optimizers: name -> optimizer; exactly the keys of `optimizer_groups`.
            **kwargs: e.g. `jit_compile`, `run_eagerly`, `steps_per_execution`.
        """
        groups = self.optimizer_groups
        missing = [name for name in groups if name not in optimizers]
        extra = [name for name in optimizers if name not in groups]
        if missing or extra:
            raise ValueError(
                f"{type(self).__name__} needs optimizers {list(groups)}; "
                f"missing {missing}, unexpected {extra}"
            )
        kwargs.setdefault("jit_compile", False)
        # XLA under several replicas: per replica around each update's forward and backward
        # pass (`gradient_function`), not around Keras' whole distributed step.
        replicas = self.distribute_strategy.num_replicas_in_sync  # the scope it was built in
        self.xla_per_replica = bool(kwargs["jit_compile"]) and replicas > 1
        if self.xla_per_replica:
            self.check_xla_per_replica()
            kwargs["jit_compile"] = False
        # No Keras-level optimizer: the system's own optimizers do all updates.
        super().compile(optimizer=None, **kwargs)
        self.system_optimizers = dict(optimizers)
        for optimizer_name, optimizer in optimizers.items():
            setattr(self, f"optimizer_{optimizer_name}", optimizer)
            if not optimizer.built:
                optimizer.build(self.variables_of(*groups[optimizer_name]))

    def check_xla_per_replica(self) -> None:
        """Refuses XLA under several CPU replicas for networks that synchronise batch-norm
        statistics across replicas (`BatchNormalization(synchronized=True)`).

        Their forward pass all-reduces inside the per-replica XLA computation. TensorFlow
        does that inside XLA only when every replica is a GPU (tensorflow 2.21,
        `MirroredExtended._use_merge_call`: on CPUs the all-reduce is a `merge_call`, which
        cannot run in a nested function), so on CPU devices the step would fail.
        """
        strategy = tf.distribute.get_strategy()
        devices = getattr(strategy.extended, "worker_devices", ())
        if devices and all("GPU" in device.upper() for device in devices):
            return
        synchronised = sorted(
            {
                network_name
                for network_name in self.network_names
                for layer in nested_layers(self.network(network_name))
                if getattr(layer, "synchronized", False)
            }
        )
        if synchronised:
            raise ValueError(
                f"train.jit_compile with {strategy.num_replicas_in_sync} CPU replicas: "
                f"{type(self).__name__} synchronises batch-norm statistics across replicas "
                f"(networks {', '.join(synchronised)}), "
                "which TensorFlow compiles with XLA only on GPU replicas; train without "
                "jit_compile, or on one device, or on GPUs"
            )

    def compile_for_training(self, config: SystemConfig) -> None:
        """Compiles exactly as `tfface train` does: `optimizer_configs(config)` as Adam
        optimizers, `train.jit_compile`, `prepare_training`, then the EMA shadows.

        Call it inside the strategy scope that will train the system.
        """
        settings = self.optimizer_configs(config)
        self.prepare_training(config)
        self.compile(
            optimizers={group: adam_optimizer(adam) for group, adam in settings.items()},
            jit_compile=config.train.jit_compile,
        )
        self.enable_ema()

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

    def update_gradients(
        self, update: Update, batch: Mapping[str, tf.Tensor], carried: dict
    ) -> tuple[dict[str, tf.Tensor], dict[str, Any], dict[str, list]]:
        """The forward and backward pass of one update, on this replica's batch.

        Returns (logged terms {LOSS_NAMES entry: (B,)}, carried values, {optimizer group:
        [gradient or None per variable of the group]}) for the update's groups that exist.
        With `train.jit_compile` under several replicas this runs as one XLA computation per
        replica (`xla_per_replica`); the optimizer steps run outside it.
        """
        groups = [group for group in update.groups if group in self.optimizer_groups]
        variables = {group: self.variables_of(*self.optimizer_groups[group]) for group in groups}
        with tf.GradientTape() as tape:
            terms, passed = self.objective_terms(update, batch, carried, training=True)
            total = self.reduce(terms[update.loss])
        gradients = tape.gradient(total, variables) if groups else {}
        return terms, passed, gradients

    def apply_update(self, update: Update, gradients: Mapping[str, list]) -> None:
        """Each group's optimizer step on its gradients (None: a variable the loss does not
        reach, left as it is). The gradients are summed over replicas by the optimizer.

        Raises:
            ValueError: the loss reaches no variable of one of the update's groups (a group
                stepping from a tape that never touches it is a wiring error).
        """
        unreached = [
            group
            for group, group_gradients in gradients.items()
            if all(gradient is None for gradient in group_gradients)
        ]
        if unreached:
            raise ValueError(f"{update.loss} is not connected to any variable of {unreached}")
        for group, group_gradients in gradients.items():
            variables = self.variables_of(*self.optimizer_groups[group])
            pairs = [
                (gradient, variable)
                for gradient, variable in zip(group_gradients, variables, strict=True)
                if gradient is not None
            ]
            if pairs:
                self.system_optimizers[group].apply_gradients(pairs)

    def objective_terms(
        self, update: Update, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> tuple[dict[str, tf.Tensor], dict[str, Any]]:
        """Runs `update`'s objective: (logged terms {LOSS_NAMES entry: (B,)}, carried values)."""
        terms = getattr(self, update.objective)(batch, carried, training)
        if update.loss not in terms:
            raise KeyError(f"objective {update.objective!r} returned no {update.loss!r}")
        logged = {key: value for key, value in terms.items() if key in self.LOSS_NAMES}
        passed = {key: value for key, value in terms.items() if key not in self.LOSS_NAMES}
        return logged, passed

    def gradient_function(self, update: Update) -> Callable[[Mapping, dict], tuple]:
        """`(batch, carried) -> update_gradients(update, batch, carried)`; with
        `xla_per_replica` a `tf.function(jit_compile=True)`, made once per update.

        Why per replica: Keras compiles its whole step function with XLA, `strategy.run`
        included, so under MirroredStrategy one XLA computation on the first device would
        read the other replicas' variables, which XLA refuses ("Trying to access resource
        ... located in device CPU:1 from device CPU:0"; keras-team/keras#19005). The
        forward and backward pass of each replica compile instead, and the gradient
        all-reduce and the optimizer steps (cross-replica work) run outside XLA.
        """
        if not self.xla_per_replica:
            return lambda batch, carried: self.update_gradients(update, batch, carried)
        # In __dict__, not a Keras-tracked attribute: functions are not model state.
        functions = self.__dict__.setdefault("_xla_gradient_functions", {})
        if update not in functions:
            functions[update] = tf.function(
                lambda batch, carried: self.update_gradients(update, batch, carried),
                jit_compile=True,
                autograph=False,
            )
        return functions[update]

    def run_updates(self, updates: tuple[Update, ...], batch: Mapping[str, tf.Tensor]) -> dict:
        """One train step of `updates` on `batch`: each update's tape, reduction and optimizer
        step in order, then the terms are logged, the step counted and the EMA updated."""
        carried: dict[str, Any] = {}
        logged: dict[str, tf.Tensor] = {}
        for update in updates:
            terms, passed, gradients = self.gradient_function(update)(batch, carried)
            self.apply_update(update, gradients)
            logged.update(terms)
            carried.update(tf.nest.map_structure(tf.stop_gradient, passed))
        self.record(**logged)
        return self.finish_step()

    def train_step(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """One train step: the updates of the stage active at the current step (module docstring).

        Raises:
            RuntimeError: a staged system's step is traced in a graph (use `fit`, whose train
                function picks the stage, or call it eagerly).
        """
        stages = self.stages()
        if len(stages) == 1:
            return self.run_updates(stages[0][1], batch)
        if not tf.executing_eagerly():
            raise RuntimeError(
                f"{type(self).__name__} trains in stages: its train step is chosen per step by "
                "fit's train function (make_train_function), not inside one graph"
            )
        return self.run_updates(self.updates_at(int(self.step_counter.numpy())), batch)

    def stage_at(self, step: int) -> int:
        """The index in `stages()` of the stage active at 0-based step `step`."""
        first_steps = [first_step for first_step, _ in self.stages()]
        return max(bisect.bisect_right(first_steps, step) - 1, 0)

    def updates_at(self, step: int) -> tuple[Update, ...]:
        """The updates of the stage active at 0-based step `step`."""
        return self.stages()[self.stage_at(step)][1]

    def make_train_function(self, force: bool = False):
        """Keras' train function; for staged systems one per stage, picked by the step counter.

        Each stage's function is one `strategy.run` of one step, so optimizer updates never
        sit inside a `tf.cond` (MirroredStrategy cannot synchronise there). The stage is read
        from the step counter before every call (exact with steps_per_execution 1).
        """
        stages = self.stages()
        if len(stages) == 1:
            return super().make_train_function(force)
        if self.train_function is not None and not force:
            return self.train_function
        functions = [
            make_step_function(self, lambda batch, u=updates: self.run_updates(u, batch))
            for _, updates in stages
        ]

        def function(iterator):
            return functions[self.stage_at(int(self.step_counter.numpy()))](iterator)

        self.train_function = function
        return function

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
        """Every update's terms on a held-out batch, without any update: {name: (B,)}.

        The objectives of every stage run with the networks in inference mode
        (`training=False`), in the order of the stages.
        """
        carried: dict[str, Any] = {}
        logged: dict[str, tf.Tensor] = {}
        seen: set[str] = set()
        for _, updates in self.stages():
            for update in updates:
                if update.objective in seen:
                    continue
                seen.add(update.objective)
                terms, passed = self.objective_terms(update, batch, carried, training=False)
                logged.update(terms)
                carried.update(passed)
        return logged

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
