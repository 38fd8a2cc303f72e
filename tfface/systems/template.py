"""How to add a system to tfface (a template to copy, not a system).

1. Config: a frozen dataclass subclassing `tfface.config.ExperimentConfig`
   with a `model` field (its own frozen dataclass: sizes, loss weights,
   learning rates — every number of the paper with the paper's value as the
   default of the `paper` preset). Register presets with
   `@register_preset("my_system", "paper")` and a `tiny` preset (32-64 px,
   few filters) for tests and the demo.

2. Networks: builders in `tfface/networks/` returning built `keras.Model`s.

3. The system: subclass `tfface.systems.base.GANSystem`:

       class MySystem(GANSystem):
           LOSS_NAMES = ("generator_loss", "discriminator_loss")
           OPTIMIZER_GROUPS = {"generator": ("generator",), "discriminator": ("discriminator",)}

           def call(self, inputs, training=False):      # inference = the exported path
               return self.generator(inputs["image"], training=training)

           def train_step(self, batch):
               with tf.GradientTape() as tape:          # one tape per update
                   fake = self.generator(batch["image"], training=True)
                   generator_loss = generator_adversarial_loss(self.discriminator(fake)) + ...  # (B,)
                   total = self.reduce(generator_loss)  # the ONE division by the global batch
               self.update(tape, total, "generator")    # explicit variable lists, never `trainable`
               ...                                      # the discriminator update, its own tape
               self.record(generator_loss=generator_loss, discriminator_loss=discriminator_loss)
               return self.finish_step()                # step counter, EMA, logs

           def held_out_losses(self, batch):            # test_step: validation, evaluate()
               ...                                      # the same loss code, training=False,
               return {"generator_loss": ..., "discriminator_loss": ...}  # no update at all

   Losses come from `tfface.losses` and are per example (B,). Share the loss code between
   `train_step` and `held_out_losses` (e.g. a `generator_losses(batch, training)` method
   called inside the tape). `OBJECTIVE` (default "generator_loss") is also logged as
   `loss`, which Keras callbacks monitor and minimise by default.

4. Registration: `tfface.systems.registry.register(SystemSpec(name, config_class,
   build, compile, dataset, preview))` at the bottom of the module, and the
   module name in `tfface.config.system_modules.SYSTEM_MODULES` so `tfface train my_system` finds it.

5. Tests (tests/systems/): a tiny instance trains a step under 2-replica
   MirroredStrategy with the same result as one device, round-trips its
   checkpoint, and its inference API rejects bad input; a slow learning check.
"""
